"""The Evaluate page (AppTest): the sample or uploaded pairs (a zip too), the models whose
weights are here evaluated with the library's numbers, the downloads, the detail view, typed
errors as st.error, and the results kept while visiting another page."""

from __future__ import annotations

import io
import json
import zipfile

import cv2
import numpy as np
import pytest
from app_helpers import rerun, run_app, upload_files

import depthviz
from depthviz.app.evaluation_charts import BEST_MARK, metrics_table
from depthviz.evaluation import EvalReport, sample_pairs
from depthviz.evaluation.metrics import METRICS

PAGE = "app_pages/evaluate.py"


def button(app, label: str):
    return next(item for item in app.button if item.label == label)


def upload(app, *files: tuple[str, bytes]):
    return upload_files(app, *files, mime="application/octet-stream")


def evaluated_sample(app):
    button(app, "Use the sample").click()
    rerun(app)
    assert app.multiselect[0].value == ["fastdepth"]  # every model whose weights are here
    button(app, "Evaluate").click()
    return rerun(app)


def test_the_empty_page_invites_pairs_or_the_sample(model_home):
    app = run_app(PAGE)
    assert "Upload photos with their depth" in app.info[0].value
    assert not app.error


def test_the_sample_gives_the_librarys_numbers_downloads_and_the_detail(model_home, downloads,
                                                                       app_twin):
    app = evaluated_sample(run_app(PAGE))
    assert not app.error
    (table,) = app.dataframe
    row = table.value.iloc[0]
    expected = depthviz.evaluate(app_twin("fastdepth"), sample_pairs())
    assert row["Model"] == "fastdepth" and row["Align"] == "scale-shift"
    assert float(row["AbsRel"]) == pytest.approx(expected.mean["abs_rel"], abs=5e-5)
    assert float(row["δ1"]) == pytest.approx(expected.mean["delta1"], abs=5e-5)
    written = json.loads(downloads["depthviz-eval.json"]())
    assert written["models"]["fastdepth"]["images"]["motorcycle"]["abs_rel"] == pytest.approx(
        expected.images["motorcycle"]["abs_rel"], rel=1e-6)
    assert downloads["depthviz-eval.csv"]().decode().startswith("model,photo,align,abs_rel")
    # Summary chart, measured depth, aligned prediction, error map, scatter.
    charts = {chart.proto.id: json.loads(chart.proto.spec) for chart in app.get("plotly_chart")}
    assert len(charts) == 5
    depth_maps = [spec for spec in charts.values()
                  if spec["data"][0].get("colorbar", {}).get("title", {}).get("text") == "metres"]
    assert len(depth_maps) == 2  # one colour scale: the same range on both
    assert {(spec["data"][0]["zmin"], spec["data"][0]["zmax"]) for spec in depth_maps} \
        .__len__() == 1
    assert any(caption.value.startswith("motorcycle with fastdepth: AbsRel")
               for caption in app.caption)


def test_results_stay_after_visiting_another_page(model_home):
    app = evaluated_sample(run_app(PAGE))
    app.switch_page("app_pages/models.py")
    rerun(app)
    app.switch_page(PAGE)
    rerun(app)
    assert len(app.dataframe) == 1 and app.dataframe[0].value.iloc[0]["Model"] == "fastdepth"


def png(array: np.ndarray) -> bytes:
    return cv2.imencode(".png", array)[1].tobytes()


def test_a_zip_of_pairs_and_files_left_out(model_home):
    photo = png(np.full((60, 80, 3), 120, np.uint8))
    depth = png(np.tile(np.linspace(1000, 3000, 80).astype(np.uint16), (60, 1)))
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("room/a.jpg", photo)
        zipped.writestr("room/a.depth.png", depth)
        zipped.writestr("room/b.jpg", photo)
    app = upload(run_app(PAGE), ("room.zip", archive.getvalue()))
    assert any("b.jpg left out: no ground truth" in item.value for item in app.warning)
    button(app, "Evaluate").click()
    rerun(app)
    assert not app.error
    assert app.dataframe[0].value.iloc[0]["Photos"] == "1"


def test_typed_errors_are_shown_never_a_traceback(model_home):
    app = upload(run_app(PAGE), ("lonely.jpg", png(np.zeros((8, 8, 3), np.uint8))))
    assert "No photo with ground truth" in app.error[0].value
    app = upload(run_app(PAGE), ("broken.zip", b"PK\x03\x04 not a zip"))
    assert "zip file cannot be read" in app.error[0].value


def scored(model: str, abs_rel: tuple[float, float], delta1: tuple[float, float]) -> EvalReport:
    return EvalReport(model, "scale-shift", {
        photo: {name: 0.5 for name in METRICS} | {"abs_rel": a, "delta1": d}
        for photo, a, d in zip("xy", abs_rel, delta1)}, seconds=1.0)


def test_the_best_model_in_each_column_is_marked():
    table = {row["Model"]: row for row in metrics_table([scored("a", (0.1, 0.3), (0.9, 0.5)),
                                                scored("b", (0.15, 0.05), (0.95, 0.7))])}
    assert table["b"]["AbsRel"] == "0.1000" + BEST_MARK  # lower is better
    assert table["b"]["δ1"] == "0.8250" + BEST_MARK  # higher is better
    assert not table["a"]["AbsRel"].endswith(BEST_MARK)
    assert list(table["a"])[:3] == ["Model", "AbsRel", "δ1"]
