"""End to end through the REAL worker process (`python -m mirage_gpu_worker`), a real Temporal server and S3.

The acceptance test: a train killed with SIGKILL (or stopped with SIGTERM) mid-run is retried by Temporal
on a new worker process, resumes from the checkpoint named in its last heartbeat, and ends in a final
checkpoint byte-identical to that of an uninterrupted run with the same seed. A re-launch of the run in a
new workflow execution (no heartbeat to resume from) does the same from its newest verified checkpoint in S3.

Activities are routed as the run workflow routes them: to `<task queue>@<code version>`.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import (
    Dataset,
    WorkerProcess,
    call_activity,
    non_retryable_failure,
    start_call,
    started_worker,
    tiny_run_config,
    train_payload,
    unique,
)
from gpu_test_workflows import CallGpuActivity
from mirage_detector.metrics import binary_metrics
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import CancelledError
from temporalio.worker import Worker

from mirage_gpu_worker.code_version import detector_code_version
from mirage_gpu_worker.payloads import JsonObject
from mirage_gpu_worker.s3 import ArtifactStore, sha256_hex
from mirage_gpu_worker.settings import S3Settings

STEPS = 600
CHECKPOINT_EVERY = 50


def run_config() -> JsonObject:
    return tiny_run_config(steps=STEPS, batch_size=16, checkpoint_every=CHECKPOINT_EVERY, warmup_steps=10)


def train_input(dataset: Dataset, bucket: str, run_id: str, **overrides: Any) -> JsonObject:
    return train_payload(dataset, bucket, run_id, run_config(), **overrides)


@pytest.fixture(scope="module")
def gpu_worker(
    tmp_path_factory: pytest.TempPathFactory, temporal_address: str, s3_settings: S3Settings
) -> Iterator[WorkerProcess]:
    with started_worker(tmp_path_factory.mktemp("gpu-worker"), "gpu") as worker:
        yield worker


@pytest.fixture(scope="module")
def trained_run(
    gpu_worker: WorkerProcess, temporal_address: str, dataset: Dataset, bucket: str
) -> tuple[JsonObject, JsonObject]:
    """An uninterrupted run: (input, output)."""
    payload = train_input(dataset, bucket, unique("run-straight"))
    return payload, call_activity(temporal_address, gpu_worker.task_queue, "train", payload)


def test_uninterrupted_train(trained_run: tuple[JsonObject, JsonObject], store: ArtifactStore) -> None:
    payload, output = trained_run
    assert output["resumed_from_step"] is None
    assert output["steps"] == STEPS and output["checkpoint"]["step"] == STEPS
    assert [c["step"] for c in output["checkpoints"]] == list(
        range(CHECKPOINT_EVERY, STEPS + 1, CHECKPOINT_EVERY)
    )
    assert output["checkpoints"][-1] == output["checkpoint"]
    final = store.get_bytes(payload["bucket"], output["checkpoint"]["key"])
    assert sha256_hex(final) == output["checkpoint"]["sha256"]
    assert output["n_train"] == 48
    assert output["calibrated_threshold"] is not None and 0.0 <= output["calibrated_threshold"] <= 1.0
    assert set(output["final_loss_terms"]) >= {"total"}
    lines = store.get_bytes(payload["bucket"], payload["train_metrics_key"]).decode().splitlines()
    steps = [json.loads(line)["step"] for line in lines]
    assert steps == list(range(10, STEPS + 1, 10))


async def _wait_for_heartbeat_checkpoint(
    client: Client, handle: WorkflowHandle[Any, Any], min_step: int, timeout: float
) -> JsonObject:
    """The checkpoint ref of the activity's last heartbeat as the SERVER holds it, once at min_step."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        description = await handle.describe()
        for pending in description.raw_description.pending_activities:
            if pending.heartbeat_details.payloads:
                (details,) = await client.data_converter.decode(pending.heartbeat_details.payloads)
                checkpoint = details.get("checkpoint")
                if checkpoint is not None and checkpoint["step"] >= min_step:
                    return checkpoint
        if description.close_time is not None:
            pytest.fail("the run completed before it could be interrupted; make it longer")
        await asyncio.sleep(0.2)
    pytest.fail(f"no heartbeat with a checkpoint at step >= {min_step} within {timeout}s")


@pytest.mark.parametrize(
    ("stop_signal", "exit_status"),
    [(signal.SIGKILL, -signal.SIGKILL), (signal.SIGTERM, 0)],
    ids=["kill", "term"],
)
def test_stopped_worker_resumes_from_heartbeat_checkpoint_and_matches_uninterrupted_run(
    stop_signal: int,
    exit_status: int,
    trained_run: tuple[JsonObject, JsonObject],
    start_worker: Any,
    temporal_address: str,
    dataset: Dataset,
    bucket: str,
    store: ArtifactStore,
    tmp_path: Path,
) -> None:
    gpu_queue = unique("gpu-kill")
    payload = train_input(dataset, bucket, unique("run-killed"))
    first = start_worker(gpu_queue)

    async def scenario() -> tuple[JsonObject, JsonObject]:
        client = await Client.connect(temporal_address)
        workflow_queue = unique("wf")
        async with Worker(client, task_queue=workflow_queue, workflows=[CallGpuActivity]):
            handle = await start_call(client, workflow_queue, gpu_queue, "train", payload)
            seen = await _wait_for_heartbeat_checkpoint(client, handle, STEPS // 3, timeout=240)
            # SIGKILL: the retry waits for the heartbeat timeout; SIGTERM: the worker stops the run between
            # steps, uploads a checkpoint and fails the attempt retryably before it exits
            assert await asyncio.to_thread(first.kill, stop_signal) == exit_status
            await asyncio.to_thread(start_worker, gpu_queue)
            return seen, await handle.result()

    seen, resumed = asyncio.run(scenario())
    assert resumed["resumed_from_step"] is not None and resumed["resumed_from_step"] >= seen["step"]
    assert resumed["resumed_from_step"] < STEPS
    assert_same_as_uninterrupted(resumed, payload, trained_run, store)


def assert_same_as_uninterrupted(
    resumed: JsonObject,
    payload: JsonObject,
    trained_run: tuple[JsonObject, JsonObject],
    store: ArtifactStore,
) -> None:
    """The resumed run's checkpoints, final bytes, threshold and metrics lines are the uninterrupted run's."""
    straight_input, straight = trained_run
    bucket = payload["bucket"]
    # a stop adds the checkpoint of the step the run stopped at; every regular one must match
    resumed_by_step = {c["step"]: c["sha256"] for c in resumed["checkpoints"]}
    straight_by_step = {c["step"]: c["sha256"] for c in straight["checkpoints"]}
    assert set(straight_by_step) <= set(resumed_by_step)
    differing = [step for step, digest in straight_by_step.items() if resumed_by_step[step] != digest]
    assert differing == [], f"checkpoints differ from the uninterrupted run at steps {differing}"
    # the heart of it: the resumed run ends in exactly the bytes of the uninterrupted one
    assert resumed["checkpoint"]["sha256"] == straight["checkpoint"]["sha256"]
    assert resumed["checkpoint"]["bytes"] == straight["checkpoint"]["bytes"]
    assert (
        sha256_hex(store.get_bytes(bucket, resumed["checkpoint"]["key"])) == straight["checkpoint"]["sha256"]
    )
    assert resumed["calibrated_threshold"] == straight["calibrated_threshold"]
    # the metrics file has every line once, with the loss values of the uninterrupted run
    lines = [
        json.loads(line)
        for line in store.get_bytes(bucket, payload["train_metrics_key"]).decode().splitlines()
    ]
    straight_lines = [
        json.loads(line)
        for line in store.get_bytes(bucket, straight_input["train_metrics_key"]).decode().splitlines()
    ]
    assert [line["step"] for line in lines] == [line["step"] for line in straight_lines]
    assert [line["loss_terms"] for line in lines] == [line["loss_terms"] for line in straight_lines]


def evaluate_input(
    trained: JsonObject, dataset: Dataset, bucket: str, eval_id: str, **overrides: Any
) -> JsonObject:
    payload = {
        "run_id": trained["run_id"],
        "config": run_config(),
        "checkpoint": trained["checkpoint"],
        "eval_id": eval_id,
        "manifest": dataset.ref("test"),
        "perturbation": {"name": "none"},
        "calibrated_threshold": None,
        "bucket": bucket,
        "scores_key": f"runs/{trained['run_id']}/eval/{eval_id}.jsonl",
        "code_version": detector_code_version(),
    }
    payload.update(overrides)
    return payload


def test_worker_polls_its_queue_at_its_code_version(gpu_worker: WorkerProcess) -> None:
    assert gpu_worker.polled_queue == f"{gpu_worker.task_queue}@{detector_code_version()}"
    assert f"worker ready task_queue={gpu_worker.polled_queue} " in gpu_worker.log()


def test_evaluate_writes_scores_and_lists_the_corrupt_image(
    trained_run: tuple[JsonObject, JsonObject],
    gpu_worker: WorkerProcess,
    temporal_address: str,
    dataset: Dataset,
    bucket: str,
    store: ArtifactStore,
) -> None:
    _, trained = trained_run
    payload = evaluate_input(
        trained,
        dataset,
        bucket,
        "tiny-test-jpeg75",
        perturbation={"name": "jpeg", "quality": 75},
        calibrated_threshold=trained["calibrated_threshold"],
    )
    output = call_activity(temporal_address, gpu_worker.task_queue, "evaluate", payload)
    assert output["perturbation_id"] == "jpeg(quality=75)"
    assert (output["n"], output["n_real"], output["n_fake"]) == (16, 8, 8)
    assert [s["uri"] for s in output["skipped"]] == [dataset.corrupt_uri]
    assert "not an image" in output["skipped"][0]["reason"]
    for name in ("acc", "acc_real", "acc_fake", "ap", "auc", "acc_calibrated"):
        assert output[name] is not None and 0.0 <= output[name] <= 1.0, name
    assert output["threshold"] == 0.5
    assert output["calibrated_threshold"] == trained["calibrated_threshold"]
    scores_bytes = store.get_bytes(bucket, payload["scores_key"], expected_sha256=output["scores_sha256"])
    scores = [json.loads(line) for line in scores_bytes.decode().splitlines()]
    assert len(scores) == 16
    assert all(set(s) == {"uri", "label", "p_fake", "margin"} and 0.0 <= s["p_fake"] <= 1.0 for s in scores)
    assert {s["uri"] for s in scores}.isdisjoint({dataset.corrupt_uri})
    assert sorted(s["label"] for s in scores) == ["fake"] * 8 + ["real"] * 8
    # the summary is computed from exactly the scores in the file
    labels = [int(s["label"] == "fake") for s in scores]
    p_fake = [s["p_fake"] for s in scores]
    recomputed = binary_metrics(labels, p_fake, 0.5)
    assert (output["auc"], output["ap"], output["acc"]) == (recomputed.auc, recomputed.ap, recomputed.acc)
    assert output["acc_calibrated"] == binary_metrics(labels, p_fake, output["calibrated_threshold"]).acc


def test_contract_violation_fails_without_retry_and_names_the_field(
    gpu_worker: WorkerProcess, temporal_address: str, dataset: Dataset, bucket: str
) -> None:
    payload = train_input(dataset, bucket, unique("run-bad"))
    payload["config"]["method"] = "no-such-method"
    error = non_retryable_failure(
        temporal_address, gpu_worker.task_queue, "train", payload, "ContractViolation"
    )
    assert "config.method" in error.message


def test_detector_config_error_is_non_retryable(
    gpu_worker: WorkerProcess, temporal_address: str, dataset: Dataset, bucket: str
) -> None:
    payload = train_input(dataset, bucket, unique("run-size"))
    payload["config"]["preprocess"]["train"]["size"] = 64  # valid JSON, but the tiny CLIP takes 32 px
    error = non_retryable_failure(temporal_address, gpu_worker.task_queue, "train", payload, "ConfigError")
    assert "preprocess.train.size" in error.message


def test_foreign_code_version_is_refused(
    gpu_worker: WorkerProcess, temporal_address: str, dataset: Dataset, bucket: str
) -> None:
    payload = train_input(dataset, bucket, unique("run-code"), code_version="detector-0000000000000000")
    error = non_retryable_failure(
        temporal_address, gpu_worker.task_queue, "train", payload, "CodeVersionMismatch"
    )
    assert "detector-0000000000000000" in error.message


def test_evaluate_refuses_a_foreign_code_version(
    trained_run: tuple[JsonObject, JsonObject],
    gpu_worker: WorkerProcess,
    temporal_address: str,
    dataset: Dataset,
    bucket: str,
) -> None:
    _, trained = trained_run
    payload = evaluate_input(trained, dataset, bucket, "foreign", code_version="detector-0000000000000000")
    error = non_retryable_failure(
        temporal_address, gpu_worker.task_queue, "evaluate", payload, "CodeVersionMismatch"
    )
    assert "detector-0000000000000000" in error.message and detector_code_version() in error.message


def test_evaluate_refuses_a_checkpoint_whose_hash_differs(
    trained_run: tuple[JsonObject, JsonObject],
    gpu_worker: WorkerProcess,
    temporal_address: str,
    dataset: Dataset,
    bucket: str,
) -> None:
    _, trained = trained_run
    payload = evaluate_input(
        trained, dataset, bucket, "tampered", checkpoint={**trained["checkpoint"], "sha256": "e" * 64}
    )
    error = non_retryable_failure(
        temporal_address, gpu_worker.task_queue, "evaluate", payload, "CheckpointError"
    )
    assert trained["checkpoint"]["key"] in error.message and "e" * 64 in error.message


def test_evaluate_of_a_column_whose_images_are_not_here_fails_naming_them(
    trained_run: tuple[JsonObject, JsonObject],
    gpu_worker: WorkerProcess,
    temporal_address: str,
    dataset: Dataset,
    bucket: str,
) -> None:
    # The manifest's root is a mount this worker lacks: every image is missing, none is merely corrupt.
    _, trained = trained_run
    manifest = {**dataset.ref("val"), "root": "/mnt/not-mounted-here"}  # val images are local files
    payload = evaluate_input(trained, dataset, bucket, "elsewhere", manifest=manifest)
    error = non_retryable_failure(
        temporal_address, gpu_worker.task_queue, "evaluate", payload, "UnreadableImagesError"
    )
    images = manifest["n_real"] + manifest["n_fake"]
    assert f"evaluation (every image): {images} images in a row could not be read" in error.message
    assert "/mnt/not-mounted-here/" in error.message


def test_a_worker_reads_a_dataset_from_its_own_mount_given_by_mirage_data_roots(
    trained_run: tuple[JsonObject, JsonObject],
    temporal_address: str,
    dataset: Dataset,
    bucket: str,
    tmp_path: Path,
) -> None:
    # Registered under one root, mounted on this "other machine" under another: the worker names it.
    _, trained = trained_run
    mount = tmp_path / "mnt" / "tiny"
    shutil.copytree(dataset.root, mount)
    manifest = {**dataset.ref("val"), "root": "/mnt/registered-elsewhere"}
    with started_worker(tmp_path, "gpu-roots", {"MIRAGE_DATA_ROOTS": f"tiny={mount}"}) as worker:
        assert f"data root: dataset tiny is read from {mount} on this machine" in worker.log()
        payload = evaluate_input(trained, dataset, bucket, "mounted", manifest=manifest)
        output = call_activity(temporal_address, worker.task_queue, "evaluate", payload)
    assert output["n"] == manifest["n_real"] + manifest["n_fake"] and output["skipped"] == []


def test_cancellation_stops_between_steps_and_saves_a_checkpoint(
    gpu_worker: WorkerProcess, temporal_address: str, dataset: Dataset, bucket: str, store: ArtifactStore
) -> None:
    payload = train_input(dataset, bucket, unique("run-cancel"))
    prefix = payload["checkpoint_prefix"] + "/"

    async def scenario() -> BaseException:
        client = await Client.connect(temporal_address)
        workflow_queue = unique("wf")
        async with Worker(client, task_queue=workflow_queue, workflows=[CallGpuActivity]):
            handle = await start_call(client, workflow_queue, gpu_worker.task_queue, "train", payload)
            await _wait_for_heartbeat_checkpoint(client, handle, CHECKPOINT_EVERY, timeout=120)
            await handle.cancel()
            with pytest.raises(WorkflowFailureError) as failure:
                await handle.result()
            return failure.value.cause

    cause = asyncio.run(scenario())
    assert isinstance(cause, CancelledError), cause
    deadline = time.monotonic() + 60
    while "failed CancelledError" not in gpu_worker.log() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert f"activity train end run_id={payload['run_id']}" in gpu_worker.log()
    steps = [int(key[len(prefix) :].split("-")[1].split(".")[0]) for key in store.list_keys(bucket, prefix)]
    # the run stopped short of the end and saved where it stopped (normally between two regular checkpoints)
    assert steps and max(steps) < STEPS
    assert f"train cancelled at step {max(steps)}" in gpu_worker.log()


def stored_steps(store: ArtifactStore, bucket: str, prefix: str) -> list[int]:
    """Steps of the checkpoint files under `prefix`, ascending."""
    folder = prefix + "/"
    return sorted(
        int(key[len(folder) :].split("-")[1].split(".")[0]) for key in store.list_keys(bucket, folder)
    )


def train_then_cancel(
    gpu_worker: WorkerProcess, temporal_address: str, payload: JsonObject, min_step: int
) -> None:
    """Run `payload` until it heartbeats a checkpoint at `min_step` or later, cancel its workflow and wait
    until the worker has ended the attempt (which saves the checkpoint of the step it stopped at)."""

    async def scenario() -> None:
        client = await Client.connect(temporal_address)
        workflow_queue = unique("wf")
        async with Worker(client, task_queue=workflow_queue, workflows=[CallGpuActivity]):
            handle = await start_call(client, workflow_queue, gpu_worker.task_queue, "train", payload)
            await _wait_for_heartbeat_checkpoint(client, handle, min_step, timeout=120)
            await handle.cancel()
            with pytest.raises(WorkflowFailureError):
                await handle.result()

    asyncio.run(scenario())
    ended = f"activity train end run_id={payload['run_id']} attempt=1 failed CancelledError"
    deadline = time.monotonic() + 60
    while ended not in gpu_worker.log():
        assert time.monotonic() < deadline, f"the cancelled attempt did not end:\n{gpu_worker.log()}"
        time.sleep(0.2)


def test_relaunch_resumes_from_the_newest_checkpoint_in_s3_and_matches_uninterrupted_run(
    trained_run: tuple[JsonObject, JsonObject],
    gpu_worker: WorkerProcess,
    temporal_address: str,
    dataset: Dataset,
    bucket: str,
    store: ArtifactStore,
) -> None:
    payload = train_input(dataset, bucket, unique("run-relaunch"))
    train_then_cancel(gpu_worker, temporal_address, payload, STEPS // 3)
    steps = stored_steps(store, bucket, payload["checkpoint_prefix"])
    assert steps and STEPS // 3 <= steps[-1] < STEPS
    # a new workflow execution: its first attempt has no heartbeat details
    relaunched = call_activity(temporal_address, gpu_worker.task_queue, "train", payload)
    assert relaunched["attempt"] == 1
    assert relaunched["resumed_from_step"] == steps[-1]
    newest = f"{payload['checkpoint_prefix']}/step-{steps[-1]:08d}.safetensors"
    assert f"resuming from s3://{bucket}/{newest} (step {steps[-1]})" in gpu_worker.log()
    assert_same_as_uninterrupted(relaunched, payload, trained_run, store)


def test_relaunch_passes_over_a_corrupt_newest_checkpoint(
    trained_run: tuple[JsonObject, JsonObject],
    gpu_worker: WorkerProcess,
    temporal_address: str,
    dataset: Dataset,
    bucket: str,
    store: ArtifactStore,
) -> None:
    payload = train_input(dataset, bucket, unique("run-corrupt"))
    train_then_cancel(gpu_worker, temporal_address, payload, 2 * CHECKPOINT_EVERY)
    steps = stored_steps(store, bucket, payload["checkpoint_prefix"])
    assert len(steps) >= 2
    newest = f"{payload['checkpoint_prefix']}/step-{steps[-1]:08d}.safetensors"
    # the same key and the sha256 recorded at upload, other bytes (a bit flip at rest)
    tagged = store.stored_sha256(bucket, newest)
    data = bytearray(store.get_bytes(bucket, newest))
    data[len(data) // 2] ^= 0xFF
    store.client.put_object(Bucket=bucket, Key=newest, Body=bytes(data), Metadata={"sha256": tagged})
    relaunched = call_activity(temporal_address, gpu_worker.task_queue, "train", payload)
    assert relaunched["resumed_from_step"] == steps[-2]
    passed_over = (
        f"not resuming from the checkpoint of step {steps[-1]}: s3://{bucket}/{newest}: sha256 mismatch"
    )
    assert passed_over in gpu_worker.log()
    assert_same_as_uninterrupted(relaunched, payload, trained_run, store)


def test_relaunch_of_a_finished_run_does_not_retrain(
    trained_run: tuple[JsonObject, JsonObject],
    gpu_worker: WorkerProcess,
    temporal_address: str,
    dataset: Dataset,
    bucket: str,
    store: ArtifactStore,
) -> None:
    straight_input, straight = trained_run
    payload = train_input(dataset, bucket, unique("run-finished"))
    # the finished run's objects, as a run whose workflow failed after training would have left them
    for ref in straight["checkpoints"]:
        name = ref["key"].rsplit("/", 1)[-1]
        store.put_bytes(bucket, f"{payload['checkpoint_prefix']}/{name}", store.get_bytes(bucket, ref["key"]))
    metrics = store.get_bytes(bucket, straight_input["train_metrics_key"])
    store.put_bytes(bucket, payload["train_metrics_key"], metrics)
    relaunched = call_activity(temporal_address, gpu_worker.task_queue, "train", payload)
    assert relaunched["resumed_from_step"] == STEPS and relaunched["steps"] == STEPS
    assert relaunched["checkpoint"]["sha256"] == straight["checkpoint"]["sha256"]
    assert relaunched["calibrated_threshold"] == straight["calibrated_threshold"]
    assert relaunched["final_loss_terms"] == straight["final_loss_terms"]
    assert [c["sha256"] for c in relaunched["checkpoints"]] == [c["sha256"] for c in straight["checkpoints"]]
    assert store.get_bytes(bucket, payload["train_metrics_key"]) == metrics
