"""Front-end commands without their optional extra: one line naming the pip command, exit
status 2, before any work; a command that does not need the extra is not stopped by it."""

from __future__ import annotations

import sys

import pytest

from depthviz.cli import main
from depthviz.cli.parser import build_parser

FRONT_END_MODULES = ("streamlit", "fastapi", "fastapi_offline", "uvicorn", "python_multipart",
                     "ray", "av", "trimesh", "plotly", "nncf")


def without(monkeypatch, *modules: str) -> None:
    """As if `modules` were not installed: find_spec answers None and importing them fails."""
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


@pytest.mark.parametrize("argv, missing, feature, extra", [
    (["serve"], "fastapi", "depthviz serve", "serve"),
    (["serve"], "python_multipart", "depthviz serve", "serve"),
    (["serve", "--ray"], "ray", "depthviz serve --ray", "ray"),
    (["serve", "--precision", "int8"], "nncf", "--precision int8", "int8"),
    (["video", "in.mp4", "--out", "depth.mp4"], "av", "depthviz video", "video"),
    (["parallax", "p.jpg", "--out", "loop.mp4"], "av", "depthviz parallax --out loop.mp4",
     "video"),
    (["predict", "p.jpg", "--out", "o", "--format", "heatmap", "glb"], "trimesh", "--format glb",
     "3d"),
    (["predict", "p.jpg", "--out", "o", "--format", "ply"], "trimesh", "--format ply", "3d"),
    (["predict", "p.jpg", "--out", "o", "--runner", "ray"], "ray", "--runner ray", "ray"),
    (["predict", "p.jpg", "--out", "o", "--engine", "ray"], "ray", "--runner ray", "ray"),
    (["predict", "p.jpg", "--out", "o", "--precision", "int8"], "nncf", "--precision int8",
     "int8"),
])
def test_a_command_without_its_extra_says_what_to_install(argv, missing, feature, extra,
                                                          monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    without(monkeypatch, missing)
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"depthviz: error: {feature} needs the '{extra}' extra: pip install \"depthviz[{extra}]\""]
    assert not list(tmp_path.iterdir())


def test_a_gif_parallax_needs_no_video_extra(monkeypatch, tmp_path, capsys):
    without(monkeypatch, "av")
    assert main(["parallax", str(tmp_path / "nope.jpg"), "--out", str(tmp_path / "loop.gif"),
                 "--model", "fastdepth"]) == 2
    err = capsys.readouterr().err
    assert "nope.jpg" in err and "extra" not in err


def test_help_and_version_need_no_extra(monkeypatch, capsys):
    without(monkeypatch, *FRONT_END_MODULES)
    for argv in (["--help"], ["--version"], ["serve", "--help"], ["video", "--help"]):
        with pytest.raises(SystemExit) as stopped:
            build_parser().parse_args(argv)
        assert stopped.value.code == 0
    assert "depthviz 0.1.0" in capsys.readouterr().out
