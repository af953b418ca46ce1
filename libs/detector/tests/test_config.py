"""RunConfig loading: the contract's generated model, strict JSON types, errors naming the dotted field, and
every shared fixture reaching zod's verdict (relations between fields are zod's alone, and said so)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tiny_setup import tiny_config_dict

from mirage_detector.config import CONTRACT_METHODS, parse_run_config, replace_config, run_config_json
from mirage_detector.errors import ConfigError, DetectorError
from mirage_detector.generated.contracts_models import Precision
from mirage_detector.methods import list_methods

FIXTURES = Path(__file__).resolve().parents[2] / "contracts" / "fixtures"


def test_round_trip_is_identity_through_json() -> None:
    data = tiny_config_dict()
    config = parse_run_config(json.loads(json.dumps(data)))
    assert run_config_json(config) == data
    assert config.optimizer.betas == (0.9, 0.999)
    assert config.backbone.config is not None and config.backbone.config.vision.patch_size == 8


def test_hub_shape_with_nulls_parses() -> None:
    data = tiny_config_dict(
        backbone={"source": "hub", "name_or_path": "openai/clip-vit-large-patch14", "config": None},
        prompt__ctx_init=None,
    )
    config = parse_run_config(data)
    assert config.backbone.config is None and config.prompt.ctx_init is None


def test_integers_are_json_integers() -> None:
    # the TS side writes 3 (JSON.stringify(3.0) is "3"); a Python 3.0 or a "3" is not an integer field's value
    assert parse_run_config(tiny_config_dict(seed=3)).seed == 3
    for seed in (3.5, 3.0, "3"):
        with pytest.raises(ConfigError, match=r"^seed: Input should be a valid integer"):
            parse_run_config(tiny_config_dict(seed=seed))


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"loss__w_intra": "x"}, r"^loss\.w_intra: Input should be a valid number \(got \"x\"\)"),
        ({"loss__w_intra": True}, r"^loss\.w_intra: Input should be a valid number"),
        ({"schedule__steps": None}, r"^schedule\.steps: Input should be a valid integer \(got null\)$"),
        ({"optimizer__name": "adam"}, r"^optimizer\.name: Input should be 'adamw' or 'sgd' \(got \"adam\"\)"),
        ({"optimizer__betas": [0.9]}, r"^optimizer\.betas\[1\]: Field required"),
        ({"optimizer__betas": [0.9, 1.0]}, r"^optimizer\.betas\[1\]: Input should be less than 1"),
        ({"optimizer__momentum": 1.5}, r"^optimizer\.momentum: Input should be less than or equal to 1"),
        ({"augment__jpeg__quality": [30, "hi"]}, r"^augment\.jpeg\.quality\[1\]: Input should be"),
        ({"augment__jpeg__quality": [30.5, 90]}, r"^augment\.jpeg\.quality\[0\]: Input should be"),
        ({"preprocess__eval__policy": "random_crop"}, r"^preprocess\.eval\.policy: Input should be"),
        ({"backbone__config__vision__patch_size": "8"}, r"^backbone\.config\.vision\.patch_size: Input"),
        ({"prompt__class_words": "real"}, r"^prompt\.class_words: Input should be an object"),
        ({"prompt__class_words__fake": " "}, r"^prompt\.class_words\.fake: String should match pattern"),
        ({"prompt__ctx_init": ""}, r"^prompt\.ctx_init: String should have at least 1 character"),
        ({"schedule__batch_size": 0}, r"^schedule\.batch_size: Input should be greater than 0 \(got 0\)"),
        ({"preprocess__small_images": "stretch"}, r"^preprocess\.small_images: Input should be 'resize"),
        ({"augment__flip": {"p": 1.5}}, r"^augment\.flip\.p: Input should be less than or equal to 1"),
        ({"augment__flip": {}}, r"^augment\.flip\.p: Field required"),
        ({"augment__flip": {"p": 0.5, "axis": 1}}, r"^augment\.flip\.axis: Extra inputs are not permitted"),
        ({"compile": False}, r"^compile: Input should be True"),
        ({"seed": 2**53}, r"^seed: Input should be less than or equal to 9007199254740991"),
        ({"schedule__steps": 1e300}, r"^schedule\.steps: Input should be a valid integer"),
    ],
)
def test_bad_values_name_the_field(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_run_config(tiny_config_dict(**overrides))


def test_unknown_and_missing_keys_name_the_field() -> None:
    data = tiny_config_dict()
    data["loss"]["w_intar"] = 1.0
    with pytest.raises(ConfigError, match=r"^loss\.w_intar: Extra inputs are not permitted"):
        parse_run_config(data)
    data = tiny_config_dict()
    del data["schedule"]["grad_clip"]
    with pytest.raises(ConfigError, match=r"^schedule\.grad_clip: Field required"):
        parse_run_config(data)
    with pytest.raises(ConfigError, match=r"^<root>: Input should be an object"):
        parse_run_config([1, 2])


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"optimizer__lr": float("inf")}, r"^optimizer\.lr: expected a finite number, got inf"),
        ({"loss__margin": float("nan")}, r"^loss\.margin: expected a finite number, got nan"),
        ({"optimizer__lr": 10**400}, r"^optimizer\.lr: expected a finite number"),
        ({"augment__blur__sigma": [0.0, float("-inf")]}, r"^augment\.blur\.sigma\[1\]: expected a finite"),
    ],
)
def test_numbers_zod_refuses_but_python_can_hold(overrides: dict[str, object], message: str) -> None:
    # Python's json reads NaN and Infinity, and huge integers exactly; JSON (and zod) holds finite numbers
    with pytest.raises(ConfigError, match=message):
        parse_run_config(tiny_config_dict(**overrides))


def test_config_error_is_a_detector_error() -> None:
    assert issubclass(ConfigError, DetectorError)
    assert issubclass(ConfigError, ValueError)


def test_fields_with_a_zod_default_may_be_absent_and_take_that_default() -> None:
    data = tiny_config_dict()
    del data["preprocess"]["small_images"]
    del data["augment"]["flip"]
    config = parse_run_config(data)
    assert config.preprocess.small_images == "pad" and config.augment.flip is not None
    assert config.augment.flip.p == 0.0
    assert run_config_json(config) == tiny_config_dict()  # written back with the defaults filled in
    given = parse_run_config(tiny_config_dict(preprocess__small_images="resize_up", augment__flip={"p": 0.5}))
    assert given.preprocess.small_images == "resize_up"
    assert given.augment.flip is not None and given.augment.flip.p == 0.5


def test_compile_is_written_only_when_on() -> None:
    off = parse_run_config(tiny_config_dict())
    assert off.compile is None and "compile" not in run_config_json(off)
    on = parse_run_config({**tiny_config_dict(), "compile": True})
    assert run_config_json(on)["compile"] is True


def test_replace_validates_the_changed_fields() -> None:
    config = parse_run_config(tiny_config_dict())
    bf16 = replace_config(config, precision="bf16")
    assert bf16.precision is Precision.bf16 and config.precision == "fp32"
    with pytest.raises(ValueError, match="precision"):
        replace_config(config, precision="fp64")


def _fixtures(verdict: str) -> list[Path]:
    paths = sorted((FIXTURES / verdict).glob("RunConfig.*.json"))
    assert paths, f"no RunConfig fixtures under {FIXTURES / verdict}"
    return paths


def _fixture(path: Path) -> dict[str, object]:
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", _fixtures("valid"), ids=lambda p: p.name)
def test_every_valid_contract_fixture_parses(path: Path) -> None:
    # the fixtures zod accepts (some without the defaulted fields) parse here too
    parse_run_config(_fixture(path)["value"])


@pytest.mark.parametrize("path", _fixtures("invalid"), ids=lambda p: p.name)
def test_every_invalid_contract_fixture_reaches_zods_verdict(path: Path) -> None:
    fixture = _fixture(path)
    if "relation" in fixture:
        # a relation between fields (libs/contracts/test/fixtures.test.ts: only a zod refinement rejects it)
        # is checked once, by zod when the run is planned; the JSON Schema, and so this loader, cannot say it
        parse_run_config(fixture["value"])
        return
    with pytest.raises(ConfigError):
        parse_run_config(fixture["value"])


def test_contract_methods_match_the_schema_and_the_registry() -> None:
    schema = json.loads((FIXTURES.parent / "generated" / "contracts.schema.json").read_text())
    assert list(CONTRACT_METHODS) == schema["$defs"]["RunConfig"]["properties"]["method"]["enum"]
    assert sorted(CONTRACT_METHODS) == list_methods()
