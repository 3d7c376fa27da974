"""Video colours on moving footage: a pan must not sit flat at the colormap's ends (issue 12,
item 6), while a still scene keeps steady colours (tests/batch/test_video.py)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from depthviz.batch.video import StableRange
from depthviz.outputs.colorize import colour_levels

FPS = 25


def pan(photo: np.ndarray, seconds: float = 2.0, size=(320, 240)) -> list[np.ndarray]:
    """A camera pan synthesised from a real photo: a crop sliding across it, left to right."""
    width, height = size
    photo = cv2.resize(photo, (round(photo.shape[1] * height / photo.shape[0]), height),
                       interpolation=cv2.INTER_AREA)
    count = round(seconds * FPS)
    travel = photo.shape[1] - width
    return [np.ascontiguousarray(photo[:, round(i * travel / (count - 1)):][:, :width])
            for i in range(count)]


def saturation(depths: list[np.ndarray]) -> tuple[float, float]:
    """The largest share of a frame's pixels at the first and at the last colormap level."""
    stable = StableRange(FPS)
    far = near = 0.0
    for depth in depths:
        levels = colour_levels(depth, stable.update(depth))
        far, near = max(far, float((levels == 0).mean())), max(near, float((levels == 255).mean()))
    return far, near


@pytest.mark.parametrize("photo_name", ["stereo_motorcycle", "astronaut", "coffee"])
def test_a_two_second_pan_saturates_at_most_two_percent_at_either_end(fastdepth, photo_name):
    from skimage import data

    photo = getattr(data, photo_name)()
    photo = photo[0] if isinstance(photo, tuple) else photo
    far, near = saturation([fastdepth.predict(frame) for frame in pan(photo)])
    # Before: a moving average of the range lagged behind the pan: up to 27% (far) and 24%
    # (near) of a frame sat at the ends. A still heatmap of the same frame has 0%.
    assert far <= 0.02 and near <= 0.02, (far, near)


def test_lone_stray_pixels_do_not_widen_the_range(fastdepth, coffee):
    depth = fastdepth.predict(cv2.resize(coffee, (320, 240), interpolation=cv2.INTER_AREA))
    before = StableRange(FPS).update(depth)
    spiky = depth.copy()
    spiky.flat[::97] = depth.max() * 50  # 1% of pixels, each alone, wildly "near"
    after = StableRange(FPS).update(spiky)  # a fresh range: nothing smoothed
    span = before[1] - before[0]
    assert abs(after[0] - before[0]) < 0.01 * span and abs(after[1] - before[1]) < 0.01 * span
