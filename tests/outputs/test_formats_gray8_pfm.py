"""Issue 12 item 10: gray8 (8-bit single channel, near = white) and pfm (what MiDaS' run.py
writes) everywhere formats exist: encoders, CLI --format, the batch ZIP, the app's downloads."""

from __future__ import annotations

import io
import sys
import zipfile

import numpy as np
from app_helpers import run_app
from PIL import Image

from depthviz.cli import main
from depthviz.outputs.archive import zip_results
from depthviz.outputs.export import FORMAT_SUFFIXES, encode

#: Near at the bottom right.
DEPTH = np.add.outer(np.linspace(0, 1, 30), np.linspace(0, 3, 40)).astype(np.float32)


def midas_write_pfm(path, image, scale=1):
    """utils.write_pfm from isl-org/MiDaS (v3.1), as run.py calls it, unchanged but for style."""
    with open(path, "wb") as file:
        image = np.flipud(image)
        color = len(image.shape) == 3 and image.shape[2] == 3
        file.write(b"PF\n" if color else b"Pf\n")
        file.write(b"%d %d\n" % (image.shape[1], image.shape[0]))
        endian = image.dtype.byteorder
        if endian == "<" or endian == "=" and sys.byteorder == "little":
            scale = -scale
        file.write(b"%f\n" % scale)
        image.tofile(file)


def test_pfm_is_byte_for_byte_what_midas_writes(tmp_path):
    midas_write_pfm(tmp_path / "midas.pfm", DEPTH)
    assert encode("pfm", DEPTH) == (tmp_path / "midas.pfm").read_bytes()


def test_gray8_is_one_8bit_channel_with_near_white():
    grey = np.asarray(Image.open(io.BytesIO(encode("gray8", DEPTH))))
    assert grey.dtype == np.uint8 and grey.shape == DEPTH.shape  # one channel, full size
    assert grey[-1, -1] == 255 and grey[0, 0] == 0  # nearest white, farthest black
    assert np.all(np.diff(grey.astype(int), axis=1) >= 0)  # nearer is never darker


def test_cli_and_zip_write_both_formats(tmp_path):
    Image.fromarray(np.full((24, 32, 3), 90, np.uint8)).save(tmp_path / "a.png")
    assert main(["predict", str(tmp_path / "a.png"), "--out", str(tmp_path / "out"),
                 "--model", "fastdepth", "--format", "gray8", "pfm"]) == 0
    assert (tmp_path / "out" / "a.gray8.png").exists()
    assert (tmp_path / "out" / "a.depth.pfm").read_bytes().startswith(b"Pf\n32 24\n-1.000000\n")
    with zipfile.ZipFile(io.BytesIO(zip_results([("b.jpg", DEPTH)], ("gray8", "pfm")))) as archive:
        assert archive.namelist() == ["b.gray8.png", "b.depth.pfm"]
        assert archive.read("b.depth.pfm") == encode("pfm", DEPTH)


def test_the_app_offers_both_downloads(model_home, downloads):
    run_app()
    offered = {name.split(".", 1)[1] for name in downloads}
    assert {FORMAT_SUFFIXES["gray8"][1:], FORMAT_SUFFIXES["pfm"][1:]} <= offered
    pfm = next(make for name, make in downloads.items() if name.endswith(".depth.pfm"))()
    assert pfm.startswith(b"Pf\n")
