"""The core installs and runs alone: in a fresh virtual environment holding only depthviz (built
from this checkout, `pip install --no-deps`) and its core dependency closure (from its own
metadata, no extras), `depthviz predict` writes a heatmap, and every front-end command says in
one line which extra to install.

Installing torch from PyPI into a fresh environment costs minutes and gigabytes, so the closure
comes from this environment's installed distributions instead: the fresh site-packages gets
symlinks to exactly the files and folders their RECORDs list, and nothing else.
"""

from __future__ import annotations

import importlib.metadata as metadata
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

import numpy as np
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from PIL import Image

import depthviz

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("core_install")]

REPO = Path(__file__).resolve().parents[1]
#: The front-ends' libraries: each comes with an extra, none with the core.
FRONT_END_MODULES = ("streamlit", "fastapi", "uvicorn", "ray", "av", "trimesh", "plotly")


def build_wheel(root: Path) -> Path:
    """depthviz's wheel, built from a copy of the checkout (the build leaves files behind)."""
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copyfile(REPO / name, source / name)
    shutil.copytree(REPO / "depthviz", source / "depthviz",
                    ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-index",
                    "--no-build-isolation", "-w", str(root / "dist"), str(source)],
                   check=True, capture_output=True, timeout=120)
    (wheel,) = (root / "dist").glob("depthviz-*.whl")
    return wheel


def core_closure(requirements: Iterable[str]) -> set[str]:
    """The distributions `requirements` need, transitively, as installed here; each requested
    with its extras (ray[data]), and markers evaluated with them (none for depthviz's own)."""
    wanted: dict[str, set[str]] = {}
    pending = [(Requirement(text), {""}) for text in requirements]
    while pending:
        requirement, extras = pending.pop()
        if requirement.marker and not any(requirement.marker.evaluate({"extra": extra})
                                          for extra in extras):
            continue
        name = canonicalize_name(requirement.name)
        if name in wanted and requirement.extras <= wanted[name]:
            continue
        wanted.setdefault(name, set()).update(requirement.extras)
        pending += [(Requirement(text), {"", *wanted[name]})
                    for text in metadata.distribution(name).requires or ()]
    return set(wanted)


def installed_parts(distribution: metadata.Distribution) -> list[tuple[str, ...]]:
    """The distribution's files inside site-packages, as path parts (scripts in bin/ left out)."""
    return [PurePosixPath(path).parts for path in distribution.files or ()
            if not str(path).startswith("..")]


def expose(names: set[str], site_packages: Path) -> None:
    """Symlink into `site_packages` the files of the distributions `names`, each by its shortest
    path that no other distribution here shares (a namespace folder like google/ is not
    linked whole, only its subfolders)."""
    source = Path(metadata.distribution(next(iter(names))).locate_file(""))
    others: set[tuple[str, ...]] = set()
    for distribution in metadata.distributions(path=[str(source)]):
        if canonicalize_name(distribution.metadata["Name"]) not in names:
            for parts in installed_parts(distribution):
                others.update(parts[:end] for end in range(1, len(parts) + 1))
    links = {next((parts[:end] for end in range(1, len(parts)) if parts[:end] not in others),
                  parts)
             for name in names for parts in installed_parts(metadata.distribution(name))}
    for parts in sorted(links):
        link = site_packages.joinpath(*parts)
        link.parent.mkdir(parents=True, exist_ok=True)
        if not link.exists():
            link.symlink_to(source.joinpath(*parts))


@pytest.fixture(scope="module")
def core(tmp_path_factory) -> dict:
    """A fresh environment with the core install: `env` runs its `depthviz`, in `cwd`."""
    root = tmp_path_factory.mktemp("core-install")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=120)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-index", str(build_wheel(root))],
                   check=True, capture_output=True, timeout=120)
    requires = subprocess.run(
        [str(python), "-c", "import importlib.metadata as m, json; "
                            "print(json.dumps(m.requires('depthviz')))"],
        check=True, capture_output=True, text=True, timeout=60).stdout
    (site_packages,) = venv.glob("lib/python*/site-packages")
    expose(core_closure(json.loads(requires)), site_packages)

    home = root / "home"  # the model home: the offline model only
    home.mkdir()
    fastdepth = depthviz.fetch_weights("fastdepth")
    shutil.copyfile(fastdepth, home / fastdepth.name)
    env = {name: value for name, value in os.environ.items()
           if name not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env.update(DEPTHVIZ_HOME=str(home), PYTHONNOUSERSITE="1",
               PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    return {"env": env, "cwd": root, "python": str(python)}


def run(core: dict, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=core["env"], cwd=core["cwd"], capture_output=True,
                          text=True, timeout=120)


def test_the_front_end_libraries_are_not_installed(core):
    result = run(core, core["python"], "-c",
                 "import importlib.util, depthviz; print(depthviz.__file__); "
                 f"print([name for name in {FRONT_END_MODULES!r} "
                 "if importlib.util.find_spec(name)])")
    assert result.returncode == 0, result.stderr
    installed_at, importable = result.stdout.splitlines()
    assert installed_at.startswith(str(core["cwd"] / "venv")) and importable == "[]"


def test_import_depthviz_leaves_the_front_ends_out(core):
    code = ("import sys, depthviz, depthviz.cli.parser\n"
            "depthviz.cli.parser.build_parser()\n"
            f"print([name for name in {FRONT_END_MODULES!r} if name in sys.modules])\n"
            "try:\n"
            "    depthviz.to_mesh\n"
            "except ImportError as exc:\n"
            "    print(type(exc).__name__, exc)\n")
    result = run(core, core["python"], "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "[]", "MissingExtra depthviz.to_mesh needs the '3d' extra: pip install \"depthviz[3d]\""]


def test_help_and_version_work(core):
    assert "depthviz 0.1.0" in run(core, "depthviz", "--version").stdout
    result = run(core, "depthviz", "--help")
    assert result.returncode == 0 and "predict" in result.stdout and "serve" in result.stdout


def test_predict_writes_a_heatmap(core, coffee):
    Image.fromarray(coffee).save(core["cwd"] / "coffee.jpg", quality=95)
    result = run(core, "depthviz", "predict", "coffee.jpg", "--out", "out", "--model",
                 "fastdepth")
    assert result.returncode == 0, result.stderr
    heatmap = np.asarray(Image.open(core["cwd"] / "out" / "coffee.inferno.heatmap.png")
                         .convert("RGB"))
    assert heatmap.shape == coffee.shape and heatmap.std() > 10  # a full-size map, not blank


@pytest.mark.parametrize("command, feature, extra", [
    (["serve"], "depthviz serve", "serve"),
    (["video", "in.mp4", "--out", "depth.mp4"], "depthviz video", "video"),
    (["parallax", "photo.jpg", "--out", "loop.mp4"], "depthviz parallax --out loop.mp4", "video"),
    (["predict", "photo.jpg", "--out", "out", "--format", "glb"], "--format glb", "3d"),
    (["predict", "photo.jpg", "--out", "out", "--runner", "ray"], "--runner ray", "ray"),
    (["predict", "photo.jpg", "--out", "out", "--precision", "int8"], "--precision int8", "int8"),
])
def test_a_front_end_without_its_extra_says_which_to_install(core, command, feature, extra):
    result = run(core, "depthviz", *command)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"depthviz: error: {feature} needs the '{extra}' extra: pip install \"depthviz[{extra}]\""]
