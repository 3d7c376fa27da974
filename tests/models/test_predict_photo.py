"""DepthModel.predict_photo: a photo's bytes -> depth at the photo's full size, decoding a large
JPEG only at the size the network needs, and the same depth as predict on the full decode."""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from depthviz.io.images import load_image


def encoded(rgb: np.ndarray, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, fmt, quality=92)
    return buffer.getvalue()


def test_a_12_megapixel_jpeg_gets_the_full_decodes_depth_at_full_size(fastdepth, coffee):
    photo = encoded(cv2.resize(coffee, (4032, 3024), interpolation=cv2.INTER_CUBIC), "JPEG")
    full = fastdepth.predict(load_image(photo))
    reduced = fastdepth.predict_photo(photo)
    assert reduced.shape == full.shape == (3024, 4032) and reduced.dtype == np.float32
    assert np.corrcoef(full.ravel(), reduced.ravel())[0, 1] > 0.999
    assert np.abs(full - reduced).mean() < 0.01 * np.abs(full).mean()


def test_photos_without_a_reduced_decode_are_predicted_as_they_are(fastdepth, coffee):
    """A PNG, or a JPEG too small to reduce, gives exactly predict on load_image."""
    for photo in (encoded(coffee, "PNG"), encoded(coffee[:300, :400], "JPEG")):
        np.testing.assert_array_equal(fastdepth.predict_photo(photo),
                                      fastdepth.predict(load_image(photo)))
