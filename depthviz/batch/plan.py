"""What a batch has to do: find the images in the paths given, name their outputs, and decide
which outputs are still missing, so that an interrupted run resumes where it stopped.

run.py does the work of the plan's pending items, locally or on Ray (ray_data.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from depthviz.io.images import IMAGE_EXTENSIONS
from depthviz.io.naming import output_name, output_stems
from depthviz.outputs.colorize import DEFAULT_COLORMAP
from depthviz.outputs.export import FORMAT_SUFFIXES
from depthviz.scene.formats import SCENE_FORMAT_SUFFIXES
from depthviz.scene.stereo import DEFAULT_STEREO_STRENGTH

#: Every output format the batch writes -> the suffix appended to the input's stem: the depth
#: maps (outputs.export) and the 3D outputs, which need the photo too (scene.formats).
OUTPUT_SUFFIXES = {**FORMAT_SUFFIXES, **SCENE_FORMAT_SUFFIXES}


@dataclass(frozen=True)
class ImageJob:
    """An input file and where its outputs go, relative to the output folder."""

    source: Path
    relative_stem: Path  # e.g. trip1/img03 for <folder>/trip1/img03.jpg

    def outputs(self, out_dir: Path, formats: Sequence[str], cmap: str = DEFAULT_COLORMAP,
                invert: bool = False) -> list[Path]:
        """Where each format goes (`naming.output_name`: trip1/img03.inferno.heatmap.png)."""
        stem = self.relative_stem
        return [out_dir / stem.with_name(output_name(stem.name, OUTPUT_SUFFIXES[fmt], cmap, invert))
                for fmt in formats]


@dataclass(frozen=True)
class OutputSettings:
    """Where and what to write for every image."""

    out_dir: Path
    formats: tuple[str, ...] = ("heatmap",)
    cmap: str = DEFAULT_COLORMAP
    invert: bool = False
    stereo_strength: float = DEFAULT_STEREO_STRENGTH  # the stereo and anaglyph formats'


@dataclass(frozen=True)
class WorkItem:
    """One image and the formats still missing for it: what a runner hands to `run.run_item`."""

    job: ImageJob
    formats: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """What became of one input: `error` is None on success, else a reason for a person."""

    source: Path
    error: Optional[str] = None


@dataclass(frozen=True)
class Plan:
    """A batch's inputs in three groups: work still to do, inputs already done, and inputs
    whose outputs would collide with another's."""

    pending: list[WorkItem]  # some outputs still missing
    skipped: list[ImageJob]  # every output already there
    conflicts: list[Outcome]  # inputs whose outputs would overwrite another input's

    @property
    def total(self) -> int:
        return len(self.pending) + len(self.skipped) + len(self.conflicts)


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
    """Absolute, so Ray workers in other folders find it, but symlinks kept as the user named
    them."""
    return Path(os.path.abspath(path))


def name_outputs(found: Iterable[tuple[Path, Path]]) -> list[ImageJob]:
    """Name outputs by `naming.output_stems` (trip1/img03.inferno.heatmap.png; img.jpg and img.png
    in one folder keep their extension: img.jpg.inferno.heatmap.png). The same relative path
    from two input folders is still one name: `plan_batch` reports it as a conflict."""
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
    pending, skipped, conflicts = [], [], []
    for job in jobs:
        owner = owners.setdefault(_name_key(job.relative_stem), job.source)
        if owner != job.source:
            conflicts.append(Outcome(job.source, (
                f"its outputs would have the same names as those of {owner}; "
                "rename one, or process them into separate --out folders")))
            continue
        missing = tuple(fmt for fmt, path in zip(settings.formats, job.outputs(
            settings.out_dir, settings.formats, settings.cmap, settings.invert))
                        if overwrite or not path.exists())
        if missing:
            pending.append(WorkItem(job, missing))
        else:
            skipped.append(job)
    return Plan(pending, skipped, conflicts)
