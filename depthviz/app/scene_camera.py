"""The 3D view's camera, kept when the view's settings change.

Streamlit draws a new chart whenever a figure changes (it derives a chart's identity from its
figure), so Plotly's `uirevision` keeps the person's camera only while one chart lives (through
a resize, say): a new depth scale, density or shape starts a new chart at the figure's camera.
So a small in-page component (Streamlit components v2) reports the camera after each orbit or
zoom, inside a fragment (the report reruns nothing else), and the next figure of the same photo
starts from it.

The same script keeps the pointer off a new chart until Plotly has drawn it: plotly.js reads its
WebGL pick buffer on the first mouse event over a new 3D chart, and before the first frame that
buffer holds no valid triangle numbers (gl-mesh3d then threw "Cannot read properties of
undefined (reading 'length')" when a setting changed under a resting mouse).
"""

from __future__ import annotations

from typing import Optional

import streamlit as st

#: Session state key of the component (its state: {"camera": {"revision", "camera"}}).
KEY = "scene_camera"

_JS = """
export default function ({ data, setStateValue }) {
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  const seen = new WeakSet();
  const drawn = (chart) => requestAnimationFrame(() => requestAnimationFrame(() => {
    chart.style.pointerEvents = "";
  }));
  const watch = (chart) => {
    if (!seen.has(chart)) {
      seen.add(chart);
      chart.style.pointerEvents = "none";  // until its first frame, pick buffer included
    }
    if (chart.dataset.depthvizCamera || typeof chart.on !== "function") return;
    chart.dataset.depthvizCamera = "watched";
    chart.on("plotly_afterplot", () => drawn(chart));
    if (chart._fullLayout && chart._fullLayout.scene && chart._fullLayout.scene._scene) {
      drawn(chart);  // plotted before the script saw it
    }
    chart.on("plotly_relayout", (change) => {
      const camera = change["scene.camera"];
      if (camera) setStateValue("camera", { revision: data.revision, camera });
    });
  };
  const scan = () => main.querySelectorAll(
    '[data-testid="stPlotlyChart"] .js-plotly-plot').forEach(watch);
  const observer = new MutationObserver(scan);
  observer.observe(main, { childList: true, subtree: true });
  scan();
  return () => observer.disconnect();
}
"""

_reporter = st.components.v2.component("depthviz_scene_camera", js=_JS)


def kept_camera(revision: str) -> Optional[dict]:
    """The camera the person left the view of `revision` (a photo) at, if any."""
    state = st.session_state.get(KEY)
    kept = state.get("camera") if state is not None else None
    return kept["camera"] if kept and kept.get("revision") == revision else None


@st.fragment
def report_camera(revision: str) -> None:
    """Mount the reporter (it shows nothing) before the chart, so it sees the chart arrive."""
    _reporter(key=KEY, data={"revision": revision}, default={"camera": None},
              on_camera_change=lambda: None, height=0)
