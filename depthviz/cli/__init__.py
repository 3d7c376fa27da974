"""The `depthviz` command: predict, video, parallax, eval, serve, models, fetch (one module
each; the parser in parser.py). No image logic lives here: it parses options, picks the model,
checks the extras a command needs and reports progress."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Optional

from depthviz.cli.parser import build_parser
from depthviz.errors import DepthvizError

__all__ = ["INTERRUPTED", "main"]

#: Exit status of a run stopped with Ctrl-C (the shell's convention for SIGINT).
INTERRUPTED = 130


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run one command; errors a person can act on are one line on stderr and exit status 2."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (DepthvizError, OSError) as exc:  # OSError: e.g. an output folder not writable
        print(f"depthviz: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("depthviz: interrupted; no output is left half-written. Run the same command "
              "again to resume.", file=sys.stderr)
        return INTERRUPTED
