"""Hostile soak: `depthviz serve` with 16 normal clients, alone and then beside attackers.

    .venv/bin/python bench/bench_hostile.py [--requests N]

The normal clients send bench_service.py's seeded mix (photos of three sizes, 20% junk). The
attackers, all at once, as long as the normal clients run: idle sockets that connect and send
nothing (reconnecting whenever the server closes them), uploads that trickle a byte a second,
part floods (a body of thousands of tiny form fields), and pixel bombs (a small palette PNG
declaring 80 megapixels). They run in a process of their own, so their client-side work never
stalls the normal clients' event loop (the machine's cores are still shared). Reported: the
normal clients' throughput and p50/p95/p99 with and without the attackers, their 5xx and
dropped requests, what the attackers got, and the service's peak resident memory (sampled
every 0.2 s). Targets (issue 21): at least 70% of the throughput, p99 within 3x, no 5xx, no
dropped normal request, peak RSS under 1 GB.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import sys
from collections import Counter
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_service import (  # noqa: E402
    Result,
    free_port,
    load,
    request_mix,
    rss_mb,
    service_command,
    start,
    stop,
)
from stamp import stamp  # noqa: E402

from bench import seeded_midas_weights  # noqa: E402

#: Attackers of each kind, all at once.
IDLE_SOCKETS = 150
TRICKLES = 40
FLOODERS = 4
BOMBERS = 2


def pixel_bomb() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (10_000, 8_000)).save(buffer, "PNG")  # 80 MP, about 100 KB
    return buffer.getvalue()


def part_flood(fields: int = 50_000) -> bytes:
    return b"".join(b'--b\r\nContent-Disposition: form-data; name="f%d"\r\n\r\nx\r\n' % i
                    for i in range(fields)) + b"--b--\r\n"


async def idle_socket(port: int, done: asyncio.Event) -> None:
    """Connect, send nothing, reconnect when the server closes the connection."""
    while not done.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            await asyncio.wait_for(reader.read(), timeout=60)
            writer.close()
        except (TimeoutError, OSError):
            await asyncio.sleep(0.5)


async def trickle(port: int, done: asyncio.Event, statuses: Counter) -> None:
    """An upload announcing 1 MB that sends a byte a second, again whenever it is refused."""
    head = (b"POST /v1/depth HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; "
            b"boundary=b\r\nContent-Length: 1000000\r\n\r\n--b\r\n")
    while not done.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(head)
            while not done.is_set() and not reader.at_eof():
                writer.write(b"x")
                await writer.drain()
                try:
                    answer = await asyncio.wait_for(reader.read(12), timeout=1)
                except TimeoutError:
                    continue
                statuses[f"trickle {answer[9:12].decode() or 'closed'}"] += 1
                break
            writer.close()
        except OSError:
            statuses["trickle connection error"] += 1
            await asyncio.sleep(0.5)


async def poster(url: str, body: bytes, headers: dict[str, str], label: str,
                 done: asyncio.Event, statuses: Counter) -> None:
    """The same hostile body, posted again and again."""
    async with httpx.AsyncClient(timeout=120) as client:
        while not done.is_set():
            try:
                response = await client.post(url, content=body, headers=headers)
                statuses[f"{label} {response.status_code}"] += 1
            except httpx.TransportError:
                statuses[f"{label} connection error"] += 1
                await asyncio.sleep(0.5)


async def peak_rss(pid: int, done: asyncio.Event) -> float:
    peak = 0.0
    while not done.is_set():
        peak = max(peak, rss_mb(pid))
        await asyncio.sleep(0.2)
    return peak


async def attack(port: int) -> None:
    """Every attacker at once until stdin closes, then what they got as JSON on stdout. Run in a
    process of its own (`--attack PORT`), so the attackers' client-side work never stalls the
    normal clients' event loop: only the server is measured."""
    url = f"http://127.0.0.1:{port}/v1/depth"
    done, statuses = asyncio.Event(), Counter()
    bomb = ("multipart/form-data; boundary=b", b'--b\r\nContent-Disposition: form-data; '
            b'name="image"; filename="bomb.png"\r\n\r\n' + pixel_bomb() + b"\r\n--b--\r\n")
    flood = ("multipart/form-data; boundary=b", part_flood())
    attackers = [idle_socket(port, done) for _ in range(IDLE_SOCKETS)]
    attackers += [trickle(port, done, statuses) for _ in range(TRICKLES)]
    for label, (kind, body), count in (("flood", flood, FLOODERS), ("bomb", bomb, BOMBERS)):
        attackers += [poster(url, body, {"content-type": kind}, label, done, statuses)
                      for _ in range(count)]
    tasks = [asyncio.ensure_future(attacker) for attacker in attackers]
    await asyncio.to_thread(sys.stdin.read)  # until the soak closes our stdin
    done.set()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    print(json.dumps(statuses))


async def soak(port: int, pid: int, mix: list[tuple[str, bytes]],
               attacked: bool) -> tuple[Result, float, Counter]:
    """The normal clients through `mix`, with the attackers (another process) beside them if
    `attacked`."""
    done, statuses = asyncio.Event(), Counter()
    attackers = None
    if attacked:
        attackers = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--attack", str(port), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE)
        await asyncio.sleep(3)  # the attackers in place first
    memory = asyncio.ensure_future(peak_rss(pid, done))
    result = await load(f"http://127.0.0.1:{port}/v1/depth", mix, 16)
    done.set()
    if attackers is not None:
        report, _ = await attackers.communicate(b"")
        statuses.update(json.loads(report))
    return result, await memory, statuses


def row(label: str, result: Result, peak: float, base: Result | None) -> str:
    p50, p95, p99 = (np.percentile(result.latencies, q) * 1000 for q in (50, 95, 99))
    throughput = len(result.latencies) / result.seconds
    share = ""
    if base is not None:
        share = (f" ({throughput / (len(base.latencies) / base.seconds):.0%})")
    return (f"| {label} | {len(result.latencies)} | {throughput:.2f}{share} | {p50:,.0f} | "
            f"{p95:,.0f} | {p99:,.0f} | {result.count('5xx')} | {result.connection_errors} | "
            f"{peak:,.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=960,
                        help="normal requests per run (default 960: a few minutes each)")
    parser.add_argument("--attack", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.attack:
        asyncio.run(attack(args.attack))
        return
    print(stamp() + "\n")
    mix = request_mix(args.requests)
    port = free_port()
    process = start([*service_command(seeded_midas_weights(), []), "--port", str(port)], port,
                    "/healthz")
    try:
        asyncio.run(load(f"http://127.0.0.1:{port}/v1/depth", mix[:16], 16))  # warm-up
        alone = asyncio.run(soak(port, process.pid, mix, attacked=False))
        attacked = asyncio.run(soak(port, process.pid, mix, attacked=True))
    finally:
        stop(process)
    print(f"16 normal clients, {args.requests} requests each run (bench_service.py's mix), "
          f"MiDaS small, service defaults; attackers: {IDLE_SOCKETS} idle sockets, {TRICKLES} "
          f"trickling uploads, {FLOODERS} part flooders, {BOMBERS} pixel bombers.\n")
    print("| run | normal requests | throughput req/s (of alone) | p50 ms | p95 ms | p99 ms | "
          "normal 5xx | normal dropped | peak RSS MB |")
    print("|" + "---|" * 9)
    print(row("alone", alone[0], alone[1], None))
    print(row("beside the attackers", attacked[0], attacked[1], alone[0]))
    print("\nWhat the attackers got: " + ", ".join(
        f"{key}: {count}" for key, count in sorted(attacked[2].items())))


if __name__ == "__main__":
    main()
