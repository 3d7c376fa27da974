"""The one rule that names outputs after their inputs, shared by the CLI's files, the batch ZIP
and the app's downloads, so the same photos get the same names everywhere."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import PurePosixPath


def output_stems(names: Sequence[str]) -> list[str]:
    """Output stems for input names (relative POSIX paths): the name without its extension
    (trip1/img03.jpg -> trip1/img03), except where two different inputs would then share a
    stem (img.jpg and img.png): those keep their extension (img.jpg, img.png), so neither
    overwrites the other and each stays recognisable. Names are compared case-insensitively,
    as macOS and Windows file systems do. The very same name twice gets the same stem: the
    caller decides (the CLI reports a conflict, the ZIP numbers it)."""
    stems = [str(PurePosixPath(name).with_suffix("")) for name in names]
    names_per_stem: dict[str, set[str]] = defaultdict(set)
    for stem, name in zip(stems, names):
        names_per_stem[stem.casefold()].add(name.casefold())
    return [name if len(names_per_stem[stem.casefold()]) > 1 else stem
            for stem, name in zip(stems, names)]
