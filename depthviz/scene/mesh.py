"""Depth map + photo -> 3D scene: a coloured point cloud or mesh (their PLY and GLB bytes are
mesh_files.py's).

The geometry (camera convention, and how relative depth becomes distance) is camera.py's.
"""

from __future__ import annotations

import math
from typing import Optional

import numpy as np
import trimesh

from depthviz.scene.camera import (
    DEFAULT_FOV_DEG,
    distance_from_depth,
    focal_length_px,
    unproject,
)

#: Mesh budget when the caller gives none: ~100k vertices, a GLB of a few MB that a phone's
#: browser orbits smoothly.
DEFAULT_MAX_FACES = 200_000
#: Point budget when the caller gives none: a binary PLY of about 15 MB.
DEFAULT_MAX_POINTS = 1_000_000
#: A triangle whose corners' distances differ by more than this ratio spans a depth
#: discontinuity (a person in front of a wall) and is left out.
DISCONTINUITY_RATIO = 1.2


def _check_inputs(rgb: np.ndarray, depth: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rgb = np.asarray(rgb)
    depth = np.asarray(depth)
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"Expected an HxWx3 uint8 RGB photo, got {rgb.shape} {rgb.dtype}.")
    if depth.shape != rgb.shape[:2]:
        raise ValueError(f"The depth map is {depth.shape} but the photo is {rgb.shape[:2]}; "
                         "they must be the same size.")
    return rgb, depth


def _grid(length: int, count: int) -> np.ndarray:
    """`count` evenly spread pixel indices in 0..length-1, both ends included."""
    count = max(1, min(length, count))
    return np.round(np.linspace(0, length - 1, count)).astype(np.intp)


def _fit(height: int, width: int, budget: int) -> tuple[int, int]:
    """Rows and columns (at least 1 each, at most height and width) of a grid with the photo's
    aspect ratio and at most `budget` cells: a thin strip of a photo stays within budget too."""
    rows = max(1, min(height, budget, int(math.sqrt(budget * height / width))))
    cols = max(1, min(width, budget // rows))
    return max(1, min(height, budget // cols)), cols


def _rgba(colours: np.ndarray) -> np.ndarray:
    return np.concatenate([colours, np.full((len(colours), 1), 255, np.uint8)], axis=1)


def to_points(rgb: np.ndarray, depth: np.ndarray, metric: bool = False,
              fov_deg: Optional[float] = None,
              max_points: Optional[int] = None) -> trimesh.PointCloud:
    """One coloured point per valid pixel of a regular grid (subsampled to at most `max_points`,
    default DEFAULT_MAX_POINTS); invalid or non-finite depth makes no point."""
    rgb, depth = _check_inputs(rgb, depth)
    height, width = depth.shape
    budget = DEFAULT_MAX_POINTS if max_points is None else int(max_points)
    if budget < 1:
        raise ValueError(f"max_points must be 1 or more, not {budget}.")
    row_count, col_count = _fit(height, width, budget)
    rows, cols = _grid(height, row_count), _grid(width, col_count)
    distance = distance_from_depth(depth, metric, rows, cols)
    valid = np.isfinite(distance)
    v, u = np.nonzero(valid)
    points = unproject(cols[u], rows[v], distance[valid], width, height,
                       focal_length_px(width, fov_deg))
    colours = rgb[np.ix_(rows, cols)][valid]
    cloud = trimesh.PointCloud(points, colors=_rgba(colours))
    cloud.metadata.update(_camera_metadata(width, height, fov_deg, metric))
    return cloud


def to_mesh(rgb: np.ndarray, depth: np.ndarray, metric: bool = False,
            fov_deg: Optional[float] = None, max_faces: Optional[int] = None) -> trimesh.Trimesh:
    """A regular grid of vertices (subsampled so it has at most `max_faces` triangles, default
    DEFAULT_MAX_FACES), two triangles per cell, coloured per vertex from `rgb`. Triangles across
    a depth discontinuity (corner distances differing by more than DISCONTINUITY_RATIO) are left
    out; invalid or non-finite depth makes no vertex. Faces wind counter-clockwise seen from the
    camera (their normals face it). `mesh.metadata` records the camera ("image_size" as
    (width, height), "fov_deg", "units"): glb_bytes maps the photo onto the mesh with it."""
    rgb, depth = _check_inputs(rgb, depth)
    height, width = depth.shape
    budget = DEFAULT_MAX_FACES if max_faces is None else int(max_faces)
    if budget < 2:
        raise ValueError(f"max_faces must be 2 or more, not {budget}.")
    # (rows-1)(cols-1) cells of 2 triangles, with the photo's aspect ratio.
    cell_rows, cell_cols = _fit(max(height - 1, 1), max(width - 1, 1), budget // 2)
    rows, cols = _grid(height, cell_rows + 1), _grid(width, cell_cols + 1)
    distance = distance_from_depth(depth, metric, rows, cols)
    valid = np.isfinite(distance)

    index = np.full(distance.shape, -1, np.int64)
    index[valid] = np.arange(int(valid.sum()))
    top_left, top_right = index[:-1, :-1], index[:-1, 1:]
    bottom_left, bottom_right = index[1:, :-1], index[1:, 1:]
    d_tl, d_tr = distance[:-1, :-1], distance[:-1, 1:]
    d_bl, d_br = distance[1:, :-1], distance[1:, 1:]
    faces = np.concatenate([
        np.stack([top_left, bottom_left, top_right], axis=-1)[_continuous(d_tl, d_bl, d_tr)],
        np.stack([top_right, bottom_left, bottom_right], axis=-1)[_continuous(d_tr, d_bl, d_br)],
    ])

    v, u = np.nonzero(valid)
    vertices = unproject(cols[u], rows[v], distance[valid], width, height,
                         focal_length_px(width, fov_deg))
    colours = rgb[np.ix_(rows, cols)][valid]
    # Keep only vertices some face uses (an isolated valid pixel makes no stray vertex).
    used = np.zeros(len(vertices), bool)
    used[faces.ravel()] = True
    renumber = np.cumsum(used) - 1
    mesh = trimesh.Trimesh(vertices[used], renumber[faces], vertex_colors=_rgba(colours[used]),
                           process=False)
    mesh.metadata.update(_camera_metadata(width, height, fov_deg, metric))
    return mesh


def _continuous(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Triangles whose three corners are valid and within DISCONTINUITY_RATIO of each other
    (NaN comparisons are False, so an invalid corner drops the triangle)."""
    nearest = np.minimum(np.minimum(a, b), c)
    farthest = np.maximum(np.maximum(a, b), c)
    with np.errstate(invalid="ignore"):
        return farthest <= nearest * DISCONTINUITY_RATIO


def _camera_metadata(width: int, height: int, fov_deg: Optional[float], metric: bool) -> dict:
    """What the files' readers (and the GLB texture) need to know about the camera."""
    return {"image_size": (width, height),
            "fov_deg": DEFAULT_FOV_DEG if fov_deg is None else float(fov_deg),
            "units": "metres" if metric else "relative (up to scale)"}
