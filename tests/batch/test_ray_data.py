"""`depthviz predict --runner ray` on a local Ray instance (2 CPUs): the same files, byte for
byte, as the local runner, the same failure handling, and no usage statistics."""

from __future__ import annotations

import os

import numpy as np
import pytest
from photo_tree import BROKEN, GOOD, write_photo_tree

from depthviz.batch.ray_data import connect
from depthviz.cli import main

pytestmark = [pytest.mark.slow,
              # Ray Data's own DataContext reads its deprecated fields: not ours to fix.
              pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context")]


@pytest.fixture(scope="module")
def ray_instance():
    """One local instance for the module (starting Ray takes seconds), shut down after."""
    ray = connect(num_cpus=2)
    yield ray
    ray.shutdown()


def test_ray_usage_statistics_are_off(ray_instance):
    from ray._common.usage import usage_lib

    assert os.environ["RAY_USAGE_STATS_ENABLED"] == "0"
    assert not usage_lib.usage_stats_enabled()


def test_ray_runner_writes_what_the_local_runner_writes(ray_instance, tmp_path, capsys):
    photos = write_photo_tree(tmp_path / "photos")
    formats = ["--format", "heatmap", "depth16", "npy", "ply", "glb", "--model", "fastdepth"]
    assert main(["predict", str(photos), "--out", str(tmp_path / "local"), *formats]) == 1
    capsys.readouterr()
    assert main(["predict", str(photos), "--out", str(tmp_path / "ray"), *formats,
                 "--runner", "ray", "--ray-workers", "2"]) == 1
    captured = capsys.readouterr()
    failures = [line for line in captured.err.splitlines() if line.startswith("depthviz: ")]
    assert len(failures) == 1 and failures[0].startswith(f"depthviz: {photos / BROKEN}: ")
    assert "damaged" in failures[0]
    assert f"{len(GOOD)} written, 0 skipped (already done), 1 failed" in captured.out

    local = sorted(p.relative_to(tmp_path / "local") for p in (tmp_path / "local").rglob("*")
                   if p.is_file())
    remote = sorted(p.relative_to(tmp_path / "ray") for p in (tmp_path / "ray").rglob("*")
                    if p.is_file())
    assert local == remote and len(local) == 5 * len(GOOD)
    for relative in local:
        if relative.suffix == ".npy":
            np.testing.assert_array_equal(np.load(tmp_path / "ray" / relative),
                                          np.load(tmp_path / "local" / relative))
        else:
            assert (tmp_path / "ray" / relative).read_bytes() == \
                (tmp_path / "local" / relative).read_bytes(), relative

    # Resumable on Ray too: only the broken file is tried again.
    assert main(["predict", str(photos), "--out", str(tmp_path / "ray"), *formats,
                 "--runner", "ray"]) == 1
    assert f"0 written, {len(GOOD)} skipped (already done), 1 failed" in capsys.readouterr().out


def test_a_model_that_cannot_load_is_one_line_before_any_worker_starts(tmp_path, capsys):
    photos = write_photo_tree(tmp_path / "photos")
    status = main(["predict", str(photos), "--out", str(tmp_path / "out"), "--runner", "ray",
                   "--model", "midas_small", "--weights", str(tmp_path / "missing.pt")])
    assert status == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if "error" in line.lower()]
    assert errors == [f"depthviz: error: Weights file not found: {tmp_path / 'missing.pt'}"]
    assert not (tmp_path / "out").exists()
