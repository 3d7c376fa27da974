"""Models: the registry (registry.py), one module per family, and the DepthModel users call."""

from depthviz.models.base import DepthModel, ModelFamily
from depthviz.models.registry import (
                                      DEFAULT_MODEL,
                                      OFFLINE_MODEL,
                                      REGISTRY,
                                      ModelStatus,
                                      available_models,
                                      fetch_weights,
                                      get_family,
                                      install_weights,
                                      load_model,
)

__all__ = ["DEFAULT_MODEL", "OFFLINE_MODEL", "REGISTRY", "DepthModel", "ModelFamily",
           "ModelStatus", "available_models", "fetch_weights", "get_family", "install_weights",
           "load_model"]
