"""The HTTP API (depthviz.serve): every endpoint and status code through FastAPI's TestClient,
uploads kept off the disk, the admission limit, and a real `depthviz serve` process."""

from __future__ import annotations

import copy
import io
import os
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import numpy as np
import pytest
from app_helpers import jpeg_bytes
from fastapi import FastAPI, UploadFile
from fastapi.testclient import TestClient
from hostile_corpus import cases
from live_service import wait_healthy
from PIL import Image
from streamlit_server import free_port

import depthviz
from depthviz.io.images import max_upload_bytes_default
from depthviz.outputs.colorize import colorize
from depthviz.serve.app import create_app
from depthviz.serve.limits import Limits

KEY = "s3cret-key"


@pytest.fixture(scope="module")
def photo(coffee) -> bytes:
    # 400 x 500: not square, so a swapped size shows.
    return jpeg_bytes(np.ascontiguousarray(coffee[:, :500]))


@pytest.fixture(scope="module")
def client(fastdepth):
    with TestClient(create_app(fastdepth)) as test_client:
        yield test_client


def post(client, photo: bytes, query: str = "", **kwargs):
    return client.post(f"/v1/depth{query}", files={"image": ("photo.jpg", photo, "image/jpeg")},
                       **kwargs)


def expected_depth(model, photo: bytes) -> np.ndarray:
    return model.predict(depthviz.load_image(photo))


def test_healthz_names_the_loaded_model(client, fastdepth):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["model"] == "fastdepth"
    assert response.json()["engine"] == fastdepth.engine_name


def test_models_lists_every_model_with_weights_licence_and_kind(client):
    listing = client.get("/v1/models").json()
    assert listing["served"] == "fastdepth"
    by_name = {entry["name"]: entry for entry in listing["models"]}
    assert set(by_name) == {status.card.name for status in depthviz.available_models()}
    assert by_name["fastdepth"]["weights_present"] is True
    assert by_name["fastdepth"]["licence"] == "MIT"
    for entry in by_name.values():
        assert entry["depth"] == ("metric" if entry["metric"] else "relative")
        assert "weights_path" not in entry  # the server's file system is not the client's business


def test_heatmap_is_the_librarys_colorize_at_full_size(client, fastdepth, photo):
    response = post(client, photo, "?cmap=viridis&invert=true")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.headers["x-depthviz-model"] == "fastdepth"
    assert response.headers["x-depthviz-engine"] == fastdepth.engine_name
    assert response.headers["x-depthviz-depth"] == "relative"
    assert float(response.headers["x-depthviz-inference-ms"]) > 0
    heatmap = np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"))
    assert heatmap.shape == (400, 500, 3)
    expected = colorize(expected_depth(fastdepth, photo), "viridis", invert=True)
    np.testing.assert_array_equal(heatmap, expected)


def test_the_file_is_named_by_the_rule_of_every_heatmap(client, photo):
    """coffee.viridis_r.heatmap.png, as the CLI, the app and the batch ZIP name it
    (depthviz.io.naming); an upload without a name is "photo"."""
    def named(query: str, file_name) -> str:
        files = {"image": (file_name, photo, "image/jpeg")} if file_name else None
        response = (client.post(f"/v1/depth{query}", files=files) if files else client.post(
            f"/v1/depth{query}", content=b"--b\r\nContent-Disposition: form-data; name=\"image\""
            b"\r\n\r\n" + photo + b"\r\n--b--\r\n",
            headers={"content-type": "multipart/form-data; boundary=b"}))
        assert response.status_code == 200
        return response.headers["content-disposition"]

    assert named("?cmap=viridis&invert=true", "trip/coffee.jpg") == (
        'inline; filename="coffee.viridis_r.heatmap.png"')
    assert named("?format=depth16", "coffee.jpg") == 'inline; filename="coffee.depth16.png"'
    assert named("?format=npy", None) == 'inline; filename="photo.depth.npy"'
    assert named("", "café au lait.jpg") == (
        "inline; filename*=utf-8''caf%C3%A9%20au%20lait.inferno.heatmap.png")


def test_depth16_and_npy(client, fastdepth, photo):
    depth = expected_depth(fastdepth, photo)
    response = post(client, photo, "?format=npy")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/octet-stream"
    array = np.load(io.BytesIO(response.content), allow_pickle=False)
    assert array.dtype == np.float32
    np.testing.assert_array_equal(array, depth)

    response = post(client, photo, "?format=depth16")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    levels = np.asarray(Image.open(io.BytesIO(response.content)))
    assert levels.shape == (400, 500) and levels.dtype.itemsize == 2
    # larger = nearer: the nearest pixel gets the top level, the farthest the bottom one
    assert levels.flat[np.argmax(depth)] == 65535 and levels.flat[np.argmin(depth)] == 0


@pytest.mark.parametrize("body, start", [
    (b"this is not a photo", "This file is not a readable image"),
    (b"", "The file is empty"),
    ("truncated", "The image data is damaged or truncated"),
])
def test_unusable_images_are_400_with_the_librarys_message(client, photo, body, start):
    response = post(client, photo[: len(photo) // 2] if body == "truncated" else body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(start)


def test_hostile_corpus_never_gets_a_5xx(client):
    for name, (data, expected) in cases().items():
        response = post(client, data, "?format=npy")
        if isinstance(expected, tuple):
            assert response.status_code == 200, name
            assert np.load(io.BytesIO(response.content)).shape == expected, name
        else:
            assert response.status_code in (400, 413), name
            assert response.json()["detail"].startswith(expected), name


@pytest.mark.parametrize("query, phrase", [
    ("?format=gif", "format"),
    ("?cmap=no_such_map", "Unknown colormap 'no_such_map'"),
    ("?model=no_such_model", "Unknown model 'no_such_model'"),
    ("?input_size=256", "fixed input size"),
    ("?input_size=100000", "input_size"),
    ("?invert=maybe", "invert"),
])
def test_bad_parameters_are_422_with_a_readable_detail(client, photo, query, phrase):
    response = post(client, photo, query)
    assert response.status_code == 422
    assert isinstance(response.json()["detail"], str) and phrase in response.json()["detail"]


def test_another_model_is_loaded_from_disk_on_request_never_downloaded(midas_torch, photo):
    with TestClient(create_app(midas_torch)) as client:
        other = post(client, photo, "?model=fastdepth&format=npy")
        assert other.status_code == 200 and other.headers["x-depthviz-model"] == "fastdepth"
        assert post(client, photo).headers["x-depthviz-model"] == "midas_small"
        # no Depth Anything V2 weights in the test model home: refused, nothing fetched
        missing = post(client, photo, "?model=depth_anything_v2_small")
        assert missing.status_code == 422
        assert "depth_anything_v2_vits.pth" in missing.json()["detail"]
        assert "depthviz fetch depth_anything_v2_small" in missing.json()["detail"]
        assert os.sep + "depthviz" not in missing.json()["detail"]  # no server folder


def test_missing_image_field_is_422(client, photo):
    wrong_field = client.post("/v1/depth", files={"photo": ("p.jpg", photo, "image/jpeg")})
    raw_body = client.post("/v1/depth", content=photo, headers={"content-type": "image/jpeg"})
    for response in (wrong_field, raw_body):
        assert response.status_code == 422
        assert "field named 'image'" in response.json()["detail"]


def test_the_default_upload_limit_is_the_apps(monkeypatch):
    from depthviz.app.uploads import MEDIA_UPLOAD_MB

    monkeypatch.delenv("DEPTHVIZ_MAX_UPLOAD_MB", raising=False)
    assert max_upload_bytes_default() == MEDIA_UPLOAD_MB * 1024 * 1024 == 50 * 2**20
    monkeypatch.setenv("DEPTHVIZ_MAX_UPLOAD_MB", "8")
    assert max_upload_bytes_default() == 8 * 2**20


def test_too_many_bytes_is_413_whether_declared_or_streamed(fastdepth, photo):
    limits = Limits(max_upload_bytes=len(photo) - 1)
    with TestClient(create_app(fastdepth, limits=limits)) as small:
        declared = post(small, photo)
        assert declared.status_code == 413 and "the limit is" in declared.json()["detail"]
        # a body far over the cap is refused from its Content-Length alone
        assert post(small, photo * 4).status_code == 413

        def chunks():  # no Content-Length: the cap applies while streaming
            boundary = b"b0undary"
            yield b"--" + boundary + b'\r\nContent-Disposition: form-data; name="image"; ' \
                                     b'filename="p.jpg"\r\n\r\n'
            yield photo
            yield b"\r\n--" + boundary + b"--\r\n"

        streamed = small.post("/v1/depth", content=chunks(),
                              headers={"content-type": "multipart/form-data; boundary=b0undary"})
        assert streamed.status_code == 413
    with TestClient(create_app(fastdepth, limits=Limits(max_upload_bytes=len(photo)))) as exact:
        assert post(exact, photo).status_code == 200


def test_too_many_pixels_is_413(fastdepth, photo):
    with TestClient(create_app(fastdepth, limits=Limits(max_pixels=400 * 500 - 1))) as small:
        response = post(small, photo)
    assert response.status_code == 413
    assert "megapixels" in response.json()["detail"]


def test_api_key_by_bearer_or_header(fastdepth, photo):
    with TestClient(create_app(fastdepth, api_key=KEY)) as guarded:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"},
                        {"Authorization": KEY}, {"Authorization": f"Basic {KEY}"}):
            response = post(guarded, photo, headers=headers)
            assert response.status_code == 401, headers
            assert response.headers["www-authenticate"] == "Bearer"
            assert "API key" in response.json()["detail"]
        assert guarded.get("/v1/models").status_code == 401
        assert post(guarded, photo, headers={"Authorization": f"Bearer {KEY}"}).status_code == 200
        assert post(guarded, photo, headers={"X-API-Key": KEY}).status_code == 200
        assert guarded.get("/v1/models", headers={"X-API-Key": KEY}).status_code == 200
        assert guarded.get("/healthz").status_code == 200  # load balancers probe without a key
        schemes = guarded.get("/openapi.json").json()["components"]["securitySchemes"]
        assert {scheme["type"] for scheme in schemes.values()} == {"http", "apiKey"}  # Authorize


def test_a_burst_beyond_the_limit_gets_503_with_retry_after_then_succeeds(fastdepth, photo):
    gate = threading.Event()
    gated = copy.copy(fastdepth)
    gated.predict = lambda image: (gate.wait(30), fastdepth.predict(image))[1]
    with TestClient(create_app(gated, limits=Limits(max_concurrency=1, max_queue=1))) as busy:
        with ThreadPoolExecutor(6) as pool:
            futures = [pool.submit(post, busy, photo) for _ in range(6)]
            deadline = time.monotonic() + 30
            while sum(future.done() for future in futures) < 4 and time.monotonic() < deadline:
                time.sleep(0.05)
            gate.set()
            responses = [future.result(timeout=30) for future in futures]
        codes = sorted(response.status_code for response in responses)
        assert codes == [200, 200, 503, 503, 503, 503]  # one running + one queued get through
        refused = [response for response in responses if response.status_code == 503]
        for response in refused:
            assert int(response.headers["retry-after"]) >= 1
            assert "busy" in response.json()["detail"]
        assert post(busy, photo).status_code == 200  # and then it answers again


def test_uploads_never_touch_the_disk(fastdepth, coffee, monkeypatch):
    """An audit hook records every file opened for writing while a 1.8 MB upload (above
    Starlette's 1 MB spool threshold) is handled; the control shows the spy catches spooling."""
    from starlette.formparsers import MultiPartParser

    # Starlette's default, in case the app (depthviz.app.uploads) raised it in this test process.
    monkeypatch.setattr(MultiPartParser, "spool_max_size", 1024 * 1024)
    big = np.asarray(Image.fromarray(coffee).resize((1500, 1000)))
    photo = Image.fromarray(big)
    buffer = io.BytesIO()
    photo.save(buffer, format="PNG")
    data = buffer.getvalue()
    assert len(data) > 1.5 * 1024 * 1024
    writes, watching = [], threading.Event()

    def spy(event, args):
        if watching.is_set() and event == "open" and len(args) >= 3:
            mode, flags = args[1], args[2]
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                    (isinstance(flags, int) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT)):
                writes.append(args[0])
    sys.addaudithook(spy)

    spooling = FastAPI()

    @spooling.post("/upload")
    async def upload(image: UploadFile) -> dict:
        return {"size": len(await image.read())}

    with TestClient(create_app(fastdepth)) as client, TestClient(spooling) as control:
        watching.set()
        try:
            response = client.post("/v1/depth", files={"image": ("p.png", data, "image/png")})
            assert response.status_code == 200
            assert writes == []
            uploaded = control.post("/upload", files={"image": ("p.png", data)})
            assert uploaded.json()["size"] == len(data)
            assert writes, "the spy should have seen Starlette spool the control upload to disk"
        finally:
            watching.clear()


def test_openapi_and_offline_docs(client):
    schema = client.get("/openapi.json").json()
    depth = schema["paths"]["/v1/depth"]["post"]
    body = depth["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert body["required"] == ["image"]
    assert {param["name"] for param in depth["parameters"]} == {
        "format", "cmap", "invert", "model", "input_size"}
    assert {"/healthz", "/v1/models"} <= set(schema["paths"])
    page = client.get("/docs").text
    assert "cdn" not in page.lower() and "https://" not in page
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert f"/static-offline-docs/{asset}" in page
        assert client.get(f"/static-offline-docs/{asset}").status_code == 200


@pytest.mark.slow
def test_depthviz_serve_process_with_key_from_the_environment(fastdepth, photo):
    port = free_port()
    env = {**os.environ, "DEPTHVIZ_API_KEY": KEY}
    process = subprocess.Popen(
        [sys.executable, "-m", "depthviz", "serve", "--model", "fastdepth", "--port", str(port),
         "--engine", fastdepth.engine_name, "--precision", fastdepth.engine.precision], env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, process, lambda: process.stderr.read().decode())
        files = {"image": ("photo.jpg", photo, "image/jpeg")}
        assert httpx.post(f"{url}/v1/depth", files=files, timeout=30).status_code == 401
        response = httpx.post(f"{url}/v1/depth", files=files, timeout=30,
                              headers={"Authorization": f"Bearer {KEY}"})
        assert response.status_code == 200
        expected = colorize(expected_depth(fastdepth, photo))
        np.testing.assert_array_equal(
            np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB")), expected)
        assert "server" not in response.headers
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture()
def live_server(fastdepth):
    """The app on uvicorn in a thread, with a 1 s upload deadline."""
    import uvicorn

    port = free_port()
    app = create_app(fastdepth, limits=Limits(read_timeout=1.0))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(timeout=10)


def raw_request(port: int, head: bytes, body: bytes = b"", wait: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(head + body)
        return sock.recv(65536)


def test_slow_uploads_time_out_and_huge_declared_bodies_are_refused_unread(live_server, photo):
    head = (b"POST /v1/depth HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
            b"boundary=b0undary\r\nContent-Length: %d\r\n\r\n")
    started = time.monotonic()
    reply = raw_request(live_server, head % 1_000_000, b"--b0undary\r\n")  # then it stalls
    assert reply.startswith(b"HTTP/1.1 408"), reply[:100]
    assert time.monotonic() - started < 8
    reply = raw_request(live_server, head % 10**12)  # a terabyte announced, nothing sent
    assert reply.startswith(b"HTTP/1.1 413"), reply[:100]
