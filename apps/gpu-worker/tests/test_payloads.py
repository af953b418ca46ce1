"""The typed boundary: a payload parsed into its contract model dumps back to the JSON it came as, and its
config is the detector's RunConfig as the detector's own loader reads it (a checkpoint's recorded config is
unchanged).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from mirage_detector.config import parse_run_config, run_config_json
from mirage_detector.generated import contracts_models as contracts
from temporalio.exceptions import ApplicationError

from mirage_gpu_worker.failures import building_output, parse_input
from mirage_gpu_worker.outcome import SkippedList, list_skipped
from mirage_gpu_worker.payloads import to_json_payload

FIXTURES = Path(__file__).resolve().parents[3] / "libs" / "contracts" / "fixtures" / "valid"


def _fixture(name: str) -> object:
    return json.loads((FIXTURES / name).read_text())["value"]


def _canonical(value: object) -> str:
    # a string compare: 1 and 1.0 are equal as Python numbers but not as the JSON a checkpoint stores
    return json.dumps(value, sort_keys=True)


def _as_javascript_writes_it(value: object) -> object:
    """`value` with every integral float an int: JSON.stringify(1.0) is "1", so the TS side sends 1."""
    if isinstance(value, dict):
        return {key: _as_javascript_writes_it(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_as_javascript_writes_it(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


CONFIGS = sorted(path.name for path in FIXTURES.glob("RunConfig.*.json"))


@pytest.mark.parametrize("javascript", [False, True])
@pytest.mark.parametrize("name", CONFIGS)
def test_a_payloads_config_is_the_one_the_detector_loads(name: str, javascript: bool) -> None:
    raw = _fixture(name)
    raw = _as_javascript_writes_it(raw) if javascript else raw
    model = contracts.RunConfig.model_validate(raw)
    # the model writes a number field's 30 as 30.0; the detector's loader reads both as the same config,
    # and its JSON (what a checkpoint's metadata records) is byte for byte the one of the dict
    assert to_json_payload(model) == raw
    assert model == parse_run_config(raw)
    assert _canonical(run_config_json(model)) == _canonical(run_config_json(parse_run_config(raw)))


def test_compile_left_out_stays_out_and_compile_on_stays_on() -> None:
    assert CONFIGS, f"no RunConfig fixtures under {FIXTURES}"
    off = contracts.RunConfig.model_validate(_fixture("RunConfig.tiny.json"))
    on = contracts.RunConfig.model_validate(_fixture("RunConfig.compile-on.json"))
    assert "compile" not in to_json_payload(off)
    assert to_json_payload(on)["compile"] is True
    assert "compile" not in run_config_json(off)
    assert (off.compile, on.compile) == (None, True)


def test_a_train_input_parses_into_its_model_and_dumps_back_unchanged() -> None:
    raw = _fixture("TrainInput.basic.json")
    request = parse_input("TrainInput", contracts.TrainInput, raw)
    assert isinstance(request.train_manifest, contracts.ManifestRef)
    assert to_json_payload(request) == raw


def test_an_invalid_input_fails_non_retryably_naming_the_dotted_field() -> None:
    raw = _fixture("TrainInput.basic.json")
    assert isinstance(raw, dict)
    broken = {**raw, "config": {**raw["config"], "seed": -1}}
    with pytest.raises(ApplicationError) as failure:
        parse_input("TrainInput", contracts.TrainInput, broken)
    assert failure.value.type == "ContractViolation" and failure.value.non_retryable
    assert "config.seed" in str(failure.value)


class _NoStore:
    def put_bytes(self, bucket: str, key: str, data: bytes, content_type: str = "") -> None:
        raise AssertionError("a short skipped list is not written to S3")


def test_an_output_dumps_its_nulls_and_no_field_it_left_at_a_default() -> None:
    raw = _fixture("EvaluateOutput.basic.json")
    assert isinstance(raw, dict)
    listing = list_skipped([("s3://b/broken.png", "truncated")], SkippedList(_NoStore(), "b", "k"))
    fields = {name: value for name, value in raw.items() if name not in ("skipped", "skipped_total")}
    output = contracts.EvaluateOutput(
        **{**fields, "video": None, "skipped_key": None},
        skipped=listing.skipped,
        skipped_total=listing.total,
    )
    dumped = to_json_payload(output)
    assert dumped["video"] is None and dumped["skipped_key"] is None
    assert dumped["skipped"] == [{"uri": "s3://b/broken.png", "reason": "truncated"}]
    # a field the zod schema defaults and the worker never sets stays out of the JSON, as before
    assert "reuse_across_environments" not in dumped


def test_an_output_field_the_model_refuses_is_a_non_retryable_worker_bug() -> None:
    with pytest.raises(ApplicationError) as failure, building_output("TrainHeartbeat"):
        contracts.TrainHeartbeat(
            step=-1, total_steps=4, loss_terms={}, lr=0.0, images_per_second=0.0, checkpoint=None
        )
    assert failure.value.type == "ContractViolation" and failure.value.non_retryable
    assert "the worker produced an invalid TrainHeartbeat" in str(failure.value)
    assert "step" in str(failure.value)
