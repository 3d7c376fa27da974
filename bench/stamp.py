"""What a benchmark ran on, printed first by every bench script and pasted above its tables in
bench/README.md: figures mean little without the CPU, its instruction set and the versions.

The CPU flags matter most: OpenVINO and torch pick their kernels by them (AVX-512, VNNI for int8),
and bf16 runs natively only with avx512_bf16 or AMX. A VM may hide flags its CPU has, so the
family and model numbers are printed too (AMD family 25, model 17 is a Zen 4).
"""

from __future__ import annotations

import datetime
import os
import platform
from importlib import metadata
from pathlib import Path

#: The distributions whose versions move the figures (the lock's names, bench/README.md checks).
DISTRIBUTIONS = ("torch", "torchvision", "timm", "openvino", "onnxruntime", "nncf",
                 "opencv-python-headless", "pillow", "numpy", "isal", "av", "trimesh", "fastapi",
                 "uvicorn", "httpx")
#: Instruction-set flags, by what they give: (label, flags that give it).
FEATURES = (("AVX-512", ("avx512f",)), ("bf16", ("avx512_bf16", "amx_bf16")),
            ("VNNI", ("avx512_vnni", "avx_vnni", "amx_int8")))


def cpuinfo() -> dict[str, str]:
    """The first processor's fields from /proc/cpuinfo (empty where there is none)."""
    fields: dict[str, str] = {}
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return fields
    for line in text.split("\n\n")[0].splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def openvino_capabilities() -> str:
    try:
        import openvino

        return ", ".join(openvino.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES"))
    except Exception as error:  # a stamp must not stop a benchmark
        return f"unknown ({error})"


def sgemm_gflops(side: int = 2048, repeats: int = 7) -> float:
    """This run's float32 matrix-product rate (NumPy's BLAS, median of `repeats`): the yardstick
    for a network's speed on this machine at this moment, as the machine is shared."""
    import time

    import numpy as np

    a = np.random.default_rng(0).standard_normal((side, side), dtype=np.float32)
    a @ a  # warm-up: threads started, pages touched
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        a @ a
        times.append(time.perf_counter() - start)
    return 2 * side**3 / float(np.median(times)) / 1e9


def stamp() -> str:
    """Five lines: the machine, its CPU flags, this run's sgemm rate, the versions, the date."""
    cpu = cpuinfo()
    name = cpu.get("model name") or platform.processor() or "unknown CPU"
    if "cpu family" in cpu:
        name += f" (family {cpu['cpu family']}, model {cpu.get('model', '?')})"
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    flags = set(cpu.get("flags", "").split())
    found = {label: sorted(flags.intersection(names)) for label, names in FEATURES}
    features = "; ".join(f"{label}: yes ({', '.join(have)})" if have else f"{label}: no"
                         for label, have in found.items())
    versions = [f"Python {platform.python_version()}"]
    for distribution in DISTRIBUTIONS:
        try:
            versions.append(f"{distribution} {metadata.version(distribution)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{distribution} not installed")
    return (f"Machine: {name}, {os.cpu_count()} cores, {memory:.0f} GB RAM, "
            f"{platform.system()} {platform.machine()}\n"
            f"CPU flags: {features}; OpenVINO's CPU capabilities: {openvino_capabilities()}\n"
            f"sgemm: NumPy 2048x2048 float32 at {sgemm_gflops():.0f} GFLOP/s in this run\n"
            f"Versions: {', '.join(versions)}\n"
            f"Date: {datetime.date.today().isoformat()}")


if __name__ == "__main__":
    print(stamp())
