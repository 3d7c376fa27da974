"""Compare (home): a photo and its depth heatmap side by side, as a wipe or blended; or two
models side by side, and where they disagree."""

import streamlit as st

from depthviz.app.current import current
from depthviz.app.depth import PhotoDepth, depth_of, model_key, summary, timing
from depthviz.app.downloads import download_button, downloads
from depthviz.app.images import inline
from depthviz.app.model_choice import (
    input_size_at,
    load_model_once,
    missing_reason,
    model_statuses,
)
from depthviz.app.model_notice import notice, running
from depthviz.app.photo_picker import photo_picker
from depthviz.app.settings import Settings
from depthviz.errors import WeightsUnavailable
from depthviz.models.depth_model import DepthModel
from depthviz.outputs import display
from depthviz.outputs.compare import DIFFERENCE_COLORMAP, depth_difference

VIEWS = ("Side by side", "Slider", "Overlay")
COMPARE_VIEWS = ("Side by side", "Difference")


def second_model(name: str, chosen: Settings) -> DepthModel | None:
    """The model to compare with, at the same Detail and engine where it has that engine; or
    None, once the page says why it cannot run (and offers its weights' download)."""
    status = model_statuses()[name]
    engine = chosen.engine if chosen.engine in status.card.engines else "auto"
    precision = chosen.precision if engine in ("auto", "openvino") else "auto"
    loaded = load_model_once(name, engine, input_size_at(name, chosen.detail), precision)
    if isinstance(loaded, DepthModel):
        return loaded
    missing = status if isinstance(loaded, WeightsUnavailable) else None
    notice(st.info, f"{missing_reason(status, loaded)}.", missing, ":material/info:",
           key_prefix="get-compared")
    return None


def heatmap_caption(result: PhotoDepth) -> str:
    return f"{result.model} · {result.engine} · {timing(result)}"


def heatmap_alt(result: PhotoDepth) -> str:
    colours = f"{chosen.cmap}, inverted" if chosen.invert else chosen.cmap
    return (f"Depth of {photo.name} by {result.model}, as a heatmap ({colours}): near takes the "
            "colour at the right end of the colour bar")


st.header("Depth from a photo")
photo_picker()
photo, view, chosen, result = current()
heatmap = result.heatmap_preview(chosen.cmap, chosen.invert)

statuses = model_statuses()
others = [name for name in statuses if name != chosen.model]
view_column, compare_column = st.columns(2, vertical_alignment="bottom")
with compare_column:
    if st.session_state.get("compare_with") not in (None, *others):
        st.session_state["compare_with"] = None  # it became the sidebar's model
    compare_with = st.selectbox(
        "Compare with", [None, *others], key="compare_with", persist_state="session",
        format_func=lambda name: "Nothing" if name is None else statuses[name].card.title
        + ("" if statuses[name].weights_present else " · no weights"),
        placeholder="Nothing", help="A second model on the same photo, in the same colormap.")
other = second_model(compare_with, chosen) if compare_with else None
if other is not None and model_key(other) == model_key(
        running(chosen.choice).model):  # the sidebar's model fell back to this one
    st.info(f"{result.model} is already the model shown.", icon=":material/info:")
    other = None

with view_column:
    if other is None:
        mode = st.segmented_control("View", VIEWS, default=VIEWS[0], required=True, key="view",
                                    persist_state="session")
    else:
        mode = st.segmented_control("View", COMPARE_VIEWS, default=COMPARE_VIEWS[0],
                                    required=True, key="compare_view", persist_state="session")

legend_column = None
if other is not None:
    second = depth_of(photo, other)
    if mode == "Side by side":
        photo_column, first_column, second_column = st.columns(3)
        photo_column.image(inline(view.preview), caption=photo.name, alt=f"Photo {photo.name}",
                           width="stretch")
        first_column.image(inline(heatmap), caption=heatmap_caption(result),
                           alt=heatmap_alt(result), width="stretch")
        second_column.image(inline(second.heatmap_preview(chosen.cmap, chosen.invert)),
                            caption=heatmap_caption(second), alt=heatmap_alt(second),
                            width="stretch")
        legend_column = second_column
    else:
        difference = depth_difference(result.preview, second.preview)
        photo_column, difference_column = st.columns(2)
        photo_column.image(inline(view.preview), caption=photo.name, alt=f"Photo {photo.name}",
                           width="stretch")
        difference_column.image(
            inline(difference.heatmap()), width="stretch",
            caption=f"{second.model} against {result.model}",
            alt=f"Where {second.model} and {result.model} disagree about the depth of "
                f"{photo.name}: red nearer, blue farther, white the same")
        difference_column.image(inline(display.legend(DIFFERENCE_COLORMAP)), width="stretch",
                                caption=f"{second.model}: farther ⟵ same ⟶ nearer",
                                alt="Colour bar from blue (farther) through white to red "
                                    "(nearer)")
        st.caption(f"Red: {second.model} puts it nearer than {result.model}; blue: farther; "
                   f"white: they agree, once {second.model}'s scale and shift are fitted to "
                   f"{result.model}'s by least squares in inverse depth. Colours span "
                   f"±{difference.spread:.0%} of the depth range; half the pixels differ by "
                   f"less than {difference.median:.1%}.")
elif mode == "Side by side":
    photo_column, depth_column = st.columns(2)
    photo_column.image(inline(view.preview), caption=photo.name, alt=f"Photo {photo.name}",
                       width="stretch")
    depth_column.image(inline(heatmap), caption=f"Depth ({chosen.cmap})", alt=heatmap_alt(result),
                       width="stretch")
    legend_column = depth_column
else:
    _, legend_column, _ = st.columns([1, 2, 1])
    if mode == "Slider":
        position = legend_column.slider("Wipe: photo on the left, depth on the right", 0, 100,
                                        50, format="%d%%", key="wipe", persist_state="session")
        composite = display.wipe(view.preview, heatmap, position / 100)
    else:
        opacity = legend_column.slider("Heatmap opacity", 0, 100, 50, format="%d%%",
                                       key="opacity", persist_state="session")
        composite = display.blend(view.preview, heatmap, opacity / 100)
    legend_column.image(inline(composite), caption=f"{photo.name} and its depth ({chosen.cmap})",
                        alt=f"{photo.name} with its depth heatmap ({mode.lower()})",
                        width="stretch")
if legend_column is not None:
    legend_column.image(inline(display.legend(chosen.cmap, chosen.invert)),
                        caption="far ⟵ ⟶ near",
                        alt=f"Colour bar of {chosen.cmap}: far on the left, near on the right",
                        width="stretch")

st.caption(summary(view, result))
files = downloads(photo, result, chosen.cmap, chosen.invert)
for index, (column, download) in enumerate(zip(st.columns(len(files)), files)):
    with column:
        download_button(download, key=f"download-{index}", primary=index == 0)
