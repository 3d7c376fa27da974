"""Photo bytes -> HxWx3 uint8 RGB array: the only place depthviz decodes images.

Decoding is restricted to the photo formats people upload (so Pillow never runs a PDF/EPS/SVG
plugin on untrusted input), the pixel count is checked from the header before any pixel is
decoded (pixel bombs), and every failure becomes an ImageError with a readable reason.
"""

from __future__ import annotations

import io
import math
import os
from pathlib import Path
from typing import BinaryIO, Union

import cv2
import numpy as np
from PIL import Image, ImageOps

from depthviz.errors import ImageError, ImageTooLarge

ImageSource = Union[bytes, bytearray, memoryview, str, os.PathLike, BinaryIO, Image.Image]

#: Pillow format names we decode (the JPEG plugin also opens cameras' multi-picture MPO files).
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF")
#: File extensions of those formats (for folder scans and upload widgets).
IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".jpe", ".jfif", ".mpo", ".png", ".webp", ".bmp", ".dib",
                    ".tif", ".tiff", ".gif")
#: Default pixel limit: room for 50 and 64 megapixel photos, far below a pixel bomb.
DEFAULT_MAX_PIXELS = 80_000_000
#: Longest side we accept; OpenCV's resize/remap index with 16-bit signed integers.
MAX_SIDE = 32767
#: Diagonal of a 35 mm film frame (36 x 24 mm): "35 mm equivalent" focal lengths refer to it.
FILM_35MM_DIAGONAL_MM = math.hypot(36.0, 24.0)
#: EXIF tags: the Exif sub-IFD, FocalLengthIn35mmFilm in it, and Orientation.
EXIF_IFD, FOCAL_LENGTH_35MM, ORIENTATION = 0x8769, 0xA405, 0x0112
#: JPEG's DCT scaling: OpenCV decodes 1/2, 1/4 or 1/8 of the size for a fraction of the work
#: and memory (its "reduced" flags, here with RGB output).
JPEG_REDUCED_FLAGS = {2: cv2.IMREAD_REDUCED_GRAYSCALE_2, 4: cv2.IMREAD_REDUCED_GRAYSCALE_4,
                      8: cv2.IMREAD_REDUCED_GRAYSCALE_8}
#: Default photo upload limit in MiB: the app's photo and video uploaders'
#: (depthviz.app.uploads.MEDIA_UPLOAD_MB) and the HTTP service's.
DEFAULT_MAX_UPLOAD_MB = 50


def max_pixels_default() -> int:
    """The pixel limit, overridable with the DEPTHVIZ_MAX_PIXELS environment variable."""
    value = os.environ.get("DEPTHVIZ_MAX_PIXELS")
    return int(value) if value else DEFAULT_MAX_PIXELS


def max_upload_bytes_default() -> int:
    """The upload limit in bytes, overridable with DEPTHVIZ_MAX_UPLOAD_MB (the service's; the
    app's is Streamlit's server.maxUploadSize)."""
    value = os.environ.get("DEPTHVIZ_MAX_UPLOAD_MB")
    return int(float(value) * 1024 * 1024) if value else DEFAULT_MAX_UPLOAD_MB * 1024 * 1024


def load_image(source: ImageSource, *, max_pixels: int | None = None,
               min_side: int | None = None) -> np.ndarray:
    """Decode a photo into an HxWx3 uint8 RGB array, EXIF orientation applied.

    `source` may be bytes, a path, a binary file object (e.g. a Streamlit upload) or a PIL
    image. `min_side`: the caller needs no more pixels than this on the shorter side, so a large
    JPEG may be decoded at 1/2, 1/4 or 1/8 of its size (`jpeg_reduction`). Raises ImageError
    with a message meant for a person.
    """
    limit = max_pixels_default() if max_pixels is None else max_pixels
    if isinstance(source, Image.Image):
        check_size(source.width, source.height, limit)
        return to_rgb_array(ImageOps.exif_transpose(source))
    data = read_bytes(source)
    with open_image(data) as img:
        check_size(img.width, img.height, limit)
        reduction = (jpeg_reduction(img.width, img.height, min_side)
                     if img.format == "JPEG" and min_side else 1)
        if img.format == "JPEG" and img.mode in ("RGB", "L") and data.endswith(b"\xff\xd9"):
            # Complete plain JPEGs (the common case): OpenCV decodes straight into an array,
            # EXIF orientation applied, twice as fast as Pillow plus its copy into numpy.
            rgb = cv2.imdecode(np.frombuffer(data, np.uint8),
                               cv2.IMREAD_COLOR_RGB | JPEG_REDUCED_FLAGS.get(reduction, 0))
            if rgb is not None:
                return rgb
        try:
            if reduction > 1:
                img.draft(img.mode, (img.width // reduction, img.height // reduction))
            img.load()
            ImageOps.exif_transpose(img, in_place=True)
            return to_rgb_array(img)
        except ImageError:
            raise
        except Exception as exc:  # Pillow raises many types for broken data
            raise ImageError(damaged_message(img.format or "image", exc)) from exc


def jpeg_reduction(width: int, height: int, min_side: int) -> int:
    """The largest JPEG DCT scaling (8, 4 or 2; else 1) that keeps the shorter side at
    `min_side` pixels or more."""
    return next((factor for factor in (8, 4, 2) if min(width, height) // factor >= min_side), 1)


def oriented_size(source: ImageSource) -> tuple[int, int]:
    """(height, width) of the photo as `load_image` at full size returns it (EXIF orientation
    applied), from the header alone."""
    with open_image(read_bytes(source)) as img:
        width, height = img.size
        if img.getexif().get(ORIENTATION) in (5, 6, 7, 8):  # a quarter turn swaps the sides
            width, height = height, width
    return height, width


def damaged_message(image_format: str, exc: Exception) -> str:
    """Why a photo whose header was fine still did not decode, without Pillow's internals
    ("18 bytes not processed")."""
    what = "part of the file is missing" if "truncated" in str(exc) else "it cannot be decoded"
    return (f"The image data is damaged or truncated ({image_format}): {what}. Copy or "
            "download it again, or re-save it in an image editor.")


def exif_fov_deg(source: ImageSource) -> float | None:
    """The photo's horizontal field of view in degrees, from its EXIF 35 mm-equivalent focal
    length (for the 3D views' camera), or None when the photo does not record it.

    The equivalent focal length matches the photo's diagonal to a 35 mm frame's, so this holds
    for any aspect ratio; the width is taken as shown (EXIF orientation applied)."""
    try:
        img = source if isinstance(source, Image.Image) else open_image(read_bytes(source))
        exif = img.getexif()
        focal_35mm = float(exif.get_ifd(EXIF_IFD).get(FOCAL_LENGTH_35MM) or 0)
        width, height = img.size
    except (ImageError, OSError, ValueError, TypeError):
        return None
    if not focal_35mm > 0:
        return None
    if exif.get(ORIENTATION) in (5, 6, 7, 8):  # stored sideways: shown width is stored height
        width, height = height, width
    focal_px = math.hypot(width, height) * focal_35mm / FILM_35MM_DIAGONAL_MM
    return math.degrees(2.0 * math.atan(width / 2.0 / focal_px))


def read_bytes(source: ImageSource) -> bytes:
    """The file's bytes from bytes, a path or a binary file object."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ImageError(f"No such image file: {path}")
        data = path.read_bytes()
    elif hasattr(source, "read"):
        data = source.read()
        if not isinstance(data, bytes):
            raise ImageError("The file object must be opened in binary mode ('rb').")
    else:
        raise ImageError(f"Cannot read an image from a {type(source).__name__}.")
    if not data:
        raise ImageError("The file is empty.")
    return data


def open_image(data: bytes) -> Image.Image:
    """Open lazily (header only) with the accepted formats; map every failure to ImageError."""
    try:
        return Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except Image.DecompressionBombError as exc:  # Pillow's own, far larger, limit
        raise ImageTooLarge(
            "The image claims far more pixels than can be processed safely (a decompression bomb?)."
        ) from exc
    except Exception as exc:
        raise ImageError(
            "This file is not a readable image: it is in an unsupported format or damaged. "
            "Use JPEG, PNG, WebP, BMP, TIFF or GIF."
        ) from exc


def check_size(width: int, height: int, max_pixels: int) -> None:
    """Refuse absurd sizes from the header alone, before anything large is allocated."""
    if width < 1 or height < 1:
        raise ImageError(f"The image has no pixels ({width}x{height}).")
    if width * height > max_pixels:
        raise ImageTooLarge(
            f"The image is {width}x{height} = {width * height / 1e6:.0f} megapixels; "
            f"the limit is {max_pixels / 1e6:.0f} megapixels. Downscale it and try again."
        )
    if max(width, height) > MAX_SIDE:
        raise ImageTooLarge(
            f"The image is {width}x{height}; sides longer than {MAX_SIDE} pixels are not supported."
        )


def to_rgb_array(img: Image.Image) -> np.ndarray:
    """Any Pillow mode -> HxWx3 uint8 RGB. Transparency is flattened onto white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I", "F"):
        img = Image.fromarray(_scale_to_uint8(np.asarray(img)), mode="L")
    if img.mode == "P" and "transparency" in img.info:
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    if img.mode != "RGB":
        img = img.convert("RGB")
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8))


def _scale_to_uint8(values: np.ndarray) -> np.ndarray:
    """16-bit and float greyscale to 8 bits by their numeric range (not by clipping at 255)."""
    if values.dtype == np.uint16 or values.dtype.str.endswith("u2"):
        return (values.astype(np.uint32) >> 8).astype(np.uint8)
    values = values.astype(np.float64)
    finite = np.isfinite(values)
    if not finite.any():
        return np.zeros(values.shape, np.uint8)
    low, high = values[finite].min(), values[finite].max()
    if values.dtype.kind == "f" and low >= 0.0 and high <= 1.0:
        low, high = 0.0, 1.0
    elif low >= 0 and high <= 65535:
        low, high = 0.0, 65535.0 if high > 255 else 255.0
    scaled = (np.where(finite, values, low) - low) / max(high - low, 1e-12)
    return np.clip(np.rint(scaled * 255.0), 0, 255).astype(np.uint8)


def as_rgb_array(image: np.ndarray | Image.Image) -> np.ndarray:
    """An in-memory image (array or PIL) -> HxWx3 uint8 RGB, for `DepthModel.predict`."""
    if isinstance(image, Image.Image):
        return to_rgb_array(image)
    array = np.asarray(image)
    if array.ndim == 2:
        array = np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim != 3 or array.shape[2] != 3 or array.dtype != np.uint8:
        raise ImageError(
            f"Expected an HxWx3 uint8 RGB array, got shape {array.shape} dtype {array.dtype}.")
    check_size(array.shape[1], array.shape[0], max_pixels_default())
    return np.ascontiguousarray(array)
