"""File-level work shared by the CLI and both batch engines: find images, plan what is left to
do, and turn one image into its output files.

Both engines (the local loop below and `ray_runner`) call `run_task` with a model loaded from
the same `ModelSpec`, so they write the same bytes.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from depthviz.errors import DepthvizError
from depthviz.io.files import write_atomic
from depthviz.io.images import IMAGE_EXTENSIONS, exif_fov_deg, load_image
from depthviz.io.naming import output_stems
from depthviz.models import DEFAULT_MODEL, load_model
from depthviz.models.base import DepthModel
from depthviz.outputs.colorize import DEFAULT_COLORMAP
from depthviz.outputs.export import FORMAT_SUFFIXES, encode
from depthviz.scene.formats import SCENE_FORMAT_SUFFIXES, SceneEncoder
from depthviz.scene.parallax import DEFAULT_STEREO_STRENGTH

#: Every output format the batch writes -> the suffix appended to the input's stem: the depth
#: maps (export.py) and the 3D outputs, which need the photo too (export3d.py).
OUTPUT_SUFFIXES = {**FORMAT_SUFFIXES, **SCENE_FORMAT_SUFFIXES}


@dataclass(frozen=True)
class ImageJob:
    """An input file and where its outputs go, relative to the output folder."""

    source: Path
    relative_stem: Path  # e.g. trip1/img03 for <folder>/trip1/img03.jpg

    def outputs(self, out_dir: Path, formats: Sequence[str]) -> list[Path]:
        return [out_dir / self.relative_stem.with_name(self.relative_stem.name + OUTPUT_SUFFIXES[f])
                for f in formats]


@dataclass(frozen=True)
class ModelSpec:
    """How to load the model: small and picklable, so every Ray worker loads the same one."""

    name: str = DEFAULT_MODEL
    weights: Optional[Path] = None
    engine: str = "auto"
    input_size: Optional[int] = None  # network input side; None = the model's official size
    precision: Optional[str] = None  # see load_model
    mode: str = "latency"  # "throughput" for batches (run_local, Ray workers)

    def load(self) -> DepthModel:
        return load_model(self.name, weights=self.weights, engine=self.engine,
                          input_size=self.input_size, precision=self.precision, mode=self.mode)

    def for_batches(self) -> ModelSpec:
        """The same model in throughput mode: more images per second, each one a little slower."""
        return replace(self, mode="throughput")


@dataclass(frozen=True)
class OutputSettings:
    """Where and what to write for every image."""

    out_dir: Path
    formats: tuple[str, ...] = ("heatmap",)
    cmap: str = DEFAULT_COLORMAP
    invert: bool = False
    stereo_strength: float = DEFAULT_STEREO_STRENGTH  # the stereo and anaglyph formats'


@dataclass(frozen=True)
class Task:
    """One image and the formats still missing for it."""

    job: ImageJob
    formats: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """What became of one input: `error` is None on success, else a reason for a person."""

    source: Path
    error: Optional[str] = None


@dataclass(frozen=True)
class Plan:
    tasks: list[Task]
    skipped: list[ImageJob]  # every output already there
    conflicts: list[Outcome]  # inputs whose outputs would overwrite another input's

    @property
    def total(self) -> int:
        return len(self.tasks) + len(self.skipped) + len(self.conflicts)


def collect_images(paths: Iterable[Path], exclude: Optional[Path] = None) -> list[ImageJob]:
    """Files as given; folders searched recursively for image files (by extension), mirrored
    under the output. Files under `exclude` (the output folder) are left out, so a re-run never
    treats its own heatmaps as photos. The same file given twice counts once."""
    excluded = exclude.resolve() if exclude is not None else None
    found: dict[Path, tuple[Path, Path]] = {}  # resolved -> (source, path relative to output)
    for path in paths:
        if path.is_dir():
            for candidate in sorted(path.rglob("*")):
                resolved = candidate.resolve()
                if (candidate.is_file() and candidate.suffix.lower() in IMAGE_EXTENSIONS
                        and not (excluded and resolved.is_relative_to(excluded))):
                    found.setdefault(resolved, (_absolute(candidate), candidate.relative_to(path)))
        else:
            found.setdefault(path.resolve(), (_absolute(path), Path(path.name)))
    return name_outputs(found.values())


def _absolute(path: Path) -> Path:
    """Absolute, so Ray workers in other folders find it, but symlinks kept as the user named them."""
    return Path(os.path.abspath(path))


def name_outputs(found: Iterable[tuple[Path, Path]]) -> list[ImageJob]:
    """Name outputs by `naming.output_stems` (trip1/img03.heatmap.png; img.jpg and img.png in one
    folder keep their extension: img.jpg.heatmap.png). The same relative path from two input
    folders is still one name: `plan_batch` reports it as a conflict."""
    found = list(found)
    stems = output_stems([relative.as_posix() for _, relative in found])
    return [ImageJob(source, Path(stem)) for (source, _), stem in zip(found, stems)]


def _name_key(relative: Path) -> str:
    """Names that collide on a case-insensitive file system (macOS, Windows) collide here too."""
    return relative.as_posix().casefold()


def plan_batch(jobs: Sequence[ImageJob], settings: OutputSettings, overwrite: bool = False) -> Plan:
    """Decide what is left to do. Outputs are written atomically, so one that exists is complete:
    an image whose outputs all exist is skipped (unless `overwrite`), and only the missing
    formats of a half-done image are written."""
    owners: dict[str, Path] = {}  # output name -> the first input claiming it
    tasks, skipped, conflicts = [], [], []
    for job in jobs:
        owner = owners.setdefault(_name_key(job.relative_stem), job.source)
        if owner != job.source:
            conflicts.append(Outcome(job.source, (
                f"its outputs would have the same names as those of {owner}; "
                "rename one, or process them into separate --out folders")))
            continue
        missing = tuple(fmt for fmt, path in zip(settings.formats, job.outputs(
            settings.out_dir, settings.formats)) if overwrite or not path.exists())
        if missing:
            tasks.append(Task(job, missing))
        else:
            skipped.append(job)
    return Plan(tasks, skipped, conflicts)


def process_image(model: DepthModel, job: ImageJob, out_dir: Path, formats: Sequence[str],
                  cmap: str, invert: bool,
                  stereo_strength: float = DEFAULT_STEREO_STRENGTH) -> list[Path]:
    """Predict one file and write each requested format atomically; returns the paths written.
    3D formats use the photo's EXIF field of view when it has one."""
    rgb = load_image(job.source)
    depth = model.predict(rgb)
    fov_deg = exif_fov_deg(job.source) if set(formats) & set(SCENE_FORMAT_SUFFIXES) else None
    scene = SceneEncoder(rgb, depth, model.metric, fov_deg, stereo_strength)
    written = []
    for fmt, target in zip(formats, job.outputs(out_dir, formats)):
        if fmt in SCENE_FORMAT_SUFFIXES:
            data = scene.encode(fmt)
        else:
            data = encode(fmt, depth, cmap, invert, metric=model.metric)
        write_atomic(target, data)
        written.append(target)
    return written


def run_task(model: DepthModel, task: Task, settings: OutputSettings) -> Outcome:
    """`process_image` that never raises: one bad file must not stop a million-photo batch."""
    try:
        process_image(model, task.job, settings.out_dir, task.formats, settings.cmap,
                      settings.invert, settings.stereo_strength)
    except (DepthvizError, OSError) as exc:
        return Outcome(task.job.source, str(exc) or type(exc).__name__)
    except Exception as exc:  # a bug or a library failure on odd data: report it, keep going
        return Outcome(task.job.source, f"unexpected {type(exc).__name__}: {exc}")
    return Outcome(task.job.source)


def run_local(tasks: Sequence[Task], settings: OutputSettings, spec: ModelSpec) -> Iterator[Outcome]:
    """The local engine: one model in this process, in throughput mode."""
    if not tasks:
        return
    yield from run_tasks(spec.for_batches().load(), tasks, settings)


def run_tasks(model: DepthModel, tasks: Iterable[Task], settings: OutputSettings) -> Iterator[Outcome]:
    """`run_task` on each task, keeping the engine's `parallel_requests` images in flight (one
    per OpenVINO stream in throughput mode; decoding and encoding overlap too), outcomes in
    task order. Only that many images are in memory at once."""
    in_flight = model.engine.parallel_requests
    if in_flight <= 1:
        for task in tasks:
            yield run_task(model, task, settings)
        return
    with ThreadPoolExecutor(in_flight, thread_name_prefix="depthviz-batch") as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append(pool.submit(run_task, model, task, settings))
            if len(pending) >= in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
