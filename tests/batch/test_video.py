"""`depthviz video` / depthviz.video: frame count, size and rate kept, colours that do not
flicker, phone rotation, and errors a person can act on."""

from __future__ import annotations

import io
from fractions import Fraction

import av
import numpy as np
import pytest
from clips import read_clip, small, write_clip

import depthviz
from depthviz.batch.video import StableRange, depth_video
from depthviz.cli import main
from depthviz.errors import VideoError


@pytest.fixture(scope="module")
def coffee_depth(coffee, fastdepth) -> np.ndarray:
    return fastdepth.predict(small(coffee))


def test_a_still_scene_with_sensor_noise_does_not_flicker(tmp_path, coffee, fastdepth):
    rng = np.random.default_rng(7)
    base = small(coffee).astype(np.int16)
    frames = [np.clip(base + rng.normal(0.0, 1.0, base.shape).round(), 0, 255).astype(np.uint8)
              for _ in range(25)]
    write_clip(tmp_path / "still.mp4", frames, Fraction(25))
    depth_video(tmp_path / "still.mp4", tmp_path / "depth.mp4", fastdepth)
    heatmaps = np.array(read_clip(tmp_path / "depth.mp4")[0], dtype=np.float32)
    frame_to_frame = np.abs(np.diff(heatmaps, axis=0))
    assert frame_to_frame.mean() < 6.0  # levels of 255: the model's own noise, nothing more
    brightness = heatmaps.mean(axis=(1, 2, 3))
    assert np.abs(np.diff(brightness)).max() < 4.0  # no frame-wide jump
    assert np.ptp(brightness) < 6.0


def test_a_few_extreme_pixels_do_not_move_the_colours(coffee_depth):
    stable = StableRange(fps=25)
    before = stable.update(coffee_depth)
    spiky = coffee_depth.copy()
    spiky.flat[::199] = coffee_depth.max() * 50  # 0.5% of pixels wildly "near"
    after = stable.update(spiky)
    span = before[1] - before[0]
    assert abs(after[0] - before[0]) < 0.02 * span and abs(after[1] - before[1]) < 0.02 * span
    # Per-frame min-max would darken the whole frame; here the rest keeps its colours.
    calm = spiky != spiky.max()
    same = depthviz.colorize(coffee_depth, value_range=before)[calm].astype(int)
    assert np.abs(depthviz.colorize(spiky, value_range=after)[calm] - same).mean() < 1.0
    assert np.abs(depthviz.colorize(spiky)[calm] - same).mean() > 30.0


def test_scale_and_offset_drift_of_the_model_is_followed(coffee_depth):
    """Relative depth may come back scaled and shifted frame to frame: same picture, same
    colours."""
    stable = StableRange(fps=25)
    levels = depthviz.colorize(coffee_depth, "gray", value_range=stable.update(coffee_depth))
    for scale, offset in [(1.3, 0.2), (0.7, -0.1), (2.0, 1.0)]:
        drifted = coffee_depth * np.float32(scale) + np.float32(offset)
        drifted_levels = depthviz.colorize(drifted, "gray", value_range=stable.update(drifted))
        assert np.abs(drifted_levels.astype(int) - levels).max() <= 1  # float rounding only


def test_after_a_cut_the_range_settles_within_seconds(coffee_depth, fastdepth, motorcycle):
    other = fastdepth.predict(small(motorcycle[0]))
    fps = 25
    stable = StableRange(fps=fps)
    for _ in range(2 * fps):
        stable.update(coffee_depth)
    own = StableRange(fps=fps).update(other)  # where the new scene's range belongs
    first = stable.update(other)
    for _ in range(3 * fps):
        settled = stable.update(other)
    span = own[1] - own[0]
    assert abs(first[1] - own[1]) > 0.1 * span or abs(first[0] - own[0]) > 0.1 * span  # smoothed
    assert abs(settled[0] - own[0]) < 0.05 * span and abs(settled[1] - own[1]) < 0.05 * span


def test_a_moving_clip_keeps_frame_count_size_and_rate(tmp_path, coffee, capsys):
    wide = small(coffee, (240, 96))
    frames = [np.ascontiguousarray(wide[:, 2 * i:2 * i + 160]) for i in range(40)]
    write_clip(tmp_path / "pan.mov", frames, Fraction(30000, 1001))
    out = tmp_path / "result" / "pan_depth.mp4"
    assert main(["video", str(tmp_path / "pan.mov"), "--out", str(out),
                 "--model", "fastdepth"]) == 0
    heatmaps, rate = read_clip(out)
    assert len(heatmaps) == 40 and rate == Fraction(30000, 1001)
    assert {h.shape for h in heatmaps} == {(96, 160, 3)}
    assert "40 frames, 160x96 at 30 fps" in capsys.readouterr().out
    assert [p.name for p in out.parent.iterdir()] == ["pan_depth.mp4"]  # no temporary left
    # The pan moves the scene, so the depth video moves too (not one frame repeated).
    assert np.abs(heatmaps[0].astype(int) - heatmaps[-1]).mean() > 5


def test_side_by_side_puts_the_frame_left_of_its_heatmap(tmp_path, coffee, fastdepth):
    frames = [small(coffee)] * 3
    write_clip(tmp_path / "in.mp4", frames, Fraction(10))
    info = depth_video(tmp_path / "in.mp4", tmp_path / "out.mp4", fastdepth, side_by_side=True)
    assert (info.frames, info.width, info.height, info.fps) == (3, 320, 120, Fraction(10))
    pictures, _ = read_clip(tmp_path / "out.mp4")
    assert pictures[0].shape == (120, 320, 3)
    assert np.abs(pictures[0][:, :160].astype(int) - frames[0]).mean() < 8  # codec loss only
    assert np.abs(pictures[0][:, 160:].astype(int) - frames[0]).mean() > 30  # the heatmap


def test_a_phone_clip_flagged_as_rotated_comes_out_upright(tmp_path, fastdepth):
    stored = np.full((96, 160, 3), 90, np.uint8)
    stored[:16] = (230, 30, 30)  # red along the stored top edge
    write_clip(tmp_path / "portrait.mp4", [stored] * 2, Fraction(30), rotation=90)
    info = depth_video(tmp_path / "portrait.mp4", tmp_path / "out.mp4", fastdepth,
                       side_by_side=True)
    assert (info.width, info.height) == (2 * 96, 160)  # shown as portrait, so written portrait
    upright = read_clip(tmp_path / "out.mp4")[0][0][:, :96]
    # Turned 90 degrees counter-clockwise, as players show it: the top edge is now the left one.
    assert upright[:, :12, 0].mean() > 200 and upright[:, 30:, 0].mean() < 120


def test_odd_sizes_are_kept_exactly(tmp_path, coffee, fastdepth):
    frames = [np.ascontiguousarray(small(coffee, (162, 122))[:121, :161])] * 2
    with av.open(tmp_path / "odd.mkv", "w") as out:  # 4:2:0 cannot be odd-sized: write lossless
        stream = out.add_stream("ffv1", rate=5)
        stream.width, stream.height, stream.pix_fmt = 161, 121, "bgr0"
        for frame in frames:
            out.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")))
        out.mux(stream.encode(None))
    info = depth_video(tmp_path / "odd.mkv", tmp_path / "out.mp4", fastdepth)
    assert (info.frames, info.width, info.height) == (2, 161, 121)
    assert read_clip(tmp_path / "out.mp4")[0][0].shape == (121, 161, 3)


def test_file_objects_in_and_out_nothing_on_disk(coffee, fastdepth):
    clip = io.BytesIO()
    write_clip(clip, [small(coffee)] * 4, Fraction(24))
    result = io.BytesIO()
    info = depth_video(io.BytesIO(clip.getvalue()), result, fastdepth)
    frames, rate = read_clip(io.BytesIO(result.getvalue()))
    assert info.frames == len(frames) == 4 and rate == 24


def test_too_many_frames_is_refused(coffee, fastdepth):
    clip = io.BytesIO()
    write_clip(clip, [small(coffee)] * 6, Fraction(24))
    with pytest.raises(VideoError, match="limit is 5"):
        depth_video(io.BytesIO(clip.getvalue()), io.BytesIO(), fastdepth, max_frames=5)


def test_a_file_that_is_not_a_video_is_a_clear_error(tmp_path, capsys):
    (tmp_path / "notes.mp4").write_text("hello, not a video")
    out = tmp_path / "out.mp4"
    assert main(["video", str(tmp_path / "notes.mp4"), "--out", str(out),
                 "--model", "fastdepth"]) == 2
    assert "not a video depthviz can read" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [tmp_path / "notes.mp4"]  # no output, no temporary
