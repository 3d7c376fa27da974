"""Load test: `depthviz serve` against a tutorial-style threaded server, in one run.

    make bench                      # or: .venv/bin/python bench/bench_service.py [--quick]

N concurrent httpx clients send a fixed, seeded mix of photos (0.3, 1 and 3 megapixel JPEGs)
with 20% junk (random bytes, truncated JPEGs, empty files, text) to each server in turn, on
127.0.0.1 only. The baseline is what blog posts build: http.server's ThreadingHTTPServer, one
shared model, the official MiDaS recipe (bench.py's), cv2.applyColorMap and cv2 PNG out, a 500
for whatever fails. Both run MiDaS small with the same (seeded) weights, each in its own process.
Reported: throughput, CPU time per request (the servers' own user + system time: unlike
throughput it does not depend on what else a shared machine is running), p50/p95/p99 latency,
status classes, connection errors, and the service's resident memory over 1,000 requests.
"""

from __future__ import annotations

import argparse
import asyncio
import email.parser
import email.policy
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import cv2
import httpx
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from stamp import stamp  # noqa: E402

from bench import jpeg_bytes, official_decode, official_recipe, seeded_midas_weights  # noqa: E402

PHOTO_SIZES = {"0.3 MP": (640, 480), "1 MP": (1200, 900), "3 MP": (2000, 1500)}
PHOTO_SHARES = {"0.3 MP": 0.4, "1 MP": 0.3, "3 MP": 0.1}  # + 20% junk
JUNK_SHARE = 0.2


# --- the baseline: a tutorial-style server ---------------------------------------------------

def run_baseline(port: int, weights: str) -> None:
    """ThreadingHTTPServer, one shared torch model, the official recipe, OpenCV colormap/PNG."""
    from depthviz.models.midas_net import load_midas_small

    module = load_midas_small(weights)
    parser = email.parser.BytesParser(policy=email.policy.HTTP)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                form = parser.parsebytes(
                    f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode() + body)
                photo = next(part.get_payload(decode=True) for part in form.iter_parts()
                             if part.get_param("name", header="content-disposition") == "image")
                depth = official_recipe(module, official_decode(photo))
                levels = cv2.normalize(depth, None, 0, 255, cv2.NORM_MINMAX, cv2.CV_8U)
                png = cv2.imencode(".png", cv2.applyColorMap(levels, cv2.COLORMAP_INFERNO))[1]
            except Exception as exc:
                self.send_error(500, str(exc)[:100])
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(png)))
            self.end_headers()
            self.wfile.write(png.tobytes())

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


# --- the traffic -----------------------------------------------------------------------------

def request_mix(count: int, seed: int = 0) -> list[tuple[str, bytes]]:
    """(kind, body) for `count` requests: photos of three sizes and 20% junk, shuffled."""
    from skimage import data

    coffee = data.coffee()[:, :533]
    photos = {name: jpeg_bytes(cv2.resize(coffee, size, interpolation=cv2.INTER_CUBIC))
              for name, size in PHOTO_SIZES.items()}
    rng = np.random.default_rng(seed)
    junk = [("junk", rng.integers(0, 256, 50_000, dtype=np.uint8).tobytes()),
            ("junk", photos["1 MP"][: len(photos["1 MP"]) // 3]),
            ("junk", b""), ("junk", b"GIF89a but not really " * 100)]
    kinds = list(PHOTO_SHARES) + ["junk"]
    shares = list(PHOTO_SHARES.values()) + [JUNK_SHARE]
    mix = []
    for kind in rng.choice(kinds, size=count, p=shares):
        mix.append(junk[int(rng.integers(len(junk)))] if kind == "junk" else (kind, photos[kind]))
    return mix


@dataclass
class Result:
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    connection_errors: int = 0
    cpu_seconds: float = 0.0  # the server process's user + system time
    rss_mb: list[tuple[int, float]] = field(default_factory=list)  # (requests done, MB)

    def count(self, key: str) -> int:
        return self.statuses.get(key, 0)


async def load(url: str, mix: list[tuple[str, bytes]], clients: int,
               pid: int | None = None) -> Result:
    """`clients` concurrent clients work through `mix`; RSS of `pid` sampled every 100."""
    result, queue = Result(), list(reversed(mix))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(limits=limits, timeout=300) as client:
        async def one_client() -> None:
            while queue:
                _, body = queue.pop()
                started = time.perf_counter()
                try:
                    files = {"image": ("p.jpg", body, "image/jpeg")}
                    response = await client.post(url, files=files)
                    key = f"{response.status_code // 100}xx"
                    result.statuses[key] = result.statuses.get(key, 0) + 1
                except httpx.TransportError:
                    result.connection_errors += 1
                result.latencies.append(time.perf_counter() - started)
                done = len(result.latencies)
                if pid is not None and done % 100 == 0:
                    result.rss_mb.append((done, rss_mb(pid)))

        started = time.perf_counter()
        await asyncio.gather(*(one_client() for _ in range(clients)))
        result.seconds = time.perf_counter() - started
    return result


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads): what a request costs, whatever
    else the machine is doing."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


# --- servers ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(command: list[str], port: int, ready_path: str) -> subprocess.Popen:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 600  # the first OpenVINO conversion takes a while
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode()[-2000:])
        try:
            ready = httpx.get(f"http://127.0.0.1:{port}{ready_path}", timeout=2)
            if ready.status_code in (200, 501):
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"{command} did not start")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def service_command(weights: Path, options: list[str]) -> list[str]:
    return [sys.executable, "-m", "depthviz", "serve", "--model", "midas_small", "--weights",
            str(weights), *options]


def baseline_command(weights: Path) -> list[str]:
    return [sys.executable, __file__, "--baseline", str(weights)]


@dataclass
class Server:
    label: str
    url: str
    process: subprocess.Popen


@contextmanager
def servers(weights: Path, service_options: list[str]) -> Iterator[list[Server]]:
    """Both servers up for the whole run (each idles while the other is measured)."""
    started: list[Server] = []
    try:
        for label, command, ready in (
                ("tutorial ThreadingHTTPServer", baseline_command(weights), "/"),
                ("depthviz serve", service_command(weights, service_options), "/healthz")):
            port = free_port()
            process = start([*command, "--port", str(port)], port, ready)
            started.append(Server(label, f"http://127.0.0.1:{port}/v1/depth", process))
        yield started
    finally:
        for server in started:
            stop(server.process)


def interleaved(servers_: list[Server], mix, clients: int, rounds: int) -> list[Result]:
    """Each server gets the same requests in `rounds` turns, so load from other processes on
    a shared machine hits both alike; results are summed over the turns."""
    totals = [Result() for _ in servers_]
    size = len(mix) // rounds
    for turn in range(rounds):
        for server, total in zip(servers_, totals):
            cpu_before = cpu_seconds(server.process.pid)
            part = asyncio.run(load(server.url, mix[turn * size:(turn + 1) * size], clients))
            total.cpu_seconds += cpu_seconds(server.process.pid) - cpu_before
            total.seconds += part.seconds
            total.latencies += part.latencies
            total.connection_errors += part.connection_errors
            for key, value in part.statuses.items():
                total.statuses[key] = total.statuses.get(key, 0) + value
    return totals


def row(label: str, clients: int, result: Result, base: Result | None) -> str:
    p50, p95, p99 = (np.percentile(result.latencies, q) * 1000 for q in (50, 95, 99))
    throughput = len(result.latencies) / result.seconds
    ratio = f" ({throughput / (len(base.latencies) / base.seconds):.1f}x)" if base else ""
    cpu_ms = result.cpu_seconds / len(result.latencies) * 1000
    cpu_ratio = (f" ({base.cpu_seconds / len(base.latencies) * 1000 / cpu_ms:.1f}x)"
                 if base else "")
    return (f"| {label} | {clients} | {len(result.latencies)} | {throughput:.2f}{ratio} | "
            f"{cpu_ms:,.0f}{cpu_ratio} | "
            f"{p50:,.0f} | {p95:,.0f} | {p99:,.0f} | {result.count('2xx')} | "
            f"{result.count('4xx')} | {result.count('5xx')} | {result.connection_errors} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests (a rough look)")
    parser.add_argument("--service-options", default="",
                        help="extra `depthviz serve` options, e.g. '--max-concurrency 1'")
    parser.add_argument("--baseline", metavar="WEIGHTS", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.baseline:
        run_baseline(args.port, args.baseline)
        return
    print(stamp() + "\n")
    weights = seeded_midas_weights()
    per_level, rounds = (48, 2) if args.quick else (192, 4)
    memory_requests = 300 if args.quick else 1000
    levels = (1, 16) if args.quick else (1, 4, 16)
    mix = request_mix(max(per_level, memory_requests))
    load_before = os.getloadavg()[0]
    lines = []
    with servers(weights, args.service_options.split()) as (baseline, service):
        for server in (baseline, service):
            asyncio.run(load(server.url, mix[:16], 16))  # warm-up
        for clients in levels:
            base, ours = interleaved([baseline, service], mix[:per_level], clients, rounds)
            lines += [row(baseline.label, clients, base, None),
                      row(service.label, clients, ours, base)]
        memory = asyncio.run(load(service.url, mix[:memory_requests], 16, service.process.pid))

    print(f"Requests: {PHOTO_SHARES} photo JPEGs (coffee, upscaled) + {JUNK_SHARE:.0%} junk, "
          f"MiDaS small (seeded weights), all on 127.0.0.1, the servers measured in {rounds} "
          f"turns each. Load average {load_before:.2f} at start, {os.getloadavg()[0]:.2f} at "
          f"end. Service options: {args.service_options or 'defaults'}.\n")
    print("| server | clients | requests | throughput req/s (x baseline) | CPU ms/request "
          "(baseline / it) | p50 ms | p95 ms | p99 ms | 2xx | 4xx | 5xx | connection errors |")
    print("|" + "---|" * 12)
    print("\n".join(lines))
    samples = ", ".join(f"{done}: {mb:,.0f} MB" for done, mb in memory.rss_mb)
    first, last = memory.rss_mb[0][1], memory.rss_mb[-1][1]
    print(f"\ndepthviz serve resident memory over {len(memory.latencies)} more requests at 16 "
          f"clients (after N requests): {samples}; {last - first:+,.0f} MB from the first sample "
          f"to the last; {memory.count('5xx')} 5xx, {memory.connection_errors} connection errors.")


if __name__ == "__main__":
    main()
