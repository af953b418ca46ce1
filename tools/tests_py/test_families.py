from __future__ import annotations

import numpy as np
import pytest

from synthetic_bench import SYNTHETIC_PREFIX, Family, create_family, list_families, register_family
from synthetic_bench.camera import make_real


@pytest.mark.parametrize("name", list_families())
def test_fake_maker_gives_a_deterministic_image_of_the_asked_size(name: str) -> None:
    family = create_family(name)
    first = family.make_fake(np.random.default_rng(3), 32)
    again = family.make_fake(np.random.default_rng(3), 32)
    assert first.shape == (32, 32, 3)
    assert first.min() >= 0.0 and first.max() <= 255.0
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, family.make_fake(np.random.default_rng(4), 32))


def test_names_carry_the_synthetic_prefix_and_short_names_resolve() -> None:
    assert list_families() == [
        "synthetic-upsampler",
        "synthetic-diffusion",
        "synthetic-quantizer",
        "synthetic-jpeg-double",
    ]
    assert create_family("upsampler") is create_family("synthetic-upsampler")
    with pytest.raises(KeyError, match="unknown family 'sdv14'"):
        create_family("sdv14")
    with pytest.raises(ValueError, match=f"must start with {SYNTHETIC_PREFIX!r}"):
        register_family(Family("sdv14", "pretends to be real", make_real))
    with pytest.raises(ValueError, match="already registered"):
        register_family(create_family("upsampler"))


def _nyquist_peak(pixels: np.ndarray) -> float:
    """Mean spectral magnitude on the Nyquist row over the band just inside it (1 for no grid)."""
    gray = pixels.mean(axis=-1)
    spectrum = np.abs(np.fft.fft2(gray - gray.mean()))
    return float(spectrum[16, :].mean() / spectrum[12:16, :].mean())


def _median_peak(make: object) -> float:
    assert callable(make)
    return float(np.median([_nyquist_peak(make(np.random.default_rng(seed), 32)) for seed in range(40)]))


def test_transposed_conv_upsampler_leaves_a_nyquist_grid_in_every_image() -> None:
    upsampler = create_family("upsampler")
    peaks = [_nyquist_peak(upsampler.make_fake(np.random.default_rng(seed), 32)) for seed in range(20)]
    assert min(peaks) > 1.5


def test_diffusion_decoder_shares_a_milder_grid_and_the_other_families_none() -> None:
    # The demo's spread rests on this order: upsampler grid > diffusion decoder grid > no grid at all.
    real = _median_peak(make_real)
    upsampler = _median_peak(create_family("upsampler").make_fake)
    diffusion = _median_peak(create_family("diffusion").make_fake)
    assert upsampler > diffusion > 1.5 * real
    for name in ("quantizer", "jpeg-double"):
        assert _median_peak(create_family(name).make_fake) < 1.5 * real
