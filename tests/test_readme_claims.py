"""Issue 12 item 17, issue 18: what the READMEs state must match what `available_models()`
reports, the files they name must exist, and the benchmark figures' current stamp must name the
lock's versions (not the release of the day: CI tests the lock, tests/test_setup.py checks that
the installed versions are the lock's)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import depthviz

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text()
BENCH_README = (REPO / "bench" / "README.md").read_text()
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
    status = {status.card.name: status for status in depthviz.available_models()}[model]
    claimed = readme_auto_engines(title)
    assert claimed and claimed <= set(status.card.engines)
    assert status.auto.engine in claimed, (status.auto.engine, status.auto.reason, claimed)


def locked_versions() -> dict[str, str]:
    pins = [line for line in (REPO / "requirements.lock").read_text().splitlines()
            if line and not line.startswith("#")]
    return {pin.split("==")[0].lower(): pin.split("==")[1] for pin in pins}


def bench_section(heading: str) -> str:
    """The text of bench/README.md under `heading`, up to the next heading of its level or
    above."""
    start = BENCH_README.index(f"\n{heading}\n") + len(heading) + 2
    level = len(heading.split()[0])
    following = re.search(rf"^#{{1,{level}}} ", BENCH_README[start:], re.M)
    return BENCH_README[start:start + following.start()] if following else BENCH_README[start:]


def test_the_current_bench_stamp_names_the_locks_versions():
    """The figures under the current stamp were measured on what the lock installs. After
    `make lock`, this fails until `make bench` has been run again and its stamp (with the tables)
    pasted into bench/README.md."""
    (versions,) = re.findall(r"^Versions: (.*)$", bench_section("### Current"), re.M)
    stated = dict(pair.rsplit(" ", 1) for pair in versions.split(", "))
    stated.pop("Python")
    locked = locked_versions()
    assert {"torch", "openvino", "onnxruntime", "opencv-python-headless", "pillow",
            "numpy"} <= stated.keys()
    assert {name: version for name, version in stated.items()
            if locked.get(name) != version} == {}, "not the lock's versions"


@pytest.mark.parametrize("section", re.findall(r"^### (.*)$", bench_section("## Stamps"), re.M))
def test_every_stamp_names_the_machine_its_flags_and_the_versions(section):
    stamp = bench_section(f"### {section}")
    for field in ("Machine:", "CPU flags: AVX-512:", "Versions"):
        assert re.search(rf"^{field}", stamp, re.M), (section, field)


def test_every_bench_table_says_which_stamp_it_ran_on():
    sections = re.split(r"^## ", BENCH_README, flags=re.M)[1:]
    for section in sections:
        if "|---" in section and not section.startswith("Stamps"):
            assert "machine A" in section or "current stamp" in section, section.split("\n")[0]


@pytest.mark.parametrize("readme", ["README.md", "bench/README.md"])
def test_the_files_the_readmes_name_exist(readme):
    text = (REPO / readme).read_text()
    named = set(re.findall(r"`((?:depthviz|tests|bench|app_pages)/[\w./-]*)`", text))
    assert named, "no paths found: the pattern no longer matches"
    assert sorted(path for path in named if not (REPO / path).exists()) == []
