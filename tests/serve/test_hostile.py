"""Issue 21: a real `depthviz serve` process under hostile traffic, spoken to with plain sockets:
idle and trickling connections, early refusals, malformed and flooding multipart bodies,
disconnects, leaky errors and an exposed address. Every limit is set small, so the tests are
fast; each asserts the status, the JSON body, the closed connection, and that a normal client
is served meanwhile."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import anyio
import cv2
import httpx
import numpy as np
import pytest
from app_helpers import jpeg_bytes
from fastapi import HTTPException
from fastapi.testclient import TestClient
from live_service import wait_healthy
from PIL import Image
from streamlit_server import free_port

import depthviz
from depthviz.outputs.colorize import colorize
from depthviz.serve.app import create_app
from depthviz.serve.limits import Limits
from depthviz.serve.memory_budget import MemoryBudget, estimated_bytes
from depthviz.serve.server import MAX_HEADER_BYTES

KEY = "hostile-test-key"
AUTH = {"Authorization": f"Bearer {KEY}"}
LIMIT_FLAGS = ["--max-connections", "20", "--header-timeout", "1", "--keep-alive", "1",
               "--body-timeout", "6", "--upload-grace", "1", "--min-upload-kbps", "16",
               "--max-concurrency", "2", "--max-queue", "2", "--max-uploads", "10",
               "--memory-budget-mb", "128"]


class Server:
    """A `depthviz serve` process on a free port, its stderr (the log) in a file."""

    def __init__(self, fastdepth, log: Path, *flags: str, host: str = "127.0.0.1",
                 key: str | None = KEY):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        env = {**os.environ, "DEPTHVIZ_API_KEY": key} if key else {
            name: value for name, value in os.environ.items() if name != "DEPTHVIZ_API_KEY"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "depthviz", "serve", "--model", "fastdepth", "--host", host,
             "--port", str(self.port), "--engine", fastdepth.engine_name, *flags],
            env=env, stdout=subprocess.DEVNULL, stderr=log.open("wb"))
        wait_healthy(self.url, self.process, log.read_text)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)

    def connect(self, timeout: float = 10) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)


@pytest.fixture(scope="module")
def server(fastdepth, tmp_path_factory):
    running = Server(fastdepth, tmp_path_factory.mktemp("serve") / "serve.log", *LIMIT_FLAGS)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def photo(coffee) -> bytes:
    return jpeg_bytes(np.ascontiguousarray(coffee[:200, :300]))


def served_normally(server: Server, photo: bytes) -> None:
    """A normal client gets its depth map."""
    response = httpx.post(f"{server.url}/v1/depth", files={"image": ("p.jpg", photo)},
                          headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "image/png"


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one response, read until the server closes the socket (so
    a response that does not close it times out the test)."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines)
    return int(status_line.split()[1]), headers, body


def assert_json_refusal(sock: socket.socket, status: int) -> str:
    """The response is `status` with the JSON error body, and the server closed the socket."""
    got, headers, body = read_response(sock)  # returns only at the server's close
    assert got == status, body
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    return json.loads(body)["detail"]


def form_head(length: int, boundary: bytes = b"b0undary", key: bool = True,
              path: bytes = b"/v1/depth") -> bytes:
    auth = f"Authorization: Bearer {KEY}\r\n".encode() if key else b""
    return (b"POST " + path + b" HTTP/1.1\r\nHost: x\r\n" + auth +
            b"Content-Type: multipart/form-data; boundary=" + boundary +
            b"\r\nContent-Length: %d\r\n\r\n" % length)


def image_part_start(boundary: bytes = b"b0undary") -> bytes:
    return (b"--" + boundary + b'\r\nContent-Disposition: form-data; name="image"; '
            b'filename="p.jpg"\r\n\r\n')


def test_idle_sockets_are_closed_after_the_header_timeout_and_capped_apart(server, photo):
    """Item 1: idle connections never take the places of requests; beyond the connection cap
    the answer is the JSON 503; sockets that send nothing are closed after the header
    timeout, and partial headers are no better."""
    idle = [server.connect() for _ in range(10)]
    idle[0].sendall(b"GET /healthz HTTP/1.1\r\nHo")  # headers that never finish
    assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200
    served_normally(server, photo)
    for sock in idle:  # the header timeout (1 s) closes every one of them
        assert sock.recv(1024) == b""
        sock.close()
    crowd = [server.connect() for _ in range(20)]  # the cap is 20
    with server.connect() as late:
        late.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert "too many open connections" in assert_json_refusal(late, 503)
    for sock in crowd:
        assert sock.recv(1024) == b""
        sock.close()
    assert httpx.get(f"{server.url}/healthz", timeout=5).status_code == 200


def test_keep_alive_connections_close_when_idle(server):
    with server.connect() as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        status, _, body = read_response(sock)  # returns at the close after the keep-alive timeout
        assert status == 200 and json.loads(body)["status"] == "ok"


def test_trickling_uploads_get_408_within_the_grace_not_the_body_timeout(server, photo):
    """Item 2: uploads slower than the minimum rate lose their places after the grace; while
    they trickle, more of them than the work queue has places (4), a normal client is served:
    uploads are counted apart from the work."""
    trickles = [server.connect() for _ in range(6)]
    for sock in trickles:
        sock.sendall(form_head(100_000) + image_part_start())
    started = time.monotonic()
    for sock in trickles:
        sock.sendall(b"x")
    served_normally(server, photo)
    for sock in trickles:
        assert "too slow" in assert_json_refusal(sock, 408)
        sock.close()
    assert time.monotonic() - started < 6  # before the 6 s body timeout
    served_normally(server, photo)


@pytest.mark.parametrize("path", [b"/v1/depth", b"/predict"])
@pytest.mark.parametrize("case", ["huge_declared_body", "no_key"])
def test_early_refusals_close_the_connection_unread(server, photo, case, path):
    """Item 3: a refusal decided from the headers comes at once, says Connection: close, and
    the server closes the socket instead of reading the body (/predict keeps every rule)."""
    with server.connect() as sock:
        if case == "huge_declared_body":
            sock.sendall(form_head(2**30, path=path) + image_part_start())
            assert "limit is 50 MB" in assert_json_refusal(sock, 413)
        else:
            sock.sendall(form_head(len(photo) + 500, key=False, path=path) + image_part_start())
            assert "API key" in assert_json_refusal(sock, 401)
    served_normally(server, photo)


def test_a_refusal_mid_upload_reaches_a_client_still_sending(server):
    """Item 3, gently: a client that sends its whole body before reading (as most do) gets the
    refusal, not a connection reset; the server discards the rest and closes."""
    with server.connect() as sock:
        sock.sendall(form_head(60 * 2**20) + image_part_start())
        for _ in range(64):  # 4 MB more of the body, the refusal long sent meanwhile
            sock.sendall(b"x" * 65536)
        assert "limit is 50 MB" in assert_json_refusal(sock, 413)


def test_uploads_beyond_their_cap_are_refused_from_the_headers(server, photo):
    """More bodies at once than --max-uploads: the next is a JSON 503 before its body, and a
    normal client is served once they have gone."""
    uploads = [server.connect() for _ in range(10)]
    for sock in uploads:
        sock.sendall(form_head(100_000) + image_part_start())
    time.sleep(0.3)
    with server.connect() as late:
        late.sendall(form_head(100_000) + image_part_start())
        assert "uploading" in assert_json_refusal(late, 503)
    for sock in uploads:
        sock.close()
    time.sleep(0.3)
    served_normally(server, photo)


def test_a_long_multipart_boundary_is_400_json(server, photo):
    """Item 4: a boundary over the parser's maximum is a malformed body, not a 500."""
    boundary = b"b" * 300
    body = image_part_start(boundary) + photo + b"\r\n--" + boundary + b"--\r\n"
    response = httpx.post(f"{server.url}/v1/depth", content=body, timeout=30, headers={
        **AUTH, "Content-Type": "multipart/form-data; boundary=" + boundary.decode()})
    assert response.status_code == 400
    assert "malformed" in response.json()["detail"]
    served_normally(server, photo)


def test_part_floods_and_header_floods_are_400_json_at_once(server, photo):
    """Item 5: a body of many tiny fields stops at the part limit; a part header or a request
    header beyond its limit is a 400 with the JSON body too."""
    flood = b"".join(b'--b0undary\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nx\r\n' % i
                     for i in range(200_000)) + b"--b0undary--\r\n"
    with server.connect() as sock:
        sock.sendall(form_head(len(flood)) + flood[:3000])  # 3000 bytes: about 45 parts
        assert "more than 16 parts" in assert_json_refusal(sock, 400)
    long_header = (b'--b0undary\r\nContent-Disposition: form-data; name="image"; filename="' +
                   b"p" * 20_000 + b'"\r\n\r\n' + photo + b"\r\n--b0undary--\r\n")
    response = httpx.post(f"{server.url}/v1/depth", content=long_header, timeout=30, headers={
        **AUTH, "Content-Type": "multipart/form-data; boundary=b0undary"})
    assert response.status_code == 400 and "header" in response.json()["detail"]
    with server.connect() as sock:
        # headers that never end: refused once over 64 KB
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"j" * 70_000)
        assert "could not be parsed" in assert_json_refusal(sock, 400)
    served_normally(server, photo)


def test_a_pixel_bomb_that_can_never_fit_the_memory_budget_is_413(server, photo):
    """Item 6: a small palette PNG declaring 20 megapixels (under the pixel limit) needs far
    more than the 128 MB budget: refused from its header, nothing decoded."""
    bomb = io.BytesIO()
    Image.new("P", (5000, 4000)).save(bomb, "PNG")
    assert len(bomb.getvalue()) < 100_000
    response = httpx.post(f"{server.url}/v1/depth", files={"image": ("bomb.png", bomb.getvalue())},
                          headers=AUTH, timeout=30)
    assert response.status_code == 413
    assert "budget is 128 MB" in response.json()["detail"]
    served_normally(server, photo)


def test_a_phone_photo_is_decoded_at_the_size_the_network_needs(server, fastdepth, coffee):
    """Item 6, draft mode: a 4 MP JPEG is estimated and decoded at a quarter of its sides for
    FastDepth (a PNG of the same pixels costs far more), and the service answers exactly the
    library's predict_photo at the photo's full size."""
    big = cv2.resize(coffee, (2400, 1800))
    jpeg = jpeg_bytes(big)
    png = io.BytesIO()
    Image.fromarray(big).save(png, "PNG", compress_level=1)
    side, limit = fastdepth.input_size, Limits().max_pixels
    assert estimated_bytes(jpeg, side, limit) < 0.8 * estimated_bytes(png.getvalue(), side, limit)
    response = httpx.post(f"{server.url}/v1/depth?format=npy", headers=AUTH, timeout=60,
                          files={"image": ("big.jpg", jpeg)})
    assert response.status_code == 200, response.text
    np.testing.assert_array_equal(np.load(io.BytesIO(response.content)),
                                  fastdepth.predict_photo(jpeg))


def test_the_memory_budget_queues_what_does_not_fit_beside_the_running():
    """Item 6: with 60 of 100 bytes held, a request for 30 starts at once and one for 60 waits
    until the holder leaves; one for 101 can never fit (413). Ordered by events, not sleeps;
    run on a thread of its own, whatever event loop an earlier test left in this one."""
    events = []

    async def run() -> None:
        budget = MemoryBudget(100)
        holding, small_started, release = anyio.Event(), anyio.Event(), anyio.Event()

        async def hold(name: str, size: int, started: anyio.Event | None = None,
                       until: anyio.Event | None = None) -> None:
            async with budget.reserve(size):
                events.append(f"{name} start")
                if started is not None:
                    started.set()
                if until is not None:
                    await until.wait()
            events.append(f"{name} end")

        async with anyio.create_task_group() as tasks:
            tasks.start_soon(hold, "a", 60, holding, release)
            await holding.wait()
            tasks.start_soon(hold, "b", 60)
            tasks.start_soon(hold, "c", 30, small_started)
            await small_started.wait()
            await anyio.sleep(0.05)  # room for b to start, were the budget wrong
            events.append("release a")
            release.set()
        with pytest.raises(HTTPException) as refused:
            async with budget.reserve(101):
                pass
        assert refused.value.status_code == 413

    with ThreadPoolExecutor(1) as thread:
        thread.submit(anyio.run, run).result()
    assert events.index("c start") < events.index("release a") < events.index("b start")
    assert events.index("b start") > events.index("a end")


def test_a_disconnect_mid_upload_is_one_info_line(server, photo):
    """Item 7: the client goes away halfway: one INFO line, no traceback, no ERROR."""
    before = server.log.read_text()
    with server.connect() as sock:
        sock.sendall(form_head(len(photo) + 500) + image_part_start() + photo[:1000])
        time.sleep(0.3)
    served_normally(server, photo)
    time.sleep(0.3)
    added = server.log.read_text()[len(before):]
    assert sum("disconnected" in line for line in added.splitlines()) == 1, added
    assert "Traceback" not in added and "ERROR" not in added, added


def test_errors_name_no_server_path_host_or_download(server, photo):
    """Item 8: a model without weights is refused with what a client can act on, and nothing
    about the server's folders, its name, or sources it never uses."""
    response = httpx.post(f"{server.url}/v1/depth?model=depth_anything_v2_small", timeout=30,
                          files={"image": ("p.jpg", photo)}, headers=AUTH)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert "weights" in detail and "/v1/models" in detail
    for leak in (str(Path.home()), os.environ.get("DEPTHVIZ_HOME", str(Path.home())),
                 socket.gethostname(), "github", "could not be fetched", "download"):
        assert leak not in detail, detail


def test_an_exposed_address_without_a_key_warns_once(fastdepth, server, tmp_path):
    """Item 9: --host 0.0.0.0 without a key: one warning line on stderr; on loopback none."""
    exposed = Server(fastdepth, tmp_path / "exposed.log", host="0.0.0.0", key=None)
    try:
        warnings = [line for line in exposed.log.read_text().splitlines() if "warning" in line]
        assert len(warnings) == 1 and "without an API key" in warnings[0]
    finally:
        exposed.stop()
    assert "without an API key" not in server.log.read_text()


def test_predict_answers_the_tutorials_jpeg_heatmap_at_the_photos_size(server, fastdepth, photo):
    """The drop-in: POST /predict with the field `image` answers the inferno heatmap as a JPEG
    at the photo's size (format=heatmap asks for the PNG /v1/depth gives)."""
    files = {"image": ("coffee.jpg", photo, "image/jpeg")}
    response = httpx.post(f"{server.url}/predict", files=files, headers=AUTH, timeout=30)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.headers["content-disposition"] == (
        'inline; filename="coffee.inferno.heatmap.jpg"')
    heatmap = np.asarray(Image.open(io.BytesIO(response.content)).convert("RGB"), np.float32)
    expected = colorize(fastdepth.predict(depthviz.load_image(photo)))
    assert heatmap.shape == expected.shape == (200, 300, 3)
    assert np.abs(heatmap - expected).mean() < 4  # the same picture, JPEG-compressed
    png = httpx.post(f"{server.url}/predict?format=heatmap", files=files, headers=AUTH,
                     timeout=30)
    assert png.headers["content-type"] == "image/png"
    np.testing.assert_array_equal(np.asarray(Image.open(io.BytesIO(png.content)).convert("RGB")),
                                  expected)


def test_the_readme_states_every_connection_limit_with_its_default_and_flag():
    """The README's table of limits says what `depthviz serve` does: each flag exists, and each
    default is Limits' (tests above show each limit acts)."""
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    limits = Limits()
    expected = {"--max-connections": str(limits.max_connections),
                "--max-uploads": str(limits.max_uploads),
                "--header-timeout": f"{limits.header_timeout:g} s",
                "--keep-alive": f"{limits.keep_alive_timeout:g} s",
                "--body-timeout": f"{limits.read_timeout:g} s",
                "--upload-grace": f"{limits.upload_grace:g} s",
                "--min-upload-kbps": f"{limits.min_upload_rate / 1024:g} KB/s"}
    help_text = subprocess.run([sys.executable, "-m", "depthviz", "serve", "--help"],
                               capture_output=True, text=True, check=True).stdout
    for flag, default in expected.items():
        assert f"| {default} | `{flag}` |" in readme, flag
        assert flag in help_text
    assert f"| {limits.max_parts} | fixed |" in readme
    assert f"| {limits.max_part_header_bytes // 1024} KB | fixed |" in readme
    assert f"{MAX_HEADER_BYTES // 1024} KB | fixed |" in readme
    assert f"`--memory-budget-mb` (default {limits.memory_budget // 2**20} MB" in readme


def test_a_client_gone_while_queued_is_not_worked_for(fastdepth, coffee, tmp_path):
    """Item 7: a request whose client disconnects while it waits its turn (for the one worker
    thread, behind a 20-megapixel photo) is dropped before its work starts: one INFO line."""
    one_worker = Server(fastdepth, tmp_path / "one.log", "--max-concurrency", "1",
                        "--memory-budget-mb", "1024")
    big_png = io.BytesIO()  # a PNG: no reduced decode, so it keeps the one worker busy
    Image.fromarray(cv2.resize(coffee, (5200, 3900))).save(big_png, "PNG", compress_level=1)
    big = big_png.getvalue()
    try:
        with ThreadPoolExecutor(1) as clients:
            running = clients.submit(httpx.post, f"{one_worker.url}/v1/depth", headers=AUTH,
                                     files={"image": ("big.png", big)}, timeout=60)
            time.sleep(0.3)
            with one_worker.connect() as sock:
                body = image_part_start() + jpeg_bytes(coffee) + b"\r\n--b0undary--\r\n"
                sock.sendall(form_head(len(body)) + body)
                time.sleep(0.1)
            assert running.result().status_code == 200
        time.sleep(0.3)
        log = one_worker.log.read_text()
    finally:
        one_worker.stop()
    assert sum("its work was not started" in line for line in log.splitlines()) == 1, log
    assert "Traceback" not in log and "ERROR" not in log, log


def test_no_error_detail_names_a_server_folder_or_the_host(fastdepth):
    """Item 8, the safety net: whatever an error's message says, the client's copy names
    neither the server's folders nor its host name."""
    app = create_app(fastdepth)

    @app.get("/leaky")
    async def leaky() -> None:
        raise HTTPException(422, f"Not in {Path.home() / 'x'} on {socket.gethostname()}.")

    with TestClient(app) as client:
        response = client.get("/leaky")
    assert response.status_code == 422
    assert response.json()["detail"] == "Not in (server)/x on (server)."
    assert client.get("/nowhere").json() == {"detail": "Not Found"}
