"""Issue 10's library: depth map + photo -> point cloud / mesh (geometry, signs, validity), their
PLY / GLB files (loaded back with trimesh, colours checked) and the parallax loop's motion."""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
import pytest
import trimesh

import depthviz
from depthviz.scene import camera
from depthviz.scene.mesh_files import glb_bytes, ply_bytes

# Synthetic scenes are built here from the formula, independently of depthviz.scene.camera.


def rays(width: int, height: int, fov_deg: float) -> np.ndarray:
    """HxWx3 direction of each pixel centre at distance 1 along the axis (x right, y up, -z)."""
    focal = (width / 2.0) / math.tan(math.radians(fov_deg) / 2.0)
    u, v = np.meshgrid(np.arange(width) + 0.5, np.arange(height) + 0.5)
    return np.dstack([(u - width / 2.0) / focal, -(v - height / 2.0) / focal,
                      -np.ones_like(u)])


def quadrant_photo(width: int, height: int) -> np.ndarray:
    """Top-left red, top-right green, bottom-left blue, bottom-right white."""
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[: height // 2, : width // 2] = (255, 0, 0)
    rgb[: height // 2, width // 2:] = (0, 255, 0)
    rgb[height // 2:, : width // 2] = (0, 0, 255)
    rgb[height // 2:, width // 2:] = (255, 255, 255)
    return rgb


QUADRANT_COLOURS = {(-1, 1): (255, 0, 0), (1, 1): (0, 255, 0), (-1, -1): (0, 0, 255),
                    (1, -1): (255, 255, 255)}


def check_quadrant_colours(points: np.ndarray, colours: np.ndarray, margin: float,
                           tolerance: int) -> None:
    """Each point well inside a quadrant (by the sign of x, y) has that quadrant's colour."""
    for (sx, sy), expected in QUADRANT_COLOURS.items():
        inside = (sx * points[:, 0] > margin) & (sy * points[:, 1] > margin)
        assert inside.sum() > 10, (sx, sy)
        difference = np.abs(colours[inside, :3].astype(int) - np.array(expected))
        assert difference.max() <= tolerance, ((sx, sy), colours[inside][:3])


# 1. A tilted metric plane comes back as that plane.

@pytest.mark.parametrize("fov_deg", [None, 40.0, 90.0])
@pytest.mark.parametrize("kind", ["points", "mesh"])
def test_tilted_metric_plane_comes_back_flat_with_the_right_normal(kind, fov_deg):
    width, height = 96, 64
    normal = np.array([0.3, -0.2, 1.0])
    normal /= np.linalg.norm(normal)
    offset = -2.0  # the plane n . p = offset, 2 m from the camera
    directions = rays(width, height, 60.0 if fov_deg is None else fov_deg)
    distance = offset / (directions @ normal)  # Z along the axis for each pixel
    assert (distance > 0).all()
    depth = (1.0 / distance).astype(np.float32)
    rgb = np.full((height, width, 3), 128, np.uint8)
    if kind == "points":
        points = np.asarray(depthviz.to_points(rgb, depth, metric=True, fov_deg=fov_deg).vertices)
    else:
        mesh = depthviz.to_mesh(rgb, depth, metric=True, fov_deg=fov_deg)
        points = np.asarray(mesh.vertices)
        assert len(mesh.faces) > 0.9 * 2 * (width - 1) * (height - 1)
        # Faces face the camera (+z side of this plane is where the camera is).
        assert (mesh.face_normals @ normal).min() > 0.999
    assert len(points) == width * height

    centroid = points.mean(axis=0)
    _, _, vt = np.linalg.svd(points - centroid)
    fitted = vt[2] * np.sign(vt[2] @ normal)
    residual = (points - centroid) @ fitted
    assert math.sqrt(np.mean(residual ** 2)) < 1e-3 * abs(offset)
    assert fitted @ normal > 1 - 1e-5
    # And the plane is where it was put, not just parallel to it.
    assert abs(centroid @ normal - offset) < 1e-3 * abs(offset)


def test_the_wrong_fov_bends_the_plane_normal():
    """The normal depends on the fov: the check above could fail with a wrong focal length."""
    width, height = 96, 64
    normal = np.array([0.3, -0.2, 1.0]) / np.linalg.norm([0.3, -0.2, 1.0])
    depth = (rays(width, height, 90.0) @ normal / -2.0).astype(np.float32)
    rgb = np.zeros((height, width, 3), np.uint8)
    points = np.asarray(depthviz.to_points(rgb, depth, metric=True, fov_deg=40.0).vertices)
    _, _, vt = np.linalg.svd(points - points.mean(axis=0))
    assert abs(vt[2] @ normal) < 0.999


# 2. No face across a 1 m / 3 m step.

@pytest.mark.parametrize("max_faces", [None, 500])
def test_a_depth_step_has_no_face_across_it(max_faces):
    width, height = 60, 40
    depth = np.full((height, width), 1.0, np.float32)
    depth[:, width // 2:] = 1.0 / 3.0
    mesh = depthviz.to_mesh(np.zeros((height, width, 3), np.uint8), depth, metric=True,
                            max_faces=max_faces)
    if max_faces is not None:
        assert len(mesh.faces) <= max_faces
    corner_distance = -np.asarray(mesh.vertices)[:, 2][mesh.faces]
    near = np.isclose(corner_distance, 1.0, rtol=1e-5)
    far = np.isclose(corner_distance, 3.0, rtol=1e-5)
    assert (near | far).all()
    assert not (near.any(axis=1) & far.any(axis=1)).any()
    assert near.all(axis=1).sum() > 0 and far.all(axis=1).sum() > 0


@pytest.mark.parametrize("shape", [(48, 64), (2, 50), (3, 1000), (1000, 3), (1, 40)])
@pytest.mark.parametrize("budget", [2, 7, 100, 5000])
def test_budgets_hold_for_any_shape(shape, budget):
    """max_faces and max_points are upper bounds, also for thin strips, and are used well."""
    height, width = shape
    rgb = np.zeros((height, width, 3), np.uint8)
    depth = np.full(shape, 0.5, np.float32)
    faces = len(depthviz.to_mesh(rgb, depth, metric=True, max_faces=budget).faces)
    points = len(depthviz.to_points(rgb, depth, metric=True, max_points=budget).vertices)
    assert faces <= budget and points <= budget
    assert faces >= 0.4 * min(budget, 2 * (height - 1) * (width - 1))
    assert points >= 0.4 * min(budget, height * width)


# 3. A known pixel lands where the formula says.

def test_known_pixels_land_where_the_formula_says():
    width, height, fov = 8, 6, 70.0
    rng = np.random.default_rng(3)
    depth = rng.uniform(0.2, 2.0, (height, width)).astype(np.float32)
    rgb = np.zeros((height, width, 3), np.uint8)
    points = np.asarray(depthviz.to_points(rgb, depth, metric=True, fov_deg=fov).vertices)
    assert points.shape == (width * height, 3)
    # Metric: Z = 1/depth exactly; points are in row-major pixel order.
    np.testing.assert_allclose(-points[:, 2], 1.0 / depth.ravel().astype(np.float64), rtol=1e-6)
    focal = (width / 2) / math.tan(math.radians(fov) / 2)
    top_left, bottom_right = points[0], points[-1]
    assert top_left[0] < 0 and top_left[1] > 0 and top_left[2] < 0
    assert bottom_right[0] > 0 and bottom_right[1] < 0 and bottom_right[2] < 0
    z = 1.0 / float(depth[0, 0])
    np.testing.assert_allclose(top_left, [(0.5 - 4) * z / focal, -(0.5 - 3) * z / focal, -z],
                               rtol=1e-5)
    # Pixel (u=5, v=1): right of centre and above it.
    z = 1.0 / float(depth[1, 5])
    np.testing.assert_allclose(points[1 * width + 5],
                               [(5.5 - 4) * z / focal, -(1.5 - 3) * z / focal, -z], rtol=1e-5)
    # The mesh puts the same vertices at the same places.
    mesh = depthviz.to_mesh(rgb, np.full_like(depth, 0.5), metric=True, fov_deg=fov)
    vertices = np.asarray(mesh.vertices)
    np.testing.assert_allclose(vertices[0], [(0.5 - 4) * 2 / focal, (3 - 0.5) * 2 / focal, -2],
                               rtol=1e-5)


# 4. Invalid values make no vertices.

def test_invalid_depth_makes_no_vertices():
    width, height = 20, 10
    depth = np.full((height, width), 0.5, np.float32)
    bad = {(2, 3): np.nan, (5, 7): np.inf, (7, 12): -np.inf, (1, 15): 0.0, (8, 2): -0.25}
    for (row, col), value in bad.items():
        depth[row, col] = value
    rgb = np.zeros((height, width, 3), np.uint8)
    cloud = depthviz.to_points(rgb, depth, metric=True)
    points = np.asarray(cloud.vertices)
    assert len(points) == width * height - len(bad)
    assert np.isfinite(points).all()
    np.testing.assert_allclose(points[:, 2], -2.0)
    mesh = depthviz.to_mesh(rgb, depth, metric=True)
    vertices = np.asarray(mesh.vertices)
    assert np.isfinite(vertices).all() and len(vertices) <= width * height - len(bad)
    np.testing.assert_allclose(vertices[:, 2], -2.0)
    # Relative depth: NaN and inf are invalid too (0 and negatives are valid relative values).
    relative = depth.copy()
    relative[1, 15] = relative[8, 2] = 0.5
    points = np.asarray(depthviz.to_points(rgb, relative).vertices)
    assert len(points) == width * height - 3 and np.isfinite(points).all()
    mesh = depthviz.to_mesh(rgb, relative)
    assert np.isfinite(np.asarray(mesh.vertices)).all()
    # All invalid: nothing, not an error.
    empty = depthviz.to_points(rgb, np.full_like(depth, np.nan), metric=True)
    assert len(empty.vertices) == 0


# 5. PLY and GLB load back with the photo's colours.

def test_ply_is_binary_and_loads_back_with_the_photo_colours():
    width, height = 40, 30
    rgb = quadrant_photo(width, height)
    depth = np.full((height, width), 0.5, np.float32)
    data = ply_bytes(depthviz.to_points(rgb, depth, metric=True))
    header = data[: data.index(b"end_header")]
    assert b"format binary_little_endian 1.0" in header
    loaded = trimesh.load(io.BytesIO(data), file_type="ply")
    assert isinstance(loaded, trimesh.PointCloud)
    assert len(loaded.vertices) == width * height
    check_quadrant_colours(np.asarray(loaded.vertices), np.asarray(loaded.colors),
                           margin=0.0, tolerance=0)


@pytest.mark.parametrize("textured", [False, True])
def test_glb_loads_back_as_a_mesh_with_the_photo_colours(textured):
    width, height = 64, 48
    rgb = quadrant_photo(width, height)
    depth = np.full((height, width), 0.5, np.float32)
    mesh = depthviz.to_mesh(rgb, depth, metric=True, max_faces=2000)
    data = glb_bytes(mesh, rgb if textured else None)
    assert data[:4] == b"glTF"
    loaded = trimesh.load(io.BytesIO(data), file_type="glb", force="mesh")
    assert len(loaded.faces) == len(mesh.faces)
    np.testing.assert_allclose(np.sort(loaded.vertices, axis=0), np.sort(mesh.vertices, axis=0),
                               atol=1e-5)
    if textured:
        assert isinstance(loaded.visual, trimesh.visual.TextureVisuals)
        colours = loaded.visual.to_color().vertex_colors
        tolerance = 40  # JPEG
    else:
        colours = loaded.visual.vertex_colors
        tolerance = 0
    # Away from the quadrant edges (a vertex's colour is its own pixel's; texture is blurred).
    check_quadrant_colours(np.asarray(loaded.vertices), np.asarray(colours), margin=0.1,
                           tolerance=tolerance)


# 6. Relative depth: larger inverse depth is nearer.

def test_relative_depth_is_monotone():
    width, height = 32, 24
    rng = np.random.default_rng(7)
    depth = rng.normal(5.0, 3.0, (height, width)).astype(np.float32)  # negatives are fine
    points = np.asarray(depthviz.to_points(np.zeros((height, width, 3), np.uint8), depth).vertices)
    distance = -points[:, 2]
    assert (distance > 0).all()
    order = np.argsort(depth.ravel(), kind="stable")
    assert (np.diff(distance[order]) <= 1e-6 * distance.max()).all()
    # Not collapsed: the scene spans the rule's whole range, nearest for the largest values.
    assert distance[order[0]] / distance[order[-1]] == pytest.approx(
        camera.RELATIVE_FAR / camera.RELATIVE_NEAR, rel=1e-5)
    assert camera.RELATIVE_FAR / camera.RELATIVE_NEAR >= 2
    # Scale-free: the same map times 3 plus 10 (unknown scale and shift) is the same scene.
    again = np.asarray(depthviz.to_points(np.zeros((height, width, 3), np.uint8),
                                          depth * 3 + 10).vertices)
    np.testing.assert_allclose(again, points, rtol=1e-4, atol=1e-5)


# 7. Parallax: nearer things move more.

def test_parallax_moves_near_pixels_more_than_far_ones():
    from depthviz.scene.parallax import parallax_frames

    width, height = 160, 120
    rng = np.random.default_rng(11)
    texture = cv2.GaussianBlur(rng.uniform(0, 255, (height, width, 3)).astype(np.float32),
                               (0, 0), 3.0)
    rgb = np.clip((texture - texture.mean()) * 3 + 128, 0, 255).astype(np.uint8)
    depth = np.full((height, width), 1 / 5.0, np.float32)  # background 5 m
    square = (slice(35, 85), slice(55, 105))
    depth[square] = 1.0  # a square 1 m away
    frames = list(parallax_frames(rgb, depth, metric=True, frames=8, strength=0.03))
    assert len(frames) == 8 and frames[0].shape == rgb.shape
    first, other = (cv2.cvtColor(frames[i], cv2.COLOR_RGB2GRAY) for i in (0, 2))
    flow = cv2.calcOpticalFlowFarneback(first, other, None, 0.5, 3, 15, 3, 5, 1.2, 0)
    magnitude = np.linalg.norm(flow, axis=2)
    inside = np.zeros((height, width), bool)
    inside[45:75, 65:95] = True  # the square's interior (it moves ~5 px, not out of itself)
    background = np.ones((height, width), bool)
    background[15:105, 35:125] = False
    background[:10] = background[-10:] = False
    background[:, :10] = background[:, -10:] = False
    near_motion, far_motion = np.median(magnitude[inside]), np.median(magnitude[background])
    # Frame 0 has the camera at +amplitude along x, frame 2 along y (a quarter circle later):
    # the square moves by the amplitude along both axes, the background (the pivot) stays.
    amplitude = 0.03 * width
    assert 0.8 * amplitude * math.sqrt(2) < near_motion < 1.2 * amplitude * math.sqrt(2)
    assert far_motion < 0.05 * amplitude, far_motion
    np.testing.assert_allclose(np.median(flow[inside], axis=0), [-amplitude, amplitude],
                               rtol=0.2)

def test_predict_writes_ply_and_glb_that_trimesh_loads(tmp_path, fastdepth):
    from depthviz.cli import main

    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), cv2.cvtColor(quadrant_photo(96, 64), cv2.COLOR_RGB2BGR))
    out = tmp_path / "out"
    code = main(["predict", str(photo), "--out", str(out), "--format", "ply", "glb",
                 "--model", "fastdepth"])
    assert code == 0
    cloud = trimesh.load(out / "photo.ply")
    assert isinstance(cloud, trimesh.PointCloud) and len(cloud.vertices) == 96 * 64
    assert (np.asarray(cloud.vertices)[:, 2] < 0).all()
    check_quadrant_colours(np.asarray(cloud.vertices), np.asarray(cloud.colors),
                           margin=0.0, tolerance=0)
    mesh = trimesh.load(out / "photo.glb", force="mesh")
    assert isinstance(mesh, trimesh.Trimesh) and len(mesh.faces) > 0
    assert (np.asarray(mesh.vertices)[:, 2] < 0).all()
    assert sorted(p.name for p in out.iterdir()) == ["photo.glb", "photo.ply"]


def test_stereo_pair_and_anaglyph_pop_near_things_out():
    from depthviz.scene.stereo import anaglyph, side_by_side, stereo_pair

    width, height = 120, 80
    rng = np.random.default_rng(5)
    rgb = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    depth = np.full((height, width), 0.25, np.float32)  # background 4 m
    depth[25:55, 40:80] = 1.0  # a box 1 m away
    left, right = stereo_pair(rgb, depth, metric=True, strength=0.05)
    shift = round(0.05 * width / 2)  # 3 px each way

    def offset(view: np.ndarray) -> int:
        """How far the box's interior moved along x in this view."""
        errors = {dx: np.abs(view[30:50, 48 + dx:72 + dx].astype(int)
                             - rgb[30:50, 48:72].astype(int)).mean() for dx in range(-8, 9)}
        best = min(errors, key=errors.get)
        assert errors[best] == 0
        return best

    # Near things sit right of centre in the left eye's view and left in the right's (crossed
    # disparity: they come out of the screen); the background has none.
    assert (offset(left), offset(right)) == (shift, -shift)
    np.testing.assert_array_equal(left[:, :20], rgb[:, :20])
    np.testing.assert_array_equal(right[:, -20:], rgb[:, -20:])
    pair = side_by_side(left, right)
    np.testing.assert_array_equal(pair[:, :width], left)
    np.testing.assert_array_equal(pair[:, width:], right)
    red_cyan = anaglyph(left, right)
    np.testing.assert_array_equal(red_cyan[..., 0], left[..., 0])
    np.testing.assert_array_equal(red_cyan[..., 1:], right[..., 1:])


def test_exif_focal_length_gives_the_field_of_view():
    from PIL import Image

    from depthviz.io.images import exif_fov_deg

    image = Image.new("RGB", (400, 300))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0xA405] = 26  # FocalLengthIn35mmFilm, a phone's main camera
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    # 35 mm equivalent: the diagonal matches a 36 x 24 mm frame's (43.27 mm).
    focal_px = 500 * 26 / math.hypot(36, 24)
    expected = math.degrees(2 * math.atan(200 / focal_px))
    assert exif_fov_deg(buffer.getvalue()) == pytest.approx(expected, rel=1e-6)
    assert 60 < expected < 75
    plain = io.BytesIO()
    image.save(plain, format="JPEG")
    assert exif_fov_deg(plain.getvalue()) is None


@pytest.mark.parametrize("suffix", [".mp4", ".gif"])
def test_parallax_command_writes_a_loop(tmp_path, fastdepth, suffix):
    from depthviz.cli import main

    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), cv2.cvtColor(quadrant_photo(96, 64), cv2.COLOR_RGB2BGR))
    out = tmp_path / f"loop{suffix}"
    assert main(["parallax", str(photo), "--out", str(out), "--model", "fastdepth",
                 "--seconds", "1", "--fps", "10"]) == 0
    if suffix == ".gif":
        from PIL import Image, ImageSequence

        with Image.open(out) as gif:
            frames = [np.asarray(frame.convert("RGB")) for frame in ImageSequence.Iterator(gif)]
            assert gif.info.get("loop") == 0
    else:
        import av

        with av.open(str(out)) as video:
            frames = [frame.to_ndarray(format="rgb24") for frame in video.decode(video=0)]
    assert len(frames) == 10 and frames[0].shape == (64, 96, 3)
    # Still the photo: the top-left stays red-ish, the bottom-right white-ish.
    assert frames[0][5, 5, 0] > 200 and frames[0][5, 5, 1:].max() < 60
    assert frames[5][-5, -5].min() > 200
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("loop")] == [out.name]


def test_predict_writes_stereo_and_anaglyph_pngs(tmp_path, fastdepth):
    from depthviz.cli import main

    photo = tmp_path / "photo.png"
    cv2.imwrite(str(photo), cv2.cvtColor(quadrant_photo(96, 64), cv2.COLOR_RGB2BGR))
    out = tmp_path / "out"
    assert main(["predict", str(photo), "--out", str(out), "--format", "stereo", "anaglyph",
                 "--model", "fastdepth", "--stereo-strength", "0.02"]) == 0
    pair = cv2.imread(str(out / "photo.stereo.png"))
    red_cyan = cv2.imread(str(out / "photo.anaglyph.png"))
    assert pair.shape == (64, 192, 3) and red_cyan.shape == (64, 96, 3)
    # Shifts of about a pixel keep a uniform quadrant's colour: both eyes still see the photo.
    for half in (pair[:, :96], pair[:, 96:]):
        assert tuple(half[3, 3]) == (0, 0, 255)  # BGR red
        assert tuple(half[-3, 3]) == (255, 0, 0)  # BGR blue
