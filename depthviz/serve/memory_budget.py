"""A memory budget across the requests worked on at once. The pixel limit alone lets a 10 KB
palette PNG declaring 80 megapixels cost over a gigabyte while it is decoded, predicted,
coloured and encoded; so each request's peak is estimated from the image header before any pixel
is decoded, a request whose estimate can never fit is refused (413), and requests start only
while their estimates together fit the budget (the rest wait their turn).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import HTTPException

from depthviz.errors import ImageError
from depthviz.io.images import jpeg_reduction, open_image
from depthviz.models.depth_model import DECODE_MARGIN

#: Bytes per photo pixel on the way from the network's output to the response: the float32
#: depth at the photo's size and its normalised copy, the colour indices and the encoder's
#: buffers (11 to 17 measured with FastDepth for heatmap, npy and depth16, the decode included).
BYTES_PER_PIXEL = 17
#: Bytes per decoded pixel: the RGB array and the decoder's own buffers. A large JPEG is
#: decoded at 1/2 to 1/8 of its size (DepthModel.predict_photo), so it costs far fewer.
BYTES_PER_DECODED_PIXEL = 6
#: Bytes per pixel of the network's input (its float32 tensor and activations), a generous
#: bound for the models served.
BYTES_PER_INPUT_PIXEL = 256


def pixel_counts(photo: bytes, input_side: int) -> tuple[int, int]:
    """The photo's pixels and the pixels decoded for a network of `input_side`, from the
    header (nothing decoded); (0, 0) if the header is unreadable, which the worker then
    reports as the library does."""
    try:
        with open_image(photo) as image:
            width, height = image.size
            reduction = (jpeg_reduction(width, height, DECODE_MARGIN * input_side)
                         if image.format == "JPEG" else 1)
    except ImageError:
        return 0, 0
    return width * height, (width // reduction) * (height // reduction)


def estimated_bytes(photo: bytes, input_side: int, max_pixels: int) -> int:
    """The peak memory one request's pipeline needs, from the header and the network size.
    Pixels over the pixel limit count for nothing: the worker refuses them from the header,
    with the pixel limit's own message."""
    pixels, decoded = pixel_counts(photo, input_side)
    if pixels > max_pixels:
        pixels = decoded = 0
    return (len(photo) + pixels * BYTES_PER_PIXEL + decoded * BYTES_PER_DECODED_PIXEL
            + input_side * input_side * BYTES_PER_INPUT_PIXEL)


class MemoryBudget:
    """Admits work while the estimates of the requests running together fit `total` bytes."""

    def __init__(self, total: int):
        self.total = total
        self.reserved = 0
        self._changed = anyio.Condition()

    @asynccontextmanager
    async def reserve(self, needed: int) -> AsyncIterator[None]:
        """Wait until `needed` bytes fit beside the running requests, hold them meanwhile; a
        request that could never fit is a 413."""
        if needed > self.total:
            raise HTTPException(413, f"This photo needs about {needed / 2**20:.0f} MB to process; "
                                     f"the server's budget is {self.total / 2**20:.0f} MB. Send "
                                     "fewer pixels (a smaller photo).")
        async with self._changed:
            while self.reserved + needed > self.total:
                await self._changed.wait()
            self.reserved += needed
        try:
            yield
        finally:
            async with self._changed:
                self.reserved -= needed
                self._changed.notify_all()
