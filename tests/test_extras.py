"""The optional extras: a missing one is a typed, one-line error naming the pip command, and
the core (`import depthviz`, the command's parser) never imports a front-end library."""

from __future__ import annotations

import subprocess
import sys

import pytest

from depthviz.errors import DepthvizError, MissingExtra
from depthviz.extras import require_extra

#: The front-ends' libraries, which come with extras only.
FRONT_END_MODULES = ("streamlit", "fastapi", "uvicorn", "ray", "av", "trimesh", "plotly", "nncf")


def test_a_missing_extra_is_a_depthviz_error_and_an_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "uvicorn", None)
    with pytest.raises(MissingExtra) as caught:
        require_extra("serve", "fastapi", "uvicorn", feature="depthviz serve")
    assert isinstance(caught.value, DepthvizError) and isinstance(caught.value, ImportError)
    assert str(caught.value) == ("depthviz serve needs the 'serve' extra: "
                                 "pip install \"depthviz[serve]\"")
    assert caught.value.name == "uvicorn"


def test_an_installed_extra_passes():
    require_extra("core", "numpy", "PIL", feature="this test")


def test_meshes_without_the_3d_extra_say_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "trimesh", None)
    with pytest.raises(MissingExtra, match=r"depthviz.to_mesh needs the '3d' extra"):
        from depthviz import to_mesh  # noqa: F401 (importing it is what fails)


def test_the_package_and_the_command_line_import_no_front_end_library():
    code = ("import sys, depthviz, depthviz.cli.parser; depthviz.cli.parser.build_parser(); "
            f"print(sorted(set({FRONT_END_MODULES!r}) & set(sys.modules)))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
