"""SYNTHETIC generator families: each turns the shared scene content into a fake with its own fingerprint.

None of these imitates a real generator's output; each only carries one kind of synthesis trace that
forensic detectors are known to pick up (periodic upsampling artefacts, over-smooth re-sharpened
texture decoded with a milder upsampling grid, colour banding, double JPEG compression), so a detector
trained on one can be tested on the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image

from synthetic_bench.camera import camera_capture
from synthetic_bench.content import render_scene
from synthetic_bench.encoding import jpeg_roundtrip, to_uint8
from synthetic_bench.filters import box_downsample, gaussian_blur

SYNTHETIC_PREFIX = "synthetic-"
"""Every family name starts with this, so no manifest can pass these images off as a real generator's."""

FakeMaker = Callable[[np.random.Generator, int], np.ndarray]
"""(rng, size) -> a float (size, size, 3) fake image in [0, 255], before the final JPEG save."""


@dataclass(frozen=True)
class Family:
    """One synthetic generator family: its manifest generator name, a one-line summary and its fake maker."""

    name: str
    summary: str
    make_fake: FakeMaker
    min_size: int = 8


_FAMILIES: dict[str, Family] = {}


def register_family(family: Family) -> Family:
    """Add a family under its name; names must carry the synthetic- prefix and be unique."""
    if not family.name.startswith(SYNTHETIC_PREFIX):
        raise ValueError(f"family name {family.name!r} must start with {SYNTHETIC_PREFIX!r}")
    if family.name in _FAMILIES:
        raise ValueError(f"family {family.name!r} is already registered")
    _FAMILIES[family.name] = family
    return family


def create_family(name: str) -> Family:
    """The registered family called `name` (the synthetic- prefix may be left out)."""
    key = name if name.startswith(SYNTHETIC_PREFIX) else SYNTHETIC_PREFIX + name
    if key not in _FAMILIES:
        raise KeyError(f"unknown family {name!r}; known: {', '.join(list_families())}")
    return _FAMILIES[key]


def list_families() -> list[str]:
    """Names of every registered family, in registration order."""
    return list(_FAMILIES)


def _checkerboard_upsample_2x(rng: np.random.Generator, low: np.ndarray, min_odd_gain: float) -> np.ndarray:
    """2x upsampling as a stride-2 transposed convolution with uneven 3-tap overlap (Odena et al. 2016).

    Zeros are inserted between samples and a kernel [a, 1, b] with a + b = g < 1 fills them, so odd
    rows/columns get gain g and even ones gain 1: a periodic grid at the Nyquist frequency (the
    checkerboard artefact of learnt decoders), with g drawn from [min_odd_gain, 0.95).
    """
    odd_gain = rng.uniform(min_odd_gain, 0.95)
    left = odd_gain * rng.uniform(0.3, 0.7)
    spread = _transposed_conv_2x(_transposed_conv_2x(low, left, odd_gain - left, 0), left, odd_gain - left, 1)
    # Keep the mean brightness of the content: the grid, not a global shift, is the fingerprint.
    return spread * (2.0 / (1.0 + odd_gain)) ** 2


def _transposed_conv_2x(low: np.ndarray, left: float, right: float, axis: int) -> np.ndarray:
    """Double `axis`: even samples copy x, odd ones are left * x[i] + right * x[i + 1] (edge-padded)."""
    length = low.shape[axis]
    following = np.take(low, np.minimum(np.arange(1, length + 1), length - 1), axis=axis)
    odd = left * low + right * following
    interleaved = np.stack([low, odd], axis=axis + 1)
    shape = list(low.shape)
    shape[axis] *= 2
    return interleaved.reshape(shape)


UPSAMPLER_MIN_ODD_GAIN = 0.7
"""GAN-like decoders: the odd-phase gain of the checkerboard is drawn from [0.7, 0.95)."""

DECODER_MIN_ODD_GAIN = 0.88
"""Latent-diffusion-like decoders: a milder grid (gain from [0.88, 0.95)), so the trace is shared in part."""


def make_upsampler_fake(rng: np.random.Generator, size: int) -> np.ndarray:
    """Content box-downsampled to half size, then 2x upsampled by a transposed-conv-like kernel."""
    low = box_downsample(render_scene(rng, size), 2)
    return np.clip(_checkerboard_upsample_2x(rng, low, UPSAMPLER_MIN_ODD_GAIN), 0.0, 255.0)


def make_diffusion_fake(rng: np.random.Generator, size: int) -> np.ndarray:
    """A latent-diffusion miniature: smooth, re-sharpened content at half size, then a decoder's 2x upsample.

    The denoised latent is noise-free and smooth; blur then unsharp mask gives it the haloed, over-clean
    texture, and the decoder's transposed convolution adds a milder checkerboard than the upsampler
    family's, so a detector of that grid transfers here in part.
    """
    latent = box_downsample(render_scene(rng, size), 2)
    smooth = gaussian_blur(latent, rng.uniform(0.4, 0.7))
    amount = rng.uniform(0.6, 1.2)
    sharpened = smooth + amount * (smooth - gaussian_blur(smooth, 1.0))
    return np.clip(_checkerboard_upsample_2x(rng, sharpened, DECODER_MIN_ODD_GAIN), 0.0, 255.0)


def make_quantizer_fake(rng: np.random.Generator, size: int) -> np.ndarray:
    """Noise-free content reduced to a palette of 8-24 colours (median cut, no dithering): colour banding."""
    scene = Image.fromarray(to_uint8(render_scene(rng, size)))
    colours = int(rng.integers(8, 25))
    palette = scene.quantize(colors=colours, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    return np.asarray(palette.convert("RGB"), dtype=np.float64)


def make_jpeg_double_fake(rng: np.random.Generator, size: int) -> np.ndarray:
    """A camera image (the real process) that went through an earlier JPEG at quality 55-75.

    The writer's final save at the shared quality makes it doubly compressed; the only trace is in
    the DCT coefficient statistics, the hardest family for detectors tuned to pixel-level artefacts.
    """
    captured = camera_capture(rng, render_scene(rng, size))
    return jpeg_roundtrip(captured, int(rng.integers(55, 76)))


register_family(
    Family(
        "synthetic-upsampler",
        "content halved, then 2x transposed-conv upsampling (checkerboard), no sensor noise",
        make_upsampler_fake,
    )
)
register_family(
    Family(
        "synthetic-diffusion",
        "content halved, blurred and unsharp-masked, then a milder 2x transposed-conv grid, no sensor noise",
        make_diffusion_fake,
    )
)
register_family(
    Family(
        "synthetic-quantizer",
        "content reduced to a palette of 8-24 colours, no sensor noise (colour banding)",
        make_quantizer_fake,
    )
)
register_family(
    Family(
        "synthetic-jpeg-double",
        "the real camera process plus an earlier JPEG at quality 55-75 (double compression)",
        make_jpeg_double_fake,
    )
)
