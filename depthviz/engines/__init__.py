"""Engines: interchangeable backends (torch, onnxruntime, OpenVINO) behind one interface
(base.py), the one policy that picks among them (policy.py), and OpenVINO's converted-model
cache, accuracy verdict and int8 build (openvino_cache.py, verdict.py, int8.py)."""

from depthviz.engines.base import Engine

__all__ = ["Engine"]
