"""The DepthModel users call `predict` on: a model card, its family's recipe and an engine."""

from __future__ import annotations

from pathlib import Path
from typing import Union

import numpy as np
from PIL import Image

from depthviz.engines.base import Engine
from depthviz.errors import DepthvizError
from depthviz.io.images import as_rgb_array, load_image, oriented_size
from depthviz.models.card import ModelCard
from depthviz.models.family import ModelFamily

ImageLike = Union[np.ndarray, Image.Image]
#: predict_photo decodes at least this many times the network's input side (its resize to the
#: input then still averages several decoded pixels into one, as from the full photo).
DECODE_MARGIN = 2


class DepthModel:
    """A loaded model: call `predict(image)`; safe to share between threads."""

    def __init__(self, card: ModelCard, family: ModelFamily, engine: Engine, weights_path: Path):
        self.card = card
        self.family = family
        self.engine = engine
        self.weights_path = weights_path

    @property
    def name(self) -> str:
        return self.card.name

    @property
    def engine_name(self) -> str:
        return self.engine.name

    @property
    def metric(self) -> bool:
        """True when predict() is 1/metres and predict_metres() is available."""
        return self.card.metric

    @property
    def input_size(self) -> int:
        """The network input side this model runs at."""
        return self.card.input_size

    def predict(self, image: ImageLike) -> np.ndarray:
        """HxWx3 uint8 RGB array (or PIL image) -> HxW float32 inverse depth (larger = nearer)."""
        rgb = as_rgb_array(image)
        return self._inverse_depth(rgb, rgb.shape[:2])

    def predict_photo(self, photo: bytes, *, max_pixels: int | None = None) -> np.ndarray:
        """A photo's file bytes -> `predict`'s inverse depth at the photo's full size, decoding
        no more pixels than the network needs: a 12 MP JPEG is decoded at 1/2 to 1/8 of its size
        (JPEG DCT scaling), costing a fraction of the memory and time of a full decode."""
        rgb = load_image(photo, max_pixels=max_pixels,
                         min_side=DECODE_MARGIN * self.input_size)
        return self._inverse_depth(rgb, oriented_size(photo))

    def _inverse_depth(self, rgb: np.ndarray, size: tuple[int, int]) -> np.ndarray:
        """The family's recipe around one engine call, the depth at `size` (the photo's full
        size when it was decoded reduced)."""
        raw = self.engine.run(self.family.preprocess(self.card, rgb))[0]
        return self.family.postprocess(self.card, raw, size)

    def predict_metres(self, image: ImageLike) -> np.ndarray:
        """Metric models: HxW float32 depth in metres (larger = farther); else DepthvizError."""
        if not self.metric:
            raise DepthvizError(
                f"Model '{self.name}' predicts relative depth (unknown scale), not metres; "
                "use a metric model such as depth_anything_v2_metric_indoor_small (indoor) or "
                "depth_anything_v2_metric_outdoor_small (outdoor).")
        rgb = as_rgb_array(image)
        raw = self.engine.run(self.family.preprocess(self.card, rgb))[0]
        return self.family.postprocess_metres(self.card, raw, rgb.shape[:2])

    def __repr__(self) -> str:
        return (f"DepthModel({self.name!r}, engine={self.engine_name!r}, "
                f"input_size={self.input_size!r}, weights={str(self.weights_path)!r})")
