"""The `depthviz` command line: one subcommand per module, each registering its handler."""

from __future__ import annotations

import argparse

from depthviz import __version__
from depthviz.cli.evaluate import add_eval_command
from depthviz.cli.models import add_fetch_command, add_models_command
from depthviz.cli.options import model_options
from depthviz.cli.parallax import add_parallax_command
from depthviz.cli.predict import add_predict_command
from depthviz.cli.serve import add_serve_command
from depthviz.cli.video import add_video_command


def build_parser() -> argparse.ArgumentParser:
    """The parser; each subcommand's parsed arguments carry its handler as `func`."""
    parser = argparse.ArgumentParser(
        prog="depthviz",
        description="Monocular depth estimation on the CPU: photos in, depth maps out.")
    parser.add_argument("--version", action="version", version=f"depthviz {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    shared = model_options()
    add_predict_command(commands, shared)
    add_video_command(commands, shared)
    add_parallax_command(commands, shared)
    add_eval_command(commands)
    add_serve_command(commands)
    add_models_command(commands)
    add_fetch_command(commands)
    return parser
