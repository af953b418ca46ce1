"""One reader per tracker, each through the tracker's own API; all return {our run id: ReadRun}."""

from __future__ import annotations

import json
from pathlib import Path

from .model import ReadRun


def read_tensorboard(logdir: Path) -> dict[str, ReadRun]:
    """TensorBoard's EventAccumulator over each run folder: every scalar tag with its steps."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    runs: dict[str, ReadRun] = {}
    for folder in sorted(p for p in logdir.iterdir() if p.is_dir()):
        accumulator = EventAccumulator(str(folder), size_guidance={"scalars": 0, "tensors": 0})
        accumulator.Reload()
        read = ReadRun()
        for tag in accumulator.Tags()["scalars"]:
            read.series[tag] = [(e.step, e.value) for e in accumulator.Scalars(tag)]
        if "config" in accumulator.Tags()["tensors"]:
            text = accumulator.Tensors("config")[0].tensor_proto.string_val[0].decode()
            read.params = json.loads(text.removeprefix("```json\n").removesuffix("\n```"))
        runs[folder.name] = read
    return runs


def read_mlflow(tracking_uri: str, experiment: str) -> dict[str, ReadRun]:
    """MlflowClient: each run's params, tags and full metric histories, keyed by the run name (our run id)."""
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=tracking_uri)
    found = client.get_experiment_by_name(experiment)
    if found is None:
        raise LookupError(f"no MLflow experiment {experiment!r} at {tracking_uri}")
    runs: dict[str, ReadRun] = {}
    for run in client.search_runs([found.experiment_id]):
        read = ReadRun(params=dict(run.data.params), tags={k: v for k, v in run.data.tags.items()})
        read.tags["mlflow.status"] = run.info.status
        for key in run.data.metrics:
            history = client.get_metric_history(run.info.run_id, key)
            read.series[key] = sorted((m.step, m.value) for m in history)
        runs[run.info.run_name or run.info.run_id] = read
    return runs


def _item_name(item: object) -> str:
    key = getattr(item, "key", "")
    return key or "/".join(getattr(item, "nested_key", []))


def read_wandb(out: Path) -> dict[str, ReadRun]:
    """Each offline run folder's transaction log: config, history (by step) and final summary."""
    from .wandb_log import read_records

    runs: dict[str, ReadRun] = {}
    for log in sorted(out.glob("wandb/offline-run-*/run-*.wandb")):
        read = ReadRun()
        run_id = ""
        for record in read_records(log):
            kind = record.WhichOneof("record_type")
            if kind == "run":
                run_id = record.run.run_id
                read.tags = {"project": record.run.project, "group": record.run.run_group}
                read.tags["job_type"] = record.run.job_type
                read.tags["tags"] = ",".join(record.run.tags)
                for item in record.run.config.update:
                    read.params[_item_name(item)] = json.loads(item.value_json)
            elif kind == "history":
                values = {_item_name(i): json.loads(i.value_json) for i in record.history.item}
                step = int(values["_step"])
                for name, value in values.items():
                    if not name.startswith("_"):
                        read.series.setdefault(name, []).append((step, float(value)))
            elif kind == "summary":
                for item in record.summary.update:
                    name = _item_name(item)
                    if not name.startswith("_"):
                        read.summary[name] = json.loads(item.value_json)
        read.params.pop("_wandb", None)
        runs[run_id] = read
    return runs


def read_export(tracker: str, location: str, experiment: str = "") -> dict[str, ReadRun]:
    """Reads an export of `tracker` at `location` (a folder; for MLflow a tracking URI and experiment)."""
    if tracker == "tensorboard":
        return read_tensorboard(Path(location))
    if tracker == "mlflow":
        return read_mlflow(location, experiment)
    if tracker == "wandb":
        return read_wandb(Path(location))
    raise ValueError(f"unknown tracker {tracker!r}")
