"""Pairs found by name, ground truth read into metres (0, negative, NaN, inf = no measurement),
16-bit millimetres with --depth-scale, PFM rows bottom up, zips, and the motorcycle sample."""

from __future__ import annotations

import io
import zipfile

import cv2
import numpy as np
import pytest

from depthviz.errors import EvaluationError
from depthviz.evaluation import folder_pairs, motorcycle_sample, upload_pairs
from depthviz.evaluation.ground_truth import read_depth


def png(rgb: np.ndarray) -> bytes:
    return cv2.imencode(".png", rgb)[1].tobytes()


def npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


PHOTO = png(np.full((6, 8, 3), 90, np.uint8))


def test_a_16_bit_png_is_millimetres_unless_scaled_and_0_is_unmeasured():
    units = np.array([[0, 1000], [2500, 65535]], np.uint16)
    data = png(units)
    metres = read_depth(data, ".depth.png")
    assert np.isnan(metres[0, 0])
    assert metres[0, 1] == pytest.approx(1.0) and metres[1, 0] == pytest.approx(2.5)
    assert read_depth(data, ".depth.png", 1 / 256)[0, 1] == pytest.approx(1000 / 256)
    with pytest.raises(EvaluationError, match="16-bit"):
        read_depth(png(np.zeros((2, 2, 3), np.uint8)), ".depth.png")


def test_npy_metres_with_every_kind_of_missing_value():
    depth = np.array([[1.5, 0.0, -2.0], [np.nan, np.inf, 3.25]], np.float32)
    metres = read_depth(npy(depth), ".depth.npy")
    assert np.array_equal(np.isnan(metres), [[False, True, True], [True, True, False]])
    assert metres[0, 0] == 1.5 and metres[1, 2] == 3.25
    with pytest.raises(EvaluationError, match="HxW"):
        read_depth(npy(np.ones((2, 2, 3))), ".depth.npy")
    with pytest.raises(EvaluationError, match="cannot be read"):
        read_depth(b"not numpy", ".depth.npy")


def test_pfm_rows_are_stored_bottom_up():
    depth = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "<f4")
    # Written by hand: header, then the bottom row first (scale -1: little-endian).
    data = b"Pf\n3 2\n-1.0\n" + depth[::-1].tobytes()
    assert np.array_equal(read_depth(data, ".depth.pfm"), depth)
    big_endian = b"Pf\n3 2\n1.0\n" + depth[::-1].astype(">f4").tobytes()
    assert np.array_equal(read_depth(big_endian, ".depth.pfm"), depth)
    with pytest.raises(EvaluationError, match="greyscale PFM"):
        read_depth(b"PF\n3 2\n-1.0\n" + bytes(72), ".depth.pfm")
    with pytest.raises(EvaluationError, match="shorter or longer"):
        read_depth(data[:-4], ".depth.pfm")


def test_a_folder_pairs_by_name_and_reports_the_rest(tmp_path):
    (tmp_path / "a.jpg").write_bytes(PHOTO)
    (tmp_path / "a.depth.png").write_bytes(png(np.full((3, 4), 1500, np.uint16)))
    (tmp_path / "b.WEBP").write_bytes(PHOTO)
    (tmp_path / "b.depth.npy").write_bytes(npy(np.ones((6, 8), np.float32)))
    (tmp_path / "lonely.png").write_bytes(PHOTO)
    (tmp_path / "orphan.depth.pfm").write_bytes(b"Pf\n1 1\n-1.0\n" + bytes(4))
    (tmp_path / "twice.jpg").write_bytes(PHOTO)
    (tmp_path / "twice.png").write_bytes(PHOTO)
    (tmp_path / "twice.depth.npy").write_bytes(npy(np.ones((6, 8), np.float32)))
    (tmp_path / "notes.txt").write_text("ignored")
    found = folder_pairs(tmp_path)
    assert [pair.name for pair in found.pairs] == ["a", "b"]
    assert found.pairs[0].depth_metres()[0, 0] == pytest.approx(1.5)
    assert found.pairs[1].depth_metres().shape == (6, 8)
    assert set(found.skipped) == {"lonely.png", "orphan.depth.pfm", "twice.jpg", "twice.png",
                                  "twice.depth.npy"}
    assert "no ground truth" in found.skipped["lonely.png"]
    assert "no photo" in found.skipped["orphan.depth.pfm"]


def test_no_pairs_is_a_clear_error(tmp_path):
    (tmp_path / "lonely.jpg").write_bytes(PHOTO)
    with pytest.raises(EvaluationError, match="No photo with ground truth.*lonely.jpg"):
        folder_pairs(tmp_path)
    with pytest.raises(EvaluationError, match="not a folder"):
        folder_pairs(tmp_path / "missing")


def test_a_zip_and_loose_uploads(tmp_path):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("set/photos/x.png", PHOTO)
        zipped.writestr("set/depth/x.depth.npy", npy(np.full((6, 8), 2.0, np.float32)))
        zipped.writestr("__MACOSX/set/photos/._x.png", b"resource fork")
    (tmp_path / "set.zip").write_bytes(archive.getvalue())
    assert [pair.name for pair in folder_pairs(tmp_path / "set.zip").pairs] == ["x"]
    found = upload_pairs([("set.zip", archive.getvalue()), ("y.jpeg", PHOTO),
                          ("y.depth.npy", npy(np.ones((6, 8), np.float32)))])
    assert [pair.name for pair in found.pairs] == ["x", "y"]
    with pytest.raises(EvaluationError, match="zip file cannot be read"):
        upload_pairs([("bad.zip", b"PK not really")])
    with pytest.raises(EvaluationError, match="No photo with ground truth"):
        upload_pairs([("y.jpeg", PHOTO)])


def test_the_motorcycle_depth_comes_from_the_published_calibration(motorcycle):
    left, disparity = motorcycle
    sample = motorcycle_sample()
    depth = sample.depth_metres()
    assert np.array_equal(sample.rgb(), left)
    assert np.array_equal(np.isnan(depth), ~np.isfinite(disparity))
    y, x = np.argwhere(np.isfinite(disparity))[1000]
    assert depth[y, x] == pytest.approx(193.001 * 994.978 / (disparity[y, x] + 31.086) / 1000)
    assert 1.0 < np.nanmedian(depth) < 5.0  # a motorcycle a few metres away
