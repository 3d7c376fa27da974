"""The models the service holds loaded: the served one, plus others that requests name (or other
input sizes), loaded on first use and dropped least recently used."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Optional, Union

from depthviz.models import get_card, load_model
from depthviz.models.depth_model import DepthModel

#: Models kept loaded at once (the served one is never dropped; others least recently used).
MAX_LOADED_MODELS = 3
#: Requests arrive concurrently: OpenVINO runs them side by side in streams rather than
#: splitting each over every core (see load_model's `mode`).
ENGINE_MODE = "throughput"

#: A loaded model's identity: its name and its input size (None = the model's official size).
ModelKey = tuple[str, Optional[int]]


class ModelCache:
    """The served model, plus others a request names (or other input sizes), loaded on first
    use from disk only (a request never triggers a download) and dropped least recently used."""

    def __init__(self, served: Union[str, DepthModel], weights: Optional[os.PathLike] = None,
                 engine: str = "auto", precision: Optional[str] = None,
                 capacity: int = MAX_LOADED_MODELS):
        self.served_name = served if isinstance(served, str) else served.name
        self.weights, self.engine, self.precision = weights, engine, precision
        self.capacity = capacity
        self._loaded: OrderedDict[ModelKey, DepthModel] = OrderedDict()
        if isinstance(served, DepthModel):
            self._loaded[(served.name, None)] = served
        self._lock = threading.Lock()  # guards _loaded
        self._loading = threading.Lock()  # one load at a time (each may take seconds and GBs)

    @property
    def served_key(self) -> ModelKey:
        return (self.served_name, None)

    @property
    def served(self) -> Optional[DepthModel]:
        return self._loaded.get(self.served_key)

    def key(self, name: Optional[str], input_size: Optional[int]) -> ModelKey:
        """Validate the request's model and input size (DepthvizError if unusable), cheaply."""
        card = get_card(name or self.served_name)
        if input_size == card.input_size:
            input_size = None
        card.with_input_size(input_size)
        return card.name, input_size

    def get(self, key: ModelKey) -> DepthModel:
        with self._lock:
            if key in self._loaded:
                self._loaded.move_to_end(key)
                return self._loaded[key]
        with self._loading:
            with self._lock:
                if key in self._loaded:
                    return self._loaded[key]
            model = self._load(key)
            with self._lock:
                self._loaded[key] = model
                for old in [k for k in self._loaded if k != self.served_key]:
                    if len(self._loaded) <= self.capacity:
                        break
                    del self._loaded[old]
        return model

    def _load(self, key: ModelKey) -> DepthModel:
        """The served model with the server's weights, engine and precision; others as found."""
        name, input_size = key
        own = name == self.served_name
        return load_model(name, self.weights if own else None, self.engine if own else "auto",
                          input_size=input_size, precision=self.precision if own else None,
                          mode=ENGINE_MODE, download=False)
