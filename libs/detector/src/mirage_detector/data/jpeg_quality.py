"""Estimate the IJG quality setting a JPEG was saved with, from its quantisation tables.

Estimator: libjpeg (IJG) derives its tables from the ITU-T T.81 Annex K example tables, scaled by
`s = 5000 / q` for q < 50 and `s = 200 - 2q` otherwise, entry = clamp((base * s + 50) // 100, 1, 255).
We rebuild the tables for every q in 1..100 and return the q whose luminance (and, when present,
chrominance) tables are nearest in summed absolute difference. For files written by libjpeg, Pillow,
OpenCV or anything else using IJG scaling this recovers q exactly; for encoders with their own tables
(Photoshop, some cameras) it is the nearest IJG equivalent, an estimate only. Exact ties (identical
tables) resolve to the highest q.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache, lru_cache

import numpy as np

# ITU-T T.81 Annex K.1 tables in natural (row-major) order, the order Pillow reports them in.
LUMINANCE_BASE = np.array(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ],
    dtype=np.int64,
).ravel()
"""ITU-T T.81 K.1 luminance table, the base IJG scales by quality."""

CHROMINANCE_BASE = np.array(
    [
        [17, 18, 24, 47, 99, 99, 99, 99],
        [18, 21, 26, 66, 99, 99, 99, 99],
        [24, 26, 56, 99, 99, 99, 99, 99],
        [47, 66, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
        [99, 99, 99, 99, 99, 99, 99, 99],
    ],
    dtype=np.int64,
).ravel()
"""ITU-T T.81 K.2 chrominance table."""


def ijg_scaled_table(base: np.ndarray, quality: int) -> np.ndarray:
    """The quantisation table libjpeg's `jpeg_set_quality(quality, force_baseline=TRUE)` writes."""
    scale = 5000 // quality if quality < 50 else 200 - 2 * quality
    return np.clip((base * scale + 50) // 100, 1, 255)


@cache
def _all_tables() -> tuple[np.ndarray, np.ndarray]:
    qualities = range(1, 101)
    luminance = np.stack([ijg_scaled_table(LUMINANCE_BASE, q) for q in qualities])
    chrominance = np.stack([ijg_scaled_table(CHROMINANCE_BASE, q) for q in qualities])
    return luminance, chrominance


def estimate_jpeg_quality(quantization: Mapping[int, Sequence[int]] | None) -> int | None:
    """Nearest IJG quality (1..100) for Pillow's `image.quantization`; None without a 64-entry table 0."""
    if not quantization or 0 not in quantization or len(quantization[0]) != 64:
        return None
    chrominance = quantization.get(1)
    if chrominance is not None and len(chrominance) != 64:
        chrominance = None
    return _nearest_quality(tuple(quantization[0]), tuple(chrominance) if chrominance is not None else None)


@lru_cache(maxsize=1024)
def _nearest_quality(luminance: tuple[int, ...], chrominance: tuple[int, ...] | None) -> int:
    # Cached: a dataset usually repeats a handful of table pairs thousands of times.
    luminance_tables, chrominance_tables = _all_tables()
    error = np.abs(luminance_tables - np.asarray(luminance, dtype=np.int64)).sum(axis=1)
    if chrominance is not None:
        error = error + np.abs(chrominance_tables - np.asarray(chrominance, dtype=np.int64)).sum(axis=1)
    best = np.flatnonzero(error == error.min())
    return int(best[-1]) + 1
