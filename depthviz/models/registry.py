"""The model registry: every family listed explicitly, every card looked up by name.

A pure lookup: nothing here builds a network or touches an engine.
"""

from __future__ import annotations

from typing import NamedTuple

from depthviz.errors import UnknownModel
from depthviz.models.card import ModelCard
from depthviz.models.depth_anything_v2 import DepthAnythingV2
from depthviz.models.family import ModelFamily
from depthviz.models.fastdepth import FastDepth
from depthviz.models.midas import Midas

#: Every family, in the order `depthviz models` and the app list their cards.
FAMILIES: tuple[ModelFamily, ...] = (Midas(), FastDepth(), DepthAnythingV2())
DEFAULT_MODEL = "midas_small"
OFFLINE_MODEL = "fastdepth"


class RegisteredModel(NamedTuple):
    """A card and the family whose code runs it."""

    card: ModelCard
    family: ModelFamily


def build_registry(families: tuple[ModelFamily, ...]) -> dict[str, RegisteredModel]:
    """Every family's cards by name; ValueError if two share a name."""
    registry: dict[str, RegisteredModel] = {}
    for family in families:
        for card in family.cards:
            if card.name in registry:
                raise ValueError(f"Two models are named '{card.name}'.")
            registry[card.name] = RegisteredModel(card, family)
    return registry


REGISTRY = build_registry(FAMILIES)


def lookup(name: str) -> RegisteredModel:
    """The registered card and family; UnknownModel (listing the valid names) if none."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise UnknownModel(
            f"Unknown model '{name}'. Available: {', '.join(REGISTRY)}.") from None


def get_card(name: str) -> ModelCard:
    """The card of a registered model; UnknownModel (listing the valid names) if none."""
    return lookup(name).card
