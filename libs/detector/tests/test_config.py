"""RunConfig parsing: exact shape, strict errors naming the dotted field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_setup import tiny_config_dict

from mirage_detector.config import CONTRACT_METHODS, RunConfig
from mirage_detector.errors import ConfigError, DetectorError
from mirage_detector.methods import list_methods

FIXTURES = Path(__file__).resolve().parents[2] / "contracts" / "fixtures"


def test_round_trip_is_identity_through_json() -> None:
    data = tiny_config_dict()
    config = RunConfig.from_dict(json.loads(json.dumps(data)))
    assert config.to_dict() == data
    assert config.optimizer.betas == (0.9, 0.999)
    assert config.backbone.config is not None and config.backbone.config.vision.patch_size == 8


def test_hub_shape_with_nulls_parses() -> None:
    data = tiny_config_dict(
        backbone={"source": "hub", "name_or_path": "openai/clip-vit-large-patch14", "config": None},
        prompt__ctx_init=None,
    )
    config = RunConfig.from_dict(data)
    assert config.backbone.config is None and config.prompt.ctx_init is None


def test_integral_float_is_an_integer_but_fraction_is_not() -> None:
    assert RunConfig.from_dict(tiny_config_dict(seed=3.0)).seed == 3
    with pytest.raises(ConfigError, match=r"^seed: expected integer, got float 3.5"):
        RunConfig.from_dict(tiny_config_dict(seed=3.5))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"loss__w_intra": "x"}, r"^loss\.w_intra: expected number, got 'x'"),
        ({"loss__w_intra": True}, r"^loss\.w_intra: expected number, got bool True"),
        ({"schedule__steps": None}, r"^schedule\.steps: expected integer, got null$"),
        ({"optimizer__name": "adam"}, r"^optimizer\.name: expected one of \['adamw', 'sgd'\], got 'adam'"),
        ({"optimizer__betas": [0.9]}, r"^optimizer\.betas: expected a list of 2 items"),
        ({"augment__jpeg__quality": [30, "hi"]}, r"^augment\.jpeg\.quality\[1\]: expected integer, got 'hi'"),
        ({"preprocess__eval__policy": "random_crop"}, r"^preprocess\.eval\.policy: expected one of"),
        (
            {"backbone__config__vision__patch_size": "8"},
            r"^backbone\.config\.vision\.patch_size: expected integer",
        ),
        ({"prompt__class_words": "real"}, r"^prompt\.class_words: expected an object, got 'real'"),
        ({"schedule__batch_size": 0}, r"^schedule\.batch_size: must be >= 1, got 0"),
        ({"backbone__config": None}, r"^backbone\.config: required when backbone\.source is 'config'"),
        (
            {"backbone__config__vision__image_size": 30},
            r"^backbone\.config\.vision\.image_size: 30 is not a multiple",
        ),
        ({"augment__jpeg__quality": [90, 30]}, r"^augment\.jpeg\.quality: need 1 <= low <= high <= 100"),
        (
            {"preprocess__small_images": "stretch"},
            r"^preprocess\.small_images: expected one of \['pad', 'resize_up'\], got 'stretch'",
        ),
        ({"preprocess__small_images": None}, r"^preprocess\.small_images: expected one of"),
        ({"augment__flip": {"p": 1.5}}, r"^augment\.flip\.p: must lie in \[0, 1\], got 1.5"),
        ({"augment__flip": {}}, r"^augment\.flip\.p: missing field"),
        ({"augment__flip": {"p": 0.5, "axis": 1}}, r"^augment\.flip\.axis: unknown field"),
    ],
)
def test_bad_values_name_the_field(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_dict(tiny_config_dict(**overrides))


def test_unknown_and_missing_keys_name_the_field() -> None:
    data = tiny_config_dict()
    data["loss"]["w_intar"] = 1.0
    with pytest.raises(ConfigError, match=r"^loss\.w_intar: unknown field"):
        RunConfig.from_dict(data)
    data = tiny_config_dict()
    del data["schedule"]["grad_clip"]
    with pytest.raises(ConfigError, match=r"^schedule\.grad_clip: missing field"):
        RunConfig.from_dict(data)
    with pytest.raises(ConfigError, match=r"^<root>: expected an object"):
        RunConfig.from_dict([1, 2])


def test_config_error_is_a_detector_error() -> None:
    assert issubclass(ConfigError, DetectorError)
    assert issubclass(ConfigError, ValueError)


def test_fields_with_a_zod_default_may_be_absent_and_take_that_default() -> None:
    data = tiny_config_dict()
    del data["preprocess"]["small_images"]
    del data["augment"]["flip"]
    config = RunConfig.from_dict(data)
    assert config.preprocess.small_images == "pad" and config.augment.flip.p == 0.0
    assert config.to_dict() == tiny_config_dict()  # written back with the defaults filled in
    given = RunConfig.from_dict(
        tiny_config_dict(preprocess__small_images="resize_up", augment__flip={"p": 0.5})
    )
    assert given.preprocess.small_images == "resize_up" and given.augment.flip.p == 0.5


def _fixtures(verdict: str) -> list[Path]:
    paths = sorted((FIXTURES / verdict).glob("RunConfig.*.json"))
    assert paths, f"no RunConfig fixtures under {FIXTURES / verdict}"
    return paths


@pytest.mark.parametrize("path", _fixtures("valid"), ids=lambda p: p.name)
def test_every_valid_contract_fixture_parses(path: Path) -> None:
    # the fixtures zod accepts (some without the defaulted fields) must parse here too
    RunConfig.from_dict(json.loads(path.read_text())["value"])


@pytest.mark.parametrize("path", _fixtures("invalid"), ids=lambda p: p.name)
def test_every_invalid_contract_fixture_is_rejected(path: Path) -> None:
    # zod rejects each of these (libs/contracts/test/fixtures.test.ts): the Python loader must agree
    with pytest.raises(ConfigError):
        RunConfig.from_dict(json.loads(path.read_text())["value"])


def test_contract_methods_match_the_schema_and_the_registry() -> None:
    schema = json.loads((FIXTURES.parent / "generated" / "contracts.schema.json").read_text())
    assert list(CONTRACT_METHODS) == schema["$defs"]["RunConfig"]["properties"]["method"]["enum"]
    assert sorted(CONTRACT_METHODS) == list_methods()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"optimizer__lr": float("inf")}, r"^optimizer\.lr: expected a finite number, got float inf"),
        ({"loss__margin": float("nan")}, r"^loss\.margin: expected a finite number"),
        ({"optimizer__lr": 10**400}, r"^optimizer\.lr: expected a finite number"),
        ({"seed": float("inf")}, r"^seed: expected integer, got float inf"),
        ({"seed": 2**53}, r"^seed: must be a safe integer"),
        ({"schedule__steps": 1e300}, r"^schedule\.steps: must be a safe integer"),
    ],
)
def test_numbers_zod_refuses_but_json_files_cannot_hold(overrides: dict[str, object], message: str) -> None:
    # Python's json reads NaN and Infinity, and huge integers exactly; zod sees only finite, safe numbers
    with pytest.raises(ConfigError, match=message):
        RunConfig.from_dict(tiny_config_dict(**overrides))
