"""PLY and GLB bytes of a 3D scene: a point cloud as binary PLY, a mesh as GLB textured with
the photo it came from (trimesh's exporters; the camera is the one mesh.py records).
"""

from __future__ import annotations

import io
from typing import Optional

import cv2
import numpy as np
import trimesh
from PIL import Image

from depthviz.scene.camera import focal_length_px, project

#: Longest side of the texture embedded in a GLB (JPEG).
TEXTURE_MAX_SIDE = 2048


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
