"""Stereo pairs and red-cyan anaglyphs of a photo, from views warped by its depth."""

from __future__ import annotations

import numpy as np

from depthviz.scene.warp import ViewWarper

#: The stereo pair's largest disparity (nearest vs background), as a fraction of the width.
DEFAULT_STEREO_STRENGTH = 0.03


def stereo_pair(rgb: np.ndarray, depth: np.ndarray, metric: bool = False,
                strength: float = DEFAULT_STEREO_STRENGTH) -> tuple[np.ndarray, np.ndarray]:
    """(left eye, right eye) views: cameras `strength` x width apart in parallax for the
    nearest things; the background has no disparity (the screen plane), near things come out."""
    warper = ViewWarper(rgb, depth, metric)
    shift = strength * warper.width / 2.0
    return warper.render(dx=shift), warper.render(dx=-shift)


def side_by_side(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The pair for parallel viewing (3D TVs, VR viewers): left eye's view on the left."""
    return np.hstack([left, right])


def anaglyph(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Red-cyan anaglyph: red from the left eye's view, green and blue from the right's."""
    return np.dstack([left[..., 0], right[..., 1], right[..., 2]])
