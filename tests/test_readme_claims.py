"""Issue 12 item 17: what the README states about this machine's set-up must match what is
installed and what `available_models()` reports (these are the statements that drift)."""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path

import pytest

import depthviz

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
#: How the README names engines -> the names available_models() uses.
ENGINE_WORDS = {"OpenVINO f32": "openvino", "OpenVINO": "openvino", "onnxruntime": "onnxruntime",
                "torch": "torch"}


def readme_auto_engines(model_title: str) -> set[str]:
    """The engines the README's engine="auto" note says `model_title` runs on."""
    match = re.search(rf"{model_title} -> ([^(;]+)", " ".join(README.split()))
    assert match, f"the README no longer says what auto picks for {model_title}"
    claim = match.group(1)
    return {name for word, name in ENGINE_WORDS.items() if word in claim}


@pytest.mark.parametrize("model, title", [("fastdepth", "FastDepth"), ("midas_small", "MiDaS")])
def test_the_readme_names_the_engine_auto_reports(model, title):
    status = {status.name: status for status in depthviz.available_models()}[model]
    claimed = readme_auto_engines(title)
    assert claimed and claimed <= set(status.engines)
    assert status.auto_engine in claimed, (status.auto_engine, status.auto_reason, claimed)


@pytest.mark.parametrize("name, distribution", [
    ("torch", "torch"), ("OpenVINO", "openvino"), ("onnxruntime", "onnxruntime"),
    ("OpenCV", "opencv-python-headless"), ("Pillow", "pillow")])
def test_the_measured_versions_are_the_installed_ones(name, distribution):
    """The bench was measured on what `make env` installs; a different version means the
    figures are stale: re-run `make bench` and update the README."""
    measured_on = " ".join(README[README.index("Measured on"):].split("\n\n")[0].split())
    stated = re.search(rf"{name} ([0-9][0-9.]*[0-9])", measured_on)
    assert stated, f"the README does not say which {name} the figures were measured with"
    assert version(distribution).split("+")[0].startswith(stated.group(1))
