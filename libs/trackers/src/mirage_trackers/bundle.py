"""The export bundle `mirage export` writes from Postgres: one JSON file, read here into typed records.

Its shape is defined once, by zod, in apps/cli/src/export/bundle.ts; this module reads the same fields and
names the one that is wrong when a file does not match, so a hand-edited or truncated bundle fails
with its path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from .errors import BundleError

BUNDLE_FORMAT = "mirage-tracker-export/1"

# The per-cell metric columns of eval_results (and of EvaluateOutput.video), in the order trackers list them.
CELL_METRICS = ("acc", "acc_real", "acc_fake", "ap", "auc", "acc_calibrated")

JsonValue = None | bool | int | float | str | list["JsonValue"] | dict[str, "JsonValue"]


@dataclass(frozen=True)
class TrainPoint:
    """One train_metrics row: the named loss terms (with "total") at a step."""

    step: int
    loss_terms: dict[str, float]
    lr: float | None
    images_per_second: float | None


@dataclass(frozen=True)
class EvalCell:
    """One eval_results row: a run's metrics on one evaluation column under one perturbation."""

    column: str
    perturbation: str
    n: int
    n_real: int
    n_fake: int
    threshold: float
    metrics: dict[str, float | None]
    # Video-level metrics (one score per video) for a column of video frames; `metrics` are then per frame.
    video: dict[str, float | None] | None


@dataclass(frozen=True)
class ExportRun:
    """One run with its resolved RunConfig, its training curve and its evaluation cells."""

    id: str
    sweep_id: str
    experiment: str
    method: str
    seed: int
    status: str
    code_version: str
    config: dict[str, JsonValue]
    train: tuple[TrainPoint, ...]
    eval: tuple[EvalCell, ...]

    @property
    def last_step(self) -> int:
        """The step the evaluation metrics belong to: the end of training (0 when no curve was recorded)."""
        return max((p.step for p in self.train), default=0)


@dataclass(frozen=True)
class TrackerBundle:
    """What one export holds: the sweep or experiment it came from and its runs."""

    source_kind: str
    source_id: str
    runs: tuple[ExportRun, ...]


class _Fields:
    """Typed access to one JSON object; every error names the field's path in the bundle."""

    def __init__(self, value: object, path: str) -> None:
        if not isinstance(value, dict):
            raise BundleError(f"{path}: expected an object")
        self.value = cast(dict[str, object], value)
        self.path = path

    def _get(self, key: str) -> object:
        if key not in self.value:
            raise BundleError(f"{self.path}.{key}: missing")
        return self.value[key]

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or value == "":
            raise BundleError(f"{self.path}.{key}: expected a non-empty string")
        return value

    def integer(self, key: str) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise BundleError(f"{self.path}.{key}: expected an integer")
        return value

    def number(self, key: str) -> float:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BundleError(f"{self.path}.{key}: expected a number")
        return float(value)

    def optional_number(self, key: str) -> float | None:
        value = self._get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise BundleError(f"{self.path}.{key}: expected a number or null")
        return float(value)

    def items(self, key: str) -> list[object]:
        value = self._get(key)
        if not isinstance(value, list):
            raise BundleError(f"{self.path}.{key}: expected a list")
        return value

    def child(self, key: str) -> _Fields:
        return _Fields(self._get(key), f"{self.path}.{key}")

    def optional_child(self, key: str) -> _Fields | None:
        return None if self._get(key) is None else self.child(key)


def _numbers(fields: _Fields, keys: tuple[str, ...]) -> dict[str, float | None]:
    return {key: fields.optional_number(key) for key in keys}


def _train_point(fields: _Fields) -> TrainPoint:
    terms = fields.child("loss_terms")
    return TrainPoint(
        step=fields.integer("step"),
        loss_terms={name: terms.number(name) for name in terms.value},
        lr=fields.optional_number("lr"),
        images_per_second=fields.optional_number("images_per_second"),
    )


def _eval_cell(fields: _Fields) -> EvalCell:
    video = fields.optional_child("video")
    return EvalCell(
        column=fields.text("column"),
        perturbation=fields.text("perturbation"),
        n=fields.integer("n"),
        n_real=fields.integer("n_real"),
        n_fake=fields.integer("n_fake"),
        threshold=fields.number("threshold"),
        metrics=_numbers(fields.child("metrics"), CELL_METRICS),
        video=None
        if video is None
        else {**_numbers(video, CELL_METRICS), "n_videos": video.number("n_videos")},
    )


def _run(fields: _Fields) -> ExportRun:
    train = [
        _train_point(_Fields(p, f"{fields.path}.train[{i}]")) for i, p in enumerate(fields.items("train"))
    ]
    cells = [_eval_cell(_Fields(c, f"{fields.path}.eval[{i}]")) for i, c in enumerate(fields.items("eval"))]
    return ExportRun(
        id=fields.text("id"),
        sweep_id=fields.text("sweep_id"),
        experiment=fields.text("experiment"),
        method=fields.text("method"),
        seed=fields.integer("seed"),
        status=fields.text("status"),
        code_version=fields.text("code_version"),
        config=cast(dict[str, JsonValue], fields.child("config").value),
        # Trackers want a curve in step order; Postgres gives it so, a hand-made bundle may not.
        train=tuple(sorted(train, key=lambda p: p.step)),
        eval=tuple(cells),
    )


def parse_bundle(value: object) -> TrackerBundle:
    """Reads a decoded bundle; raises BundleError naming the first field that breaks the shape."""
    root = _Fields(value, "bundle")
    if root.text("format") != BUNDLE_FORMAT:
        raise BundleError(f"bundle.format: expected {BUNDLE_FORMAT!r}, got {root.value['format']!r}")
    source = root.child("source")
    kind = source.text("kind")
    if kind not in ("sweep", "experiment"):
        raise BundleError(f"bundle.source.kind: expected 'sweep' or 'experiment', got {kind!r}")
    runs = [_run(_Fields(r, f"bundle.runs[{i}]")) for i, r in enumerate(root.items("runs"))]
    return TrackerBundle(source_kind=kind, source_id=source.text("id"), runs=tuple(runs))


def load_bundle(path: Path) -> TrackerBundle:
    """Reads a bundle file; a missing or non-JSON file is a BundleError naming it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise BundleError(f"{path}: cannot read the bundle ({error.strerror})") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise BundleError(f"{path}: not JSON ({error.msg} at line {error.lineno})") from None
    return parse_bundle(value)
