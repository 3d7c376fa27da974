"""The Evaluate page's table and Plotly figures, drawn from the reports and the screen-size
maps of depthviz.evaluation.views (no pixel work here)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from depthviz.evaluation.metrics import METRICS, TITLES
from depthviz.evaluation.report import EvalReport, best_models
from depthviz.evaluation.views import DepthHistogram

#: Near is bright, as in the app's heatmaps (inferno, reversed because these maps are metres).
DEPTH_COLOURS = "Inferno"
ERROR_COLOURS = "Reds"
#: The error map's colour scale tops out at this relative error (50 % off or worse: darkest).
ERROR_CAP = 0.5
BEST_MARK = " ★"
#: AbsRel and δ1 first: what the papers lead with, and what a phone shows without scrolling.
COLUMNS = ("abs_rel", "delta1", *(name for name in METRICS[:-1] if name not in ("abs_rel",
                                                                                "delta1")))
CHART_HEIGHT = 320


def metrics_table(reports: list[EvalReport]) -> list[dict[str, str]]:
    """One row per model: its mean metrics, the best in each column marked with a star."""
    best = best_models(reports) if len(reports) > 1 else {}
    return [{"Model": report.model,
             **{TITLES[name]: f"{report.mean[name]:.4f}"
                + (BEST_MARK if best.get(name) == report.model else "") for name in COLUMNS},
             "Align": report.align, "Photos": str(len(report.images)),
             "s/photo": f"{report.seconds_per_photo:.2f}"} for report in reports]


def _layout(figure: go.Figure, title: str, height: int = CHART_HEIGHT) -> go.Figure:
    figure.update_layout(title={"text": title, "font": {"size": 14}}, height=height,
                         margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return figure


def summary_chart(reports: list[EvalReport]) -> go.Figure:
    """AbsRel (lower is better) and δ1 (higher is better) per model, side by side."""
    names = [report.model for report in reports]
    figure = go.Figure([
        go.Bar(name="AbsRel (lower is better)", x=names,
               y=[report.mean["abs_rel"] for report in reports]),
        go.Bar(name="δ1 (higher is better)", x=names,
               y=[report.mean["delta1"] for report in reports])])
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.15})
    return _layout(figure, "AbsRel and δ1 per model")


def _map(values: np.ndarray, title: str, colours: str, zmin: float, zmax: float,
         bar_title: str, reverse: bool = False) -> go.Figure:
    """A map drawn as the photo is (row 0 at the top, square pixels), NaN left blank."""
    figure = go.Figure(go.Heatmap(
        z=values, zmin=zmin, zmax=zmax, colorscale=colours, reversescale=reverse,
        colorbar={"title": {"text": bar_title, "side": "right"}, "thickness": 12},
        hovertemplate="x %{x}, y %{y}: %{z:.3f}<extra></extra>"))
    figure.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    figure.update_xaxes(visible=False, constrain="domain")
    return _layout(figure, title)


def depth_map(values: np.ndarray, title: str, depth_range: tuple[float, float]) -> go.Figure:
    """Depth in metres on the colour scale every depth map of the photo shares."""
    return _map(values, title, DEPTH_COLOURS, *depth_range, "metres", reverse=True)


def error_map(values: np.ndarray) -> go.Figure:
    """|d - g| / g; ERROR_CAP and above share the darkest colour."""
    return _map(values, "Relative error |d − g| / g", ERROR_COLOURS, 0.0, ERROR_CAP,
                "relative error")


def depth_scatter(histogram: DepthHistogram) -> go.Figure:
    """Predicted against true depth as a 2-D histogram (log counts), with the y = x line."""
    centres, edges = histogram.centres, histogram.edges
    with np.errstate(divide="ignore"):
        counts = np.where(histogram.counts > 0, np.log10(histogram.counts), np.nan)
    figure = go.Figure([
        go.Heatmap(x=centres, y=centres, z=counts, colorscale="Viridis",
                   colorbar={"title": {"text": "log₁₀ pixels", "side": "right"},
                             "thickness": 12},
                   hovertemplate="true %{x:.2f} m, predicted %{y:.2f} m<extra></extra>"),
        go.Scatter(x=[edges[0], edges[-1]], y=[edges[0], edges[-1]], mode="lines",
                   line={"color": "black", "dash": "dash"}, name="y = x", showlegend=False)])
    figure.update_xaxes(title="true depth (m)", range=[edges[0], edges[-1]])
    figure.update_yaxes(title="predicted depth (m)", range=[edges[0], edges[-1]])
    return _layout(figure, "Predicted against true depth")
