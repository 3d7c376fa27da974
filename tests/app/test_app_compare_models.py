"""The Compare page with two models (issue 9) and its state and captions (issue 12: items 1, 4,
5, 14), under streamlit.testing."""

from __future__ import annotations

from app_helpers import APP, photo_bytes, rerun, run_app
from streamlit.testing.v1 import AppTest

import depthviz
from depthviz.app import model_choice as app_models
from depthviz.app.model_choice import parameter_count


def captions(app) -> list[str]:
    return [element.value for element in app.caption]


def image_captions(app) -> list[str]:
    return [caption for image in app.image for caption in image.captions]


def sidebar_runs(app) -> str:
    return next(text for text in captions(app) if text.startswith("Runs: "))


def midas_on_torch() -> AppTest:
    """The app with the seeded MiDaS weights on torch (the quickest MiDaS engine to load)."""
    app = AppTest.from_file(str(APP), default_timeout=120)
    app.session_state["engine"] = "torch"
    return rerun(app)


def test_upload_page_switch_then_example_takes_effect(with_midas, predictions):
    """Issue 12 item 1: upload, open Models, come back: the upload is still shown, so the
    example box must not claim an example, the upload must be removable, and choosing the
    example that the box used to show (coffee.png, the default) must show it. (The default
    model's weights are here, so no page offers their download.)"""
    app = midas_on_torch()
    app.file_uploader[0].upload("motorcycle.jpg", photo_bytes((300, 200)), "image/jpeg")
    rerun(app)
    assert app.selectbox(key="example").value is None  # the box no longer claims coffee.png
    app.switch_page("app_pages/models.py")
    rerun(app)
    app.switch_page("app_pages/compare.py")
    rerun(app)
    assert image_captions(app)[0] == "motorcycle.jpg"
    assert app.file_uploader[0].value is None  # Streamlit forgets the file on a page switch,
    assert "Showing your upload **motorcycle.jpg** (kept in memory)." in captions(app)  # so:
    assert [button.label for button in app.button] == ["Remove"]
    assert app.selectbox(key="example").value is None

    app.selectbox(key="example").select("coffee.png")
    rerun(app)
    assert image_captions(app)[0] == "coffee.png"
    assert app.selectbox(key="example").value == "coffee.png"
    assert not [text for text in captions(app) if text.startswith("Showing your upload")]
    assert not app.button


def test_remove_brings_back_the_example_shown_before_the_upload(with_midas):
    app = midas_on_torch()
    app.selectbox(key="example").select("rocket.jpg")
    rerun(app)
    app.file_uploader[0].upload("mine.jpg", photo_bytes((300, 200)), "image/jpeg")
    rerun(app)
    app.switch_page("app_pages/colormaps.py")
    rerun(app)
    app.switch_page("app_pages/compare.py")
    rerun(app)
    assert image_captions(app)[0] == "mine.jpg"
    app.button(key="remove-upload").click()
    rerun(app)
    assert image_captions(app)[0] == "rocket.jpg"
    assert app.selectbox(key="example").value == "rocket.jpg"
    assert not app.button


def test_model_picker_lists_every_model_with_size_licence_and_weights(model_home):
    app = run_app()
    picker = app.selectbox(key="model")
    statuses = depthviz.available_models()
    assert picker.options == [
        " · ".join([status.card.title, parameter_count(status.card.parameters),
                    status.card.licence
                    + (", non-commercial" if status.card.non_commercial else "")])
        + ("" if status.weights_present else " · no weights")
        for status in statuses]
    assert "FastDepth · 1.4 M · MIT" in picker.options  # weights are here: no mark
    assert "MiDaS v2.1 small · 21.3 M · MIT · no weights" in picker.options
    assert all(", non-commercial" in label for label, status in zip(picker.options, statuses)
               if status.card.non_commercial)


def chose_midas_without_weights() -> AppTest:
    """The app after the person picked MiDaS, whose weights are not here."""
    app = run_app()
    app.selectbox(key="model").select("midas_small")
    return rerun(app)


def test_missing_weights_say_in_one_line_what_runs_and_offer_them_in_place(model_home):
    app = chose_midas_without_weights()
    assert [warning.value for warning in app.warning] == [
        "MiDaS v2.1 small has no weights here, so FastDepth runs. FastDepth was trained on "
        "indoor scenes only (NYU-Depth-v2): on outdoor photos its maps show a bright frame of "
        "\"near\" along the borders."]
    assert app.button(key="get-midas_small").label == "Download MiDaS v2.1 small (~85 MB, MIT)"
    runs = sidebar_runs(app)
    assert runs.startswith("Runs: **FastDepth** on ")
    assert "at 224 px (MiDaS v2.1 small has no weights here, so FastDepth runs" in runs


def test_detail_is_disabled_with_the_reason_while_fastdepth_stands_in(model_home):
    """Issue 18: Detail did nothing while FastDepth (one input size) stood in for MiDaS."""
    app = chose_midas_without_weights()
    detail = app.select_slider(key="detail")
    assert detail.disabled
    reason = "FastDepth takes one input size, 224 px: Detail cannot change it."
    assert reason in detail.help and reason in captions(app)


def test_sidebar_says_why_the_engine_differs_from_the_choice(model_home):
    """Issue 12 item 5: MiDaS without weights and engine torch: FastDepth has no torch engine."""
    app = chose_midas_without_weights()
    app.selectbox(key="engine").select("torch")
    rerun(app)
    runs = sidebar_runs(app)
    engine = runs.split(" on ")[1].split(" ")[0]
    assert engine in ("openvino", "onnxruntime")
    assert f"FastDepth has no torch engine, so auto picked {engine}" in runs


def test_compare_with_shows_both_models_then_their_difference(with_midas, predictions):
    app = midas_on_torch()
    compare = app.selectbox(key="compare_with")
    assert compare.value is None and compare.options[0] == "Nothing"
    assert "FastDepth" in compare.options and "MiDaS v2.1 small" not in compare.options
    compare.select("fastdepth")
    rerun(app)
    shown = image_captions(app)
    assert shown[0] == "coffee.png"
    assert shown[1].startswith("MiDaS v2.1 small · torch · depth in ")
    assert shown[2].startswith("FastDepth · ") and " · depth in " in shown[2]
    assert shown[3] == "far ⟵ ⟶ near"  # one legend: both heatmaps share the colormap
    assert sorted(predictions) == ["fastdepth", "midas_small"]

    app.button_group(key="compare_view").set_value("Difference")
    rerun(app)
    shown = image_captions(app)
    assert shown[:3] == ["coffee.png", "FastDepth against MiDaS v2.1 small",
                         "FastDepth: farther ⟵ same ⟶ nearer"]
    explanation = next(text for text in captions(app) if text.startswith("Red: "))
    assert "least squares in inverse depth" in explanation
    assert sorted(predictions) == ["fastdepth", "midas_small"]  # nothing recomputed

    app.selectbox(key="compare_with").select(None)
    rerun(app)
    assert image_captions(app)[:2] == ["coffee.png", "Depth (inferno)"]


def test_compare_with_a_model_without_weights_says_how_to_get_it(model_home):
    app = run_app()
    app.selectbox(key="model").select("fastdepth")
    rerun(app)
    app.selectbox(key="compare_with").select("midas_small")
    rerun(app)
    assert [info.value for info in app.info] == ["MiDaS v2.1 small has no weights here."]
    offer = app.button(key="get-compared-midas_small")
    assert offer.label == "Download MiDaS v2.1 small (~85 MB, MIT)"
    assert str(model_home) in offer.help
    assert image_captions(app)[:2] == ["coffee.png", "Depth (inferno)"]


def test_caption_says_when_the_depth_came_from_the_cache(model_home, predictions, monkeypatch):
    """Issue 12 item 4: the time shown is of a run on a warmed-up model, and a result reused
    from the cache says so instead of passing the old time off as new."""
    warm_ups: list[str] = []
    warm_up = app_models.warm_up
    monkeypatch.setattr(app_models, "warm_up",
                        lambda model: warm_ups.append(model.name) or warm_up(model))
    app = run_app()
    summary = next(text for text in captions(app) if " · depth in " in text)
    assert "cache" not in summary
    app.selectbox(key="cmap").select("viridis")
    rerun(app)
    summary = next(text for text in captions(app) if " · depth in " in text)
    assert " ms (earlier; reused from the cache) · 600×400 px" in summary
    assert predictions == ["fastdepth"]  # once
    assert warm_ups == ["fastdepth"]  # before the photo, so its time is a warm one


def test_detail_changes_the_network_input_size(with_midas, predictions):
    app = midas_on_torch()
    assert " at 256 px" in sidebar_runs(app)
    app.select_slider(key="detail").set_value("Faster")
    rerun(app)
    assert " at 160 px" in sidebar_runs(app)
    app.select_slider(key="detail").set_value("Sharper")
    rerun(app)
    assert " at 352 px" in sidebar_runs(app)
    assert predictions == ["midas_small"] * 3  # the photo at each of three sizes

    app.selectbox(key="model").select("fastdepth")
    rerun(app)
    assert app.select_slider(key="detail").disabled  # FastDepth takes 224 px only
    assert " at 224 px" in sidebar_runs(app)


def test_invert_is_described_by_what_it_does(model_home):
    """Issue 12 item 14: with Spectral near is blue, so "the warm end" was wrong."""
    help_text = run_app().toggle(key="invert").help
    assert "warm" not in help_text
    assert "near takes the colour far had" in help_text
