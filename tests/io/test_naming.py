"""Issue 12 item 18: one naming rule for the CLI's output files and the batch ZIP's entries."""

from __future__ import annotations

import io
import zipfile

import numpy as np
from PIL import Image

from depthviz.cli import main
from depthviz.io.naming import output_stems
from depthviz.outputs.archive import zip_results


def test_the_rule_keeps_extensions_only_where_stems_would_collide():
    assert output_stems(["trip1/img03.jpg", "img.jpg", "IMG.png", "img2.jpg", "noext"]) == [
        "trip1/img03", "img.jpg", "IMG.png", "img2", "noext"]


def test_cli_files_and_zip_entries_get_the_same_names(tmp_path):
    names = ["coffee.jpg", "coffee.png", "cat.jpg"]
    depth = np.tile(np.linspace(0, 1, 32, dtype=np.float32), (24, 1))
    for index, name in enumerate(names):
        Image.fromarray(np.full((24, 32, 3), 60 * index, np.uint8)).save(tmp_path / name)
    assert main(["predict", *(str(tmp_path / name) for name in names), "--out",
                 str(tmp_path / "out"), "--model", "fastdepth", "--format", "heatmap", "pfm"]) == 0
    cli = sorted(path.name for path in (tmp_path / "out").iterdir())
    with zipfile.ZipFile(io.BytesIO(zip_results([(name, depth) for name in names],
                                                ("heatmap", "pfm")))) as archive:
        assert sorted(archive.namelist()) == cli == [
            "cat.depth.pfm", "cat.inferno.heatmap.png", "coffee.jpg.depth.pfm",
            "coffee.jpg.inferno.heatmap.png", "coffee.png.depth.pfm",
            "coffee.png.inferno.heatmap.png"]
