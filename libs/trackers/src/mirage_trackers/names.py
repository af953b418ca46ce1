"""How our rows are named in every tracker, so the three exports of one run read the same.

Train curves: ``loss/<term>`` for each train_metrics loss term (``loss/total``, ``loss/ce``, ``loss/intra``),
``train/lr`` and ``train/images_per_second``. Evaluation cells: ``eval/<column>/<perturbation>/<metric>``, and
``eval/<column>/<perturbation>/video/<metric>`` for video-level metrics.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .bundle import EvalCell, ExportRun, JsonValue, cell_metrics


@dataclass(frozen=True)
class Scalar:
    """One named value at one step."""

    name: str
    step: int
    value: float


def train_scalars(run: ExportRun) -> Iterator[Scalar]:
    """The run's training curves, step by step (loss terms in name order, then lr and throughput)."""
    for point in run.train:
        for term in sorted(point.loss_terms):
            yield Scalar(f"loss/{term}", point.step, point.loss_terms[term])
        if point.lr is not None:
            yield Scalar("train/lr", point.step, point.lr)
        if point.images_per_second is not None:
            yield Scalar("train/images_per_second", point.step, point.images_per_second)


def cell_prefix(cell: EvalCell) -> str:
    """``eval/<column>/<perturbation>``: the group of one evaluation cell's metrics."""
    return f"eval/{cell.column}/{cell.perturbation}"


def eval_metrics(run: ExportRun) -> dict[str, float]:
    """The run's per-generator metrics by name; undefined ones (null: AP of a one-class cell) are left out."""
    named: dict[str, float] = {}
    for cell in run.eval:
        prefix = cell_prefix(cell)
        metrics, video = cell_metrics(cell)
        for metric, value in metrics.items():
            if value is not None:
                named[f"{prefix}/{metric}"] = float(value)
        named[f"{prefix}/n"] = float(cell.n)
        for metric, value in video.items():
            if value is not None:
                named[f"{prefix}/video/{metric}"] = float(value)
    return named


def flatten_config(config: dict[str, JsonValue], prefix: str = "") -> dict[str, str | int | float | bool]:
    """A nested RunConfig as dotted keys (``loss.w_intra``); lists and nulls become their JSON text."""
    flat: dict[str, str | int | float | bool] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten_config(value, f"{name}."))
        elif isinstance(value, bool | int | float | str):
            flat[name] = value
        else:
            flat[name] = json.dumps(value, sort_keys=True)
    return flat


# MLflow allows only these characters in metric and param names; a perturbation id such as "jpeg(quality=75)"
# has others, so they become "_" there (and only there).
_MLFLOW_UNSAFE = re.compile(r"[^A-Za-z0-9_\-. :/]")


def mlflow_safe(name: str) -> str:
    """A name MLflow accepts: ``eval/a/jpeg(quality=75)/acc`` -> ``eval/a/jpeg_quality_75_/acc``."""
    return _MLFLOW_UNSAFE.sub("_", name)
