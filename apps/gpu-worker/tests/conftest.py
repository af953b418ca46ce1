"""Real services for the worker's tests: S3 and Temporal from env (a test fails, naming the variable, when
unset), a fresh bucket per session, a tiny generated image dataset, and real worker processes."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from gpu_test_workflows import CallGpuActivity
from PIL import Image
from temporalio.client import Client, WorkflowFailureError, WorkflowHandle
from temporalio.exceptions import ActivityError, ApplicationError, RetryState
from temporalio.worker import Worker

from mirage_gpu_worker.code_version import detector_code_version
from mirage_gpu_worker.contracts import versioned_task_queue
from mirage_gpu_worker.payloads import JsonObject
from mirage_gpu_worker.s3 import ArtifactStore, create_s3_client
from mirage_gpu_worker.settings import S3Settings

SERVICE_VARIABLES = ("TEMPORAL_ADDRESS", "S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
RUN_CONFIG_FIXTURE = Path(__file__).resolve().parents[3] / "libs/contracts/fixtures/valid/RunConfig.tiny.json"
SESSION = uuid.uuid4().hex[:10]


def service_env(name: str) -> str:
    """The value of a service variable; the test FAILS (never skips) when it is unset."""
    value = os.environ.get(name)
    if not value:
        pytest.fail(
            f"environment variable {name} is not set: the gpu-worker tests need a real S3 and Temporal "
            f"(set {', '.join(SERVICE_VARIABLES)}; e.g. `source /tmp/dev/env.sh`)"
        )
    return value


@pytest.fixture(scope="session")
def s3_settings() -> S3Settings:
    return S3Settings(
        endpoint=service_env("S3_ENDPOINT"),
        region=os.environ.get("S3_REGION") or "us-east-1",
        access_key_id=service_env("S3_ACCESS_KEY_ID"),
        secret_access_key=service_env("S3_SECRET_ACCESS_KEY"),
    )


@pytest.fixture(scope="session")
def store(s3_settings: S3Settings) -> ArtifactStore:
    return ArtifactStore(create_s3_client(s3_settings))


@pytest.fixture(scope="session")
def bucket(store: ArtifactStore) -> Iterator[str]:
    """A bucket of this test session only, emptied and removed at the end."""
    name = f"gpu-worker-test-{SESSION}"
    store.client.create_bucket(Bucket=name)
    yield name
    for key in store.list_keys(name, ""):
        store.client.delete_object(Bucket=name, Key=key)
    store.client.delete_bucket(Bucket=name)


@pytest.fixture(scope="session")
def temporal_address() -> str:
    return service_env("TEMPORAL_ADDRESS")


def tiny_run_config(**schedule: Any) -> JsonObject:
    """The tiny CLIP RunConfig of the contract fixtures (hidden 32, 2 layers, image 32, patch 8)."""
    config = json.loads(RUN_CONFIG_FIXTURE.read_text())["value"]
    config["augment"]["jpeg"]["p"] = 0.0
    config["schedule"].update(schedule)
    return config


@dataclass(frozen=True)
class Dataset:
    """A generated dataset: its records (local uris relative to `root`, test images in S3) and where they are.

    `ref` does what the CLI does before a run: select records, upload them as their own manifest and
    point a ManifestRef at it (the worker reads those records as they are).
    """

    store: ArtifactStore
    bucket: str
    root: Path
    records: tuple[JsonObject, ...]
    content_hash: str
    corrupt_uri: str
    counts: dict[str, int]

    def ref(self, split: str, max_images: int | None = None) -> JsonObject:
        # The contract's selection order: by content hash, then the first max_images.
        picked = sorted(
            (r for r in self.records if r["split"] == split), key=lambda r: (r["sha256"], r["uri"])
        )
        picked = picked[:max_images] if max_images is not None else picked
        manifest = "".join(
            json.dumps(r, sort_keys=True, separators=(",", ":")) + "\n" for r in picked
        ).encode()
        selection_hash = hashlib.sha256(manifest).hexdigest()
        stored = self.store.put_bytes(
            self.bucket, f"datasets/tiny/selections/{selection_hash}.jsonl", manifest
        )
        selection = {
            "split": split,
            "generators": None,
            "classes": None,
            "max_images": max_images,
            "sample_seed": None,
        }
        return {
            "dataset": "tiny",
            "version": "1",
            "content_hash": self.content_hash,
            "selection": selection,
            "key": stored.key,
            "selection_hash": stored.sha256,
            "root": str(self.root),
            "n_real": sum(r["label"] == "real" for r in picked),
            "n_fake": sum(r["label"] == "fake" for r in picked),
        }


def _image(label: int, rng: np.random.Generator) -> np.ndarray:
    # "real": smooth colour fields; "fake": high-frequency noise. Easy to separate, so metrics are meaningful.
    if label == 0:
        base = rng.integers(0, 256, 3)
        ramp = np.linspace(0, 40, 32)[None, :, None]
        return np.clip(base[None, None, :] + ramp, 0, 255).astype(np.uint8).repeat(32, axis=0)
    return rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)


def _encode(pixels: np.ndarray, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return buffer.getvalue()


@pytest.fixture(scope="session")
def dataset(store: ArtifactStore, bucket: str, tmp_path_factory: pytest.TempPathFactory) -> Dataset:
    """train/val images as local files, test images in S3 (s3:// uris) plus one corrupt test image."""
    root = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(7)
    records = []
    sizes = {"train": 48, "val": 16, "test": 16}
    for split, size in sizes.items():
        for index in range(size):
            label = index % 2
            fmt = "JPEG" if index % 4 in (1, 2) else "PNG"
            data = _encode(_image(label, rng), fmt)
            name = f"{split}-{index:03d}.{fmt.lower()}"
            if split == "test":
                key = f"images/{name}"
                store.put_bytes(bucket, key, data)
                uri = f"s3://{bucket}/{key}"
            else:
                (root / name).write_bytes(data)
                uri = name  # relative to the dataset root, as registration writes it
            records.append(_record(uri, label, split, fmt, data))
    corrupt = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
    store.put_bytes(bucket, "images/test-corrupt.png", corrupt)
    corrupt_uri = f"s3://{bucket}/images/test-corrupt.png"
    records.append(_record(corrupt_uri, 1, "test", "PNG", corrupt))
    manifest = "".join(json.dumps(record, sort_keys=True) + "\n" for record in records).encode()
    stored = store.put_bytes(bucket, "datasets/tiny/manifest.jsonl", manifest)
    counts = {**sizes, "test": sizes["test"] + 1}
    return Dataset(store, bucket, root, tuple(records), stored.sha256, corrupt_uri, counts)


def _record(uri: str, label: int, split: str, fmt: str, data: bytes) -> JsonObject:
    return {
        "uri": uri,
        "label": ("real", "fake")[label],
        "generator": "real-fields" if label == 0 else "noise-gan",
        "object_class": None,
        "split": split,
        "width": 32,
        "height": 32,
        "format": fmt,
        "jpeg_quality": 90 if fmt == "JPEG" else None,
        "sha256": hashlib.sha256(data).hexdigest(),
    }


class WorkerProcess:
    """`python -m mirage_gpu_worker` as a real subprocess on its own task queue (MIRAGE_GPU_TASK_QUEUE), which
    it polls at its code version: `polled_queue`."""

    def __init__(
        self, task_queue: str, cache_dir: Path, log_path: Path, extra_env: dict[str, str] | None = None
    ) -> None:
        self.task_queue = task_queue
        self.polled_queue = versioned_task_queue(task_queue, detector_code_version())
        self.log_path = log_path
        env = {
            **os.environ,
            "MIRAGE_GPU_TASK_QUEUE": task_queue,
            "MIRAGE_WORKER_CACHE": str(cache_dir),
            "MIRAGE_TORCH_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            **(extra_env or {}),
        }
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mirage_gpu_worker"], env=env, stdout=self._log, stderr=subprocess.STDOUT
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "worker ready" in self.log():
                return
            if self.process.poll() is not None:
                pytest.fail(
                    f"worker exited with {self.process.returncode} before it was ready:\n{self.log()}"
                )
            time.sleep(0.2)
        pytest.fail(f"worker not ready after {timeout}s:\n{self.log()}")

    def kill(self, signum: int = signal.SIGKILL) -> int:
        """Send `signum` and wait for the process to exit; returns its exit status."""
        self.process.send_signal(signum)
        return self.process.wait(timeout=120)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


@pytest.fixture
def start_worker(
    tmp_path: Path, temporal_address: str, s3_settings: S3Settings
) -> Iterator[Callable[[str], WorkerProcess]]:
    """Starts worker processes (each with its own cache dir) and stops the survivors after the test."""
    started: list[WorkerProcess] = []

    def start(task_queue: str) -> WorkerProcess:
        index = len(started)
        worker = WorkerProcess(task_queue, tmp_path / f"cache-{index}", tmp_path / f"worker-{index}.log")
        started.append(worker)
        worker.wait_ready()
        return worker

    yield start
    for worker in started:
        worker.stop()


def unique(prefix: str) -> str:
    return f"{prefix}-{SESSION}-{uuid.uuid4().hex[:6]}"


def train_payload(
    dataset: Dataset, bucket: str, run_id: str, config: JsonObject, **overrides: Any
) -> JsonObject:
    """A TrainInput for `config` on the dataset's train/val selections, keyed under the run's prefix."""
    payload = {
        "run_id": run_id,
        "config": config,
        "train_manifest": dataset.ref("train"),
        "val_manifest": dataset.ref("val"),
        "bucket": bucket,
        "checkpoint_prefix": f"runs/{run_id}/checkpoints",
        "train_metrics_key": f"runs/{run_id}/train-metrics.jsonl",
        "code_version": detector_code_version(),
    }
    payload.update(overrides)
    return payload


HEARTBEAT_TIMEOUT_S = 10
"""The test workflow's heartbeat timeout for GPU activities: a killed worker is noticed within seconds."""


async def start_call(
    client: Client,
    workflow_queue: str,
    gpu_queue: str,
    activity: str,
    payload: JsonObject,
    attempts: int = 5,
) -> WorkflowHandle[Any, Any]:
    """Start the test workflow; it sends `activity` to `gpu_queue` at the code version of this checkout
    (which the worker runs), whatever code version the payload names."""
    request = {
        "activity": activity,
        "input": payload,
        "task_queue": gpu_queue,
        "code_version": detector_code_version(),
        "heartbeat_timeout_s": HEARTBEAT_TIMEOUT_S,
        "maximum_attempts": attempts,
    }
    return await client.start_workflow(
        CallGpuActivity.run, request, id=unique(f"wf-{activity}"), task_queue=workflow_queue
    )


def call_activity(
    temporal_address: str, gpu_queue: str, activity: str, payload: JsonObject, attempts: int = 5
) -> JsonObject:
    """Run the test workflow (on a workflow-only worker in this process) that calls `activity` once."""

    async def scenario() -> JsonObject:
        client = await Client.connect(temporal_address)
        workflow_queue = unique("wf")
        async with Worker(client, task_queue=workflow_queue, workflows=[CallGpuActivity]):
            handle = await start_call(client, workflow_queue, gpu_queue, activity, payload, attempts)
            return await handle.result()

    return asyncio.run(scenario())


@contextmanager
def started_worker(
    root: Path, prefix: str, extra_env: dict[str, str] | None = None
) -> Iterator[WorkerProcess]:
    """A real worker on a fresh queue named after `prefix`, its cache and log under `root`; stopped after."""
    worker = WorkerProcess(unique(prefix), root / "cache", root / "worker.log", extra_env)
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()


def non_retryable_failure(
    temporal_address: str, gpu_queue: str, activity: str, payload: JsonObject, error_type: str
) -> ApplicationError:
    """Run `activity` expecting it to fail once, non-retryably, with `error_type`; return that error."""
    with pytest.raises(WorkflowFailureError) as failure:
        call_activity(temporal_address, gpu_queue, activity, payload)
    cause = failure.value.cause
    assert isinstance(cause, ActivityError), cause
    assert cause.retry_state == RetryState.NON_RETRYABLE_FAILURE
    error = cause.cause
    assert isinstance(error, ApplicationError), error
    assert (error.type, error.non_retryable) == (error_type, True), error
    return error
