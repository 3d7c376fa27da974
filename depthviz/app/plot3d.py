"""A photo's 3D scene (a depthviz.to_mesh mesh or to_points cloud) as an interactive Plotly figure.

Why Plotly: Streamlit ships plotly.js inside its own frontend, so `st.plotly_chart` draws WebGL
mesh3d / scatter3d traces with no CDN, no map tiles and no extra component; orbit (turntable),
zoom and pan come built in. deck.gl (`st.pydeck_chart`) is map-first: its default basemap
comes from a tile CDN, and per-vertex colours on a mesh need loaders.gl data rather than plain
arrays. Numpy arrays go to the browser as base64 typed arrays (plotly >= 6), so a mesh of
tens of thousands of faces is a few MB at most.

The geometry is the library's (camera at the origin, +x right, +y up, looking along -z); this
module only chooses how to look at it: from the camera's side, upright, not mirrored, nearer
things nearer to the viewer, and the photo's own colours (no shading).
"""

from __future__ import annotations

import math
from typing import Any, Optional, Union

import numpy as np
import plotly.graph_objects as go
import trimesh

Scene = Union[trimesh.Trimesh, trimesh.PointCloud]

#: plotly.js draws 3D scenes with a 45 degree vertical field of view (measured: a camera at the
#: pinhole shows the photo exactly); the start view keeps the scene inside 95% of it, on a chart
#: assumed at least `chart_aspect` times wider than tall: a desktop's by default (a narrower
#: chart starts with the sides cropped), a phone's for PHONE_CHART.
_FIT_TAN = math.tan(math.radians(45 / 2)) * 0.95
CHART_ASPECT = 1.6
#: scene_figure's arguments for a phone, whose chart is about 360 px wide: as tall as a 3:2
#: photo shown at that width, so a 60 degree photo fits from its own camera. On a chart taller
#: than wide, plotly's fixed 45 degree vertical field of view leaves under 30 degrees across:
#: the start view cropped most of the photo's sides, and stepping back to fit it shrank near
#: things against far ones (seen in screenshots).
PHONE_CHART = {"height": 240, "chart_aspect": 1.5}
#: Pixels per point of a point cloud: dense enough to read as a picture, no more.
POINT_SIZE = 2


def colours_hex(rgba: np.ndarray) -> np.ndarray:
    """Nx3 or Nx4 uint8 colours as '#rrggbb' strings (what plotly's colour arrays accept)."""
    rgb = np.asarray(rgba, dtype=np.uint32)[:, :3]
    return np.char.mod("#%06x", (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2])


def _vertex_colours(scene: Scene) -> np.ndarray:
    if isinstance(scene, trimesh.PointCloud):
        return scene.colors
    visual: Any = scene.visual  # colours per vertex, or the photo as a texture (a GLB's mesh)
    return (visual.to_color() if visual.kind == "texture" else visual).vertex_colors


def _plotly_axes(points: np.ndarray) -> np.ndarray:
    """Scene (x right, y up, z towards the viewer) -> plotly's axes (x right, y away from the
    viewer, z up): a rotation about x, not a mirror. plotly's turntable orbit, the natural one
    for a scene standing on the ground, keeps its z axis up."""
    x, y, z = np.asarray(points, dtype=np.float32).T
    return np.stack([x, -z, y], axis=1)


def _trace(scene: Scene) -> dict:
    x, y, z = _plotly_axes(scene.vertices).T
    colours = colours_hex(_vertex_colours(scene))
    if isinstance(scene, trimesh.PointCloud):
        return {"type": "scatter3d", "x": x, "y": y, "z": z, "mode": "markers",
                "hoverinfo": "skip",
                "marker": {"size": POINT_SIZE, "color": colours, "line": {"width": 0}}}
    i, j, k = np.asarray(scene.faces, dtype=np.int32).T
    return {"type": "mesh3d", "x": x, "y": y, "z": z, "i": i, "j": j, "k": k,
            "vertexcolor": colours, "hoverinfo": "skip",
            # the photo's colours as they are: ambient light only, no shading
            "lighting": {"ambient": 1.0, "diffuse": 0.0, "specular": 0.0, "roughness": 1.0,
                         "fresnel": 0.0}}


def scene_figure(scene: Scene, depth_scale: float = 1.0, height: int = 600,
                 chart_aspect: float = CHART_ASPECT, camera: Optional[dict] = None,
                 revision: str = "") -> go.Figure:
    """An orbitable view of `scene` that starts as the photo seen from the front, or from
    `camera` (a Plotly scene camera the person left this view at).

    `depth_scale` stretches the depth axis for display only (2 = relief twice as deep); the
    geometry and the files made from it keep their true proportions. It stretches about the
    subject (the median depth), which keeps its place and size: the box is centred on it, so
    a camera means the same in every depth scale. (Stretched about the box's middle, the start
    view, placed at the photo's own camera, moved away with it: 2x showed the scene at half
    size.) `revision` is Plotly's `uirevision`: while it stays, a redraw of the same chart
    (a resize, say) keeps the person's camera."""
    vertices = _plotly_axes(scene.vertices).astype(np.float64)
    low, high = vertices.min(axis=0), vertices.max(axis=0)
    subject = float(np.median(vertices[:, 1]))
    reach = max(high[1] - subject, subject - low[1], 1e-9)
    low[1], high[1] = subject - reach, subject + reach
    extent = np.maximum(high - low, 1e-9)
    middle = (low + high) / 2

    def normalised(points: np.ndarray, stretch: float) -> np.ndarray:  # plotly's camera units
        return (points - middle) / extent[0] * np.array([1.0, stretch, 1.0])

    def vector(x: float, y: float, z: float) -> dict[str, float]:
        return {"x": float(x), "y": float(y), "z": float(z)}

    if camera is None:
        # At the photo's camera (its pinhole, where the view IS the photo), or straight
        # behind it if the photo's field of view is wider than the chart's; looking along its
        # axis, z up. A deeper relief brings the things before the subject nearer: the eye
        # steps back only as far as they need (a shallower one keeps the eye where it is).
        # Dragging orbits about the subject, not the middle of the box: about the middle, a
        # 20 degree turn carried the eye past the nearest things (several times nearer than
        # the background) and the view showed only streaks of the far wall.
        axis = normalised(np.zeros(3), 1.0)

        def fitting_eye(points: np.ndarray, stretch: float) -> float:
            shown = normalised(points, stretch)
            needed = np.maximum(np.abs(shown[:, 0] - axis[0]) / (_FIT_TAN * chart_aspect),
                                np.abs(shown[:, 2] - axis[2]) / _FIT_TAN)
            return float((shown[:, 1] - needed).min(initial=np.inf))

        in_front = vertices[vertices[:, 1] < subject]
        eye_y = min(fitting_eye(vertices, 1.0), float(axis[1]),
                    fitting_eye(in_front, depth_scale))
        camera = {"up": vector(0, 0, 1), "eye": vector(axis[0], eye_y, axis[2]),
                  "center": vector(axis[0], 0.0, axis[2]),
                  "projection": {"type": "perspective"}}

    hidden = {"visible": False, "showspikes": False}
    # Unvalidated: plotly would check each of the ~100k colour strings one by one (seconds);
    # the trace is built here from arrays of known types.
    return go.Figure(data=[_trace(scene)], _validate=False, layout=dict(
        height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0},
        paper_bgcolor="rgba(0,0,0,0)", showlegend=False, uirevision=revision,
        scene={**{f"{name}axis": {**hidden, "range": [float(low[i]), float(high[i])]}
                  for i, name in enumerate("xyz")},
               "aspectmode": "manual",
               "aspectratio": vector(*(extent / extent[0] * [1.0, depth_scale, 1.0])),
               "dragmode": "turntable", "bgcolor": "rgba(0,0,0,0)", "camera": camera}))
