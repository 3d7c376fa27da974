"""`depthviz serve --ray`: the same app as a Ray Serve deployment with 2 replicas, on a private
local Ray; its answers are byte for byte the local service's."""

from __future__ import annotations

import io

import httpx
import numpy as np
import pytest
from app_helpers import jpeg_bytes
from fastapi.testclient import TestClient
from test_service import KEY, free_port, post

from depthviz.serve.app import create_app

pytest.importorskip("ray.serve")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_service(fastdepth):
    from ray import serve

    from depthviz.serve import ray_serve as serve_ray

    port = free_port()
    serve_ray.start("fastdepth", port=port, engine=fastdepth.engine_name,
                    precision=fastdepth.engine.precision, api_key=KEY,
                    replicas=2)
    try:
        yield f"http://127.0.0.1:{port}", serve.status()
    finally:
        serve_ray.stop()
        import ray

        ray.shutdown()


def test_two_replicas_answer_like_the_local_service(ray_service, fastdepth, coffee):
    url, status = ray_service
    replicas = status.applications["depthviz"].deployments["depthviz"].replica_states
    assert replicas.get("RUNNING") == 2
    photo = jpeg_bytes(np.ascontiguousarray(coffee[:300]))
    headers = {"Authorization": f"Bearer {KEY}"}
    assert httpx.get(f"{url}/healthz", timeout=30).json()["model"] == "fastdepth"
    with TestClient(create_app(fastdepth)) as local:
        for query in ("", "?format=npy", "?format=depth16&invert=true", "?cmap=magma"):
            expected = post(local, photo, query)
            for _ in range(2):  # the proxy spreads requests over the replicas
                response = httpx.post(f"{url}/v1/depth{query}", headers=headers, timeout=60,
                                      files={"image": ("photo.jpg", photo, "image/jpeg")})
                assert response.status_code == 200, response.text
                assert response.content == expected.content, query
                assert response.headers["x-depthviz-model"] == "fastdepth"
    depth = np.load(io.BytesIO(httpx.post(
        f"{url}/v1/depth?format=npy", headers=headers, timeout=60,
        files={"image": ("photo.jpg", photo, "image/jpeg")}).content))
    assert depth.shape == (300, 600)


def test_errors_and_key_hold_on_every_replica(ray_service):
    url, _ = ray_service
    files = {"image": ("junk.jpg", b"not a photo", "image/jpeg")}
    assert httpx.post(f"{url}/v1/depth", files=files, timeout=60).status_code == 401
    for _ in range(4):
        response = httpx.post(f"{url}/v1/depth", files=files, timeout=60,
                              headers={"X-API-Key": KEY})
        assert response.status_code == 400
        assert response.json()["detail"].startswith("This file is not a readable image")
    response = httpx.post(f"{url}/v1/depth?cmap=nope", files=files, timeout=60,
                          headers={"X-API-Key": KEY})
    assert response.status_code == 422
