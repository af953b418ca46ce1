from __future__ import annotations

import io
import random

import numpy as np
import pytest
from data_fixtures import noise_image
from PIL import Image

from mirage_detector.data.image_ops import downscale, gaussian_blur, jpeg_reencode
from mirage_detector.data.jpeg_quality import estimate_jpeg_quality
from mirage_detector.data.perturbation_id import js_number
from mirage_detector.data.perturbations import (
    EVAL_PREPROCESS_POLICIES,
    EvalPreprocessStep,
    PerturbationSpecError,
    create_perturbation,
    list_perturbations,
    perturbation_id,
)
from mirage_detector.data.transforms import EVAL_POLICIES

SOCIAL_MEDIA = {
    "name": "chain",
    "steps": [{"name": "downscale", "factor": 0.5}, {"name": "jpeg", "quality": 75}],
}

EXAMPLES = {
    "none": ({"name": "none"}, "none"),
    "jpeg": ({"name": "jpeg", "quality": 75}, "jpeg(quality=75)"),
    "blur": ({"name": "blur", "sigma": 1}, "blur(sigma=1.0)"),
    "downscale": ({"name": "downscale", "factor": 0.5}, "downscale(factor=0.5)"),
    "crop": ({"name": "crop", "size": 128}, "crop(size=128)"),
    "preprocess": (
        {"name": "preprocess", "policy": "center_crop", "size": 224},
        "preprocess(policy=center_crop,size=224)",
    ),
    "chain": (SOCIAL_MEDIA, "downscale(factor=0.5)+jpeg(quality=75)"),
}

# The strings libs/contracts/src/perturbation-id.ts gives for these specs (checked against it with tsx);
# ids name stored results on both sides, so they must never drift.
TS_IDS = [
    ({"name": "none"}, "none"),
    ({"name": "jpeg", "quality": 75}, "jpeg(quality=75)"),
    ({"name": "blur", "sigma": 1}, "blur(sigma=1.0)"),
    ({"name": "blur", "sigma": 1.5}, "blur(sigma=1.5)"),
    ({"name": "blur", "sigma": 0.00001}, "blur(sigma=0.00001)"),
    ({"name": "blur", "sigma": 50}, "blur(sigma=50.0)"),
    ({"name": "downscale", "factor": 0.5}, "downscale(factor=0.5)"),
    ({"name": "downscale", "factor": 1}, "downscale(factor=1.0)"),
    ({"name": "downscale", "factor": 1e-7}, "downscale(factor=1e-7)"),
    ({"name": "downscale", "factor": 1 / 3}, "downscale(factor=0.3333333333333333)"),
    ({"name": "crop", "size": 128}, "crop(size=128)"),
    ({"name": "preprocess", "policy": "center_crop", "size": 224}, "preprocess(policy=center_crop,size=224)"),
    ({"name": "preprocess", "size": 224, "policy": "tile"}, "preprocess(policy=tile,size=224)"),
    ({"name": "preprocess", "policy": "clip_resize", "size": 336}, "preprocess(policy=clip_resize,size=336)"),
    (SOCIAL_MEDIA, "downscale(factor=0.5)+jpeg(quality=75)"),
    (
        {
            "name": "chain",
            "steps": [
                {"name": "blur", "sigma": 1},
                {"name": "jpeg", "quality": 90},
                {"name": "preprocess", "policy": "tile", "size": 224},
            ],
        },
        "blur(sigma=1.0)+jpeg(quality=90)+preprocess(policy=tile,size=224)",
    ),
    (
        {
            "name": "chain",
            "steps": [
                {"name": "crop", "size": 512},
                {"name": "preprocess", "policy": "center_crop", "size": 224},
            ],
        },
        "crop(size=512)+preprocess(policy=center_crop,size=224)",
    ),
]


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


@pytest.mark.parametrize(("spec", "expected"), TS_IDS)
def test_ids_are_the_typescript_ids(spec: dict, expected: str) -> None:
    assert perturbation_id(spec) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1.0, "1"),
        (0.5, "0.5"),
        (1e-6, "0.000001"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (1e21, "1e+21"),
        (123e20, "1.23e+22"),
        (100.0, "100"),
        (-2.5, "-2.5"),
        (0.0, "0"),
    ],
)
def test_numbers_print_as_javascript_prints_them(value: float, expected: str) -> None:
    assert js_number(value) == expected


def test_preprocess_policies_are_the_eval_transform_policies() -> None:
    assert EVAL_PREPROCESS_POLICIES == EVAL_POLICIES


def test_chain_applies_its_image_steps_in_order_and_ends_in_its_preprocessing() -> None:
    image = noise_image(160, 140, seed=3)
    chain = create_perturbation(SOCIAL_MEDIA)
    expected = jpeg_reencode(downscale(image, 0.5), 75)
    assert np.array_equal(np.asarray(chain(image)), np.asarray(expected))
    assert chain.eval_preprocess is None
    tiled = create_perturbation(
        {**SOCIAL_MEDIA, "steps": [*SOCIAL_MEDIA["steps"], EXAMPLES["preprocess"][0]]}
    )
    assert np.array_equal(np.asarray(tiled(image)), np.asarray(expected))
    assert tiled.eval_preprocess == EvalPreprocessStep(policy="center_crop", size=224)
    assert [step.name for step in tiled.image_steps] == ["downscale", "jpeg"]


def test_preprocess_is_no_image_operation() -> None:
    image = noise_image(50, 40, seed=1)
    step = create_perturbation({"name": "preprocess", "policy": "tile", "size": 32})
    assert step(image) is image
    assert step.image_steps == () and step.eval_preprocess is step
    assert create_perturbation({"name": "jpeg", "quality": 75}).eval_preprocess is None


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
        ({"name": "sharpen"}, r"^perturbation\.name: unknown perturbation 'sharpen' \(known: blur, "),
        ({"quality": 75}, r"^perturbation\.name: expected a string, got None"),
        ({"name": "jpeg"}, "missing field 'quality'"),
        ({"name": "jpeg", "quality": 75, "q": 1}, "unknown field"),
        ({"name": "jpeg", "quality": 0}, "'jpeg.quality' must be in"),
        ({"name": "jpeg", "quality": 7.5}, "'jpeg.quality' must be an integer"),
        ({"name": "blur", "sigma": "1"}, "'blur.sigma' must be a number"),
        ({"name": "blur", "sigma": -1}, "'blur.sigma' must be >= 0"),
        ({"name": "downscale", "factor": 2}, "'downscale.factor' must be in"),
        ({"name": "crop", "size": True}, "'crop.size' must be a number"),
        ({"name": "preprocess", "policy": "resize", "size": 224}, "'preprocess.policy' must be one of"),
        ({"name": "preprocess", "policy": 3, "size": 224}, "'preprocess.policy' must be a string"),
        ({"name": "preprocess", "policy": "tile", "size": 0}, "'preprocess.size' must be >= 1"),
        ({"name": "preprocess", "policy": "tile"}, "missing field 'size'"),
        (
            {"name": "chain", "steps": [{"name": "jpeg", "quality": 75}]},
            "'chain.steps' needs at least 2 steps",
        ),
        ({"name": "chain", "steps": {"name": "jpeg"}}, "'chain.steps' must be a list of steps"),
        (
            {"name": "chain", "steps": [{"name": "none"}, {"name": "jpeg", "quality": 75}]},
            r"'chain.steps\[0\]': 'none'",
        ),
        (
            {"name": "chain", "steps": [SOCIAL_MEDIA, {"name": "jpeg", "quality": 75}]},
            r"'chain.steps\[0\]': 'chain' cannot be a chain's step",
        ),
        (
            {"name": "chain", "steps": [EXAMPLES["preprocess"][0], {"name": "jpeg", "quality": 75}]},
            r"'chain.steps\[0\]': a preprocess step may only be the chain's last",
        ),
        (
            {"name": "chain", "steps": [{"name": "jpeg", "quality": 75}, {"name": "jpeg", "quality": 0}]},
            r"^chain.steps\[1\]: perturbation field 'jpeg.quality' must be in",
        ),
    ],
)
def test_bad_specs_name_the_field(spec: dict, message: str) -> None:
    with pytest.raises(PerturbationSpecError, match=message):
        create_perturbation(spec)
