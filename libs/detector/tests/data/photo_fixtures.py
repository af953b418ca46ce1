"""Photo-like test images: smooth shading, edges, texture and sensor noise, through a JPEG round trip.

Pure noise is the worst case for nothing in particular; real photographs are mostly smooth regions with
some edges, and the blur and cache tests should see that kind of content at realistic sizes.
"""

from __future__ import annotations

import io

import numpy as np
from PIL import Image


def photo_like(width: int, height: int, seed: int = 0, quality: int | None = 90) -> Image.Image:
    """An RGB image of the given size; JPEG-compressed at ``quality`` (None: left uncompressed)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    phase = rng.uniform(0, 2 * np.pi, size=3)
    shading = np.stack(
        [
            128 + 90 * np.sin(x / (width / 3.1) + phase[0]) * np.cos(y / (height / 2.3)),
            120 + 80 * np.cos((x + y) / (width / 2.7) + phase[1]),
            110 + 70 * np.sin(y / (height / 4.2) + phase[2]),
        ],
        axis=-1,
    )
    # a few hard-edged objects
    for _ in range(6):
        cx, cy, radius = rng.uniform(0, width), rng.uniform(0, height), rng.uniform(0.05, 0.2) * width
        inside = (x - cx) ** 2 + (y - cy) ** 2 < radius**2
        shading[inside] = rng.uniform(20, 235, size=3)
    texture = 12 * np.sin(x * 0.9 + y * 0.4)[..., None]
    pixels = shading + texture + rng.normal(0, 6, size=shading.shape)
    image = Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8), mode="RGB")
    if quality is None:
        return image
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")
