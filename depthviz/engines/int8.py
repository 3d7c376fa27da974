"""precision="int8": the network quantized by NNCF's post-training quantization, fitted to
random crops of the calibration photos (openvino_cache.py keeps the result per weights file)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from depthviz.engines.base import ConvertibleModel
from depthviz.engines.openvino_engine import ModelSource, import_openvino
from depthviz.engines.verdict import calibration_photos

if TYPE_CHECKING:
    import openvino

log = logging.getLogger("depthviz")

#: NNCF sees this many crops of the calibration photos.
INT8_CALIBRATION_CROPS = 200


def quantize(model: ConvertibleModel, converted: ModelSource) -> openvino.Model:
    """The f32 converted network quantized to int8 (~10 s for FastDepth)."""
    import nncf

    ov = import_openvino()
    source = ov.Core().read_model(str(converted)) if isinstance(converted, Path) else converted
    log.info("Quantizing %s to int8 (once per weights file).", model.name)
    return nncf.quantize(source, nncf.Dataset(calibration_crops(model)),
                         subset_size=INT8_CALIBRATION_CROPS)


def calibration_crops(model: ConvertibleModel,
                      count: int = INT8_CALIBRATION_CROPS) -> list[np.ndarray]:
    """Network inputs from random crops (half to full size, some mirrored) of the calibration
    photos: the activation ranges int8 is fitted to. Seeded, so every build is the same."""
    photos = calibration_photos()
    rng = np.random.default_rng(0)
    crops = []
    for index in range(count):
        rgb = photos[index % len(photos)]
        scale = rng.uniform(0.5, 1.0)
        height, width = int(rgb.shape[0] * scale), int(rgb.shape[1] * scale)
        top = rng.integers(0, rgb.shape[0] - height + 1)
        left = rng.integers(0, rgb.shape[1] - width + 1)
        crop = rgb[top:top + height, left:left + width]
        crops.append(model.preprocess(np.ascontiguousarray(crop[:, ::-1] if index % 2 else crop)))
    return crops
