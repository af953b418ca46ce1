from __future__ import annotations

import io
import random

import numpy as np
import pytest
from data_fixtures import noise_image
from PIL import Image

from mirage_detector.data.image_ops import gaussian_blur, jpeg_reencode
from mirage_detector.data.jpeg_quality import estimate_jpeg_quality
from mirage_detector.data.perturbations import (
    PerturbationSpecError,
    create_perturbation,
    list_perturbations,
    perturbation_id,
)

EXAMPLES = {
    "none": ({"name": "none"}, "none"),
    "jpeg": ({"name": "jpeg", "quality": 75}, "jpeg(quality=75)"),
    "blur": ({"name": "blur", "sigma": 1}, "blur(sigma=1.0)"),
    "downscale": ({"name": "downscale", "factor": 0.5}, "downscale(factor=0.5)"),
    "crop": ({"name": "crop", "size": 128}, "crop(size=128)"),
}


def test_every_registered_perturbation_has_an_example() -> None:
    assert set(list_perturbations()) == set(EXAMPLES)


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_canonical_id_spec_round_trip_and_determinism(name: str) -> None:
    spec, expected_id = EXAMPLES[name]
    perturbation = create_perturbation(spec)
    assert perturbation_id(spec) == expected_id == perturbation.id
    assert create_perturbation(perturbation.spec()) == perturbation
    image = noise_image(160, 140, seed=9)
    first = perturbation(image, random.Random(1))
    assert first.mode == "RGB"
    assert np.array_equal(np.asarray(first), np.asarray(perturbation(image, random.Random(2))))


def test_operations_do_what_they_say() -> None:
    image = noise_image(160, 140, seed=9)
    assert create_perturbation({"name": "downscale", "factor": 0.5})(image).size == (80, 70)
    assert create_perturbation({"name": "crop", "size": 128})(image).size == (128, 128)
    assert create_perturbation({"name": "crop", "size": 150})(image).size == (150, 140)
    assert create_perturbation({"name": "none"})(image) is image
    blurred = create_perturbation({"name": "blur", "sigma": 2.0})(image)
    assert np.array_equal(np.asarray(blurred), np.asarray(gaussian_blur(image, 2.0)))
    assert np.asarray(blurred).std() < np.asarray(image).std() / 2


def test_jpeg_perturbation_is_the_augmentation_jpeg() -> None:
    image = noise_image(32, 32, seed=4)
    perturbed = create_perturbation({"name": "jpeg", "quality": 40})(image)
    assert np.array_equal(np.asarray(perturbed), np.asarray(jpeg_reencode(image, 40)))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=40)
    with Image.open(buffer) as reference:
        assert estimate_jpeg_quality(reference.quantization) == 40
        assert np.array_equal(np.asarray(perturbed), np.asarray(reference.convert("RGB")))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"name": "sharpen"}, "field 'name': unknown 'sharpen'"),
        ({"quality": 75}, "field 'name'"),
        ({"name": "jpeg"}, "missing field 'quality'"),
        ({"name": "jpeg", "quality": 75, "q": 1}, "unknown field"),
        ({"name": "jpeg", "quality": 0}, "'jpeg.quality' must be in"),
        ({"name": "jpeg", "quality": 7.5}, "'jpeg.quality' must be an integer"),
        ({"name": "blur", "sigma": "1"}, "'blur.sigma' must be a number"),
        ({"name": "blur", "sigma": -1}, "'blur.sigma' must be >= 0"),
        ({"name": "downscale", "factor": 2}, "'downscale.factor' must be in"),
        ({"name": "crop", "size": True}, "'crop.size' must be a number"),
    ],
)
def test_bad_specs_name_the_field(spec: dict, message: str) -> None:
    with pytest.raises(PerturbationSpecError, match=message):
        create_perturbation(spec)
