"""JPEG encoding with every encoder parameter pinned, so equal pixels give equal bytes."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

JPEG_SAVE_OPTIONS: dict[str, object] = {
    "format": "JPEG",
    "subsampling": 0,
    "optimize": False,
    "progressive": False,
}
"""Pillow save options besides quality: 4:4:4 chroma (keeps pixel-level fingerprints in colour too),
fixed Huffman tables, baseline scan order. No EXIF/ICC is written."""


def to_uint8(pixels: np.ndarray) -> np.ndarray:
    """Round a float image to uint8 with clipping (round-half-to-even, the same on every run)."""
    return np.clip(np.rint(pixels), 0, 255).astype(np.uint8)


def encode_jpeg(pixels: np.ndarray, quality: int) -> bytes:
    """Encode an (H, W, 3) uint8 image as baseline JPEG at `quality`."""
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] != 3:
        raise ValueError(f"expected an (H, W, 3) uint8 image, got {pixels.dtype} {pixels.shape}")
    if not 1 <= quality <= 100:
        raise ValueError(f"jpeg quality must be in [1, 100], got {quality}")
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, quality=quality, **JPEG_SAVE_OPTIONS)
    return buffer.getvalue()


def decode_image(data: bytes) -> np.ndarray:
    """Decode image bytes to an (H, W, 3) uint8 RGB array."""
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB"), dtype=np.uint8)


def jpeg_roundtrip(pixels: np.ndarray, quality: int) -> np.ndarray:
    """Compress and decompress once: the pixels an earlier JPEG save leaves behind."""
    return decode_image(encode_jpeg(to_uint8(pixels), quality)).astype(np.float64)
