"""depthviz: monocular depth estimation on the CPU.

    rgb = depthviz.load_image("photo.jpg")
    model = depthviz.load_model("midas_small")
    depth = model.predict(rgb)            # HxW float32, larger = nearer
    heat = depthviz.colorize(depth, cmap="inferno")
    report = depthviz.evaluate(model, "folder/")   # AbsRel, δ1, ... against measured depth
    png = depthviz.heatmap_png(depth, cmap="inferno")   # the same pixels as PNG file bytes
    mesh = depthviz.to_mesh(rgb, depth)  # trimesh.Trimesh; depthviz.to_points: a PointCloud
"""

from typing import Any

from depthviz.errors import (
    DepthvizError,
    EngineUnavailable,
    EvaluationError,
    ImageError,
    ImageTooLarge,
    UnknownColormap,
    UnknownModel,
    WeightsUnavailable,
)
from depthviz.evaluation import EvalReport, depth_metrics, evaluate
from depthviz.io.images import load_image
from depthviz.models import available_models, fetch_weights, load_model
from depthviz.models.depth_model import DepthModel
from depthviz.outputs.colorize import colorize, colormap_names
from depthviz.outputs.export import heatmap_png

__all__ = [
    "DepthModel",
    "DepthvizError",
    "EngineUnavailable",
    "EvalReport",
    "EvaluationError",
    "ImageError",
    "ImageTooLarge",
    "UnknownColormap",
    "UnknownModel",
    "WeightsUnavailable",
    "available_models",
    "colorize",
    "colormap_names",
    "depth_metrics",
    "evaluate",
    "fetch_weights",
    "heatmap_png",
    "load_image",
    "load_model",
    "to_mesh",
    "to_points",
]
__version__ = "0.1.0"

#: Imported on first use, from the '3d' extra: trimesh takes about a second to import (the CLI
#: and app start faster) and a core install has none.
_LAZY = {"to_mesh": "scene.mesh", "to_points": "scene.mesh"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        from depthviz.extras import require_extra

        require_extra("3d", "trimesh", feature=f"depthviz.{name}")
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module 'depthviz' has no attribute '{name}'")
