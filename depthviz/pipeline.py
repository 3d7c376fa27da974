"""File-level work shared by the CLI and both batch engines: find images, plan what is left to
do, and turn one image into its output files.

Both engines (the local loop below and `ray_runner`) call `run_task` with a model loaded from
the same `ModelSpec`, so they write the same bytes.
"""

from __future__ import annotations

import os
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Optional, Sequence

from .colorize import DEFAULT_COLORMAP, colorize
from .errors import DepthvizError
from .export import FORMAT_SUFFIXES, encode, write_atomic
from .images import IMAGE_EXTENSIONS, load_image
from .models import DEFAULT_MODEL, load_model
from .models.base import DepthModel


@dataclass(frozen=True)
class ImageJob:
    """An input file and where its outputs go, relative to the output folder."""

    source: Path
    relative_stem: Path  # e.g. trip1/img03 for <folder>/trip1/img03.jpg

    def outputs(self, out_dir: Path, formats: Sequence[str]) -> list[Path]:
        return [out_dir / self.relative_stem.with_name(self.relative_stem.name + FORMAT_SUFFIXES[f])
                for f in formats]


@dataclass(frozen=True)
class ModelSpec:
    """How to load the model: small and picklable, so every Ray worker loads the same one."""

    name: str = DEFAULT_MODEL
    weights: Optional[Path] = None
    engine: str = "auto"

    def load(self) -> DepthModel:
        return load_model(self.name, weights=self.weights, engine=self.engine)


@dataclass(frozen=True)
class OutputSettings:
    """Where and what to write for every image."""

    out_dir: Path
    formats: tuple[str, ...] = ("heatmap",)
    cmap: str = DEFAULT_COLORMAP
    invert: bool = False


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
    """Name outputs after the input's stem (trip1/img03.heatmap.png); inputs that would share a
    name (img.jpg and img.png in one folder) keep their extension instead (img.jpg.heatmap.png,
    img.png.heatmap.png), so neither overwrites the other. (The same relative path from two
    input folders is still one name: `plan_batch` reports it as a conflict.)"""
    found = list(found)
    names_per_stem: dict[str, set[str]] = defaultdict(set)
    for _, relative in found:
        names_per_stem[_name_key(relative.with_suffix(""))].add(_name_key(relative))
    jobs = []
    for source, relative in found:
        stem = relative.with_suffix("")
        shared = len(names_per_stem[_name_key(stem)]) > 1
        jobs.append(ImageJob(source, relative if shared else stem))
    return jobs


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
                  cmap: str, invert: bool) -> list[Path]:
    """Predict one file and write each requested format atomically; returns the paths written."""
    depth = model.predict(load_image(job.source))
    heatmap = colorize(depth, cmap=cmap, invert=invert) if "heatmap" in formats else None
    written = []
    for fmt, target in zip(formats, job.outputs(out_dir, formats)):
        write_atomic(target, encode(fmt, depth, heatmap))
        written.append(target)
    return written


def run_task(model: DepthModel, task: Task, settings: OutputSettings) -> Outcome:
    """`process_image` that never raises: one bad file must not stop a million-photo batch."""
    try:
        process_image(model, task.job, settings.out_dir, task.formats, settings.cmap,
                      settings.invert)
    except (DepthvizError, OSError) as exc:
        return Outcome(task.job.source, str(exc) or type(exc).__name__)
    except Exception as exc:  # a bug or a library failure on odd data: report it, keep going
        return Outcome(task.job.source, f"unexpected {type(exc).__name__}: {exc}")
    return Outcome(task.job.source)


def run_local(tasks: Sequence[Task], settings: OutputSettings, spec: ModelSpec) -> Iterator[Outcome]:
    """The local engine: one model in this process, the images one after another (the engine
    already uses every core for each image)."""
    if not tasks:
        return
    model = spec.load()
    for task in tasks:
        yield run_task(model, task, settings)
