"""A corpus of odd and hostile files, generated (nothing binary is committed).

Each case: name -> (bytes, expected), expected is (height, width) for files that must decode
or the start of the ImageError message for files that must be refused.
Run `python tests/hostile_corpus.py` to print the input -> outcome table.
"""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
from PIL import Image

H, W = 48, 64
NOT_AN_IMAGE = "This file is not a readable image"


def _photo() -> np.ndarray:
    """A small smooth RGB test image (gradients, so resampling errors would show)."""
    y, x = np.mgrid[0:H, 0:W]
    return np.stack([x * 4, y * 5, (x + y) * 2], axis=2).astype(np.uint8)


def _save(image: Image.Image, fmt: str, **args) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **args)
    return buffer.getvalue()


def _png_header_only(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width x height (a pixel bomb's signature)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def _exif_rotated_jpeg() -> bytes:
    """A 48x64 photo stored with EXIF orientation 6 (rotate 90 deg clockwise to view)."""
    image = Image.fromarray(_photo())
    exif = Image.Exif()
    exif[0x0112] = 6
    return _save(image, "JPEG", quality=95, exif=exif.tobytes())


def cases() -> dict[str, tuple[bytes, object]]:
    rgb = Image.fromarray(_photo())
    grey16 = Image.fromarray(np.arange(H * W, dtype=np.uint16).reshape(H, W) * 20)
    rgba = rgb.copy()
    rgba.putalpha(Image.fromarray(np.full((H, W), 128, np.uint8)))
    jpeg = _save(rgb, "JPEG", quality=90)
    noise = Image.fromarray(np.random.default_rng(1).integers(0, 256, (H, W, 3), dtype=np.uint8))
    big_jpeg, big_png = _save(noise, "JPEG", quality=95), _save(noise, "PNG")
    return {
        "JPEG": (jpeg, (H, W)),
        "JPEG, EXIF orientation 6": (_exif_rotated_jpeg(), (W, H)),
        "JPEG, CMYK": (_save(rgb.convert("CMYK"), "JPEG"), (H, W)),
        "JPEG, greyscale": (_save(rgb.convert("L"), "JPEG"), (H, W)),
        "PNG, 8-bit RGB": (_save(rgb, "PNG"), (H, W)),
        "PNG, 16-bit grey": (_save(grey16, "PNG"), (H, W)),
        "PNG, 8-bit grey": (_save(rgb.convert("L"), "PNG"), (H, W)),
        "PNG, palette": (_save(rgb.convert("P"), "PNG"), (H, W)),
        "PNG, palette + transparency": (_save(rgb.convert("P"), "PNG", transparency=0), (H, W)),
        "PNG, RGBA": (_save(rgba, "PNG"), (H, W)),
        "PNG, 1-bit": (_save(rgb.convert("1"), "PNG"), (H, W)),
        "WebP": (_save(rgb, "WEBP", quality=90), (H, W)),
        "WebP, RGBA": (_save(rgba, "WEBP", lossless=True), (H, W)),
        "BMP": (_save(rgb, "BMP"), (H, W)),
        "TIFF": (_save(rgb, "TIFF"), (H, W)),
        "TIFF, 16-bit grey": (_save(grey16, "TIFF"), (H, W)),
        "TIFF, float32 grey": (_save(Image.fromarray(
            np.linspace(0, 1, H * W, dtype=np.float32).reshape(H, W)), "TIFF"), (H, W)),
        "GIF, animated (first frame)": (
            _save(rgb.convert("P", palette=Image.ADAPTIVE), "GIF", save_all=True,
                  append_images=[Image.new("RGB", (W, H), "white")]), (H, W)),
        "1x1 PNG": (_save(Image.new("RGB", (1, 1), (9, 9, 9)), "PNG"), (1, 1)),
        "4000x6 sliver PNG": (_save(Image.new("RGB", (4000, 6), (200, 10, 10)), "PNG"), (6, 4000)),
        "empty file": (b"", "The file is empty"),
        "plain text": (b"hello, this is not a photo\n" * 10, NOT_AN_IMAGE),
        "SVG": (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                b'<rect width="10" height="10"/></svg>',
                NOT_AN_IMAGE),
        "PDF": (b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
                NOT_AN_IMAGE),
        "HEIC (no decoder)": (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + bytes(200), NOT_AN_IMAGE),
        "EPS (a Pillow format we refuse)": (b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n",
                                           NOT_AN_IMAGE),
        "ICO (a Pillow format we refuse)": (_save(rgb, "ICO"), NOT_AN_IMAGE),
        "random bytes": (np.random.default_rng(0).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
                         NOT_AN_IMAGE),
        "truncated JPEG": (big_jpeg[: len(big_jpeg) // 2],
                           "The image data is damaged or truncated"),
        "truncated PNG": (big_png[: len(big_png) // 2], "The image data is damaged or truncated"),
        "JPEG header only": (jpeg[:20], NOT_AN_IMAGE),
        "pixel bomb PNG 60000x60000": (_png_header_only(60000, 60000),
                                       "The image claims far more pixels"),
        "PNG 10000x9000 (90 MP, over the 80 MP limit)": (_png_header_only(10000, 9000),
                                                         "The image is 10000x9000"),
        "PNG 40000x10 (side too long)": (_png_header_only(40000, 10), "The image is 40000x10"),
        "PNG 0x0 header": (_png_header_only(0, 0), NOT_AN_IMAGE),
    }


if __name__ == "__main__":
    import depthviz

    print("| input | bytes | outcome |\n|---|---|---|")
    for name, (data, _expected) in cases().items():
        try:
            height, width = depthviz.load_image(data).shape[:2]
            outcome = f"decoded {width}x{height} RGB"
        except depthviz.ImageError as exc:
            outcome = f"ImageError: {exc}"
        print(f"| {name} | {len(data)} | {outcome} |")
