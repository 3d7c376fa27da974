"""Issue 18: every page with a heatmap shows its colour bar (far on the left, near on the
right) in the colours in use: Compare under its heatmap, Colormaps under each tile, Batch above
its gallery, Video under the depth video."""

from __future__ import annotations

from app_helpers import photo_bytes, rerun, run_app
from test_video_page import clip_bytes

from depthviz.outputs.display import legend_css


def colour_bars(app) -> list[str]:
    """The colour bars' labels (st.html), each checked to be drawn in its colormap."""
    labels = []
    for element in app.get("html"):
        body = element.proto.body
        if 'role="img"' in body:
            label = body.split('aria-label="')[1].split('"')[0]
            colours = label.removeprefix("Colour bar of ").split(":")[0]
            cmap, inverted = colours.removesuffix(", inverted"), colours.endswith(", inverted")
            assert legend_css(cmap, inverted) in body
            labels.append(label)
    return labels


def test_every_page_with_a_heatmap_shows_its_colour_bar(model_home, coffee):
    app = run_app()
    assert "far ⟵ ⟶ near" in [caption for image in app.image for caption in image.captions]

    app.switch_page("app_pages/colormaps.py")
    rerun(app)
    shown = app.multiselect(key="shown_colormaps").value
    assert colour_bars(app) == [f"Colour bar of {name}: far on the left, near on the right"
                                for name in shown]

    app.toggle(key="invert").set_value(True)
    app.switch_page("app_pages/batch.py")
    rerun(app)
    assert colour_bars(app) == []  # no heatmaps yet
    app.file_uploader[0].upload("a.jpg", photo_bytes((300, 200)), "image/jpeg")
    rerun(app)
    assert colour_bars(app) == [
        "Colour bar of inferno, inverted: far on the left, near on the right"]

    app.switch_page("app_pages/video.py")
    rerun(app)
    app.file_uploader[0].upload("walk.mp4", clip_bytes(coffee, 4), "video/mp4")
    rerun(app)
    assert colour_bars(app) == [
        "Colour bar of inferno, inverted: far on the left, near on the right"]
    app.toggle(key="video_side_by_side_toggle").set_value(True)
    rerun(app)
    assert len(colour_bars(app)) == 1  # under the depth half of the side-by-side video
