"""Doing a batch's work: each work item's photo through the model into its output files.

The local runner (`run_local`) and the Ray runner (ray_data.py) both call `run_items` with a
model loaded from the same `ModelSpec`, so they write the same bytes.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional

from depthviz.batch.plan import ImageJob, Outcome, OutputSettings, WorkItem
from depthviz.errors import DepthvizError
from depthviz.io.files import write_atomic
from depthviz.io.images import exif_fov_deg, load_image
from depthviz.models import DEFAULT_MODEL, load_model
from depthviz.models.depth_model import DepthModel
from depthviz.outputs.export import encode
from depthviz.scene.formats import SCENE_FORMAT_SUFFIXES, SceneEncoder
from depthviz.scene.stereo import DEFAULT_STEREO_STRENGTH


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
    for fmt, target in zip(formats, job.outputs(out_dir, formats, cmap, invert)):
        if fmt in SCENE_FORMAT_SUFFIXES:
            data = scene.encode(fmt)
        else:
            data = encode(fmt, depth, cmap, invert, metric=model.metric)
        write_atomic(target, data)
        written.append(target)
    return written


def run_item(model: DepthModel, item: WorkItem, settings: OutputSettings) -> Outcome:
    """`process_image` that never raises: one bad file must not stop a million-photo batch."""
    try:
        process_image(model, item.job, settings.out_dir, item.formats, settings.cmap,
                      settings.invert, settings.stereo_strength)
    except (DepthvizError, OSError) as exc:
        return Outcome(item.job.source, str(exc) or type(exc).__name__)
    except Exception as exc:  # a bug or a library failure on odd data: report it, keep going
        return Outcome(item.job.source, f"unexpected {type(exc).__name__}: {exc}")
    return Outcome(item.job.source)


def run_local(items: Sequence[WorkItem], settings: OutputSettings,
              spec: ModelSpec) -> Iterator[Outcome]:
    """The local runner: one model in this process, in throughput mode."""
    if not items:
        return
    yield from run_items(spec.for_batches().load(), items, settings)


def run_items(model: DepthModel, items: Iterable[WorkItem],
              settings: OutputSettings) -> Iterator[Outcome]:
    """`run_item` on each item, keeping the engine's `parallel_requests` images in flight (one
    per OpenVINO stream in throughput mode; decoding and encoding overlap too), outcomes in
    item order. Only that many images are in memory at once."""
    in_flight = model.engine.parallel_requests
    if in_flight <= 1:
        for item in items:
            yield run_item(model, item, settings)
        return
    with ThreadPoolExecutor(in_flight, thread_name_prefix="depthviz-batch") as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.submit(run_item, model, item, settings))
            if len(pending) >= in_flight:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
