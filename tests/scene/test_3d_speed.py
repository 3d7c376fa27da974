"""Issue 10's speed work kept the 3D outputs right: hole filling still takes the background,
the frames rendered ahead in a worker thread come in camera order, the MP4 at the fast x264
preset is still faithful 4:2:0 H.264, the stereo pair is rendered once for both the stereo and
the anaglyph outputs, and the GLB texture needs only the camera to_mesh records.
(Speed itself is measured in bench/bench_3d.py, never here.)"""

from __future__ import annotations

import io
import json

import av
import cv2
import numpy as np
import pytest
import trimesh

import depthviz
from depthviz.scene import parallax, warp
from depthviz.scene.formats import SceneEncoder
from depthviz.scene.mesh_files import glb_bytes
from depthviz.scene.parallax import camera_path, parallax_frames, write_parallax
from depthviz.scene.warp import ViewWarper, fill_holes


def textured_scene(width: int = 160, height: int = 120) -> tuple[np.ndarray, np.ndarray]:
    """A smooth random texture; a square 1 m away in front of a wall 5 m away (metric)."""
    rng = np.random.default_rng(11)
    texture = cv2.GaussianBlur(rng.uniform(0, 255, (height, width, 3)).astype(np.float32),
                               (0, 0), 3.0)
    rgb = np.clip((texture - texture.mean()) * 3 + 128, 0, 255).astype(np.uint8)
    depth = np.full((height, width), 1 / 5.0, np.float32)
    depth[35:85, 55:105] = 1.0
    return rgb, depth


def test_holes_take_the_background_colour_not_the_foreground():
    height, width = 64, 96
    image = np.zeros((height, width, 3), np.uint8)
    weight = np.zeros((height, width), np.float32)
    image[:, :40] = (20, 200, 40)  # far: the wall, heavy
    weight[:, :40] = 1.0
    image[:, 50:] = (230, 30, 30)  # near: a person, light (as (distance / far) ** 4 makes it)
    weight[:, 50:] = 0.2 ** warp.BACKGROUND_PREFERENCE
    before = image.copy()
    filled = fill_holes(image, weight)
    np.testing.assert_array_equal(image, before)  # the input is left alone
    np.testing.assert_array_equal(filled[:, :40], image[:, :40])  # known pixels are kept
    np.testing.assert_array_equal(filled[:, 50:], image[:, 50:])
    gap = filled[:, 40:50].reshape(-1, 3).astype(int)
    # Every gap pixel is much nearer the wall's colour than the person's.
    to_wall = np.abs(gap - (20, 200, 40)).sum(axis=1)
    to_person = np.abs(gap - (230, 30, 30)).sum(axis=1)
    assert (to_wall < to_person).all()
    assert np.median(to_wall) < 60, np.median(to_wall)


@pytest.mark.parametrize("shape", [(64, 96), (1, 40), (3, 2), (37, 53)])
def test_fill_holes_leaves_no_hole_black_in_any_shape(shape):
    rng = np.random.default_rng(2)
    image = rng.integers(60, 256, shape + (3,), dtype=np.uint8)
    weight = rng.uniform(0.1, 1.0, shape).astype(np.float32)
    holes = rng.random(shape) < 0.3
    holes.flat[0] = True
    holes.flat[-1] = False
    image[holes], weight[holes] = 0, 0.0
    filled = fill_holes(image, weight)
    assert filled.shape == image.shape and filled.dtype == np.uint8
    np.testing.assert_array_equal(filled[~holes], image[~holes])
    # Filled from known pixels (60..255), never left at 0.
    assert filled[holes].min() >= 50


def test_frames_rendered_ahead_come_in_camera_order():
    rgb, depth = textured_scene()
    frames = list(parallax_frames(rgb, depth, metric=True, frames=12, strength=0.03))
    warper = ViewWarper(rgb, depth, metric=True)
    amplitude = 0.03 * warper.width
    expected = [warper.render(dx * amplitude, dy * amplitude, dolly * 0.3)
                for dx, dy, dolly in camera_path(12)]
    assert len(frames) == 12 > parallax.RENDER_AHEAD
    for frame, view in zip(frames, expected):
        np.testing.assert_array_equal(frame, view)
    # And they differ from one another (the camera moves), so the order is really checked.
    assert not np.array_equal(frames[0], frames[3])


def test_parallax_mp4_is_browser_h264_faithful_to_the_frames():
    rgb, depth = textured_scene()
    output = io.BytesIO()
    done = []
    count = write_parallax(output, rgb, depth, metric=True, seconds=1, fps=12,
                           on_frame=lambda index, total: done.append((index, total)))
    assert count == 12 and done == [(index, 12) for index in range(1, 13)]
    output.seek(0)
    with av.open(output) as video:
        stream = video.streams.video[0]
        assert (stream.codec_context.name, stream.codec_context.pix_fmt) == ("h264", "yuv420p")
        assert stream.average_rate == 12
        decoded = [frame.to_ndarray(format="rgb24") for frame in video.decode(stream)]
    rendered = list(parallax_frames(rgb, depth, metric=True, frames=12))
    assert len(decoded) == 12
    for got, want in zip(decoded, rendered):
        error = np.mean((got.astype(float) - want.astype(float)) ** 2)
        assert 10 * np.log10(255 ** 2 / error) > 30  # dB: the fast preset still looks the same


@pytest.fixture
def renders(monkeypatch) -> list:
    """The camera moves of every ViewWarper.render call while the test runs."""
    calls = []
    render = ViewWarper.render

    def counted(self, *args, **kwargs):
        calls.append(args)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(ViewWarper, "render", counted)
    return calls


def test_stereo_and_anaglyph_share_one_stereo_pair(renders):
    rgb, depth = textured_scene()
    scene = SceneEncoder(rgb, depth, metric=True, stereo_strength=0.04)
    pair = cv2.imdecode(np.frombuffer(scene.encode("stereo"), np.uint8), cv2.IMREAD_COLOR)
    red_cyan = cv2.imdecode(np.frombuffer(scene.encode("anaglyph"), np.uint8), cv2.IMREAD_COLOR)
    assert len(renders) == 2  # left and right eye, once for both outputs
    left, right = pair[:, :160, ::-1], pair[:, 160:, ::-1]  # BGR -> RGB
    assert not np.array_equal(left, right)
    np.testing.assert_array_equal(red_cyan[..., 2], left[..., 0])  # red from the left eye
    np.testing.assert_array_equal(red_cyan[..., :2], right[..., 1:][..., ::-1])


def test_predict_stereo_and_anaglyph_renders_the_pair_once(tmp_path, fastdepth, renders):
    from depthviz.cli import main

    rgb, _ = textured_scene()
    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    out = tmp_path / "out"
    assert main(["predict", str(photo), "--out", str(out), "--format", "stereo", "anaglyph",
                 "--model", "fastdepth"]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["photo.anaglyph.png", "photo.stereo.png"]
    assert len(renders) == 2


def test_glb_texture_needs_only_the_recorded_field_of_view():
    rgb = np.zeros((48, 64, 3), np.uint8)
    rgb[:, 32:] = (0, 255, 0)
    depth = np.full((48, 64), 0.5, np.float32)
    mesh = depthviz.to_mesh(rgb, depth, metric=True, fov_deg=50.0, max_faces=2000)
    reference = glb_bytes(mesh, rgb)
    # Metadata that went through JSON (tuples become lists) or lost the image size still works.
    mesh.metadata.update(json.loads(json.dumps(mesh.metadata)))
    assert glb_bytes(mesh, rgb) == reference
    del mesh.metadata["image_size"]
    assert glb_bytes(mesh, rgb) == reference
    loaded = trimesh.load(io.BytesIO(reference), file_type="glb", force="mesh")
    colours = loaded.visual.to_color().vertex_colors
    right = np.asarray(loaded.vertices)[:, 0] > 0.1
    assert colours[right, 1].min() > 200 and colours[~right & (np.asarray(
        loaded.vertices)[:, 0] < -0.1), 1].max() < 60
    # A photo of another size, or a mesh that does not say its camera: a clear ValueError.
    with pytest.raises(ValueError, match="32x24"):
        mesh.metadata["image_size"] = (32, 24)
        glb_bytes(mesh, rgb)
    bare = trimesh.Trimesh(mesh.vertices, mesh.faces, process=False)
    with pytest.raises(ValueError, match="field of view"):
        glb_bytes(bare, rgb)
    assert glb_bytes(bare)[:4] == b"glTF"  # vertex colours need no camera
