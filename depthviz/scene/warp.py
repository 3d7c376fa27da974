"""New views of a photo from its depth, for the parallax loop and the stereo pair.

Each view moves the camera a little and forward-warps every pixel by its distance (nearer
pixels shift more), with a z-buffer so the nearer of two pixels landing on the same spot wins.
What the moved camera sees but the photo hid (behind a person's edge, beyond the frame) is
filled from the surrounding *background*: a push-pull pyramid whose weights favour far pixels,
so a gap behind a person takes the wall's colours, not the person's. All vectorised: one
frame of a 1 MP photo is a few tens of milliseconds.

The motion is given in pixels (how far the nearest things move, relative to the background),
not in metres, so the same strength suits any photo, metric or relative.
"""

from __future__ import annotations

import cv2
import numpy as np

from depthviz.scene.camera import distance_from_depth

#: Percentiles of distance taken as "the nearest things" and "the background" (the pivot that
#: stays still): a few stray pixels cannot decide the motion.
NEAR_PERCENTILE, FAR_PERCENTILE = 2.0, 98.0
#: How strongly the hole filling prefers far pixels (weight = distance ** this).
BACKGROUND_PREFERENCE = 4.0
#: Hole positions are sampled in rows of this many (cv2.remap's maps are at most 32767 wide).
REMAP_ROW = 4096


class ViewWarper:
    """A photo and its depth, ready to render from nearby cameras.

    The camera moves by (dx, dy) pixels of parallax for the nearest things, and rotates to keep
    the background (the FAR_PERCENTILE distance) still: the look of a "3D photo". `dolly` moves
    it forward by that fraction of the nearest distance instead (near things grow more)."""

    def __init__(self, rgb: np.ndarray, depth: np.ndarray, metric: bool = False):
        rgb = np.asarray(rgb)
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"Expected an HxWx3 uint8 RGB photo, got {rgb.shape} {rgb.dtype}.")
        if np.shape(depth) != rgb.shape[:2]:
            raise ValueError(f"The depth map is {np.shape(depth)} but the photo is "
                             f"{rgb.shape[:2]}; they must be the same size.")
        self.height, self.width = rgb.shape[:2]
        distance = distance_from_depth(depth, metric)
        finite = np.isfinite(distance)
        if not finite.any():
            raise ValueError("The depth map has no valid values.")
        near, far = np.percentile(distance[finite][:: max(1, int(finite.sum()) // 250_000)],
                                  (NEAR_PERCENTILE, FAR_PERCENTILE))
        # Invalid pixels are put at the background, so they neither move nor hide anything.
        distance = np.where(finite, distance, far).astype(np.float32).ravel()
        self.near = float(near)
        # Parallax per pixel, 1 at the nearest things and 0 at the background (negative beyond).
        span = 1.0 / near - 1.0 / far if far > near else 1.0
        parallax = (1.0 / distance - 1.0 / far) / span
        # Far pixels first: drawn in this order, a nearer pixel overwrites a farther one.
        order = np.argsort(-distance, kind="stable")
        self.parallax = parallax[order].astype(np.float32)
        self.distance = distance[order]
        rows, cols = np.divmod(order, self.width)
        self.u = cols.astype(np.float32)
        self.v = rows.astype(np.float32)
        # RGB packed into one uint32 a pixel (4th byte 0): one 4-byte gather a frame instead of
        # a far slower gather of 3-byte rows. A last, empty entry: pixels nothing lands on
        # (z-buffer -1) read it.
        colours = np.zeros((order.size + 1, 4), np.uint8)
        colours[:-1, :3] = rgb.reshape(-1, 3)[order]
        self.colours = colours.view(np.uint32).ravel()
        self.fill_weight = np.append((self.distance / far) ** BACKGROUND_PREFERENCE,
                                     np.float32(0)).astype(np.float32)
        self.rank = np.arange(order.size, dtype=np.int32 if order.size < 2**31 else np.int64)

    def render(self, dx: float = 0.0, dy: float = 0.0, dolly: float = 0.0) -> np.ndarray:
        """The view from the moved camera, HxWx3 uint8, holes filled."""
        u = self.u + np.float32(dx) * self.parallax
        v = self.v + np.float32(dy) * self.parallax
        if dolly:
            # Moving forward by dolly * near: a pixel at distance Z scales about the centre by
            # Z / (Z - dolly * near).
            zoom = self.distance / np.maximum(self.distance - np.float32(dolly * self.near), 1e-6)
            u = (u - (self.width - 1) / 2.0) * zoom + (self.width - 1) / 2.0
            v = (v - (self.height - 1) / 2.0) * zoom + (self.height - 1) / 2.0
        col = np.rint(u, out=u).astype(self.rank.dtype)
        row = np.rint(v, out=v).astype(self.rank.dtype)
        outside = (col < 0) | (col >= self.width) | (row < 0) | (row >= self.height)
        target = row * self.width + col
        pixels = self.height * self.width
        target[outside] = pixels  # one spare slot collects everything off the frame
        winner = np.full(pixels + 1, -1, self.rank.dtype)
        np.maximum.at(winner, target, self.rank)  # the z-buffer: the nearest pixel wins
        winner = winner[:pixels]
        rgbx = np.take(self.colours, winner).view(np.uint8).reshape(self.height, self.width, 4)
        weight = np.take(self.fill_weight, winner).reshape(self.height, self.width)
        return fill_holes(cv2.cvtColor(rgbx, cv2.COLOR_RGBA2RGB), weight)


def fill_holes(image: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Fill pixels of weight 0 from a push-pull pyramid of weighted averages: each hole takes
    the nearest coarser level's colour, where heavier (farther) pixels dominate.

    Each level is one 4-channel image (colour x weight, 255 x weight), so a level is one
    resize; the full-size holes (a few percent of the pixels) are sampled from the half-size
    level alone rather than upsampling the whole of it."""
    holes = np.flatnonzero(weight <= 0)
    if not holes.size:
        return image
    height, width = weight.shape
    # Alpha 255; typed as a plain array, since cv2.resize below returns one.
    level: np.ndarray = cv2.cvtColor(image, cv2.COLOR_RGB2RGBA).astype(np.float32)
    level *= weight[..., None]
    levels = [level]
    while max(level.shape[:2]) > 1 and (level[..., 3] <= 0).any():  # down to 1x1 at most
        size = (max(1, level.shape[1] // 2), max(1, level.shape[0] // 2))
        level = cv2.resize(level, size, interpolation=cv2.INTER_AREA)
        levels.append(level)
    coarse = levels[-1]
    for finer in reversed(levels[1:-1]):
        upsampled = cv2.resize(coarse, (finer.shape[1], finer.shape[0]))
        np.copyto(finer, upsampled, where=finer[..., 3:] <= 0)
        coarse = finer
    # Bilinear samples of the half-size level at the holes (what cv2.resize to full size gives
    # there), in rows of REMAP_ROW: cv2.remap takes maps of at most 32767 a side.
    rows, cols = np.divmod(holes, width)
    pad = -holes.size % REMAP_ROW
    map_x = np.pad((cols + 0.5) * (coarse.shape[1] / width) - 0.5, (0, pad)).astype(np.float32)
    map_y = np.pad((rows + 0.5) * (coarse.shape[0] / height) - 0.5, (0, pad)).astype(np.float32)
    sampled = cv2.remap(coarse, map_x.reshape(-1, REMAP_ROW), map_y.reshape(-1, REMAP_ROW),
                        cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    sampled = sampled.reshape(-1, 4)[: holes.size]
    filled = 255 * sampled[:, :3] / np.maximum(sampled[:, 3:], 1e-12)
    result = image.copy()
    result.reshape(-1, 3)[holes] = np.clip(filled + 0.5, 0, 255).astype(np.uint8)
    return result
