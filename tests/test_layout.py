"""The package's layers (README "Layout"): a lower layer never imports a higher one, every
subpackage has its place in the contract, and the check really fails on a violation."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import depthviz

REPO = Path(__file__).resolve().parents[1]
PACKAGE = Path(depthviz.__file__).resolve().parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contract_layers() -> list[str]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]
    (layers,) = [contract["layers"] for contract in config["contracts"]
                 if contract["type"] == "layers"]
    return [name.strip() for layer in layers for name in layer.split("|")]


def lint_imports(cwd: Path, pythonpath: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, capture_output=True,
                          text=True, env={"PYTHONPATH": str(pythonpath), "PATH": "/usr/bin:/bin"},
                          timeout=120)


def test_every_subpackage_and_top_module_has_a_layer():
    layered = set(contract_layers())
    rooms = {f"depthviz.{path.name}" for path in PACKAGE.iterdir()
             if path.is_dir() and (path / "__init__.py").is_file()}
    assert rooms, "no subpackages found"
    assert rooms <= layered, f"subpackages outside the layers contract: {rooms - layered}"
    top_modules = {path.stem for path in PACKAGE.glob("*.py")}
    # Besides the package's own entry points, a top-level module must be a layer of its own.
    loose = {f"depthviz.{name}" for name in top_modules - {"__init__", "__main__"}}
    assert loose <= layered, f"top-level modules outside the layers contract: {loose - layered}"


def test_the_layers_contract_is_kept():
    result = lint_imports(REPO, REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BROKEN" not in result.stdout and "1 kept, 0 broken" in result.stdout


def test_the_contract_fails_when_a_model_imports_the_service(tmp_path):
    """The check can fail: a copy of the package whose registry imports the HTTP service."""
    copy = tmp_path / "src"
    shutil.copytree(PACKAGE, copy / "depthviz", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copyfile(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    registry = copy / "depthviz" / "models" / "registry.py"
    registry.write_text("import depthviz.serve  # a lower layer reaching up\n"
                        + registry.read_text())
    result = lint_imports(tmp_path, copy)
    assert result.returncode != 0
    assert "depthviz.models.registry -> depthviz.serve" in result.stdout
