"""Helpers for the data tests: small generated images and a corpus of bad ones (no binary fixtures in git)."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image


def noise_image(width: int, height: int, seed: int = 0) -> Image.Image:
    """A random RGB image (noise compresses badly, so truncation really cuts pixel data)."""
    pixels = np.random.default_rng(seed).integers(0, 256, size=(height, width, 3), dtype=np.uint8)
    return Image.fromarray(pixels, mode="RGB")


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    """Bytes of `image` saved as `fmt`."""
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims width x height but holds almost no data (a decompression bomb shape)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class CorpusImage:
    """One file of the bad-image corpus and what loading it must give."""

    path: Path
    expect_rgb: tuple[int, int, int] | None
    """First pixel after loading, or None when loading must raise BadImageError."""
    reason_words: str = ""
    """A word the BadImageError reason must contain."""


PIXEL_LIMIT = 10_000
"""max_pixels used with the corpus: its 120x120 image is over it."""


def make_bad_corpus(tmp_path: Path) -> dict[str, CorpusImage]:
    """Files with the defects real datasets have, generated here (no binary fixtures in the repo)."""
    corpus: dict[str, CorpusImage] = {}

    def add(name: str, data: bytes, expect: tuple[int, int, int] | None, words: str = "") -> None:
        path = tmp_path / name
        path.write_bytes(data)
        corpus[name] = CorpusImage(path, expect, words)

    add("empty.jpg", b"", None, "empty")
    full = encode(noise_image(64, 64), "JPEG", quality=90)
    add("truncated.jpg", full[: len(full) // 2], None, "truncated")
    add("text.jpg", b"this is a text file, not a JPEG\n" * 4, None, "not an image")
    wide = np.full((8, 8), 32768, dtype=np.uint16)
    add("grey16.png", encode(Image.fromarray(wide), "PNG"), (128, 128, 128))
    add("cmyk.jpg", encode(Image.new("CMYK", (16, 16), (0, 0, 0, 0)), "JPEG", quality=95), (255, 255, 255))
    palette = Image.new("P", (8, 8), 1)
    palette.putpalette([0, 0, 0, 200, 10, 20] + [0] * 762)
    add("palette_alpha.png", encode(palette, "PNG", transparency=0), (200, 10, 20))
    frames = [Image.new("RGB", (8, 8), (255, 0, 0)), Image.new("RGB", (8, 8), (0, 0, 255))]
    add(
        "animated.gif",
        encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=50),
        (255, 0, 0),
    )
    add("too_big.png", encode(Image.new("RGB", (120, 120), (9, 9, 9)), "PNG"), None, "limit")
    add("bomb.png", png_header_only(30_000, 30_000), None, "pixels")
    add("ok.png", encode(Image.new("RGB", (8, 8), (1, 2, 3)), "PNG"), (1, 2, 3))
    return corpus
