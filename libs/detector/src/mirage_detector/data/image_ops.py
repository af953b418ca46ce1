"""Deterministic image operations shared by training augmentation and robustness perturbations.

One implementation per operation, so an augmentation and the perturbation of the same name are the same
transform; the one exception is the blur: the perturbation keeps the float64 full-image `gaussian_blur`
(stored robustness results stay bit-identical), and training augmentation uses `gaussian_blur_box`, the
same filter in float32 on the crop window only (within one grey level of it), wherever the crop is a
window of the image and no JPEG re-encode follows (transforms.ImagePipeline).
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


Box = tuple[int, int, int, int]
"""(left, top, right, bottom) in pixels, right and bottom exclusive, as PIL's crop box."""


def gaussian_blur_box(image: Image.Image, sigma: float, box: Box) -> Image.Image:
    """The `box` window of the blurred image, as gaussian_blur then crop(box) gives it, in float32.

    Only the window plus the kernel radius (int(4 * sigma + 0.5), the whole support, so no pixel inside
    the window differs from blurring the full image) is filtered, in float32 instead of float64: at 512 px
    and a 224 crop that is ~5x fewer pixels and half the bytes. Edges reflect as gaussian_blur's
    (symmetric, at the image's own borders); the part of `box` outside the image is zero, as PIL's crop
    fills it. Against gaussian_blur the rounded result differs by at most one grey level, on pixels whose
    float64 value is within float32 error of a .5 boundary (tests/data/test_data_blur_box.py measures it).
    Blurring a box is bit-identical to blurring the whole image with this function and cropping.
    """
    if sigma < 0 or not math.isfinite(sigma):
        raise ValueError(f"blur sigma must be finite and >= 0, got {sigma}")
    rgb = image.convert("RGB")
    if sigma == 0:
        return rgb.crop(box)
    left, top, right, bottom = box
    width, height = rgb.size
    inner = (max(left, 0), max(top, 0), min(right, width), min(bottom, height))
    if inner[0] >= inner[2] or inner[1] >= inner[3]:
        return rgb.crop(box)  # the window misses the image: all zeros
    kernel = gaussian_kernel(sigma).astype(np.float32)
    radius = len(kernel) // 2
    # rows and columns the filter reads: the window plus the radius, inside the image
    read = (
        max(inner[0] - radius, 0),
        max(inner[1] - radius, 0),
        min(inner[2] + radius, width),
        min(inner[3] + radius, height),
    )
    pixels = np.asarray(rgb.crop(read), dtype=np.float32)
    pixels = _convolve_window(pixels, kernel, 0, inner[1] - read[1], inner[3] - read[1])
    pixels = _convolve_window(pixels, kernel, 1, inner[0] - read[0], inner[2] - read[0])
    blurred = Image.fromarray(np.clip(np.rint(pixels), 0, 255).astype(np.uint8), mode="RGB")
    if inner == (left, top, right, bottom):
        return blurred
    return blurred.crop((left - inner[0], top - inner[1], right - inner[0], bottom - inner[1]))


def _convolve_window(pixels: np.ndarray, kernel: np.ndarray, axis: int, start: int, stop: int) -> np.ndarray:
    """Filter `pixels` along `axis`, keeping positions [start, stop) of it.

    Where fewer than the kernel radius of pixels lie beyond [start, stop), the read window ends at the
    image's border (gaussian_blur_box reads up to the radius when the image has it), so reflecting the
    window there is reflecting the image: values match filtering the whole axis.
    """
    radius = len(kernel) // 2
    size = pixels.shape[axis]
    before = max(radius - start, 0)
    after = max(stop + radius - size, 0)
    if before or after:
        pad = [(0, 0)] * pixels.ndim
        pad[axis] = (before, after)
        pixels = np.pad(pixels, pad, mode="symmetric")
    first = start + before - radius  # index in the (padded) window of the first tap of position `start`
    count = stop - start
    out = np.zeros(
        tuple(count if dim == axis else extent for dim, extent in enumerate(pixels.shape)), np.float32
    )
    for offset, weight in enumerate(kernel):
        index = [slice(None)] * pixels.ndim
        index[axis] = slice(first + offset, first + offset + count)
        out += weight * pixels[tuple(index)]
    return out


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
