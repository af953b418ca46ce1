"""MLflow: one MLflow run per run of ours, in an MLflow experiment named after the sweep or experiment.

The default store is a sqlite file in the export folder (`sqlite:///<out>/mlflow.db`): MLflow 3 put its file
store (`./mlruns`) in maintenance mode and refuses it unless told otherwise, and recommends
sqlite for local use.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from .bundle import ExportRun, TrackerBundle, last_step
from .names import eval_metrics, flatten_config, mlflow_safe, train_scalars
from .result import ExportResult

# Our run statuses as MLflow's terminal ones; runs still in flight stay RUNNING, as they were when exported.
_MLFLOW_STATUS = {"succeeded": "FINISHED", "failed": "FAILED", "cancelled": "KILLED", "stopped": "KILLED"}
# MLflow's own per-call limits of log_batch (mlflow.utils.validation).
_METRICS_PER_BATCH = 1000
_PARAMS_PER_BATCH = 100
_PARAM_VALUE_LIMIT = 6000
# The tag that finds an earlier export of the same run in a shared tracking server.
RUN_ID_TAG = "run_id"

T = TypeVar("T")


def default_tracking_uri(out: Path) -> str:
    """`sqlite:///<absolute out>/mlflow.db`, the local store an export writes when given no tracking URI."""
    return f"sqlite:///{(out / 'mlflow.db').resolve()}"


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_tags(run: ExportRun) -> dict[str, str]:
    """The MLflow tags of one run: where it came from and what it was."""
    return {
        RUN_ID_TAG: run.id,
        "sweep": run.sweep_id,
        "experiment": run.experiment,
        "method": run.method,
        "seed": str(run.seed),
        "code_version": run.code_version,
        "status": run.status,
    }


def export_mlflow(bundle: TrackerBundle, out: Path, tracking_uri: str | None = None) -> ExportResult:
    """Writes the bundle's runs to the tracking store at `tracking_uri` (default: a sqlite file in out)."""
    from mlflow import MlflowClient
    from mlflow.entities import Metric, Param

    uri = tracking_uri or default_tracking_uri(out)
    if tracking_uri is None:
        out.mkdir(parents=True, exist_ok=True)
    client = MlflowClient(tracking_uri=uri)
    experiment = client.get_experiment_by_name(bundle.source.id)
    experiment_id = (
        experiment.experiment_id if experiment is not None else client.create_experiment(bundle.source.id)
    )

    def replace_earlier_export(run: ExportRun) -> None:
        # Exporting a sweep again to a shared server replaces its runs instead of listing each one twice.
        earlier = client.search_runs([experiment_id], filter_string=f"tags.{RUN_ID_TAG} = '{run.id}'")
        for found in earlier:
            client.delete_run(found.info.run_id)

    def write_run(run: ExportRun) -> int:
        replace_earlier_export(run)
        created = client.create_run(experiment_id, run_name=run.id, tags=run_tags(run))
        mlflow_run_id = created.info.run_id
        params = [
            Param(mlflow_safe(key), str(value)[:_PARAM_VALUE_LIMIT])
            for key, value in sorted(flatten_config(run.config).items())
        ]
        for chunk in _chunks(params, _PARAMS_PER_BATCH):
            client.log_batch(mlflow_run_id, params=chunk)
        now_ms = int(time.time() * 1000)
        metrics = [Metric(mlflow_safe(s.name), s.value, now_ms, s.step) for s in train_scalars(run)]
        metrics += [
            Metric(mlflow_safe(name), value, now_ms, last_step(run))
            for name, value in eval_metrics(run).items()
        ]
        for chunk in _chunks(metrics, _METRICS_PER_BATCH):
            client.log_batch(mlflow_run_id, metrics=chunk)
        status = _MLFLOW_STATUS.get(run.status)
        if status is not None:
            client.set_terminated(mlflow_run_id, status=status)
        return len(metrics)

    points = sum(write_run(run) for run in bundle.runs)
    return ExportResult(
        tracker="mlflow",
        location=uri,
        runs=len(bundle.runs),
        points=points,
        open_command=f"mlflow ui --backend-store-uri {uri}",
    )
