"""The model cards and the registry, as tables: every card is complete and consistent, names are
unique, Depth Anything V2's nine cards follow its tables, and listing models builds nothing."""

from __future__ import annotations

import dataclasses

import pytest

import depthviz
from depthviz.engines.policy import EngineChoice
from depthviz.models import REGISTRY, ModelCard, ModelStatus, engine_options, get_card
from depthviz.models.depth_anything_v2 import SIZES, TARGETS
from depthviz.models.registry import FAMILIES, build_registry

CARDS = [entry.card for entry in REGISTRY.values()]


def test_names_are_unique_and_a_duplicate_is_refused():
    names = [card.name for family in FAMILIES for card in family.cards]
    assert len(names) == len(set(names)) == len(REGISTRY)
    with pytest.raises(ValueError, match="Two models are named 'fastdepth'"):
        build_registry((*FAMILIES, FAMILIES[1]))


def test_an_unknown_name_lists_the_valid_ones():
    with pytest.raises(depthviz.UnknownModel, match="Available: midas_small, fastdepth, "):
        get_card("midas_large")


@pytest.mark.parametrize("card", CARDS, ids=[card.name for card in CARDS])
def test_every_card_is_complete_and_consistent(card: ModelCard):
    assert REGISTRY[card.name].family.name == card.family
    assert card.title and card.description.startswith(f"{card.title} (")
    assert card.licence and card.non_commercial is (card.licence == "CC-BY-NC-4.0")
    assert card.parameters > 0 and card.weights.filename
    assert card.reference_engine in card.engines
    # Families build their reference engine and OpenVINO (engines/openvino_cache.py), no other.
    assert set(card.engines) <= {"openvino", card.reference_engine}
    assert card.input_size > 0
    assert card.input_multiple is None or card.input_size % card.input_multiple == 0
    assert (card.max_depth_m is not None) is card.metric
    assert card.max_depth_m is None or card.max_depth_m > 0
    assert card.camera is False  # no model estimates a camera yet


def test_the_default_models_may_be_used_commercially():
    assert not get_card(depthviz.models.DEFAULT_MODEL).non_commercial
    assert not get_card(depthviz.models.OFFLINE_MODEL).non_commercial


def test_depth_anything_v2_has_one_card_per_target_and_size():
    for target in TARGETS:
        for size_name, size in SIZES.items():
            card = get_card(f"depth_anything_v2_{target.name_part}{size_name}")
            assert card.family == "depth_anything_v2"
            assert card.title == f"Depth Anything V2 {target.title_part}{size.title}"
            assert (card.parameters, card.licence) == (size.parameters, size.licence)
            assert card.max_depth_m == target.max_depth
            assert card.weights.filename.endswith(f"_{size.encoder}.pth")
            if card.metric:
                assert f"_metric_{target.dataset}_" in card.weights.filename
            else:
                assert "metric" not in card.weights.filename
            assert (card.input_size, card.input_multiple) == (518, 14)
    assert sum(card.family == "depth_anything_v2" for card in CARDS) == 9


def test_with_input_size_is_a_validated_copy():
    card = get_card("depth_anything_v2_small")
    assert card.with_input_size(None) is card and card.with_input_size(518) is card
    smaller = card.with_input_size(308)
    assert smaller == dataclasses.replace(card, input_size=308) and card.input_size == 518
    with pytest.raises(depthviz.DepthvizError, match=r"input_size for 'depth_anything_v2_small' "
                       r"must be a positive multiple of 14 \(e.g. 518\), not 500."):
        card.with_input_size(500)
    with pytest.raises(depthviz.DepthvizError, match="must be a positive multiple"):
        card.with_input_size(True)
    with pytest.raises(depthviz.DepthvizError, match=r"Model 'fastdepth' has a fixed input size "
                       r"of 224 px; leave input_size unset \(got 256\)."):
        get_card("fastdepth").with_input_size(256)


def test_cards_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_card("fastdepth").input_size = 256  # type: ignore[misc]


def test_a_status_is_the_card_and_local_facts_with_nothing_copied():
    assert [field.name for field in dataclasses.fields(ModelStatus)] == [
        "card", "weights_path", "auto"]
    status = depthviz.available_models()[0]
    assert status.card is REGISTRY[status.card.name].card and isinstance(status.auto, EngineChoice)


def test_listing_models_builds_no_network_and_touches_no_engine(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("listing models built a network")

    for family in FAMILIES:
        monkeypatch.setattr(type(family), "build_reference_engine", refuse)
        monkeypatch.setattr(type(family), "to_openvino", refuse)
    monkeypatch.setattr("depthviz.engines.openvino_engine.OpenVinoEngine.__init__", refuse)
    statuses = depthviz.available_models()
    assert [status.card.name for status in statuses] == list(REGISTRY)
    engine_options("midas_small")


def test_pickers_get_each_engine_with_its_precisions():
    options = engine_options("midas_small")
    assert list(options) == ["auto", "openvino", "torch"]
    assert options["torch"] == ("auto",)
    assert options["auto"] == options["openvino"] and options["auto"][:2] == ("auto", "f32")
