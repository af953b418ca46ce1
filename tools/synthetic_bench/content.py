"""Procedural scene content shared by every class: 1/f colour textures under soft-edged random shapes.

The same content process feeds real and fake images alike, so what separates the classes is only
what happens after it (camera noise + one JPEG for real, a synthesis fingerprint for fake).
"""

from __future__ import annotations

import numpy as np

from synthetic_bench.filters import gaussian_blur


def power_law_field(rng: np.random.Generator, size: int, exponent: float) -> np.ndarray:
    """A (size, size) Gaussian field with power spectrum ~ 1/f**exponent, zero mean and unit std.

    Natural images have spectra close to 1/f**2; exponents in [1.6, 2.6] span busy to smooth scenes.
    """
    spectrum = np.fft.fft2(rng.standard_normal((size, size)))
    freq_y = np.fft.fftfreq(size)[:, None]
    freq_x = np.fft.fftfreq(size)[None, :]
    radius = np.sqrt(freq_y**2 + freq_x**2)
    radius[0, 0] = np.inf
    field = np.real(np.fft.ifft2(spectrum * radius ** (-exponent / 2.0)))
    field -= field.mean()
    return field / max(float(field.std()), 1e-12)


def colour_texture(rng: np.random.Generator, size: int) -> np.ndarray:
    """An (size, size, 3) texture: three 1/f fields mixed so the channels correlate like real colour."""
    exponent = rng.uniform(1.6, 2.6)
    fields = np.stack([power_law_field(rng, size, exponent) for _ in range(3)], axis=-1)
    # Mostly-luminance mixing: one shared component dominates, as in photographs.
    mixing = np.full((3, 3), 0.6) + rng.uniform(-0.25, 0.25, size=(3, 3)) + np.eye(3) * 0.3
    base = rng.uniform(60.0, 190.0, size=3)
    contrast = rng.uniform(15.0, 45.0)
    return base + contrast * (fields @ mixing.T) / np.sqrt(3.0)


def _soft_shape_alpha(rng: np.random.Generator, size: int) -> np.ndarray:
    """Coverage in [0, 1] of one ellipse or rotated rectangle with a soft (sigmoid) edge."""
    coords = np.arange(size, dtype=np.float64) + 0.5
    grid_y, grid_x = np.meshgrid(coords, coords, indexing="ij")
    centre = rng.uniform(0.15 * size, 0.85 * size, size=2)
    half_axes = rng.uniform(0.08 * size, 0.35 * size, size=2)
    angle = rng.uniform(0.0, np.pi)
    dy, dx = grid_y - centre[0], grid_x - centre[1]
    along = dx * np.cos(angle) + dy * np.sin(angle)
    across = -dx * np.sin(angle) + dy * np.cos(angle)
    if rng.random() < 0.5:
        normalised = np.sqrt((along / half_axes[1]) ** 2 + (across / half_axes[0]) ** 2)
        distance = (normalised - 1.0) * half_axes.min()
    else:
        distance = np.maximum(np.abs(along) - half_axes[1], np.abs(across) - half_axes[0])
    edge_width = rng.uniform(0.4, 1.5)
    return 1.0 / (1.0 + np.exp(np.clip(distance / edge_width, -50.0, 50.0)))


def render_scene(rng: np.random.Generator, size: int) -> np.ndarray:
    """A float (size, size, 3) scene in [0, 255]: textured background plus one to four textured shapes."""
    scene = colour_texture(rng, size)
    for _ in range(int(rng.integers(1, 5))):
        alpha = _soft_shape_alpha(rng, size)[..., None]
        scene = alpha * colour_texture(rng, size) + (1.0 - alpha) * scene
    # A touch of optical softness so content never has perfectly aliased edges before any process runs.
    scene = gaussian_blur(scene, 0.4)
    return np.clip(scene, 0.0, 255.0)
