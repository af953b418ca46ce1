"""The training blur on the crop window in float32 against the float64 full-image reference.

Tolerance (stated here and in image_ops.gaussian_blur_box): every pixel within 1 grey level of the
reference, and at most 0.1% of the crop's values differing at all (float32 rounding flips values whose
float64 result lies within ~1e-4 of a .5 boundary). Blurring the window is bit-identical to blurring the
whole image with the same float32 filter and cropping. The pipeline's draws are unchanged.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from photo_fixtures import photo_like
from PIL import Image

from mirage_detector.data.image_ops import (
    center_crop,
    crop_at,
    gaussian_blur,
    gaussian_blur_box,
    jpeg_reencode,
    pad_to_size,
    resize_shorter_side,
    upscale_to_cover,
)
from mirage_detector.data.transforms import ImagePipeline, build_transform

MAX_LEVELS = 1
"""Largest difference to the float64 reference, in grey levels."""
MAX_DIFFERING_SHARE = 1e-3
"""Largest share of crop values that differ from the float64 reference at all."""


def _difference(ours: Image.Image, reference: Image.Image) -> tuple[int, float]:
    delta = np.abs(np.asarray(ours, dtype=int) - np.asarray(reference, dtype=int))
    return int(delta.max()), float((delta > 0).mean())


@pytest.mark.parametrize("size", [(512, 384), (1024, 768)])
@pytest.mark.parametrize("sigma", [0.5, 1.3, 3.0])
def test_window_blur_is_the_reference_within_one_level(size: tuple[int, int], sigma: float) -> None:
    image = photo_like(*size, seed=int(sigma * 10))
    reference = gaussian_blur(image, sigma)
    for box in [(37, 51, 261, 275), (0, 0, 224, 224), (size[0] - 224, size[1] - 224, size[0], size[1])]:
        ours = gaussian_blur_box(image, sigma, box)
        levels, share = _difference(ours, reference.crop(box))
        assert levels <= MAX_LEVELS and share <= MAX_DIFFERING_SHARE, (box, levels, share)


@pytest.mark.parametrize("sigma", [0.5, 3.0])
def test_window_blur_is_bit_identical_to_the_whole_image_in_float32(sigma: float) -> None:
    image = photo_like(300, 220, seed=3)
    whole = gaussian_blur_box(image, sigma, (0, 0, 300, 220))
    for box in [(5, 7, 229, 231), (76, 0, 300, 224), (-20, -30, 204, 194), (150, 100, 374, 324)]:
        assert np.array_equal(np.asarray(gaussian_blur_box(image, sigma, box)), np.asarray(whole.crop(box)))


def test_window_beyond_the_image_is_zero_padding_as_pil_crops() -> None:
    image = photo_like(100, 60, seed=4)
    box = (-62, -82, 162, 142)  # a 224 crop centred on a smaller image: the pad policy's window
    ours = np.asarray(gaussian_blur_box(image, 2.0, box))
    reference = np.asarray(gaussian_blur(image, 2.0).crop(box), dtype=int)
    assert ours[:82].max() == 0 and ours[:, :62].max() == 0 and ours[142:].max() == 0
    assert np.abs(ours.astype(int) - reference).max() <= MAX_LEVELS


def test_image_smaller_than_the_kernel_reflects_as_the_reference() -> None:
    image = photo_like(9, 7, seed=5, quality=None)
    ours = gaussian_blur_box(image, 3.0, (-4, -5, 13, 12))
    levels, _ = _difference(ours, gaussian_blur(image, 3.0).crop((-4, -5, 13, 12)))
    assert levels <= MAX_LEVELS


def previous_pipeline(pipeline: ImagePipeline, image: Image.Image, rng: random.Random) -> Image.Image:
    """The pipeline before the window blur: float64 blur of the whole image, JPEG, crop policy, flip."""
    assert pipeline.blur is not None and pipeline.jpeg is not None
    if rng.random() < pipeline.blur.p:
        image = gaussian_blur(image, rng.uniform(*pipeline.blur.bounds))
    if rng.random() < pipeline.jpeg.p:
        image = jpeg_reencode(image, rng.randint(*map(int, pipeline.jpeg.bounds)))
    size = pipeline.size
    if pipeline.policy == "clip_resize":
        image = center_crop(resize_shorter_side(image, size), size)
    else:
        if pipeline.small_images == "resize_up":
            image = upscale_to_cover(image, size)
        if pipeline.policy == "center_crop":
            image = center_crop(image, size)
        else:
            image = pad_to_size(image, size)
            width, height = image.size
            image = crop_at(image, rng.randint(0, width - size), rng.randint(0, height - size), size)
    if pipeline.flip_p > 0 and rng.random() < pipeline.flip_p:
        image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return image


@pytest.mark.parametrize(
    ("policy", "small_images", "image_size"),
    [
        ("random_crop", "pad", (512, 384)),
        ("random_crop", "pad", (200, 150)),  # smaller than the crop: padded
        ("random_crop", "resize_up", (200, 150)),  # resampled: the whole image is blurred
        ("center_crop", "pad", (512, 384)),
        ("clip_resize", "pad", (512, 384)),
    ],
)
def test_pipeline_keeps_its_draws_and_its_pixels_within_the_tolerance(
    policy: str, small_images: str, image_size: tuple[int, int]
) -> None:
    augment = {
        "blur": {"p": 0.5, "sigma": [0.0, 3.0]},
        "jpeg": {"p": 0.3, "quality": [60, 95]},
        "flip": {"p": 0.5},
    }
    pipeline = build_transform(
        {"policy": policy, "size": 224}, augment, train=True, small_images=small_images, as_uint8=True
    )
    assert isinstance(pipeline, ImagePipeline)
    image = photo_like(*image_size, seed=7)
    worst_levels, worst_share = 0, 0.0
    for seed in range(10):
        ours_rng, previous_rng = random.Random(seed), random.Random(seed)
        ours = pipeline(image, ours_rng)
        previous = previous_pipeline(pipeline, image, previous_rng)
        # same draws, in the same order: the streams are at the same place afterwards
        assert ours_rng.getstate() == previous_rng.getstate()
        assert ours.dtype == torch.uint8 and ours.shape == (3, 224, 224)
        levels, share = _difference(Image.fromarray(ours.permute(1, 2, 0).numpy()), previous)
        worst_levels, worst_share = max(worst_levels, levels), max(worst_share, share)
    assert worst_levels <= MAX_LEVELS and worst_share <= MAX_DIFFERING_SHARE
