"""Deterministic image operations shared by training augmentation and robustness perturbations.

One implementation per operation, so an augmentation and the perturbation of the same name are
exactly the same transform.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image

GAUSSIAN_TRUNCATE = 4.0
"""Kernel radius in sigmas, as scipy.ndimage.gaussian_filter (used by CNNDetection's blur) truncates."""


def jpeg_reencode(image: Image.Image, quality: int) -> Image.Image:
    """Save as JPEG at `quality` (Pillow/libjpeg, default 4:2:0 subsampling) and decode again as RGB."""
    if not 1 <= quality <= 100:
        raise ValueError(f"jpeg quality must be in [1, 100], got {quality}")
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=int(quality))
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def gaussian_kernel(sigma: float) -> np.ndarray:
    """Normalised 1-D Gaussian taps of radius int(4 * sigma + 0.5), scipy's default truncation."""
    radius = int(GAUSSIAN_TRUNCATE * sigma + 0.5)
    offsets = np.arange(-radius, radius + 1, dtype=np.float64)
    taps = np.exp(-0.5 * (offsets / sigma) ** 2)
    return taps / taps.sum()


def gaussian_blur(image: Image.Image, sigma: float) -> Image.Image:
    """Separable Gaussian blur with symmetric edge reflection, per channel, rounded back to uint8.

    Matches scipy.ndimage.gaussian_filter(mode="reflect", truncate=4) up to rounding; PIL's own
    GaussianBlur is a box-filter approximation, hence this implementation. sigma <= 0 is a no-op.
    """
    if sigma < 0 or not math.isfinite(sigma):
        raise ValueError(f"blur sigma must be finite and >= 0, got {sigma}")
    rgb = image.convert("RGB")
    if sigma == 0:
        return rgb.copy()
    kernel = gaussian_kernel(sigma)
    pixels = np.asarray(rgb, dtype=np.float64)
    for axis in (0, 1):
        pixels = _convolve_axis(pixels, kernel, axis)
    return Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8), mode="RGB")


def _convolve_axis(pixels: np.ndarray, kernel: np.ndarray, axis: int) -> np.ndarray:
    radius = len(kernel) // 2
    pad = [(0, 0)] * pixels.ndim
    pad[axis] = (radius, radius)
    padded = np.pad(pixels, pad, mode="symmetric")
    length = pixels.shape[axis]
    out = np.zeros_like(pixels)
    for offset, weight in enumerate(kernel):
        out += weight * np.take(padded, np.arange(offset, offset + length), axis=axis)
    return out


def downscale(image: Image.Image, factor: float) -> Image.Image:
    """Resize by `factor` in (0, 1] with Pillow's antialiased bicubic filter (each side at least 1 px)."""
    if not 0 < factor <= 1:
        raise ValueError(f"downscale factor must be in (0, 1], got {factor}")
    width, height = image.size
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    return image.resize(size, Image.Resampling.BICUBIC)


def resize_shorter_side(image: Image.Image, size: int) -> Image.Image:
    """Resize so the shorter side is `size` (bicubic), keeping aspect; long side truncated as torchvision.

    Same rule as torchvision's Resize(int) and CLIP's preprocessing.
    """
    width, height = image.size
    target = (size, int(size * height / width)) if width <= height else (int(size * width / height), size)
    if target == (width, height):
        return image
    return image.resize(target, Image.Resampling.BICUBIC)


def upscale_to_cover(image: Image.Image, size: int) -> Image.Image:
    """Scale the shorter side up to `size` (bicubic, as resize_shorter_side) when it is smaller; else as is.

    The `resize_up` small-image policy: never downscales, so images that already cover the crop are untouched.
    """
    if min(image.size) >= size:
        return image
    return resize_shorter_side(image, size)


def horizontal_flip(image: Image.Image) -> Image.Image:
    """Mirror left to right (exact: a pixel permutation, no resampling)."""
    return image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)


def pad_to_size(image: Image.Image, size: int) -> Image.Image:
    """Zero-pad (black) each side shorter than `size` to `size`, centred as torchvision's CenterCrop pads."""
    width, height = image.size
    if width >= size and height >= size:
        return image
    new_width, new_height = max(width, size), max(height, size)
    canvas = Image.new(image.mode, (new_width, new_height), 0)
    canvas.paste(image, ((new_width - width) // 2, (new_height - height) // 2))
    return canvas


def center_crop(image: Image.Image, size: int) -> Image.Image:
    """Centre `size` x `size` crop, offsets rounded as torchvision; pads with zeros first if smaller."""
    image = pad_to_size(image, size)
    width, height = image.size
    left = round((width - size) / 2.0)
    top = round((height - size) / 2.0)
    return image.crop((left, top, left + size, top + size))


def crop_at(image: Image.Image, left: int, top: int, size: int) -> Image.Image:
    """The `size` x `size` window whose top-left corner is (left, top)."""
    return image.crop((left, top, left + size, top + size))
