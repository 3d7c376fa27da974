"""The Ray runner: a batch plan's work run on Ray Data, for folders too big for one machine.

An actor pool (one callable class per worker) loads the model once per worker and runs
`run.run_items` on its images, reading the input and writing the outputs itself: on a
cluster every node must see the same paths (a shared or network file system). Only paths and
short error strings travel through Ray, never pixels. Results stream back as they finish, so
the caller's progress bar moves while the work runs.
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Optional

from depthviz.batch.plan import ImageJob, Outcome, OutputSettings, WorkItem
from depthviz.batch.run import ModelSpec, run_items
from depthviz.errors import DepthvizError

#: Images per block handed to a worker: small enough to spread the work and move the progress
#: bar often, large enough that Ray's per-block overhead stays negligible on a million photos.
MAX_ROWS_PER_BLOCK = 64
BLOCKS_PER_WORKER = 8


class DepthWorker:
    """One Ray actor: loads the model in its constructor, then processes batches of rows."""

    def __init__(self, spec: ModelSpec, settings: OutputSettings):
        self.model = spec.load()
        self.settings = settings

    def __call__(self, batch: dict) -> dict:
        items = (item_from_row(source, stem, formats) for source, stem, formats in zip(
            batch["source"], batch["relative_stem"], batch["formats"]))
        outcomes = list(run_items(self.model, items, self.settings))
        return {"source": [str(outcome.source) for outcome in outcomes],
                "error": [outcome.error or "" for outcome in outcomes]}


def item_to_row(item: WorkItem) -> dict:
    return {"source": str(item.job.source), "relative_stem": str(item.job.relative_stem),
            "formats": ",".join(item.formats)}


def item_from_row(source: str, relative_stem: str, formats: str) -> WorkItem:
    return WorkItem(ImageJob(Path(source), Path(relative_stem)), tuple(formats.split(",")))


def connect(address: Optional[str] = None, num_cpus: Optional[int] = None):
    """Join the cluster at `address` (e.g. ray://head:10001 or auto), or start a private local
    instance. Ray's usage statistics are switched off before Ray starts: depthviz sends nothing."""
    os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
    try:
        import ray
    except ImportError:
        # Both Ray front-ends (predict --runner ray, serve --ray) use this.
        raise DepthvizError("Ray is not installed: pip install 'depthviz[ray]'.") from None
    if not ray.is_initialized():
        ray.init(address=address, num_cpus=None if address else num_cpus,
                 include_dashboard=False, logging_level=logging.ERROR, log_to_driver=False)
    return ray


def run_on_ray(items: Sequence[WorkItem], settings: OutputSettings, spec: ModelSpec,
               address: Optional[str] = None, workers: Optional[int] = None) -> Iterator[Outcome]:
    """Run `items` on an actor pool of `workers` model copies (default: one per CPU of the
    cluster) and yield each image's outcome as soon as its block finishes."""
    if not items:
        return
    # Load once here first: a missing weights file or engine is then one readable line, not a
    # traceback from every worker that Ray retries.
    spec.load()
    ray = connect(address)
    from ray.data import ActorPoolStrategy, DataContext

    logging.getLogger("ray.data").setLevel(logging.ERROR)
    DataContext.get_current().enable_progress_bars = False  # the CLI draws its own bar, in images
    pool_size = min(len(items), workers or max(1, int(ray.cluster_resources().get("CPU", 1))))
    rows_per_block = max(1, min(MAX_ROWS_PER_BLOCK,
                                math.ceil(len(items) / (pool_size * BLOCKS_PER_WORKER))))
    spec = spec.for_batches()
    dataset = ray.data.from_items([item_to_row(item) for item in items],
                                  override_num_blocks=math.ceil(len(items) / rows_per_block))
    # Starts with every worker but runs with as few as one: a busy cluster delays, never blocks.
    pool = ActorPoolStrategy(min_size=1, max_size=pool_size, initial_size=pool_size)
    results = dataset.map_batches(
        DepthWorker, fn_constructor_args=(spec, settings), batch_size=rows_per_block,
        batch_format="numpy", compute=pool, num_cpus=1)
    try:
        for row in results.iter_rows():
            yield Outcome(Path(row["source"]), row["error"] or None)
    except ray.exceptions.RayError as exc:  # the last line names the cause; the rest is Ray's
        raise DepthvizError(f"The Ray run failed: {str(exc).strip().splitlines()[-1]}") from exc
