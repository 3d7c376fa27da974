"""The converted-model cache: per weights file, its OpenVINO IR, its int8 IR and its accuracy
verdict, kept under the model home.

Converting a network (which needs its framework, e.g. torch for MiDaS) takes seconds, so the
converted model (OpenVINO IR, .xml + .bin) is cached, keyed by the weights' sha256 and the
OpenVINO version: later loads read the IR and import no torch. The input's height and width
stay dynamic, so photos of any aspect ratio share one compiled model. The verdict
(verdict.py) is stored beside the IR as plain JSON. A model home marked read-only is left
untouched: the work is then redone in memory on each load.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import os
import shutil
import stat
import tempfile
import warnings
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from depthviz.engines.base import ConvertibleModel
from depthviz.engines.int8 import quantize
from depthviz.engines.openvino_engine import (
    ModelSource,
    cpu_name,
    import_openvino,
    supports_bf16,
)
from depthviz.engines.precision import TruthScore
from depthviz.engines.verdict import Verdict, check
from depthviz.io.files import write_atomic
from depthviz.io.weights import model_home, sha256_of

if TYPE_CHECKING:
    import openvino

log = logging.getLogger("depthviz")

#: Bump when the conversion itself changes, so stale cached IR is not reused.
CONVERSION_VERSION = 1
#: Cache entries kept per model (each weights file, e.g. a fine-tune, has its own).
KEEP_CONVERSIONS = 3


def openvino_version() -> str:
    return importlib.metadata.version("openvino")


def cache_dir(model_name: str, weights_path: Path) -> Path:
    """Where the converted model and its verdict live: one folder per weights file."""
    digest = sha256_of(weights_path)
    return (model_home() / "openvino"
            / f"{model_name}-{digest[:16]}-ov{openvino_version()}-c{CONVERSION_VERSION}")


def may_write(folder: Path) -> bool:
    """False below a folder marked read-only: we leave it alone even as root, who could write."""
    existing = next(path for path in (folder, *folder.parents) if path.exists())
    return bool(existing.stat().st_mode & stat.S_IWUSR) and os.access(existing, os.W_OK)


def prepare(model: ConvertibleModel, weights_path: Path) -> tuple[ModelSource, Verdict]:
    """The converted model (its cached IR file, or in memory) and the verdict for these weights,
    restricted to the precisions that may run here now; converted and checked on first use."""
    folder = cache_dir(model.name, weights_path)
    converted: ModelSource = folder / "model.xml"
    if not converted.is_file():
        log.info("Converting %s to OpenVINO and checking it against %s (once per weights file).",
                 model.name, model.reference_engine)
        converted = _convert(model, weights_path)
        if may_write(folder.parent):
            converted = _save(converted, folder)
            forget_old_conversions(folder)
    elif may_write(folder):
        os.utime(folder)  # recently used: kept by forget_old_conversions
    reduced = reduced_precisions(model.name, weights_path)
    verdict = cached_verdict(model.name, weights_path)
    if (verdict is None or verdict.cpu != cpu_name() or verdict.truth_f32 is None
            or not set(reduced) <= set(verdict.pearson)):
        to_check = {precision: int8_model(model, weights_path, converted)
                    if precision == "int8" else converted for precision in ("f32", *reduced)}
        verdict = check(model, weights_path, to_check)
        if may_write(folder):
            write_atomic(folder / "verdict.json", json.dumps(asdict(verdict), indent=1).encode())
    return converted, verdict.restricted_to(("f32", *reduced))


def int8_model(model: ConvertibleModel, weights_path: Path,
               converted: ModelSource) -> ModelSource:
    """The network quantized to int8: built once (int8.py) and cached beside the f32 IR when
    the model home may be written."""
    folder = cache_dir(model.name, weights_path)
    cached = folder / "model-int8.xml"
    if cached.is_file():
        return cached
    quantized = quantize(model, converted)
    if not may_write(folder):
        return quantized
    scratch = folder / f".model-int8-{os.getpid()}.xml"  # renamed into place: complete or absent
    import_openvino().save_model(quantized, str(scratch), compress_to_fp16=False)
    os.replace(scratch.with_suffix(".bin"), folder / "model-int8.bin")
    os.replace(scratch, cached)
    return cached


def reduced_precisions(model_name: str, weights_path: Path) -> tuple[str, ...]:
    """The reduced precisions precision="auto" weighs (each is checked before use): int8 once
    built for these weights (an explicit precision="int8" builds it: too slow to do unasked),
    bf16 where the CPU has it natively."""
    built = (cache_dir(model_name, weights_path) / "model-int8.xml").is_file()
    return (*(("int8",) if built else ()), *(("bf16",) if supports_bf16() else ()))


def cached_verdict(model_name: str, weights_path: Path) -> Optional[Verdict]:
    """The stored verdict, or None if these weights were not checked yet (imports no OpenVINO)."""
    try:
        data = json.loads((cache_dir(model_name, weights_path) / "verdict.json").read_text())
        truth = {name: TruthScore(**score) for name, score in data.pop("truth", {}).items()}
        return Verdict(**data, truth=truth)
    except (OSError, ValueError, TypeError, importlib.metadata.PackageNotFoundError):
        return None


def usable_verdict(model_name: str, weights_path: Path) -> Optional[Verdict]:
    """The stored verdict restricted to the precisions that may run here now, or None."""
    verdict = cached_verdict(model_name, weights_path)
    if verdict is None:
        return None
    return verdict.restricted_to(("f32", *reduced_precisions(model_name, weights_path)))


def forget_old_conversions(folder: Path, keep: int = KEEP_CONVERSIONS) -> None:
    """Delete all but the `keep` most recently used cache entries of this model."""
    model_name = folder.name.split("-")[0]
    entries = sorted(folder.parent.glob(f"{model_name}-*"), key=lambda path: path.stat().st_mtime)
    for old in entries[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def _convert(model: ConvertibleModel, weights_path: Path) -> openvino.Model:
    with warnings.catch_warnings():  # torch.jit.trace's deprecation notices mean nothing to users
        warnings.simplefilter("ignore", FutureWarning)
        return model.to_openvino(weights_path)


def _save(converted: openvino.Model, folder: Path) -> Path:
    """Save into a scratch folder, then rename: a cache entry is complete or absent."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}."))
    try:
        import_openvino().save_model(converted, str(scratch / "model.xml"),
                                     compress_to_fp16=False)
        try:
            os.rename(scratch, folder)
        except OSError:
            if not (folder / "model.xml").is_file():  # not just another process being first
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return folder / "model.xml"
