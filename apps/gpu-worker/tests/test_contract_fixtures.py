"""Python side of the cross-language contract test: the same fixture files as
libs/contracts/test/fixtures.test.ts, validated against the generated JSON Schema, must reach the verdict
of their folder (valid/ or invalid/)."""

import json
from pathlib import Path
from typing import Any

import pytest
from mirage_detector.generated import contracts_models
from pydantic import TypeAdapter, ValidationError

from mirage_gpu_worker.contracts import ContractViolation, contract_errors, validate_contract

FIXTURES = Path(__file__).resolve().parents[3] / "libs" / "contracts" / "fixtures"


def _cases(verdict: str, *, relations: bool = False) -> list[tuple[str, str, object]]:
    """The fixtures of a verdict; an invalid fixture that breaks only a relation between fields (marked
    `relation`: zod's refinements, which no JSON Schema carries) is listed only when `relations` is set."""
    files = sorted((FIXTURES / verdict).glob("*.json"))
    assert files, f"no fixtures under {FIXTURES / verdict}"
    chosen = [f for f in files if ("relation" in json.loads(f.read_text())) == relations]
    assert chosen, f"no {'relation ' if relations else ''}fixtures under {FIXTURES / verdict}"
    return [(f.name, *_load(f)) for f in chosen]


def _load(path: Path) -> tuple[str, object]:
    data = json.loads(path.read_text())
    return data["schema"], data["value"]


@pytest.mark.parametrize(("file", "schema", "value"), _cases("valid"))
def test_valid_fixture_is_accepted(file: str, schema: str, value: object) -> None:
    assert contract_errors(schema, value) == [], file


@pytest.mark.parametrize(("file", "schema", "value"), _cases("invalid"))
def test_invalid_fixture_is_rejected(file: str, schema: str, value: object) -> None:
    assert contract_errors(schema, value), f"{file} was accepted by the JSON Schema but zod rejects it"


@pytest.mark.parametrize(("file", "schema", "value"), _cases("invalid", relations=True))
def test_a_relation_fixture_is_left_to_zod(file: str, schema: str, value: object) -> None:
    # libs/contracts/test/fixtures.test.ts holds that zod rejects each of these by a refinement alone; were
    # the schema to learn the relation, the fixture would move out of this list
    assert contract_errors(schema, value) == [], file
    _adapter(schema).validate_python(value)


def test_violation_names_the_field() -> None:
    schema, value = _load(FIXTURES / "invalid" / "RunConfig.lr-string.json")
    with pytest.raises(ContractViolation, match=r"optimizer\.lr"):
        validate_contract(schema, value)


def _adapter(schema: str) -> TypeAdapter[Any]:
    # a message is a model class, or a type alias for a union (Perturbation)
    return TypeAdapter(getattr(contracts_models, schema))


@pytest.mark.parametrize(("file", "schema", "value"), _cases("valid"))
def test_valid_fixture_parses_into_the_generated_model(file: str, schema: str, value: object) -> None:
    adapter = _adapter(schema)
    parsed = adapter.validate_python(value)
    # what the model writes back is the fixture itself: no field lost, renamed or reshaped on the way
    assert adapter.dump_python(parsed, mode="json", exclude_unset=True) == value, file


@pytest.mark.parametrize(("file", "schema", "value"), _cases("invalid"))
def test_invalid_fixture_is_rejected_by_the_generated_model(file: str, schema: str, value: object) -> None:
    with pytest.raises(ValidationError):
        _adapter(schema).validate_python(value)


def test_every_contract_has_a_generated_model() -> None:
    names = json.loads((FIXTURES.parent / "generated" / "contracts.schema.json").read_text())["$defs"]
    assert [name for name in names if not hasattr(contracts_models, name)] == []
