"""Python side of the cross-language contract test: the same fixture files as
libs/contracts/test/fixtures.test.ts, validated against the generated JSON Schema, must reach the verdict
of their folder (valid/ or invalid/)."""

import json
from pathlib import Path

import pytest

from mirage_gpu_worker.contracts import ContractViolation, contract_errors, validate_contract

FIXTURES = Path(__file__).resolve().parents[3] / "libs" / "contracts" / "fixtures"


def _cases(verdict: str) -> list[tuple[str, str, object]]:
    files = sorted((FIXTURES / verdict).glob("*.json"))
    assert files, f"no fixtures under {FIXTURES / verdict}"
    return [(f.name, *_load(f)) for f in files]


def _load(path: Path) -> tuple[str, object]:
    data = json.loads(path.read_text())
    return data["schema"], data["value"]


@pytest.mark.parametrize(("file", "schema", "value"), _cases("valid"))
def test_valid_fixture_is_accepted(file: str, schema: str, value: object) -> None:
    assert contract_errors(schema, value) == [], file


@pytest.mark.parametrize(("file", "schema", "value"), _cases("invalid"))
def test_invalid_fixture_is_rejected(file: str, schema: str, value: object) -> None:
    assert contract_errors(schema, value), f"{file} was accepted by the JSON Schema but zod rejects it"


def test_violation_names_the_field() -> None:
    schema, value = _load(FIXTURES / "invalid" / "RunConfig.lr-string.json")
    with pytest.raises(ContractViolation, match=r"optimizer\.lr"):
        validate_contract(schema, value)
