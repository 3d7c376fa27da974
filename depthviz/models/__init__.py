"""Models: one card per model (card.py), one module per family (network + recipe), the
registry that lists them (registry.py), what this machine has of each (status.py), and loading
one into the DepthModel users call (loading.py, base.py)."""

from depthviz.models.card import ModelCard
from depthviz.models.depth_model import DepthModel
from depthviz.models.family import ModelFamily
from depthviz.models.loading import fetch_weights, install_weights, load_model
from depthviz.models.registry import (
    DEFAULT_MODEL,
    OFFLINE_MODEL,
    REGISTRY,
    RegisteredModel,
    get_card,
    lookup,
)
from depthviz.models.status import ModelStatus, available_models, engine_options

__all__ = ["DEFAULT_MODEL", "OFFLINE_MODEL", "REGISTRY", "DepthModel", "ModelCard", "ModelFamily",
           "ModelStatus", "RegisteredModel", "available_models", "engine_options",
           "fetch_weights", "get_card", "install_weights", "load_model", "lookup"]
