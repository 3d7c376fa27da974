"""The one rule that names outputs after their inputs, shared by the CLI's files, the batch ZIP,
the app's downloads and the service's file name, so the same photos get the same names
everywhere: the input's stem (`output_stems`), then the format's suffix; a heatmap carries its
colours in between (`heatmap_name`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import PurePosixPath

#: How a heatmap's file name ends, after its stem and colours: coffee.inferno.heatmap.png.
HEATMAP_SUFFIX = ".heatmap.png"


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


def colours_name(cmap: str, invert: bool) -> str:
    """The colours as file names give them: the colormap, with "_r" when inverted (as
    matplotlib names a reversed map)."""
    return cmap + ("_r" if invert else "")


def heatmap_name(stem: str, cmap: str, invert: bool = False) -> str:
    """coffee.inferno.heatmap.png (coffee.inferno_r.heatmap.png inverted): the colours are in
    the name, so heatmaps of one photo in several colormaps never overwrite each other."""
    return f"{stem}.{colours_name(cmap, invert)}{HEATMAP_SUFFIX}"


def output_name(stem: str, suffix: str, cmap: str, invert: bool = False) -> str:
    """The file name of one output: the stem and its format's suffix (coffee.depth16.png),
    a heatmap named by `heatmap_name`."""
    return heatmap_name(stem, cmap, invert) if suffix == HEATMAP_SUFFIX else stem + suffix
