"""Seeded MiDaS small weights in the official checkpoint format (see data/midas_reference).

The official checkpoint cannot be downloaded in CI; these deterministic weights, pushed through
the official code, produced data/midas_reference/expected_depth.npy.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np

REFERENCE = Path(__file__).parent / "data" / "midas_reference"


def official_keys() -> list[tuple[str, tuple[int, ...]]]:
    rows = (REFERENCE / "keys.tsv").read_text().splitlines()[1:]
    keys = []
    for row in rows:
        name, shape = row.split("\t")
        keys.append((name, tuple(int(size) for size in shape.split(",")) if shape else ()))
    return keys


def seeded_state_dict() -> dict:
    import torch

    state = {}
    for name, shape in official_keys():
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(0)
            continue
        state[name] = torch.from_numpy(seeded_value(rng, name, shape).astype(np.float32))
    return state


def seeded_value(rng: np.random.Generator, name: str, shape: tuple[int, ...]) -> np.ndarray:
    """The seeding rule's table for one tensor (other than num_batches_tracked)."""
    if name.endswith("running_var"):
        return rng.uniform(0.75, 1.25, shape)
    if name.endswith("running_mean"):
        return rng.normal(0.0, 0.05, shape)
    if len(shape) == 1 and name.endswith(".weight"):
        return rng.uniform(0.8, 1.2, shape)
    if len(shape) == 1:
        return rng.normal(0.0, 0.02, shape)
    return rng.normal(0.0, np.sqrt(2 / np.prod(shape[1:])), shape)


def write_seeded_checkpoint(path: Path) -> Path:
    import torch

    torch.save(seeded_state_dict(), path)
    return path
