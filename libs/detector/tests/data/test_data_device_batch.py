"""uint8 crops normalised on the device give the float pipeline's values (bit for bit on the CPU)."""

from __future__ import annotations

import random

import pytest
import torch
from photo_fixtures import photo_like

from mirage_detector.data.device_batch import to_device_pixels
from mirage_detector.data.transforms import CLIP_MEAN, CLIP_STD, build_transform

CPU = torch.device("cpu")
AUGMENT = {
    "blur": {"p": 0.5, "sigma": [0.0, 3.0]},
    "jpeg": {"p": 0.3, "quality": [60, 95]},
    "flip": {"p": 0.5},
}


@pytest.mark.parametrize(
    ("preprocess", "train"),
    [
        ({"policy": "random_crop", "size": 224}, True),
        ({"policy": "center_crop", "size": 224}, False),
        ({"policy": "clip_resize", "size": 224}, False),
        ({"policy": "tile", "size": 224}, False),
    ],
)
def test_uint8_then_device_normalise_is_the_float_transform(preprocess: dict, train: bool) -> None:
    as_float = build_transform(preprocess, AUGMENT, train=train)
    as_uint8 = build_transform(preprocess, AUGMENT, train=train, as_uint8=True)
    image = photo_like(500, 375, seed=1)
    for seed in range(4):
        reference = as_float(image, random.Random(seed))
        crop = as_uint8(image, random.Random(seed))
        assert crop.dtype == torch.uint8 and crop.shape == reference.shape
        batch = crop if crop.dim() == 4 else crop.unsqueeze(0)
        normalised = to_device_pixels(batch, CPU, CLIP_MEAN, CLIP_STD)
        assert normalised.dtype == torch.float32
        assert torch.equal(normalised.reshape(reference.shape), reference)


def test_float_pixels_pass_through_and_a_compute_dtype_is_applied_last() -> None:
    pixels = torch.randn(2, 3, 8, 8)
    assert to_device_pixels(pixels, CPU, CLIP_MEAN, CLIP_STD) is pixels
    crop = torch.randint(0, 256, (2, 3, 8, 8), dtype=torch.uint8)
    fp32 = to_device_pixels(crop, CPU, CLIP_MEAN, CLIP_STD)
    bf16 = to_device_pixels(crop, CPU, CLIP_MEAN, CLIP_STD, dtype=torch.bfloat16)
    assert bf16.dtype == torch.bfloat16 and torch.equal(bf16, fp32.to(torch.bfloat16))


def test_a_uint8_batch_is_a_quarter_of_the_float_bytes() -> None:
    image = photo_like(500, 375, seed=2)
    as_float = build_transform({"policy": "clip_resize", "size": 224}, None, train=False)
    as_uint8 = build_transform({"policy": "clip_resize", "size": 224}, None, train=False, as_uint8=True)
    rng = random.Random(0)
    assert as_float(image, rng).nbytes == 4 * as_uint8(image, rng).nbytes == 4 * 3 * 224 * 224
