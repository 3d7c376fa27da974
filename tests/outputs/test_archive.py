"""depthviz.outputs.archive: many results in one ZIP, safely and uniquely named."""

from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
from PIL import Image

from depthviz import colorize
from depthviz.outputs.archive import unique_stems, zip_results


def test_stems_are_unique_and_never_leave_the_archive():
    names = ["photo.jpg", "photo.png", "PHOTO.webp", "photo-2.jpg", "../../etc/passwd.png",
             "C:\\Users\\me\\trip.jpg", "noext"]
    assert unique_stems(names) == ["photo.jpg", "photo.png", "PHOTO.webp", "photo-2", "passwd",
                                   "trip", "noext"]  # the CLI's rule (tests/io/test_naming.py)
    assert unique_stems(["a.jpg", "a.jpg", "a-2.png"]) == ["a", "a-2", "a-2-2"]


def test_zip_holds_each_format_of_each_result():
    near_right = np.tile(np.linspace(0, 5, 64, dtype=np.float32), (48, 1))
    flat = np.ones((10, 20), np.float32)
    data = zip_results([("a.jpg", near_right), ("b.jpg", flat)],
                       ("heatmap", "depth16", "npy"), cmap="viridis", invert=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["a.viridis_r.heatmap.png", "a.depth16.png", "a.depth.npy",
                                      "b.viridis_r.heatmap.png", "b.depth16.png", "b.depth.npy"]
        heatmap = np.asarray(Image.open(io.BytesIO(archive.read("a.viridis_r.heatmap.png")))
                             .convert("RGB"))
        depth16 = np.asarray(Image.open(io.BytesIO(archive.read("a.depth16.png"))))
        depth = np.load(io.BytesIO(archive.read("a.depth.npy")))
    np.testing.assert_array_equal(heatmap, colorize(near_right, "viridis", invert=True))
    assert depth16.dtype == np.uint16 and depth16[0, 0] == 0 and depth16[0, -1] == 65535
    np.testing.assert_array_equal(depth, near_right)


def test_unknown_format_is_refused_before_any_work():
    with pytest.raises(ValueError, match="Unknown format"):
        zip_results([("a.jpg", np.zeros((2, 2), np.float32))], ("heatmap", "tiff"))
