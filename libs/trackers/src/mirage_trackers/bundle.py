"""The export bundle `mirage export` writes from Postgres: one JSON file, read here into the generated models.

Its shape is defined once, by zod (libs/contracts/src/tracker-export.ts); the codegen renders the pydantic
models in `generated/contracts_models.py` from it, and this module only reads a file into them, naming the
field that is wrong when a hand-edited or truncated bundle does not match.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import get_args

from pydantic import ValidationError

from .errors import BundleError
from .generated.contracts_models import BundleEvalCell as EvalCell
from .generated.contracts_models import BundleRun as ExportRun
from .generated.contracts_models import BundleTrainPoint as TrainPoint
from .generated.contracts_models import TrackerBundle

__all__ = [
    "BUNDLE_FORMAT",
    "EvalCell",
    "ExportRun",
    "JsonValue",
    "TrackerBundle",
    "TrainPoint",
    "cell_metrics",
    "last_step",
    "load_bundle",
    "parse_bundle",
]

BUNDLE_FORMAT: str = get_args(TrackerBundle.model_fields["format"].annotation)[0]
"""The format tag the bundle's contract fixes (`format`)."""

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


def last_step(run: ExportRun) -> int:
    """The step a run's evaluation metrics belong to: the end of training (0 when no curve was recorded)."""
    return max((point.step for point in run.train), default=0)


def cell_metrics(cell: EvalCell) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """A cell's metrics and its video-level metrics (empty for still images), by name in contract order."""
    video = cell.video.model_dump() if cell.video is not None else {}
    return cell.metrics.model_dump(), video


def parse_bundle(value: object) -> TrackerBundle:
    """Reads a decoded bundle; raises BundleError naming the first field that breaks the contract."""
    return _validated(json.dumps(value), "bundle")


def load_bundle(path: Path) -> TrackerBundle:
    """Reads a bundle file, parsed once (by pydantic); a missing or non-JSON file is a BundleError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BundleError(f"{path}: cannot read the bundle ({error.strerror})") from None
    return _validated(text, str(path))


def _validated(text: str, name: str) -> TrackerBundle:
    try:
        # JSON mode, strict: what a JSON file can hold, with no coercion (a "NaN" string is not a number)
        return TrackerBundle.model_validate_json(text, strict=True)
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "json_invalid":
            raise BundleError(f"{name}: not JSON ({first['msg']})") from None
        raise BundleError(f"{_path(first['loc'])}: {first['msg']}") from None


def _path(loc: tuple[int | str, ...]) -> str:
    """pydantic's error location as the dotted path the CLI prints: bundle.runs[0].train[2].step."""
    path = "bundle"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path
