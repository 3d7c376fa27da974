"""Issue 12 items 7-11 and 14 on the command line: output names that say what is written, still
photos refused, messages without errno, the offline fallback, and option names that cannot be
mixed up (with the old spellings still working)."""

from __future__ import annotations

import io
import urllib.error
from fractions import Fraction

import av
import numpy as np
import pytest
from clips import mpeg4_mkv, read_clip, small, write_clip
from PIL import Image

from depthviz.batch.video import depth_video
from depthviz.cli import main
from depthviz.cli.parser import build_parser
from depthviz.errors import VideoError
from depthviz.io import weights
from depthviz.io.video import browser_plays


def fastdepth_video(*args: str) -> int:
    return main(["video", *args, "--model", "fastdepth"])


def test_an_avi_output_name_is_refused_before_any_work(tmp_path, coffee, capsys):
    write_clip(tmp_path / "in.mp4", [small(coffee)] * 3, Fraction(10))
    assert fastdepth_video(str(tmp_path / "in.mp4"), "--out", str(tmp_path / "x.avi")) == 2
    assert "name the output x.mp4, not x.avi" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.mp4"]


def test_a_still_photo_is_refused_with_what_to_use_instead(tmp_path, coffee, capsys):
    Image.fromarray(coffee).save(tmp_path / "coffee.jpg")
    assert fastdepth_video(str(tmp_path / "coffee.jpg"), "--out", str(tmp_path / "c.mp4")) == 2
    err = capsys.readouterr().err
    assert "still image, not a video" in err and "depthviz predict" in err
    assert not (tmp_path / "c.mp4").exists()


def test_a_one_frame_video_is_called_a_still_photo(coffee, fastdepth):
    clip = io.BytesIO()
    write_clip(clip, [small(coffee)], Fraction(25))
    with pytest.raises(VideoError, match="single frame: that is a still photo"):
        depth_video(io.BytesIO(clip.getvalue()), io.BytesIO(), fastdepth)


def test_a_missing_video_path_says_so_without_errno(tmp_path, capsys):
    assert fastdepth_video(str(tmp_path / "nope.mp4"), "--out", str(tmp_path / "o.mp4")) == 2
    err = capsys.readouterr().err
    assert f"There is no video file at {tmp_path / 'nope.mp4'}. Check the path." in err
    assert "Errno" not in err


def test_bad_video_data_says_what_to_do_without_errno(fastdepth):
    with pytest.raises(VideoError) as caught:
        depth_video(io.BytesIO(b"not a video at all" * 10), io.BytesIO(), fastdepth)
    message = str(caught.value)
    assert "not a video depthviz can read" in message and "Use MP4" in message
    assert "Errno" not in message and "<none>" not in message




def test_an_mpeg4_mkv_gets_an_h264_copy_browsers_play(coffee, fastdepth):
    frames = [small(coffee)] * 4
    clip = mpeg4_mkv(frames)
    assert not browser_plays(io.BytesIO(clip))
    h264 = io.BytesIO()
    write_clip(h264, frames, Fraction(10))
    assert browser_plays(io.BytesIO(h264.getvalue()))

    copy = io.BytesIO()
    depth_video(io.BytesIO(clip), io.BytesIO(), fastdepth, original=copy)
    with av.open(io.BytesIO(copy.getvalue())) as reader:
        assert reader.streams.video[0].codec_context.name == "h264"
    pictures, rate = read_clip(io.BytesIO(copy.getvalue()))
    assert len(pictures) == 4 and rate == 10
    assert np.abs(pictures[0].astype(int) - frames[0]).mean() < 8  # the clip itself


def test_predict_falls_back_to_the_offline_model_when_the_default_cannot_be_fetched(
        tmp_path, monkeypatch, capsys):
    def offline(*args, **kwargs):
        raise urllib.error.URLError(OSError("Name or service not known"))

    monkeypatch.setattr(weights, "_download", offline)
    Image.fromarray(np.full((48, 64, 3), 120, np.uint8)).save(tmp_path / "a.jpg")
    assert main(["predict", str(tmp_path / "a.jpg"), "--out", str(tmp_path / "out")]) == 0
    err = capsys.readouterr().err
    assert "using fastdepth, the model that works offline" in err and "1 image:" in err
    # What happened and what to do, in words: no raw urllib or errno text.
    assert "midas_small has no weights here and they could not be downloaded" in err
    assert "indoor scenes only" in err and "`depthviz fetch midas_small`" in err
    for raw in ("urlopen", "Errno", "Name or service not known"):
        assert raw not in err
    assert (tmp_path / "out" / "a.inferno.heatmap.png").exists()
    # Naming the model is a promise: then it is an error, not a fallback.
    assert main(["predict", str(tmp_path / "a.jpg"), "--out", str(tmp_path / "o2"),
                 "--model", "midas_small"]) == 2
    err = capsys.readouterr().err
    assert "midas_v21_small_256.pt" in err and "urlopen" not in err
    assert not (tmp_path / "o2").exists()


def test_help_describes_model_engine_runner_and_invert():
    text = build_parser()._subparsers._group_actions[0].choices["predict"].format_help()
    flat = " ".join(text.split())
    assert "--model NAME depth model" in flat and "(default: midas_small;" in flat
    assert "--engine ENGINE, --model-engine ENGINE inference engine" in flat
    assert "--runner {local,ray} where the batch runs" in flat
    assert "near takes the other end of the colour scale" in flat


@pytest.mark.parametrize("argv, runner, engine", [
    (["--runner", "ray"], "ray", "auto"),
    (["--engine", "ray"], "ray", "auto"),  # the old spelling of --runner
    (["--engine", "local", "--engine", "openvino"], "local", "openvino"),
    (["--model-engine", "torch"], "local", "torch"),  # the old spelling of --engine
    (["--engine", "onnxruntime", "--runner", "ray"], "ray", "onnxruntime"),
])
def test_old_and_new_option_spellings_mean_the_same(argv, runner, engine):
    args = build_parser().parse_args(["predict", "p.jpg", "--out", "o", *argv])
    assert (args.runner, args.model_engine) == (runner, engine)


def test_engine_ray_outside_predict_is_an_error(capsys):
    with pytest.raises(SystemExit):
        build_parser().parse_args(["video", "in.mp4", "--out", "o.mp4", "--engine", "ray"])
    assert "--runner local|ray" in capsys.readouterr().err
