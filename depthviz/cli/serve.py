"""`depthviz serve`: the HTTP API on uvicorn, or as a Ray Serve deployment (--ray)."""

from __future__ import annotations

import argparse
import ipaddress
import os
import sys
from pathlib import Path

from depthviz.cli.model_choice import chosen_model, require_precision_extra
from depthviz.cli.options import non_negative_int, positive_float, positive_int
from depthviz.engines.precision import PRECISIONS
from depthviz.extras import require_extra
from depthviz.models import DEFAULT_MODEL, OFFLINE_MODEL, REGISTRY, load_model


def add_serve_command(commands: argparse._SubParsersAction) -> None:
    serve = commands.add_parser(
        "serve", help="an HTTP API: POST a photo to /v1/depth, get its depth map (FastAPI)",
        description="Docs at http://HOST:PORT/docs once running. See README 'HTTP API'.")
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=positive_int, default=8000)
    serve.add_argument("--model", choices=sorted(REGISTRY),
                       help=f"the served model (default: {DEFAULT_MODEL}, or {OFFLINE_MODEL} when "
                            "its weights cannot be had; requests may name another model whose "
                            "weights are here)")
    serve.add_argument("--weights", type=Path, help="weights file (default: model home)")
    serve.add_argument("--engine", default="auto",
                       help="inference engine: auto, openvino, torch, onnxruntime, ...")
    serve.add_argument("--precision", default=None, choices=PRECISIONS,
                       help="network precision (see `depthviz predict --help`)")
    serve.add_argument("--api-key", help="require this key (Authorization: Bearer KEY or "
                                         "X-API-Key: KEY); default: $DEPTHVIZ_API_KEY, else none")
    serve.add_argument("--max-concurrency", type=positive_int, metavar="N",
                       help="requests worked on at once (default: one per CPU core, up to 4)")
    serve.add_argument("--max-queue", type=non_negative_int, metavar="N",
                       help="admitted requests waiting beyond those; more get 503 (default: 32)")
    serve.add_argument("--memory-budget-mb", dest="memory_budget", type=megabytes, metavar="MB",
                       help="estimated peak memory of the requests worked on at once; more "
                            "wait, a photo that can never fit gets 413 (default: 512)")
    add_connection_options(serve)
    add_ray_options(serve)
    serve.set_defaults(func=run_serve)


#: The options that become fields of depthviz.serve.limits.Limits, under the same names.
LIMIT_OPTIONS = ("max_concurrency", "max_queue", "max_uploads", "max_connections", "header_timeout",
                 "keep_alive_timeout", "read_timeout", "upload_grace", "min_upload_rate",
                 "memory_budget")


def megabytes(text: str) -> int:
    return positive_int(text) * 2**20


def kb_per_second(text: str) -> int:
    return round(positive_float(text) * 1024)


def add_connection_options(serve: argparse.ArgumentParser) -> None:
    """What a connection may hold: the defences against idle and trickling clients."""
    serve.add_argument("--max-connections", type=positive_int, metavar="N",
                       help="open connections, idle ones included; more get 503 (default: 512)")
    serve.add_argument("--max-uploads", type=positive_int, metavar="N",
                       help="request bodies received at once, apart from the requests worked "
                            "on; more get 503 (default: 128)")
    serve.add_argument("--header-timeout", type=positive_float, metavar="S",
                       help="seconds for a request line and headers (default: 5)")
    serve.add_argument("--keep-alive", dest="keep_alive_timeout", type=positive_int, metavar="S",
                       help="seconds an idle connection stays open between requests (default: 5)")
    serve.add_argument("--body-timeout", dest="read_timeout", type=positive_float, metavar="S",
                       help="seconds for a whole request body (default: 60)")
    serve.add_argument("--upload-grace", type=positive_float, metavar="S",
                       help="seconds before the minimum upload rate applies (default: 5)")
    serve.add_argument("--min-upload-kbps", dest="min_upload_rate", type=kb_per_second,
                       metavar="KB", help="slowest average upload after the grace, in KB/s; "
                                          "slower gets 408 (default: 32)")


def warn_if_exposed(host: str, api_key: str | None) -> None:
    """One line on stderr when the service listens beyond this machine without a key: anyone
    who can reach the address can then make it spend its CPU."""
    if api_key or host == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    print(f"depthviz serve: warning: listening on {host} without an API key; anyone who can "
          "reach it can use it (set DEPTHVIZ_API_KEY or --api-key).", file=sys.stderr)


def add_ray_options(serve: argparse.ArgumentParser) -> None:
    serve.add_argument("--ray", action="store_true",
                       help="run as a Ray Serve deployment (pip install 'depthviz[serve,ray]')")
    serve.add_argument("--ray-address", help="Ray cluster to join, e.g. auto (default: a private "
                                             "local instance)")
    scaling = serve.add_mutually_exclusive_group()
    scaling.add_argument("--replicas", type=positive_int, default=1, metavar="N",
                         help="Ray Serve model copies (default: 1)")
    scaling.add_argument("--autoscale", type=positive_int, nargs="?", const=4, metavar="MAX",
                         help="let Ray Serve scale between 1 and MAX replicas (default MAX: 4)")


def run_serve(args: argparse.Namespace) -> int:
    require_extra("serve", "fastapi", "fastapi_offline", "uvicorn", "python_multipart",
                  feature="depthviz serve")
    if args.ray:
        require_extra("ray", "ray", feature="depthviz serve --ray")
    require_precision_extra(args.precision)
    from depthviz.serve.limits import Limits
    from depthviz.serve.model_cache import ENGINE_MODE
    from depthviz.serve.server import run_server

    given = {name: getattr(args, name) for name in LIMIT_OPTIONS}
    limits = Limits(**{name: value for name, value in given.items() if value is not None})
    api_key = args.api_key or os.environ.get("DEPTHVIZ_API_KEY") or None
    warn_if_exposed(args.host, api_key)
    weights = args.weights.resolve() if args.weights else None
    try:
        if args.ray:
            from depthviz.serve.ray_serve import run_ray

            run_ray(chosen_model(args), host=args.host, port=args.port, address=args.ray_address,
                    weights=weights, engine=args.engine, precision=args.precision,
                    api_key=api_key, limits=limits, replicas=args.replicas,
                    autoscale_max=args.autoscale)
        else:
            model = load_model(chosen_model(args), weights, args.engine, precision=args.precision,
                               mode=ENGINE_MODE)
            run_server(model, args.host, args.port, api_key=api_key, limits=limits)
    except KeyboardInterrupt:
        pass
    return 0
