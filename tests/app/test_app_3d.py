"""The 3D page under streamlit.testing: the view (mesh or points, the photo's colours, built once
per choice), the PLY and GLB files of the full-size photo with its EXIF field of view and the
model's units, and the parallax video made in memory."""

from __future__ import annotations

import base64
import io
import json
import math

import numpy as np
import pytest
import trimesh
from app_helpers import photo_bytes, rerun, run_app
from clips import read_clip
from PIL import Image

import depthviz
from depthviz.io.images import exif_fov_deg
from depthviz.models.depth_model import DepthModel

PAGE = "app_pages/scene3d.py"
#: FocalLengthIn35mmFilm written into the uploaded photo: a wide-angle phone camera.
FOCAL_35MM = 24


@pytest.fixture
def depth_maps(monkeypatch) -> list[np.ndarray]:
    """Every depth map a model's `predict` returned for a photo, in order (what the files must
    be made of; the blank warm-up frame is left out)."""
    made: list[np.ndarray] = []
    original = DepthModel.predict

    def recorded(self, image):
        depth = original(self, image)
        if np.any(image):
            made.append(depth)
        return depth

    monkeypatch.setattr(DepthModel, "predict", recorded)
    return made


@pytest.fixture
def scene_builds(monkeypatch) -> list[str]:
    """Which of to_mesh / to_points ran, in order (to prove the view is cached)."""
    calls: list[str] = []
    for name in ("to_mesh", "to_points"):
        original = getattr(depthviz, name)

        def counted(*args, _name=name, _original=original, **kwargs):
            calls.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(depthviz, name, counted)
    return calls


def open_3d_page():
    """The app on its 3D page (AppTest can switch pages only after a first run)."""
    app = run_app()
    app.switch_page(PAGE)
    return rerun(app)


def upload(app, name: str, data: bytes):
    app.file_uploader[0].upload(name, data, "image/jpeg")
    return rerun(app)


def exif_jpeg(size: tuple[int, int]) -> bytes:
    """The coffee photo at `size`, saying it was taken with a 24 mm-equivalent lens."""
    photo = Image.open(io.BytesIO(photo_bytes(size)))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0xA405] = FOCAL_35MM
    buffer = io.BytesIO()
    photo.save(buffer, format="JPEG", quality=92, exif=exif)
    return buffer.getvalue()


def view_trace(app) -> dict:
    (chart,) = app.get("plotly_chart")
    (trace,) = json.loads(chart.proto.spec)["data"]
    return trace


def typed_array(value: dict) -> np.ndarray:
    """A numpy array as plotly >= 6 sends it to the browser (base64 typed array)."""
    return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])


def hex_colours(colours: list[str]) -> np.ndarray:
    return np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in colours], np.uint8)


def correlation(image: np.ndarray, other: np.ndarray) -> float:
    """Pearson correlation of two images' grey levels."""
    return float(np.corrcoef(image.mean(axis=2).ravel(), other.mean(axis=2).ravel())[0, 1])


def captions(app) -> str:
    return "\n".join(caption.value for caption in app.caption)


def test_the_view_shows_a_mesh_or_points_in_the_photos_colours_built_once(model_home,
                                                                         scene_builds):
    from skimage import data

    app = open_3d_page()
    assert not app.error
    mesh = view_trace(app)
    assert mesh["type"] == "mesh3d"
    faces, points = 60_000, 80_000  # Medium
    vertices = len(mesh["vertexcolor"])
    triangles = typed_array(mesh["i"])
    assert faces // 4 < vertices <= faces and faces // 2 < len(triangles) <= faces
    assert len(typed_array(mesh["x"])) == vertices
    assert max(typed_array(mesh[corner]).max() for corner in "ijk") == vertices - 1
    # The photo's own colours (not shaded, not a heatmap): every vertex is one of its pixels.
    photo = {tuple(pixel) for pixel in data.coffee().reshape(-1, 3)}
    colours = hex_colours(mesh["vertexcolor"])
    assert all(tuple(colour) in photo for colour in colours)
    assert colours.std(axis=0).min() > 20  # many colours, not one
    assert "Relative depth" in captions(app) and "up to scale" in captions(app)
    assert "Field of view 60° (assumed" in captions(app)
    assert scene_builds == ["to_mesh"]

    # The depth-scale slider restyles the view; it does not rebuild the mesh.
    (chart,) = app.get("plotly_chart")
    aspect = json.loads(chart.proto.spec)["layout"]["scene"]["aspectratio"]
    app.slider(key="scene_depth_scale").set_value(2.0)
    rerun(app)
    (chart,) = app.get("plotly_chart")
    stretched = json.loads(chart.proto.spec)["layout"]["scene"]["aspectratio"]
    assert stretched["y"] == pytest.approx(2 * aspect["y"]) and stretched["z"] == aspect["z"]
    assert scene_builds == ["to_mesh"]

    app.button_group(key="scene_shape").set_value("Points")
    rerun(app)
    cloud = view_trace(app)
    assert cloud["type"] == "scatter3d" and cloud["mode"] == "markers"
    assert points // 4 < len(cloud["marker"]["color"]) <= points
    assert all(tuple(colour) in photo for colour in hex_colours(cloud["marker"]["color"]))
    assert scene_builds == ["to_mesh", "to_points"]
    assert not app.exception


def test_files_are_the_full_size_photo_with_its_exif_field_of_view(model_home, downloads,
                                                                  depth_maps):
    data = exif_jpeg((1600, 1200))  # larger than the 1280 px preview
    fov = exif_fov_deg(data)
    assert 70 < fov < 80
    app = upload(open_3d_page(), "kitchen.jpg", data)
    assert not app.error
    assert f"Field of view {fov:.0f}° (from the photo's EXIF" in captions(app)
    assert [button.label for button in app.get("download_button")] == ["Download PLY",
                                                                        "Download GLB"]
    rgb = depthviz.load_image(data)
    (depth,) = [depth for depth in depth_maps if depth.shape == rgb.shape[:2]]

    cloud = trimesh.load(io.BytesIO(downloads["kitchen.ply"]()), file_type="ply")
    expected = depthviz.to_points(rgb, depth, fov_deg=fov)
    assert 900_000 < len(cloud.vertices) == len(expected.vertices) <= 1_000_000
    np.testing.assert_allclose(cloud.vertices, expected.vertices, rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(cloud.colors, expected.colors)
    # The EXIF field of view, not the default 60°: the widest point's x/z is tan(fov/2).
    spread = np.abs(cloud.vertices[:, 0] / cloud.vertices[:, 2]).max()
    assert spread == pytest.approx(math.tan(math.radians(fov) / 2), rel=0.01)

    mesh = trimesh.load(io.BytesIO(downloads["kitchen.glb"]()), file_type="glb", force="mesh")
    expected = depthviz.to_mesh(rgb, depth, fov_deg=fov)
    assert 50_000 < len(mesh.vertices) == len(expected.vertices) and len(mesh.faces) > 100_000
    np.testing.assert_allclose(np.sort(mesh.vertices, axis=0),
                               np.sort(expected.vertices, axis=0), atol=1e-5)
    # Textured with the photo itself: the texture is the full photo, each vertex its pixel.
    assert mesh.visual.material.baseColorTexture.size == (1600, 1200)
    order, wanted = np.lexsort(mesh.vertices.T), np.lexsort(expected.vertices.T)
    error = np.abs(mesh.visual.to_color().vertex_colors[order, :3].astype(int)
                   - expected.visual.vertex_colors[wanted, :3].astype(int))
    assert np.median(error) <= 4  # JPEG texture against the photo's pixels
    assert not app.exception


def test_a_metric_models_files_are_in_metres(model_home, downloads, depth_maps, monkeypatch):
    # FastDepth's output taken as 1/metres: the page must hand the model's units through.
    monkeypatch.setattr(DepthModel, "metric", property(lambda self: True))
    app = open_3d_page()
    assert "in metres" in captions(app) and "up to scale" not in captions(app)
    from skimage import data

    rgb = data.coffee()
    (depth,) = [depth for depth in depth_maps if depth.shape == rgb.shape[:2]]
    cloud = trimesh.load(io.BytesIO(downloads["coffee.ply"]()), file_type="ply")
    metres = 1.0 / depth[np.isfinite(depth) & (depth > 0)]
    assert len(cloud.vertices) == rgb.shape[0] * rgb.shape[1]
    np.testing.assert_allclose(np.sort(-cloud.vertices[:, 2]), np.sort(metres), rtol=1e-5)
    assert not app.exception


def test_the_parallax_video_is_made_in_memory_and_kept_for_the_photo(model_home, downloads,
                                                                    scene_builds):
    app = open_3d_page()
    assert not app.get("video") and "coffee.circle.parallax.mp4" not in downloads
    app.button(key="parallax_make").click()
    rerun(app)
    assert not app.error and len(app.get("video")) == 1
    frames, rate = read_clip(io.BytesIO(downloads["coffee.circle.parallax.mp4"]()))
    assert len(frames) == 90 and rate == 30
    assert frames[0].shape == (400, 600, 3)  # the photo's size and aspect
    # The photo, upright and not mirrored, moving: each frame looks like it (a little shifted),
    # a quarter turn apart they differ.
    from skimage import data

    photo = data.coffee()
    for frame in (frames[0], frames[45]):
        likeness = correlation(frame, photo)
        assert likeness > 0.7
        flipped = max(correlation(frame, photo[::-1]), correlation(frame, photo[:, ::-1]))
        assert likeness > flipped + 0.2
    assert np.abs(frames[22].astype(int) - frames[0].astype(int)).mean() > 5

    # Kept while the photo and motion stay (a slider moved); gone for another motion.
    app.slider(key="scene_depth_scale").set_value(1.5)
    rerun(app)
    assert len(app.get("video")) == 1
    app.button_group(key="parallax_motion").set_value("dolly")
    rerun(app)
    assert not app.get("video") and "Make parallax video" in app.button(key="parallax_make").label
    assert scene_builds == ["to_mesh"]  # the view was never rebuilt meanwhile
    assert not app.exception


def test_a_parallax_failure_is_a_message_not_a_traceback(model_home, monkeypatch):
    from depthviz.scene import parallax

    def fails(*args, **kwargs):
        raise ValueError("The depth map has no valid values.")

    monkeypatch.setattr(parallax, "write_parallax", fails)
    app = open_3d_page()
    app.button(key="parallax_make").click()
    rerun(app)
    (error,) = app.error
    assert error.value == ("The parallax video could not be made: The depth map has no valid "
                           "values. Try another model or photo.")
    assert not app.get("video") and not app.exception
    assert len(app.get("plotly_chart")) == 1  # the rest of the page still works


def test_the_depth_scale_stretches_about_the_subject_and_keeps_the_camera(fastdepth, coffee):
    """Issue 18: a deeper relief must not shrink the view (the start view sat at the photo's
    camera, which the stretch about the box's middle carried away: 2x showed half the scene),
    and a camera the person left the view at carries over to the next figure."""
    from depthviz.app.plot3d import scene_figure
    from depthviz.outputs.display import fit_within

    scene = depthviz.to_mesh(coffee, fit_within(fastdepth.predict(coffee)), max_faces=20_000)

    def subject_distance(depth_scale: float) -> float:
        camera = scene_figure(scene, depth_scale).layout.scene.camera
        return camera.center.y - camera.eye.y

    start = subject_distance(1.0)
    assert subject_distance(0.5) == pytest.approx(start)  # shallower: the eye stays
    for depth_scale in (2.0, 3.0):  # deeper: the eye steps back only for the nearest things
        assert start <= subject_distance(depth_scale) < 1.5 * start
    left_at = {"eye": {"x": 0.3, "y": -0.2, "z": 0.1}, "center": {"x": 0, "y": 0, "z": 0},
               "up": {"x": 0, "y": 0, "z": 1}, "projection": {"type": "perspective"}}
    kept = scene_figure(scene, 2.0, camera=left_at, revision="coffee")
    assert kept.layout.scene.camera.to_plotly_json() == left_at
    assert kept.layout.uirevision == "coffee"  # a redraw of the same chart keeps the camera


def test_the_view_is_revised_per_photo_and_pictures_travel_inline(model_home):
    """The chart's uirevision is the photo; every picture on the pages is a data: URI (a
    /media file could be gone when a quick rerun's browser asked for it: a 404)."""
    app = open_3d_page()
    (chart,) = app.get("plotly_chart")
    assert json.loads(chart.proto.spec)["layout"]["uirevision"] == "example:coffee.png"
    for page in ("app_pages/compare.py", "app_pages/colormaps.py"):
        app.switch_page(page)
        rerun(app)
        urls = [img.url for image in app.image for img in image.proto.imgs]
        assert urls and all(url.startswith("data:image/jpeg;base64,") for url in urls)
