"""depthviz: monocular depth estimation on the CPU.

    rgb = depthviz.load_image("photo.jpg")
    model = depthviz.load_model("midas_small")
    depth = model.predict(rgb)            # HxW float32, larger = nearer
    heat = depthviz.colorize(depth, cmap="inferno")
"""

from .colorize import colorize, colormap_names
from .errors import (DepthvizError, EngineUnavailable, ImageError, UnknownColormap, UnknownModel,
                     WeightsUnavailable)
from .images import load_image
from .models import available_models, fetch_weights, load_model
from .models.base import DepthModel

__all__ = [
    "DepthModel",
    "DepthvizError",
    "EngineUnavailable",
    "ImageError",
    "UnknownColormap",
    "UnknownModel",
    "WeightsUnavailable",
    "available_models",
    "colorize",
    "colormap_names",
    "fetch_weights",
    "load_image",
    "load_model",
]
__version__ = "0.1.0"
