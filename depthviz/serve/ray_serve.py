"""`depthviz serve --ray`: the same FastAPI app (app.create_app) as a Ray Serve deployment.

Each replica builds the app itself (`serve.ingress` with a builder), so each loads its own
model copy at startup; Ray Serve's proxy spreads requests over the replicas, on one machine or
on every node of a cluster. Every replica keeps the service's own limits and errors.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from typing import Optional

from depthviz.batch.ray_data import connect
from depthviz.errors import DepthvizError
from depthviz.serve.app import create_app
from depthviz.serve.limits import Limits

APP_NAME = "depthviz"


def build_deployment(model_name: str, weights: Optional[os.PathLike] = None,
                     engine: str = "auto", precision: Optional[str] = None,
                     api_key: Optional[str] = None, limits: Optional[Limits] = None,
                     replicas: int = 1, autoscale_max: Optional[int] = None):
    """A bound Ray Serve application: `replicas` fixed copies, or with `autoscale_max` between 1
    and that many, scaled on requests in flight per replica."""
    from ray import serve

    limits = limits or Limits()

    def build_app():  # runs on each replica
        return create_app(model_name, weights=weights, engine=engine, precision=precision,
                          api_key=api_key, limits=limits)

    @serve.ingress(build_app)
    class DepthService:
        """One replica: its own copy of the app and of the model."""

    scaling: dict = ({"autoscaling_config": {
        "min_replicas": 1, "max_replicas": autoscale_max,
        "target_ongoing_requests": limits.max_concurrency}}
        if autoscale_max else {"num_replicas": replicas})
    deployment = serve.deployment(
        name=APP_NAME, ray_actor_options={"num_cpus": 1},
        # Each replica admits as many as its own Admission does; Ray routes the rest to others.
        max_ongoing_requests=limits.max_concurrency + limits.max_queue, **scaling)(DepthService)
    return deployment.bind()


def start(model_name: str, *, host: str = "127.0.0.1", port: int = 8000,
          address: Optional[str] = None, weights: Optional[os.PathLike] = None,
          engine: str = "auto", precision: Optional[str] = None, api_key: Optional[str] = None,
          limits: Optional[Limits] = None, replicas: int = 1,
          autoscale_max: Optional[int] = None) -> None:
    """Start Ray Serve's proxy on host:port and deploy; returns once every replica is ready."""
    connect(address)  # usage statistics off; a private local Ray unless `address` is given
    from ray import serve

    serve.start(http_options={"host": host, "port": port})
    try:
        serve.run(build_deployment(model_name, weights, engine, precision, api_key, limits,
                                   replicas, autoscale_max), name=APP_NAME, route_prefix="/")
    except Exception as exc:  # e.g. a replica could not load its model: Ray's last line says why
        last_line = str(exc).strip().splitlines()[-1]
        raise DepthvizError(f"Ray Serve could not start: {last_line}") from exc


def stop() -> None:
    """Remove the deployment and leave Ray (a private local instance stops with it)."""
    import ray
    from ray import serve

    serve.delete(APP_NAME)
    serve.shutdown()
    ray.shutdown()


def run_ray(model_name: str, **options) -> None:
    """`depthviz serve --ray`: deploy, then serve until Ctrl-C or SIGTERM (as sent by systemd
    and docker stop), then tear the deployment down."""
    start(model_name, **options)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # after ray.init, which sets its own
    try:
        while True:
            time.sleep(3600)
    finally:
        stop()
