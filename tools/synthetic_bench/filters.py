"""Small separable filters on float (H, W[, C]) images, so generation needs only numpy and Pillow."""

from __future__ import annotations

import math

import numpy as np


def gaussian_kernel(sigma: float) -> np.ndarray:
    """A normalised 1-D Gaussian with radius ceil(3 sigma) (at least 1 tap each side)."""
    if sigma <= 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    radius = max(1, math.ceil(3.0 * sigma))
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    weights = np.exp(-0.5 * (offsets / sigma) ** 2)
    return weights / weights.sum()


def convolve_separable(image: np.ndarray, kernel_y: np.ndarray, kernel_x: np.ndarray) -> np.ndarray:
    """Correlate rows with `kernel_y` and columns with `kernel_x`, reflecting at the borders (same size)."""
    out = _correlate_axis(image, kernel_y, axis=0)
    return _correlate_axis(out, kernel_x, axis=1)


def _correlate_axis(image: np.ndarray, kernel: np.ndarray, axis: int) -> np.ndarray:
    before = (len(kernel) - 1) // 2
    after = len(kernel) - 1 - before
    pad = [(0, 0)] * image.ndim
    pad[axis] = (before, after)
    padded = np.pad(image, pad, mode="reflect")
    length = image.shape[axis]
    out = np.zeros_like(image, dtype=np.float64)
    # Summing shifted slices keeps this vectorised; kernels here have at most ~13 taps.
    for tap, weight in enumerate(kernel):
        out += weight * np.take(padded, np.arange(tap, tap + length), axis=axis)
    return out


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Isotropic Gaussian blur of an (H, W) or (H, W, C) float image."""
    kernel = gaussian_kernel(sigma)
    return convolve_separable(image, kernel, kernel)


def box_downsample(image: np.ndarray, factor: int) -> np.ndarray:
    """Average non-overlapping factor x factor blocks (H and W must be multiples of factor)."""
    height, width = image.shape[:2]
    if height % factor or width % factor:
        raise ValueError(f"image {height}x{width} is not a multiple of factor {factor}")
    blocks = image.reshape(height // factor, factor, width // factor, factor, *image.shape[2:])
    return blocks.mean(axis=(1, 3))
