"""Depth map + photo -> 3D scene: a coloured point cloud or mesh, and their PLY / GLB files.

The geometry (camera convention, and how relative depth becomes distance) is camera.py's.
"""

from __future__ import annotations

import io
import math
from typing import Optional

import cv2
import numpy as np
import trimesh
from PIL import Image

from depthviz.scene.camera import (
    DEFAULT_FOV_DEG,
    distance_from_depth,
    focal_length_px,
    project,
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
#: Longest side of the texture embedded in a GLB (JPEG).
TEXTURE_MAX_SIDE = 2048


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


def ply_bytes(cloud: trimesh.PointCloud) -> bytes:
    """A binary PLY of the point cloud with per-point RGB(A) colours."""
    return trimesh.exchange.ply.export_ply(cloud, encoding="binary")


def glb_bytes(mesh: trimesh.Trimesh, rgb: Optional[np.ndarray] = None) -> bytes:
    """A binary glTF (GLB) of the mesh. With `rgb` (the photo the mesh came from), the photo is
    embedded as a JPEG texture, mapped by projecting each vertex back through the camera: far
    sharper than vertex colours at a browser-sized face budget. Without it, vertex colours.

    The camera is the one to_mesh records in `mesh.metadata` ("fov_deg"; "image_size", checked
    against the photo's when present); the photo's own size is what the texture uses."""
    if rgb is None:
        return trimesh.exchange.gltf.export_glb(trimesh.Scene(mesh))
    height, width = rgb.shape[:2]
    if mesh.metadata.get("fov_deg") is None:
        raise ValueError("The mesh does not say the field of view it was made with "
                         "(mesh.metadata['fov_deg'], which to_mesh sets), so the photo cannot "
                         "be mapped onto it; call glb_bytes(mesh) for vertex colours instead.")
    made_from = tuple(mesh.metadata.get("image_size", (width, height)))
    if made_from != (width, height):
        raise ValueError(f"The photo is {width}x{height} but the mesh was made from a "
                         f"{made_from[0]}x{made_from[1]} one.")
    focal = focal_length_px(width, mesh.metadata["fov_deg"])
    pixel = project(np.asarray(mesh.vertices, np.float64), width, height, focal)
    # glTF texture coordinates: (0, 0) is the image's top-left corner; trimesh flips v on export.
    uv = np.stack([(pixel[:, 0] + 0.5) / width, 1.0 - (pixel[:, 1] + 0.5) / height], axis=1)
    textured = trimesh.Trimesh(mesh.vertices, mesh.faces, process=False)
    textured.visual = trimesh.visual.TextureVisuals(
        uv=uv, material=trimesh.visual.material.PBRMaterial(
            baseColorTexture=_texture(rgb), metallicFactor=0.0, roughnessFactor=1.0,
            doubleSided=True))
    return trimesh.exchange.gltf.export_glb(trimesh.Scene(textured))


def _texture(rgb: np.ndarray) -> Image.Image:
    """The photo, at most TEXTURE_MAX_SIDE on its long side, as a JPEG-backed PIL image (trimesh
    embeds an image in its own format, so the GLB carries a JPEG, not a far larger PNG)."""
    height, width = rgb.shape[:2]
    scale = min(1.0, TEXTURE_MAX_SIDE / max(height, width))
    if scale < 1.0:
        rgb = cv2.resize(rgb, (max(1, round(width * scale)), max(1, round(height * scale))),
                         interpolation=cv2.INTER_AREA)
    ok, jpeg = cv2.imencode(".jpg", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR),
                            [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:
        raise ValueError("JPEG encoding of the texture failed.")
    return Image.open(io.BytesIO(jpeg.tobytes()))
