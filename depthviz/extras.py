"""The optional extras (pyproject's optional-dependencies): what a front-end needs beyond the
core, checked before its lazy import, so a missing extra is one line naming the pip command
instead of an ImportError traceback from deep inside a library."""

from __future__ import annotations

from importlib.util import find_spec

from depthviz.errors import MissingExtra


def require_extra(extra: str, *modules: str, feature: str) -> None:
    """Raise MissingExtra unless `modules` (the extra's top-level import names) are installed;
    `feature` is what needs them, in the user's words: "depthviz serve", "--format glb"."""
    missing = [name for name in modules if find_spec(name) is None]
    if missing:
        raise MissingExtra(
            f"{feature} needs the '{extra}' extra: pip install \"depthviz[{extra}]\"",
            name=missing[0])
