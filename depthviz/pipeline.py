"""File-level work shared by the CLI and batch runners: find images, write their outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

from .colorize import colorize
from .export import FORMAT_SUFFIXES, encode, write_atomic
from .images import IMAGE_EXTENSIONS, load_image
from .models.base import DepthModel


@dataclass(frozen=True)
class ImageJob:
    """An input file and where its outputs go, relative to the output folder."""

    source: Path
    relative_stem: Path  # e.g. trip1/img03 for <folder>/trip1/img03.jpg

    def outputs(self, out_dir: Path, formats: Sequence[str]) -> list[Path]:
        return [out_dir / self.relative_stem.with_name(self.relative_stem.name + FORMAT_SUFFIXES[f])
                for f in formats]


def collect_images(paths: Iterable[Path]) -> list[ImageJob]:
    """Files as given; folders searched recursively for image files, mirrored under the output."""
    jobs: list[ImageJob] = []
    for path in paths:
        if path.is_dir():
            for found in sorted(p for p in path.rglob("*")
                                if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS):
                jobs.append(ImageJob(found, found.relative_to(path).with_suffix("")))
        else:
            jobs.append(ImageJob(path, Path(path.stem)))
    return jobs


def process_image(model: DepthModel, job: ImageJob, out_dir: Path, formats: Sequence[str],
                  cmap: str, invert: bool) -> list[Path]:
    """Predict one file and write each requested format atomically; returns the paths written."""
    depth = model.predict(load_image(job.source))
    heatmap = colorize(depth, cmap=cmap, invert=invert) if "heatmap" in formats else None
    written = []
    for fmt, target in zip(formats, job.outputs(out_dir, formats)):
        write_atomic(target, encode(fmt, depth, heatmap))
        written.append(target)
    return written
