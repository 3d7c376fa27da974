"""`depthviz eval`: the table, the JSON and CSV files with the independent computation's
numbers, the sample, and exit status 2 with one line for a bad folder or missing weights."""

from __future__ import annotations

import csv
import json

import pytest
from eval_reference import reference_evaluation, write_folder

from depthviz.cli import main


@pytest.fixture(scope="module")
def pairs_folder(tmp_path_factory, motorcycle):
    folder = write_folder(tmp_path_factory.mktemp("cli-eval") / "pairs", *motorcycle)
    (folder / "lonely.jpg").write_bytes((folder / "half.jpg").read_bytes())
    return folder


def test_json_and_csv_hold_the_protocols_numbers(pairs_folder, fastdepth, tmp_path, capsys):
    out_json, out_csv = tmp_path / "eval.json", tmp_path / "eval.csv"
    status = main(["eval", str(pairs_folder), "--model", "fastdepth", "--engine", "onnxruntime",
                   "--json", str(out_json), "--csv", str(out_csv)])
    captured = capsys.readouterr()
    assert status == 0
    header, row = captured.out.strip().splitlines()
    assert header.split()[:4] == ["model", "align", "photos", "AbsRel"]
    assert "δ1" in header and "s/photo" in header
    assert row.split()[:3] == ["fastdepth", "scale-shift", "3"]
    assert "lonely.jpg" in captured.err and "no ground truth" in captured.err

    expected = reference_evaluation(fastdepth, pairs_folder)
    written = json.loads(out_json.read_text())
    assert written["align"] == "auto"
    model = written["models"]["fastdepth"]
    for stem, metrics in expected.items():
        for name, value in metrics.items():
            assert model["images"][stem][name] == pytest.approx(value, rel=1e-6), (stem, name)
    assert float(row.split()[3]) == pytest.approx(model["mean"]["abs_rel"], abs=5e-5)

    rows = list(csv.DictReader(out_csv.open()))
    assert [(r["model"], r["photo"]) for r in rows] == [("fastdepth", s) for s in model["images"]]
    for r in rows:
        assert float(r["delta1"]) == pytest.approx(expected[r["photo"]]["delta1"], rel=1e-6)


def test_the_sample_reports_absrel_and_delta1(capsys):
    assert main(["eval", "--sample", "--model", "fastdepth"]) == 0
    header, row = capsys.readouterr().out.strip().splitlines()
    columns = dict(zip(header.split(), row.split()))
    assert columns["model"] == "fastdepth" and columns["photos"] == "1"
    assert 0 < float(columns["AbsRel"]) < 0.3 and 0.6 < float(columns["δ1"]) <= 1


@pytest.mark.parametrize("args, words", [
    (["eval", "{tmp}/missing", "--model", "fastdepth"], "not a folder"),
    (["eval", "{tmp}", "--model", "fastdepth"], "No photo with ground truth"),
    (["eval", "--sample", "--model", "midas_small"], "depthviz fetch midas_small"),
    (["eval", "--model", "fastdepth"], "FOLDER of pairs or --sample"),
    (["eval", "--sample", "--model", "fastdepth", "--align", "none"], "metric model"),
])
def test_errors_are_one_line_and_exit_2(args, words, tmp_path, capsys):
    assert main([arg.format(tmp=tmp_path) for arg in args]) == 2
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1 and err.startswith("depthviz: error: ")
