from __future__ import annotations

import random

import numpy as np
import pytest
import scipy.ndimage
import torch
from data_fixtures import noise_image
from PIL import Image

from mirage_detector.data.image_ops import gaussian_blur, resize_shorter_side
from mirage_detector.data.transforms import CLIP_MEAN, CLIP_STD, build_transform

AUGMENT = {"jpeg": {"p": 0.5, "quality": [30, 100]}, "blur": {"p": 0.5, "sigma": [0.0, 3.0]}}


def unnormalise(tensor: torch.Tensor) -> np.ndarray:
    mean = torch.tensor(CLIP_MEAN).view(3, 1, 1)
    std = torch.tensor(CLIP_STD).view(3, 1, 1)
    return ((tensor * std + mean) * 255).permute(1, 2, 0).numpy()


@pytest.mark.parametrize("policy", ["clip_resize", "center_crop", "random_crop"])
@pytest.mark.parametrize("size", [(50, 30), (8, 12), (16, 16)])
def test_every_policy_gives_size_square_normalised_tensor(policy: str, size: tuple[int, int]) -> None:
    transform = build_transform({"policy": policy, "size": 16}, AUGMENT, train=True)
    tensor = transform(noise_image(*size), random.Random(0))
    assert tensor.shape == (3, 16, 16)
    assert tensor.dtype == torch.float32
    assert tensor.is_contiguous()


def test_center_crop_pads_with_zero_without_resizing() -> None:
    image = Image.new("RGB", (4, 6), (255, 255, 255))
    tensor = build_transform({"policy": "center_crop", "size": 8}, None, train=False)(image, random.Random(0))
    pixels = unnormalise(tensor)
    assert np.allclose(pixels[1:7, 2:6], 255, atol=1e-3)
    assert np.allclose(pixels[0], 0, atol=1e-3)
    assert np.allclose(pixels[:, :2], 0, atol=1e-3)
    assert np.allclose(pixels[:, 6:], 0, atol=1e-3)


def test_center_crop_of_large_image_is_the_centre() -> None:
    image = noise_image(20, 10, seed=3)
    tensor = build_transform({"policy": "center_crop", "size": 8}, None, train=False)(image, random.Random(0))
    expected = np.asarray(image)[1:9, 6:14].astype(np.float32)
    assert np.allclose(unnormalise(tensor), expected, atol=1e-3)


def test_clip_resize_resizes_shorter_side_then_crops() -> None:
    image = noise_image(40, 20, seed=4)
    assert resize_shorter_side(image, 10).size == (20, 10)
    tensor = build_transform({"policy": "clip_resize", "size": 10}, None, train=False)(
        image, random.Random(0)
    )
    expected = np.asarray(image.resize((20, 10), Image.Resampling.BICUBIC))[:, 5:15].astype(np.float32)
    assert np.allclose(unnormalise(tensor), expected, atol=1e-3)


def test_whole_preprocess_block_and_train_flag() -> None:
    block = {"train": {"policy": "random_crop", "size": 12}, "eval": {"policy": "clip_resize", "size": 10}}
    assert build_transform(block, AUGMENT, train=True).policy == "random_crop"
    evaluation = build_transform(block, AUGMENT, train=False)
    assert (evaluation.policy, evaluation.size, evaluation.jpeg, evaluation.blur) == (
        "clip_resize",
        10,
        None,
        None,
    )


def test_training_randomness_comes_only_from_the_rng() -> None:
    transform = build_transform({"policy": "random_crop", "size": 24}, AUGMENT, train=True)
    image = noise_image(48, 40, seed=1)
    first = transform(image, random.Random(7))
    assert torch.equal(first, transform(image, random.Random(7)))
    assert not all(torch.equal(first, transform(image, random.Random(seed))) for seed in range(8, 12))


def test_eval_is_deterministic_and_never_augments() -> None:
    transform = build_transform({"policy": "clip_resize", "size": 16}, AUGMENT, train=False)
    image = noise_image(30, 30, seed=2)
    assert torch.equal(transform(image, random.Random(1)), transform(image, random.Random(2)))


@pytest.mark.parametrize(
    ("preprocess", "augment", "train", "message"),
    [
        ({"policy": "random_crop", "size": 8}, None, False, "for training"),
        ({"policy": "resize", "size": 8}, None, True, "preprocess.policy"),
        ({"policy": "center_crop", "size": 0}, None, True, "preprocess.size"),
        ({"policy": "center_crop", "size": 8, "sise": 1}, None, True, "unknown field"),
        (
            {"policy": "center_crop", "size": 8},
            {"jpeg": {"p": 1.5, "quality": [30, 90]}},
            True,
            "augment.jpeg.p",
        ),
        (
            {"policy": "center_crop", "size": 8},
            {"jpeg": {"p": 1, "quality": [90, 30]}},
            True,
            "augment.jpeg.quality",
        ),
        (
            {"policy": "center_crop", "size": 8},
            {"blur": {"p": 1, "sigma": [-1, 3]}},
            True,
            "augment.blur.sigma",
        ),
        ({"policy": "center_crop", "size": 8}, {"flip": {"p": 1}}, True, "unknown field"),
    ],
)
def test_bad_config_names_the_field(
    preprocess: dict, augment: dict | None, train: bool, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        build_transform(preprocess, augment, train=train)


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.7])
def test_blur_matches_scipy_gaussian_filter(sigma: float) -> None:
    image = noise_image(23, 17, seed=5)
    ours = np.asarray(gaussian_blur(image, sigma)).astype(int)
    pixels = np.asarray(image, dtype=np.float64)
    reference = np.stack([scipy.ndimage.gaussian_filter(pixels[..., c], sigma) for c in range(3)], axis=-1)
    assert np.abs(ours - np.rint(reference)).max() <= 1
