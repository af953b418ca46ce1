"""Early-stopping rungs of the train activity (`stop_at_step`), through the REAL worker process, Temporal
and S3.

A rung trains up to `stop_at_step`, publishes that checkpoint untouched (no calibration) and reports its val
metrics; the next execution of the run resumes from it and ends in the bytes of an uninterrupted run.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest import (
    Dataset,
    WorkerProcess,
    call_activity,
    non_retryable_failure,
    started_worker,
    tiny_run_config,
    train_payload,
    unique,
)

from mirage_gpu_worker.code_version import detector_code_version
from mirage_gpu_worker.payloads import JsonObject
from mirage_gpu_worker.s3 import ArtifactStore, sha256_hex

STEPS = 8
RUNG = 4


def train_input(
    dataset: Dataset, bucket: str, run_id: str, checkpoint_every: int = 2, **overrides: Any
) -> JsonObject:
    """A TrainInput of the tiny CLIP for STEPS steps; no `stop_at_step` key unless given (older callers)."""
    config = tiny_run_config(steps=STEPS, batch_size=8, checkpoint_every=checkpoint_every, warmup_steps=2)
    return train_payload(dataset, bucket, run_id, config, **overrides)


@pytest.fixture(scope="module")
def gpu_worker(tmp_path_factory: pytest.TempPathFactory, temporal_address: str) -> Iterator[WorkerProcess]:
    with started_worker(tmp_path_factory.mktemp("gpu-worker-rungs"), "gpu-rungs") as worker:
        yield worker


def metrics_lines(store: ArtifactStore, bucket: str, payload: JsonObject) -> list[JsonObject]:
    data = store.get_bytes(bucket, payload["train_metrics_key"]).decode()
    return [json.loads(line) for line in data.splitlines()]


def assert_val_metrics(output: JsonObject) -> None:
    metrics = output["val_metrics"]
    assert metrics is not None and set(metrics) == {"auc", "ap", "acc"}
    for name, value in metrics.items():
        assert value is not None and 0.0 <= value <= 1.0, (name, value)


def test_rung_reports_uncalibrated_val_metrics_and_the_run_resumes_from_it_bit_exact(
    gpu_worker: WorkerProcess, temporal_address: str, dataset: Dataset, bucket: str, store: ArtifactStore
) -> None:
    queue = gpu_worker.task_queue
    # the uninterrupted run, from a payload without the key (older callers)
    straight_input = train_input(dataset, bucket, unique("run-straight"))
    assert "stop_at_step" not in straight_input
    straight = call_activity(temporal_address, queue, "train", straight_input)
    assert straight["steps"] == STEPS and straight["resumed_from_step"] is None
    assert straight["calibrated_threshold"] is not None
    assert_val_metrics(straight)
    straight_by_step = {c["step"]: c["sha256"] for c in straight["checkpoints"]}

    payload = train_input(dataset, bucket, unique("run-rung"), stop_at_step=RUNG)
    rung = call_activity(temporal_address, queue, "train", payload)
    assert rung["steps"] == RUNG and rung["resumed_from_step"] is None
    assert rung["checkpoint"]["step"] == RUNG
    assert rung["checkpoint"]["key"] == f"{payload['checkpoint_prefix']}/step-{RUNG:08d}.safetensors"
    assert [c["step"] for c in rung["checkpoints"]] == [2, RUNG]
    assert rung["checkpoints"][-1] == rung["checkpoint"]
    assert sha256_hex(store.get_bytes(bucket, rung["checkpoint"]["key"])) == rung["checkpoint"]["sha256"]
    # not calibrated, not rewritten: the very bytes the uninterrupted run saved at that step
    assert rung["calibrated_threshold"] is None
    assert rung["checkpoint"]["sha256"] == straight_by_step[RUNG]
    assert_val_metrics(rung)
    assert [line["step"] for line in metrics_lines(store, bucket, payload)] == [2, RUNG]
    assert set(rung["final_loss_terms"]) >= {"total"}

    # the val metrics are those of that checkpoint on the val selection (acc at 0.5)
    evaluated = call_activity(
        temporal_address,
        queue,
        "evaluate",
        {
            "run_id": payload["run_id"],
            "config": payload["config"],
            "checkpoint": rung["checkpoint"],
            "eval_id": "rung-val",
            "manifest": dataset.ref("val"),
            "perturbation": {"name": "none"},
            "calibrated_threshold": None,
            "bucket": bucket,
            "scores_key": f"runs/{payload['run_id']}/eval/rung-val.jsonl",
            "code_version": detector_code_version(),
        },
    )
    assert evaluated["threshold"] == 0.5
    assert rung["val_metrics"] == {k: evaluated[k] for k in ("auc", "ap", "acc")}

    # the rung again (a retry after its checkpoint was published): nothing to train, the same answer
    again = call_activity(temporal_address, queue, "train", payload)
    assert again["resumed_from_step"] == RUNG and again["steps"] == RUNG
    assert again["checkpoint"] == rung["checkpoint"]
    assert again["checkpoints"] == rung["checkpoints"]
    assert again["val_metrics"] == rung["val_metrics"]
    assert again["final_loss_terms"] == rung["final_loss_terms"]
    assert again["calibrated_threshold"] is None

    # the run goes on past the rung: resumed there, it ends in the uninterrupted run's bytes
    full = call_activity(temporal_address, queue, "train", {**payload, "stop_at_step": None})
    assert full["resumed_from_step"] == RUNG and full["steps"] == STEPS
    assert full["checkpoint"]["step"] == STEPS
    assert full["checkpoint"]["sha256"] == straight["checkpoint"]["sha256"]
    assert sha256_hex(store.get_bytes(bucket, full["checkpoint"]["key"])) == straight["checkpoint"]["sha256"]
    assert {c["step"]: c["sha256"] for c in full["checkpoints"]} == straight_by_step
    assert full["calibrated_threshold"] == straight["calibrated_threshold"]
    assert_val_metrics(full)
    assert full["val_metrics"] == straight["val_metrics"]
    lines = metrics_lines(store, bucket, payload)
    straight_lines = metrics_lines(store, bucket, straight_input)
    assert [line["step"] for line in lines] == [line["step"] for line in straight_lines]
    assert [line["loss_terms"] for line in lines] == [line["loss_terms"] for line in straight_lines]


def test_rung_behind_a_run_that_went_further_resumes_below_it_and_keeps_the_metrics_file(
    gpu_worker: WorkerProcess, temporal_address: str, dataset: Dataset, bucket: str, store: ArtifactStore
) -> None:
    # checkpoints every 4 steps, metrics every 2: a rung at 6 falls between two checkpoints
    payload = train_input(dataset, bucket, unique("run-further"), checkpoint_every=4)
    full = call_activity(temporal_address, gpu_worker.task_queue, "train", payload)
    assert [c["step"] for c in full["checkpoints"]] == [4, STEPS]
    metrics = store.get_bytes(bucket, payload["train_metrics_key"])

    rung = call_activity(temporal_address, gpu_worker.task_queue, "train", {**payload, "stop_at_step": 6})
    assert rung["resumed_from_step"] == 4 and rung["steps"] == 6
    assert rung["checkpoint"]["step"] == 6 and rung["calibrated_threshold"] is None
    assert [c["step"] for c in rung["checkpoints"]] == [4, 6]
    assert_val_metrics(rung)
    # the line of step 8 stays: a later execution of the run resumes from the checkpoint of step 8
    assert store.get_bytes(bucket, payload["train_metrics_key"]) == metrics

    fresh_input = train_input(dataset, bucket, unique("run-fresh-rung"), checkpoint_every=4, stop_at_step=6)
    fresh = call_activity(temporal_address, gpu_worker.task_queue, "train", fresh_input)
    assert fresh["checkpoint"]["sha256"] == rung["checkpoint"]["sha256"]
    assert fresh["val_metrics"] == rung["val_metrics"]


@pytest.mark.parametrize(
    ("stop_at_step", "expected"),
    [(STEPS, "is not below the schedule's 8 steps"), (STEPS + 2, "is not below"), (3, "not a multiple of 2")],
    ids=["at-end", "beyond-end", "splits-a-metrics-window"],
)
def test_bad_stop_at_step_fails_without_retry_and_names_the_field(
    stop_at_step: int,
    expected: str,
    gpu_worker: WorkerProcess,
    temporal_address: str,
    dataset: Dataset,
    bucket: str,
    store: ArtifactStore,
) -> None:
    payload = train_input(dataset, bucket, unique("run-bad-rung"), stop_at_step=stop_at_step)
    error = non_retryable_failure(temporal_address, gpu_worker.task_queue, "train", payload, "ConfigError")
    assert f"stop_at_step: {stop_at_step} " in error.message and expected in error.message
    assert store.list_keys(bucket, payload["checkpoint_prefix"] + "/") == []
