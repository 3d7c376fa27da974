"""The pinhole camera that turns a depth map into 3D points, shared by the 3D scene (mesh.py,
mesh_files.py) and the new views (warp.py).

Convention (glTF / OpenGL, so files open the right way up in Blender, three.js and online
viewers): a pinhole at the origin, +x right, +y up, looking along -z. With the horizontal field
of view `fov`, the focal length in pixels is f = (W/2) / tan(fov/2), and the centre of pixel
(u, v) at distance Z along the axis is

    x = (u + 0.5 - W/2) Z / f,    y = -(v + 0.5 - H/2) Z / f,    z = -Z.

Distance Z from the model's inverse depth (larger = nearer):
- metric models (1/metres): Z = 1/depth, exactly, in metres;
- relative models: the inverse depth is only known up to scale and shift (MiDaS' definition), so
  it is mapped affinely to inverse distance: its 1st percentile goes to 1/RELATIVE_FAR and its
  99th to 1/RELATIVE_NEAR (values beyond are clamped). This is monotone (larger = nearer) and
  gives a plausible scene spanning RELATIVE_NEAR..RELATIVE_FAR units, but only up to scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Optional

import numpy as np

#: Horizontal field of view when the photo does not say (a phone's main camera is 65-75 degrees;
#: a "normal" lens about 55).
DEFAULT_FOV_DEG = 60.0
#: The relative-depth rule's range in scene units (near : far = 1 : 4, a room or a street
#: scene). 1 : 10 stretched a table or a far wall into streaks once the view was turned (seen in
#: rendered GLBs of the coffee and motorcycle photos, and in the app's orbited view).
RELATIVE_NEAR = 1.0
RELATIVE_FAR = 4.0
#: Percentiles of the relative inverse depth that map to RELATIVE_FAR and RELATIVE_NEAR: a few
#: stray pixels cannot stretch the scene.
RELATIVE_PERCENTILES = (1.0, 99.0)


def focal_length_px(width: int, fov_deg: Optional[float] = None) -> float:
    """The pinhole's focal length in pixels for an image `width` pixels wide."""
    fov = DEFAULT_FOV_DEG if fov_deg is None else float(fov_deg)
    if not 0.0 < fov < 180.0:
        raise ValueError(f"The field of view must be between 0 and 180 degrees, not {fov}.")
    return (width / 2.0) / math.tan(math.radians(fov) / 2.0)


def distance_from_depth(depth: np.ndarray, metric: bool = False,
                        rows: Optional[np.ndarray] = None,
                        cols: Optional[np.ndarray] = None) -> np.ndarray:
    """Inverse depth (larger = nearer) -> float32 distance along the camera axis; NaN where the
    value is invalid (non-finite, and for metric depth also <= 0). See the module docstring.
    With `rows` and `cols`, only that grid of pixels is converted (the relative rule's
    percentiles still come from the whole map, so every grid gets the same scene)."""
    inverse = np.asarray(depth, dtype=np.float32)
    if inverse.ndim != 2:
        raise ValueError(f"Expected an HxW depth map, got shape {inverse.shape}.")
    to_inverse_distance = None if metric else relative_rule(inverse)
    if rows is not None or cols is not None:
        inverse = inverse[np.ix_(np.arange(inverse.shape[0]) if rows is None else rows,
                                 np.arange(inverse.shape[1]) if cols is None else cols)]
    with np.errstate(divide="ignore", invalid="ignore"):
        finite = np.isfinite(inverse)  # +-inf is invalid too, not clamped to near or far
        if to_inverse_distance is not None:
            inverse = to_inverse_distance(inverse)
        valid = finite & (inverse > 0)
        return np.where(valid, np.float32(1.0) / inverse, np.float32(np.nan)).astype(np.float32)


def relative_rule(inverse: np.ndarray) -> Callable[[np.ndarray], np.ndarray]:
    """The relative-depth rule for this map: an affine, clamped map of inverse depth to inverse
    distance, sending its RELATIVE_PERCENTILES to 1/RELATIVE_FAR and 1/RELATIVE_NEAR."""
    step = max(1, int(math.sqrt(inverse.size / 250_000)))  # percentiles of a sample: as good
    sample = inverse[::step, ::step]
    sample = sample[np.isfinite(sample)]
    near, far = 1.0 / RELATIVE_NEAR, 1.0 / RELATIVE_FAR
    low, high = np.percentile(sample, RELATIVE_PERCENTILES) if sample.size else (0.0, 0.0)
    if not high > low:  # a flat (or empty) map: a wall at mid distance
        return lambda values: np.full(values.shape, (near + far) / 2, np.float32)
    gain = (near - far) / (high - low)
    return lambda values: np.clip(far + (values - low) * gain, far, near).astype(np.float32)


def unproject(u: np.ndarray, v: np.ndarray, distance: np.ndarray, width: int, height: int,
              focal: float) -> np.ndarray:
    """Pixel columns `u`, rows `v` at `distance` -> Nx3 float32 points (the convention above)."""
    points = np.empty((distance.size, 3), np.float32)
    points[:, 0] = (u + 0.5 - width / 2.0) * distance / focal
    points[:, 1] = -(v + 0.5 - height / 2.0) * distance / focal
    points[:, 2] = -distance
    return points


def project(points: np.ndarray, width: int, height: int, focal: float) -> np.ndarray:
    """Nx3 points -> Nx2 pixel coordinates (u, v) of the pixel grid (the inverse of unproject)."""
    distance = -points[:, 2]
    u = points[:, 0] * focal / distance + width / 2.0 - 0.5
    v = -points[:, 1] * focal / distance + height / 2.0 - 0.5
    return np.stack([u, v], axis=1)
