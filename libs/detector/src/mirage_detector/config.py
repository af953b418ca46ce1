"""RunConfig: one resolved point of a sweep, as the contract's model generated from zod.

The shapes are those of ``mirage_detector.generated.contracts_models`` (libs/contracts/src/run-config.ts ->
contracts.schema.json -> datamodel-code-generator); nothing here restates a field or a bound.
``parse_run_config`` validates strictly as JSON (no "3" for 3, no unknown key) and raises ``ConfigError``
whose message starts with the dotted path of the field (``optimizer.lr: Input should be a valid number``).

What the JSON Schema cannot carry, relations between fields (a class word distinct from the other, low <=
high in a range, image_size a multiple of patch_size, the backbone field its source requires), zod checks
once, when a config is planned; nothing reaches a worker without passing it. The shared fixtures under
libs/contracts/fixtures run through this loader (tests/test_config.py), those relations included.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from mirage_detector.errors import ConfigError
from mirage_detector.generated.contracts_models import (
    AugmentConfig,
    BackboneConfig,
    ClipArchitecture,
    LossConfig,
    Method,
    OptimizerConfig,
    PreprocessConfig,
    PromptConfig,
    RunConfig,
    ScheduleConfig,
)
from mirage_detector.json_object import JsonObject

__all__ = [
    "CONTRACT_METHODS",
    "AugmentConfig",
    "BackboneConfig",
    "ClipArchitecture",
    "LossConfig",
    "OptimizerConfig",
    "PreprocessConfig",
    "PromptConfig",
    "RunConfig",
    "ScheduleConfig",
    "parse_run_config",
    "replace_config",
    "run_config_json",
]

# zod's RunConfig.method enum; tests/test_config.py holds it equal to the registered methods
CONTRACT_METHODS: tuple[str, ...] = tuple(m.value for m in Method)

M = TypeVar("M", bound=BaseModel)


def parse_run_config(data: Any) -> RunConfig:
    """The RunConfig of a decoded JSON value; ConfigError naming the first offending dotted field."""
    where = _first_non_finite(data, "")
    if where is not None:  # Python's json reads NaN, Infinity and 1e999; JSON (and zod) holds finite numbers
        raise ConfigError(f"{where[0]}: expected a finite number, got {where[1]}")
    try:
        # strict JSON mode: JSON's own types only (as zod), with enum members given by their values
        return RunConfig.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as err:
        raise ConfigError(_first_problem(err)) from None


def run_config_json(config: RunConfig) -> JsonObject:
    """The JSON shape ``parse_run_config`` accepts, defaults filled in; ``compile`` only when on (zod's
    optional ``compile: true``), so a config without it hashes and round-trips as before the field existed."""
    return config.model_dump(mode="json", exclude={"compile"} if config.compile is None else None)


def replace_config(model: M, **changes: Any) -> M:
    """A copy of ``model`` with top-level fields replaced, validated again (so ``precision="bf16"`` becomes
    the enum member, and a wrong value fails here rather than deep in training)."""
    return type(model).model_validate({**dict(model), **changes})


def _first_problem(err: ValidationError) -> str:
    problem = err.errors()[0]
    path = ""
    for part in problem["loc"]:
        path = _join(path, part)
    got = json.dumps(problem.get("input"), default=str)
    return f"{path or '<root>'}: {problem['msg']} (got {got if len(got) <= 80 else got[:77] + '...'})"


def _join(path: str, part: str | int) -> str:
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else part


def _first_non_finite(value: Any, path: str) -> tuple[str, str] | None:
    """The dotted path and text of the first number that is not a finite float, depth first."""
    if isinstance(value, dict):
        items: list[tuple[str | int, Any]] = list(value.items())
    elif isinstance(value, list | tuple):
        items = list(enumerate(value))
    elif isinstance(value, float):
        return None if math.isfinite(value) else (path or "<root>", str(value))
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > sys.float_info.max:
        return (path or "<root>", f"{str(value)[:12]}...")  # JSON.parse reads it as Infinity
    else:
        return None
    for key, item in items:
        found = _first_non_finite(item, _join(path, key))
        if found is not None:
            return found
    return None
