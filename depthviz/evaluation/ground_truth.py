"""Photos and their measured depth: pairs found by name in a folder, a zip or uploaded files,
ground truth read into metres (NaN = no measurement), and the built-in motorcycle sample.

The layout is fixed (issue 19): `NAME.jpg|jpeg|png|webp` beside `NAME.depth.png` (16-bit, one
unit = `depth_scale` metres, 0 = no measurement), `NAME.depth.npy` or `NAME.depth.pfm` (float32
metres; 0, negative, NaN or inf = no measurement).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Union

import cv2
import numpy as np
from PIL import Image

from depthviz.engines.precision import motorcycle
from depthviz.errors import EvaluationError
from depthviz.io.images import ImageSource, load_image, read_bytes

#: Photo file types of a pair (the ground truth's `.depth.png` is never taken for a photo).
PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
#: Ground-truth file types: a 16-bit PNG in units of `depth_scale` metres, or float32 metres.
DEPTH_SUFFIXES = (".depth.png", ".depth.npy", ".depth.pfm")
#: Metres per unit of a 16-bit depth PNG unless told otherwise: millimetres.
DEFAULT_DEPTH_SCALE = 0.001
#: The motorcycle's published calibration (Middlebury 2014, quarter size as scikit-image has it).
MOTORCYCLE_FOCAL_PX = 994.978
MOTORCYCLE_BASELINE_MM = 193.001
MOTORCYCLE_DOFFS_PX = 31.086
SAMPLE_NAME = "motorcycle"

FileSource = Union[bytes, Path]


@dataclass(frozen=True)
class Pair:
    """A photo and its ground truth. `depth` is a `.depth.*` file (bytes or path, its kind in
    `depth_suffix`) or an array already in metres."""

    name: str  # the photo's stem: the key of the report's images
    photo: ImageSource
    depth: FileSource | np.ndarray
    depth_suffix: str = ".depth.npy"

    def rgb(self) -> np.ndarray:
        return load_image(self.photo)

    def depth_metres(self, depth_scale: float = DEFAULT_DEPTH_SCALE) -> np.ndarray:
        """HxW float64 metres, NaN where nothing was measured."""
        if isinstance(self.depth, np.ndarray):
            return _measured(self.depth)
        return read_depth(read_bytes(self.depth), self.depth_suffix, depth_scale,
                          label=f"{self.name}{self.depth_suffix}")


@dataclass(frozen=True)
class PairSet:
    """The pairs found, and each file left out with the reason (a person reads these)."""

    pairs: list[Pair]
    skipped: dict[str, str] = field(default_factory=dict)


def _measured(metres: np.ndarray) -> np.ndarray:
    depth = np.asarray(metres, dtype=np.float64)
    return np.where(np.isfinite(depth) & (depth > 0), depth, np.nan)


def read_depth(data: bytes, suffix: str, depth_scale: float = DEFAULT_DEPTH_SCALE, *,
               label: str = "ground truth") -> np.ndarray:
    """A ground-truth file's bytes -> HxW float64 metres, NaN where nothing was measured."""
    try:
        if suffix == ".depth.png":
            units = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED)
            if units is None or units.ndim != 2 or units.dtype != np.uint16:
                raise EvaluationError(f"{label}: not a single-channel 16-bit PNG.")
            metres = units * float(depth_scale)
            metres[units == 0] = np.nan
            return metres
        depth = (np.load(io.BytesIO(data), allow_pickle=False) if suffix == ".depth.npy"
                 else read_pfm(data))
    except (ValueError, OSError, EOFError) as exc:
        raise EvaluationError(f"{label}: cannot be read ({exc}).") from exc
    if depth.ndim != 2 or not np.issubdtype(depth.dtype, np.number):
        raise EvaluationError(f"{label}: expected one number per pixel (an HxW array), "
                              f"got shape {depth.shape} of {depth.dtype}.")
    return _measured(depth)


def read_pfm(data: bytes) -> np.ndarray:
    """A greyscale PFM ("Pf", rows stored bottom up, the scale's sign giving the byte order)."""
    header = re.match(rb"Pf\s+(\d+)\s+(\d+)\s+(\S+)\s", data)
    if header is None:
        raise ValueError("not a greyscale PFM (header 'Pf')")
    width, height, scale = int(header[1]), int(header[2]), float(header[3])
    body = data[header.end():]
    if len(body) != width * height * 4:
        raise ValueError("the file is shorter or longer than its header says")
    values = np.frombuffer(body, dtype="<f4" if scale < 0 else ">f4")
    return np.flipud(values.reshape(height, width))


def _kind(name: str) -> tuple[str, str] | None:
    """("photo" | ".depth.png" | ..., stem) for a file of the layout, else None."""
    lower = name.lower()
    for suffix in DEPTH_SUFFIXES:
        if lower.endswith(suffix):
            return suffix, name[:-len(suffix)]
    suffix = os.path.splitext(lower)[1]
    return ("photo", name[:-len(suffix)]) if suffix in PHOTO_SUFFIXES else None


def match_pairs(files: Mapping[str, FileSource]) -> PairSet:
    """Pairs from file names -> contents; photos without ground truth, ground truth without a
    photo and ambiguous names are reported, other files ignored."""
    photos: dict[str, list[str]] = {}
    depths: dict[str, list[str]] = {}
    suffixes: dict[str, str] = {}
    for name in sorted(files):
        kind = _kind(PurePosixPath(name).name)
        if kind is not None:
            (photos if kind[0] == "photo" else depths).setdefault(kind[1], []).append(name)
            suffixes[name] = kind[0]
    pairs, skipped = [], {}
    for stem in sorted(photos.keys() | depths.keys()):
        photo_names, depth_names = photos.get(stem, []), depths.get(stem, [])
        if not depth_names:
            skipped.update({name: "no ground truth (NAME.depth.png, .npy or .pfm)"
                            for name in photo_names})
        elif not photo_names:
            skipped.update({name: "no photo (NAME.jpg, .jpeg, .png or .webp)"
                            for name in depth_names})
        elif len(photo_names) > 1 or len(depth_names) > 1:
            skipped.update({name: f"'{stem}' names more than one photo or ground truth"
                            for name in photo_names + depth_names})
        else:
            pairs.append(Pair(stem, files[photo_names[0]], files[depth_names[0]],
                              suffixes[depth_names[0]]))
    return PairSet(pairs, skipped)


def folder_pairs(folder: str | os.PathLike) -> PairSet:
    """The pairs in a folder (not its subfolders), or in a zip file of one."""
    path = Path(folder)
    if path.is_file() and zipfile.is_zipfile(path):
        return zip_pairs(path.read_bytes())
    if not path.is_dir():
        raise EvaluationError(f"{path} is not a folder (nor a zip of one).")
    return _nonempty(match_pairs({entry.name: entry for entry in path.iterdir()
                                  if entry.is_file()}), str(path))


def zip_pairs(data: bytes) -> PairSet:
    """The pairs in a zip of such a folder, read in memory (subfolders too; the names of
    macOS's resource forks are ignored)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            files = {info.filename: archive.read(info) for info in archive.infolist()
                     if not info.is_dir() and "__MACOSX/" not in info.filename
                     and _kind(PurePosixPath(info.filename).name) is not None}
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise EvaluationError(f"The zip file cannot be read ({exc}).") from exc
    return _nonempty(match_pairs(files), "the zip file")


def upload_pairs(files: Iterable[tuple[str, bytes]]) -> PairSet:
    """Pairs from uploaded (name, bytes): photos and ground-truth files, or zips of them."""
    loose: dict[str, FileSource] = {}
    found = PairSet([])
    for name, data in files:
        if name.lower().endswith(".zip"):
            unzipped = zip_pairs(data)
            found = PairSet(found.pairs + unzipped.pairs, found.skipped | unzipped.skipped)
        else:
            loose[name] = data
    matched = match_pairs(loose) if loose else PairSet([])
    return _nonempty(PairSet(found.pairs + matched.pairs, found.skipped | matched.skipped),
                     "the files given")


def _nonempty(found: PairSet, where: str) -> PairSet:
    if not found.pairs:
        raise EvaluationError(
            f"No photo with ground truth in {where}: expected pairs such as NAME.jpg with "
            "NAME.depth.png (16-bit millimetres), NAME.depth.npy or NAME.depth.pfm (metres)"
            + (f"; left out: {', '.join(sorted(found.skipped))}" if found.skipped else "") + ".")
    return found


def motorcycle_sample() -> Pair:
    """scikit-image's Middlebury motorcycle: the left view and its true disparity as metres
    (depth_mm = baseline * f / (disparity + doffs); non-finite disparity = no measurement)."""
    left, disparity = motorcycle()
    with np.errstate(invalid="ignore"):
        depth_mm = (MOTORCYCLE_BASELINE_MM * MOTORCYCLE_FOCAL_PX
                    / (disparity.astype(np.float64) + MOTORCYCLE_DOFFS_PX))
    return Pair(SAMPLE_NAME, Image.fromarray(left), depth_mm / 1000.0)


def sample_pairs() -> PairSet:
    return PairSet([motorcycle_sample()])

