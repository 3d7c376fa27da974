"""Seeded Depth Anything V2 Small weights in the official checkpoint format.

The official checkpoints cannot be downloaded in CI. The reference folder's README gives the
seeding rule; these weights, pushed through the official code, produced its parity vectors.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import midas_seeded
import numpy as np

REFERENCE = Path(__file__).parent / "data" / "depth_anything_v2_small"
SEED = 0
TOKEN_NAMES = ("pos_embed", "cls_token", "mask_token")
LAST_CONV = "depth_head.scratch.output_conv2.2.weight"


def official_keys(reference: Path = REFERENCE) -> list[tuple[str, tuple[int, ...]]]:
    """(name, shape) of every tensor of the official vits state dict, in the official order."""
    rows = (reference / "keys.tsv").read_text().splitlines()[1:]
    keys = []
    for row in rows:
        name, shape, _dtype = row.split("\t")
        keys.append((name, tuple(int(size) for size in shape.split(",")) if shape else ()))
    return keys


def seeded_value(name: str, shape: tuple[int, ...]) -> np.ndarray:
    """The README's rule for one tensor: the MiDaS rule (another seed) with three deviations."""
    rng = np.random.default_rng([SEED, zlib.crc32(name.encode())])
    last = name.rsplit(".", 1)[-1]
    if last == "gamma":  # LayerScale: N(0, 0.02) would make the blocks (and wrong taps) invisible
        values = rng.uniform(0.8, 1.2, shape)
    elif last in TOKEN_NAMES:  # large enough that the position-embedding resize shows
        values = rng.normal(0.0, 0.5, shape)
    else:
        values = midas_seeded.seeded_value(rng, name, shape)
    if name == LAST_CONV:  # keeps the output off ReLU's zero and Sigmoid's saturation
        values = 0.002 * np.abs(values)
    return values.astype(np.float32)


def seeded_state_dict() -> dict:
    import torch

    state = {}
    for name, shape in official_keys():
        if name.endswith("num_batches_tracked"):
            state[name] = torch.tensor(0)
        else:
            state[name] = torch.from_numpy(seeded_value(name, shape))
    return state


def write_seeded_checkpoint(path: Path) -> Path:
    import torch

    torch.save(seeded_state_dict(), path)
    return path
