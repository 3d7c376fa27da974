"""The set-up a person runs (issue 18): every install takes its versions from one lock, `make app`
installs the app's extra only, `make app` is private unless given an address, CI runs exactly
`make test`, and `make test` runs the static checks, the suite, and the precision tests again as a
CPU without bf16 runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LOCK = REPO / "requirements.lock"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def canonical(name: str) -> str:
    """A distribution's name as pip compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def locked_versions() -> dict[str, str]:
    pins = [line for line in LOCK.read_text().splitlines() if line and not line.startswith("#")]
    assert all(re.fullmatch(r"[A-Za-z0-9._-]+==[^\s=;]+", pin) for pin in pins), pins
    return {canonical(pin.split("==")[0]): pin.split("==")[1] for pin in pins}


def make_dry_run(*args: str) -> str:
    """The commands `make` would run (nothing is run)."""
    return subprocess.run(["make", "--dry-run", *args], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout


def extra_requirements(extra: str) -> set[str]:
    """The distributions an extra of depthviz brings, through extras of extras."""
    names = set()
    for requirement in PYPROJECT["project"]["optional-dependencies"][extra]:
        name = re.match(r"[A-Za-z0-9._-]+", requirement).group(0)
        if canonical(name) == "depthviz":
            for inner in re.search(r"\[(.*)\]", requirement).group(1).split(","):
                names |= extra_requirements(inner.strip())
        else:
            names.add(canonical(name))
    return names


def test_the_lock_pins_each_package_once_and_says_how_to_refresh_it():
    pins = [line.split("==")[0] for line in LOCK.read_text().splitlines()
            if line and not line.startswith("#")]
    assert len({canonical(name) for name in pins}) == len(pins)
    assert "depthviz" not in locked_versions()
    header = LOCK.read_text().split("\n" + pins[0])[0]
    assert "make lock" in header and "constraints" in header


def test_the_installed_versions_are_the_locks():
    """CI tests what the lock says. A difference means this environment was not installed by
    `make test` from this lock (or the lock was refreshed without reinstalling): `make test`.
    pip asks a fresh interpreter: in this one, an import of pkg_resources has put setuptools'
    vendored copies (packaging, jaraco, ...) on sys.path, and they are not installed packages."""
    listed = subprocess.run([sys.executable, "-m", "pip", "list", "--format=json",
                             "--exclude-editable", "--disable-pip-version-check"],
                            capture_output=True, text=True, check=True).stdout
    installed = {canonical(dist["name"]): dist["version"] for dist in json.loads(listed)}
    locked = locked_versions()
    differences = {name: {"installed": installed.get(name), "locked": locked.get(name)}
                   for name in installed.keys() | locked.keys()
                   if installed.get(name) != locked.get(name)}
    assert differences == {}


def test_make_app_installs_the_core_and_the_app_extra_only_at_the_locked_versions():
    assert extra_requirements("app").isdisjoint(
        {"ray", "nncf", "playwright", "pytest", "pytest-xdist", "hypothesis", "mypy", "ruff"})
    commands = make_dry_run("--always-make", "env-app")
    assert "pip install -q -c requirements.lock -e '.[app]'" in commands
    assert "[all" not in commands and "test]" not in commands


def test_make_test_installs_every_extra_and_the_test_tools_at_the_locked_versions():
    commands = make_dry_run("--always-make", "env-test")
    assert "pip install -q -c requirements.lock -e '.[all,test]'" in commands


def test_the_lock_holds_every_distribution_depthviz_asks_for():
    wanted = {canonical(re.match(r"[A-Za-z0-9._-]+", requirement).group(0))
              for requirement in PYPROJECT["project"]["dependencies"]}
    wanted |= extra_requirements("all") | extra_requirements("test")
    assert wanted <= locked_versions().keys()


@pytest.mark.parametrize("host", ["", "0.0.0.0"])
def test_make_app_listens_on_this_computer_unless_given_an_address(host):
    commands = make_dry_run("app", *([f"HOST={host}"] if host else []))
    assert f"streamlit run streamlit_app.py --server.port 8501 --server.address " \
           f"{host or '127.0.0.1'}" in commands
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["server"]["address"] == "127.0.0.1"  # a bare `streamlit run` too


def test_ci_runs_exactly_make_test():
    commands = [line for line in (REPO / ".ci" / "run").read_text().splitlines()
                if line.strip() and not line.startswith("#")]
    assert commands[-1] == "make test"
    assert all(not line.startswith("make") for line in commands[:-1])


def test_make_test_runs_the_checks_the_suite_and_the_precision_tests_without_bf16():
    commands = make_dry_run("test")
    steps = ["ruff check .", "mypy", "lint-imports", "python -m pytest -q -n 2\n",
             "DEPTHVIZ_HIDE_BF16=1"]
    positions = [commands.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), dict(zip(steps, positions))
    assert "avx512_bf16|amx_bf16" in commands  # only where the CPU has native bf16
    precision_tests = commands.split("DEPTHVIZ_HIDE_BF16=1")[1].split("pytest -q -n 2")[1]
    paths = precision_tests.split(";")[0].split()
    assert {"tests/engines", "tests/models"} <= set(paths)
    assert all((REPO / path).exists() for path in paths)


def test_make_check_leaves_out_the_browser_ray_and_slow_tests():
    commands = make_dry_run("check")
    assert all(step in commands for step in ("ruff check .", "mypy", "lint-imports"))
    assert '-m "not browser and not slow"' in commands
    ray_modules = [module for module in REPO.glob("tests/**/test_*.py")
                   if "ray" in module.stem.split("_")]  # those that start Ray
    assert ray_modules
    for module in ray_modules:
        assert re.search(r"^pytestmark = \[?pytest\.mark\.slow", module.read_text(), re.M), module
