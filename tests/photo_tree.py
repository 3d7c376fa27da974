"""A folder tree of real photos (and two broken files) for the batch tests."""

from __future__ import annotations

from pathlib import Path

import cv2
from PIL import Image

GOOD = ["trip1/coffee.jpg", "trip1/rocket.png", "trip1/deep/cat.jpg", "trip2/astronaut.webp",
        "trip2/coffee.jpg", "top.bmp"]
BROKEN = "trip2/broken.jpg"


def write_photo_tree(root: Path) -> Path:
    """Real photos (scikit-image), small so the model runs fast, in nested folders, plus a
    truncated JPEG and a text file that is not an image."""
    from skimage import data

    photos = [data.coffee(), data.rocket(), data.chelsea(), data.astronaut(),
              data.coffee()[:, ::-1],
              data.stereo_motorcycle()[0]]
    for name, rgb in zip(GOOD, photos):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(cv2.resize(rgb, (160, 120), interpolation=cv2.INTER_AREA)).save(path)
    whole = (root / "trip1/coffee.jpg").read_bytes()
    (root / BROKEN).write_bytes(whole[: len(whole) // 3])
    (root / "trip1/notes.txt").write_text("not an image, not an input")
    return root
