"""Evaluate: which model is right for these photos? Photos with measured depth (or the sample),
every chosen model's metrics side by side, and where each one is wrong.

Uploads stay in memory; the results stay in the session while a person visits other pages.
"""

import math

import streamlit as st

from depthviz.app import evaluation
from depthviz.app.downloads import Download, download_button
from depthviz.app.evaluation_charts import (
    depth_map,
    depth_scatter,
    error_map,
    metrics_table,
    summary_chart,
)
from depthviz.app.images import inline
from depthviz.app.uploads import MEDIA_UPLOAD_MB
from depthviz.errors import DepthvizError
from depthviz.evaluation.alignment import ALIGNMENTS, DepthRange
from depthviz.evaluation.report import reports_csv, reports_json
from depthviz.evaluation.run import EvalSettings
from depthviz.outputs.display import fit_within

UPLOADER = "eval_upload"
CHART_CONFIG = {"displaylogo": False, "displayModeBar": False}

st.header("Evaluate")
st.caption("Which model is right for your photos? Give photos with measured depth (a phone's "
           "LiDAR, a RealSense, a stereo rig): `NAME.jpg` with `NAME.depth.png` (16-bit "
           "millimetres, 0 = no measurement), `NAME.depth.npy` or `NAME.depth.pfm` (metres), "
           "or a zip of such a folder.")
upload_column, sample_column = st.columns([3, 1], vertical_alignment="center")
upload_column.file_uploader("Photos and their depth", type=evaluation.PAIR_TYPES,
                            accept_multiple_files=True, key=UPLOADER,
                            on_change=evaluation.take_uploads, args=(UPLOADER,),
                            max_upload_size=MEDIA_UPLOAD_MB,
                            help="Kept in memory only, never written to disk.")
sample_column.button("Use the sample", key="eval_sample", on_click=evaluation.take_sample,
                     icon=":material/two_wheeler:", width="stretch",
                     help="Middlebury 2014's motorcycle (scikit-image) with its true depth "
                          "from the stereo rig's calibration.")
if f"{UPLOADER}-error" in st.session_state:
    st.error(st.session_state.pop(f"{UPLOADER}-error"), icon=":material/error:")
pairs = evaluation.current_pairs()
if pairs is None:
    st.info("Upload photos with their depth, or use the sample.", icon=":material/straighten:")
    st.stop()

st.caption(f"{len(pairs.found.pairs)} photo{'' if len(pairs.found.pairs) == 1 else 's'} with "
           f"depth from {pairs.source}.")
for name, reason in pairs.found.skipped.items():
    st.warning(f"{name} left out: {reason}.", icon=":material/warning:")

here = evaluation.models_here()
names = st.multiselect("Models", here, default=here, key="eval_models",
                       help="Every model whose weights are here; add more on the Models page.")
with st.expander("Protocol"):
    align = st.selectbox("Alignment", ALIGNMENTS, key="eval_align",
                         help="auto: relative models scaled and shifted in inverse depth by "
                              "least squares, metric models as they are.")
    near_column, far_column, scale_column = st.columns(3)
    min_depth = near_column.number_input("Nearest depth (m)", 0.001, 1000.0, 0.001,
                                         format="%.3f", key="eval_min_depth")
    max_depth = far_column.number_input("Farthest depth (m, 0 = no limit)", 0.0, 10000.0, 0.0,
                                        key="eval_max_depth")
    depth_scale = scale_column.number_input("16-bit PNG: metres per unit", 1e-6, 1.0, 0.001,
                                            format="%.6f", key="eval_depth_scale")
try:
    settings = EvalSettings(align, DepthRange(min_depth, max_depth or math.inf), depth_scale)
except DepthvizError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()
st.button("Evaluate", key="eval_run", type="primary", disabled=not names,
          on_click=evaluation.request_run, args=(names, settings), icon=":material/play_arrow:")

request = evaluation.pending_request()
if request is not None:
    st.button("Cancel", key="eval_cancel", icon=":material/stop:",
              help="Stops the run; the previous results stay.")
    evaluation.run(pairs, *request)
    st.rerun()
results = evaluation.current_results()
if results is None:
    st.stop()
for name, reason in results.failed.items():
    st.error(f"{name}: {reason}", icon=":material/error:")
if not results.reports:
    st.stop()

st.subheader("Mean over the photos")
st.dataframe(metrics_table(results.reports), hide_index=True)
st.caption("Errors (AbsRel … SILog): lower is better; δ1–δ3: higher is better; ★ the best "
           "model in each column. Depth in metres; relative models aligned to the measured "
           "depth first.")
st.plotly_chart(summary_chart(results.reports), key="eval_summary", config=CHART_CONFIG)
json_column, csv_column = st.columns(2)
with json_column:
    download_button(Download("JSON", "depthviz-eval.json", "application/json",
                             lambda: reports_json(results.reports,
                                                  results.settings.align).encode()),
                    key="eval_json")
with csv_column:
    download_button(Download("CSV", "depthviz-eval.csv", "text/csv",
                             lambda: reports_csv(results.reports).encode()), key="eval_csv")

st.subheader("Where it is wrong")
photo_column, model_column = st.columns(2)
photo = photo_column.selectbox("Photo", list(results.reports[0].images), key="eval_photo")
model_name = model_column.selectbox("Model", [report.model for report in results.reports],
                                    key="eval_model")
shown = evaluation.detail(pairs, results, model_name, photo)
if isinstance(shown, str):
    st.error(shown, icon=":material/error:")
    st.stop()
views = shown.views
left, right = st.columns(2)
left.image(inline(fit_within(shown.result.rgb, 640)), caption=f"Photo {photo}",
           width="stretch")
right.plotly_chart(depth_map(views.gt, "Measured depth", views.depth_range),
                   key="eval_gt", config=CHART_CONFIG)
left, right = st.columns(2)
left.plotly_chart(depth_map(views.depth, f"{model_name}, aligned", views.depth_range),
                  key="eval_prediction", config=CHART_CONFIG)
right.plotly_chart(error_map(views.error), key="eval_error", config=CHART_CONFIG)
left, right = st.columns(2)
left.plotly_chart(depth_scatter(shown.histogram), key="eval_scatter", config=CHART_CONFIG)
metrics = shown.result.metrics
right.caption(f"{photo} with {model_name}: AbsRel {metrics['abs_rel']:.4f}, δ1 "
              f"{metrics['delta1']:.4f} over {metrics['valid_pixels']:,} measured pixels. Both "
              "depth maps share one colour scale in metres (near bright); blank = no "
              "measurement. Below the dashed line y = x the model puts things too near, "
              "above it too far.")
