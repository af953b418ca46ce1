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


def test_transposed_conv_upsampler_leaves_a_nyquist_grid() -> None:
    # Over many draws about half use the transposed-conv path; its grid shows at the Nyquist line.
    family = create_family("upsampler")
    peaks = []
    for seed in range(20):
        gray = family.make_fake(np.random.default_rng(seed), 32).mean(axis=-1)
        spectrum = np.abs(np.fft.fft2(gray - gray.mean()))
        peaks.append(spectrum[16, :].mean() / spectrum[12:16, :].mean())
    assert max(peaks) > 2.0
