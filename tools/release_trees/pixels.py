"""Seeded image content and pinned encoders: each file's bytes depend only on its path in the tree.

Reals are smooth colour fields with a little sensor-like noise saved as JPEG (ImageNet-like sizes and
qualities); fakes are upsampled low-resolution noise with a faint periodic pattern saved as PNG. They
differ a bit, which is all the layout tests need; they are not meant to look like any generator.
"""

from __future__ import annotations

import io
import zlib

import numpy as np
from PIL import Image

PNG_COMPRESS_LEVEL = 1
"""Fast and deterministic: the trees hold a few 1024x1024 PNGs and must build in seconds."""


def rng_for(tree: str, relative_path: str) -> np.random.Generator:
    """The generator of one file: a function of (tree, path) only, not of build order."""
    return np.random.default_rng([zlib.crc32(tree.encode()), zlib.crc32(relative_path.encode())])


def real_pixels(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A smooth colour ramp plus mild noise, (height, width, 3) uint8."""
    base = rng.uniform(40, 200, size=3)
    slope = rng.uniform(-60, 60, size=(2, 3))
    ys = np.linspace(0.0, 1.0, height)[:, None, None]
    xs = np.linspace(0.0, 1.0, width)[None, :, None]
    field = base + ys * slope[0] + xs * slope[1] + rng.normal(0.0, 4.0, size=(height, width, 3))
    return np.clip(np.rint(field), 0, 255).astype(np.uint8)


def fake_pixels(rng: np.random.Generator, size: int) -> np.ndarray:
    """Nearest-upsampled 16x16 noise with a faint 8-pixel grid, (size, size, 3) uint8."""
    return fake_pixels_sized(rng, size, size)


def fake_pixels_sized(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """fake_pixels at any aspect ratio, (height, width, 3) uint8; square sizes give fake_pixels' bytes."""
    coarse = rng.integers(30, 225, size=(16, 16, 3)).astype(np.float64)
    field = np.repeat(np.repeat(coarse, -(-height // 16), axis=0), -(-width // 16), axis=1)
    field = field[:height, :width]
    grid = 6.0 * np.cos(np.arange(max(width, height)) * (np.pi / 4.0))
    field = field + grid[:height, None, None] + grid[None, :width, None]
    return np.clip(np.rint(field), 0, 255).astype(np.uint8)


def photo_pixels(rng: np.random.Generator, width: int, height: int) -> np.ndarray:
    """A smooth colour ramp plus noise in 8x8 blocks, (height, width, 3) uint8: a web-sized photo stand-in
    that stays a few tens of KB as JPEG (per-pixel noise makes a 1200x900 JPEG ~150 KB and ~0.25 s)."""
    base = rng.uniform(40, 200, size=3)
    slope = rng.uniform(-60, 60, size=(2, 3))
    ys = np.linspace(0.0, 1.0, height)[:, None, None]
    xs = np.linspace(0.0, 1.0, width)[None, :, None]
    coarse = rng.normal(0.0, 4.0, size=(-(-height // 8), -(-width // 8), 3))
    noise = np.repeat(np.repeat(coarse, 8, axis=0), 8, axis=1)[:height, :width]
    return np.clip(np.rint(base + ys * slope[0] + xs * slope[1] + noise), 0, 255).astype(np.uint8)


def encode_jpeg(pixels: np.ndarray, quality: int) -> bytes:
    """Baseline JPEG, 4:2:0 as ImageNet's files mostly are, no metadata."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="JPEG", quality=quality, optimize=False, progressive=False)
    return buffer.getvalue()


def encode_png(pixels: np.ndarray) -> bytes:
    """PNG at a pinned compression level, no metadata."""
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return buffer.getvalue()


def real_jpeg(tree: str, relative_path: str, min_side: int = 180, max_side: int = 500) -> bytes:
    """A real-looking JPEG of a random ImageNet-like size (some sides under 224) and quality 75-96."""
    rng = rng_for(tree, relative_path)
    width, height = (int(side) for side in rng.integers(min_side, max_side + 1, size=2))
    return encode_jpeg(real_pixels(rng, width, height), int(rng.integers(75, 97)))


def real_png(tree: str, relative_path: str, size: int) -> bytes:
    """A real-looking PNG of size x size (LSUN reals in ForenSynths, some LAION reals)."""
    return encode_png(real_pixels(rng_for(tree, relative_path), size, size))


def fake_png(tree: str, relative_path: str, size: int) -> bytes:
    """A fake-looking PNG at a generator's native size."""
    return encode_png(fake_pixels(rng_for(tree, relative_path), size))


def photo_jpeg(tree: str, relative_path: str, width: int, height: int) -> bytes:
    """A web-photo-like JPEG of width x height at quality 75-96 (Chameleon's and COCO's reals)."""
    rng = rng_for(tree, relative_path)
    quality = int(rng.integers(75, 97))
    return encode_jpeg(photo_pixels(rng, width, height), quality)


def fake_image(tree: str, relative_path: str, width: int, height: int, image_format: str) -> bytes:
    """A fake-looking image of width x height as "PNG" or "JPEG" (quality 90-98, as shared fakes are)."""
    rng = rng_for(tree, relative_path)
    pixels = fake_pixels_sized(rng, width, height)
    if image_format == "PNG":
        return encode_png(pixels)
    return encode_jpeg(pixels, int(rng.integers(90, 99)))
