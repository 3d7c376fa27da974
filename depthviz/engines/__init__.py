"""Engines: interchangeable backends (torch, onnxruntime, OpenVINO) behind one interface."""

from depthviz.engines.base import Engine

__all__ = ["Engine"]
