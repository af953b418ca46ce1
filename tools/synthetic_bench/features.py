"""Handcrafted forensic features: the non-CLIP probe that checks the benchmark has a real cross-family gap."""

from __future__ import annotations

import numpy as np

FEATURE_NAMES: tuple[str, ...] = (
    "hf_energy",
    "noise_level",
    "nyquist_ratio",
    "parity_diff",
    "level_occupancy",
    "block_boundary",
)
"""Columns of `image_features`, in order."""

_EPS = 1e-6


def _luma(pixels: np.ndarray) -> np.ndarray:
    rgb = pixels.astype(np.float64)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def _laplacian(gray: np.ndarray) -> np.ndarray:
    padded = np.pad(gray, 1, mode="reflect")
    neighbours = padded[:-2, 1:-1] + padded[2:, 1:-1] + padded[1:-1, :-2] + padded[1:-1, 2:]
    return 4.0 * gray - neighbours


def _nyquist_ratio(gray: np.ndarray) -> float:
    """Spectral magnitude on the Nyquist row/column over the high band just inside it (2x grid artefacts)."""
    size_y, size_x = gray.shape
    magnitude = np.abs(np.fft.fft2(gray - gray.mean()))
    nyquist = np.concatenate([magnitude[size_y // 2, :], magnitude[:, size_x // 2]]).mean()
    freq_y = np.abs(np.fft.fftfreq(size_y))[:, None]
    freq_x = np.abs(np.fft.fftfreq(size_x))[None, :]
    band = (np.maximum(freq_y, freq_x) >= 0.25) & (np.maximum(freq_y, freq_x) < 0.5)
    return float(np.log((nyquist + _EPS) / (magnitude[band].mean() + _EPS)))


def _parity_diff(gray: np.ndarray) -> float:
    """Log ratio of neighbour differences inside 2-pixel cells vs across them (nearest upsampling)."""
    ratios = []
    for diffs in (np.abs(np.diff(gray, axis=1)), np.abs(np.diff(gray, axis=0)).T):
        inside, across = diffs[:, 0::2].mean(), diffs[:, 1::2].mean()
        ratios.append(np.log((inside + _EPS) / (across + _EPS)))
    return float(np.mean(ratios))


def _level_occupancy(pixels: np.ndarray) -> float:
    """Share of the 8-bit levels within each channel's range that occur at all (banding leaves gaps)."""
    shares = []
    for channel in range(pixels.shape[-1]):
        values = pixels[..., channel]
        span = int(values.max()) - int(values.min()) + 1
        shares.append(len(np.unique(values)) / span)
    return float(np.mean(shares))


def _block_boundary(gray: np.ndarray) -> float:
    """Log ratio of differences across 8x8 JPEG block edges vs inside blocks (compression history)."""
    ratios = []
    for diffs in (np.abs(np.diff(gray, axis=1)), np.abs(np.diff(gray, axis=0)).T):
        columns = np.arange(diffs.shape[1])
        at_edge = (columns % 8) == 7
        if not at_edge.any():
            return 0.0
        ratios.append(np.log((diffs[:, at_edge].mean() + _EPS) / (diffs[:, ~at_edge].mean() + _EPS)))
    return float(np.mean(ratios))


def image_features(pixels: np.ndarray) -> np.ndarray:
    """The FEATURE_NAMES vector of one (H, W, 3) uint8 image."""
    gray = _luma(pixels)
    residual = _laplacian(gray)
    return np.array(
        [
            np.log(np.mean(residual**2) + _EPS),
            np.log(np.median(np.abs(residual)) + _EPS),
            _nyquist_ratio(gray),
            _parity_diff(gray),
            _level_occupancy(pixels),
            _block_boundary(gray),
        ]
    )
