"""The "real" process: scene content through a toy camera (lens blur, signal-dependent sensor noise).

The single final JPEG save that completes a real image is done by the writer, identically for both
classes, so file format and final quality never separate real from fake.
"""

from __future__ import annotations

import numpy as np

from synthetic_bench.content import render_scene
from synthetic_bench.filters import gaussian_blur


def add_sensor_noise(rng: np.random.Generator, pixels: np.ndarray) -> np.ndarray:
    """Read noise plus shot noise whose variance grows with the signal, independently per channel."""
    read_sigma = rng.uniform(1.0, 3.0)
    shot_gain = rng.uniform(0.01, 0.06)
    sigma = np.sqrt(read_sigma**2 + shot_gain * np.clip(pixels, 0.0, 255.0))
    return pixels + sigma * rng.standard_normal(pixels.shape)


def camera_capture(rng: np.random.Generator, scene: np.ndarray) -> np.ndarray:
    """What a cheap camera records of a scene before its JPEG encoder: slight lens blur, then sensor noise."""
    blurred = gaussian_blur(scene, rng.uniform(0.3, 0.6))
    return np.clip(add_sensor_noise(rng, blurred), 0.0, 255.0)


def make_real(rng: np.random.Generator, size: int) -> np.ndarray:
    """One real-class image (float, before the final JPEG save)."""
    return camera_capture(rng, render_scene(rng, size))
