"""Encode a photo's 3D outputs for download or disk: PLY point cloud, GLB mesh, stereo pair and
anaglyph PNGs. These need the photo as well as its depth (outputs.export's formats need only
depth).

mesh.py and mesh_files.py (and trimesh, about a second to import) load on the first PLY or GLB,
so commands and pages that never make one start as fast as before.
"""

from __future__ import annotations

from functools import cached_property
from typing import Optional

import cv2
import numpy as np

from depthviz.scene.stereo import DEFAULT_STEREO_STRENGTH, anaglyph, side_by_side, stereo_pair

#: 3D output format name -> file suffix appended to the input's stem.
SCENE_FORMAT_SUFFIXES = {"ply": ".ply", "glb": ".glb", "stereo": ".stereo.png",
                         "anaglyph": ".anaglyph.png"}
#: Fast PNG settings for photos (zlib level 1, libpng's adaptive filters).
PHOTO_PNG_PARAMS = [cv2.IMWRITE_PNG_COMPRESSION, 1]


def ply_file(rgb: np.ndarray, depth: np.ndarray, metric: bool = False,
             fov_deg: Optional[float] = None) -> bytes:
    """Binary PLY of the coloured point cloud (mesh.to_points' default budget)."""
    from depthviz.scene.mesh import to_points
    from depthviz.scene.mesh_files import ply_bytes

    return ply_bytes(to_points(rgb, depth, metric=metric, fov_deg=fov_deg))


def glb_file(rgb: np.ndarray, depth: np.ndarray, metric: bool = False,
             fov_deg: Optional[float] = None, max_faces: Optional[int] = None) -> bytes:
    """GLB of the mesh, textured with the photo."""
    from depthviz.scene.mesh import to_mesh
    from depthviz.scene.mesh_files import glb_bytes

    return glb_bytes(to_mesh(rgb, depth, metric=metric, fov_deg=fov_deg, max_faces=max_faces), rgb)


def rgb_png(rgb: np.ndarray) -> bytes:
    """HxWx3 uint8 RGB -> PNG bytes."""
    ok, encoded = cv2.imencode(".png", cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR), PHOTO_PNG_PARAMS)
    if not ok:
        raise ValueError(f"PNG encoding failed for an array of shape {rgb.shape}.")
    return encoded.tobytes()


class SceneEncoder:
    """A photo and its depth map, encoded to any of the 3D output formats (SCENE_FORMAT_SUFFIXES)
    one at a time. The stereo pair is rendered once, when first needed, for both the stereo and
    the anaglyph outputs."""

    def __init__(self, rgb: np.ndarray, depth: np.ndarray, metric: bool = False,
                 fov_deg: Optional[float] = None,
                 stereo_strength: float = DEFAULT_STEREO_STRENGTH):
        self.rgb, self.depth, self.metric, self.fov_deg = rgb, depth, metric, fov_deg
        self.stereo_strength = stereo_strength

    @cached_property
    def stereo_views(self) -> tuple[np.ndarray, np.ndarray]:
        """(left eye, right eye), see stereo.stereo_pair."""
        return stereo_pair(self.rgb, self.depth, self.metric, self.stereo_strength)

    def encode(self, fmt: str) -> bytes:
        """Bytes of one 3D output format."""
        if fmt == "ply":
            return ply_file(self.rgb, self.depth, self.metric, self.fov_deg)
        if fmt == "glb":
            return glb_file(self.rgb, self.depth, self.metric, self.fov_deg)
        if fmt == "stereo":
            return rgb_png(side_by_side(*self.stereo_views))
        if fmt == "anaglyph":
            return rgb_png(anaglyph(*self.stereo_views))
        raise ValueError(f"Unknown 3D format '{fmt}'; choose from "
                         f"{', '.join(SCENE_FORMAT_SUFFIXES)}.")
