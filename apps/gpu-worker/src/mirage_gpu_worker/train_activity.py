"""The `train` activity: one run of the detector, checkpointed to S3 and resumable from its heartbeat.

Each checkpoint is uploaded, then the train-metrics file, then a heartbeat whose details name the
checkpoint; a retried attempt (worker killed, heartbeat timeout) downloads that checkpoint and continues.
The detector's training is a pure function of (config, data, seed, step), so the resumed run ends in the
same checkpoint bytes as an uninterrupted one.
"""

from __future__ import annotations

import math
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from mirage_detector.config import RunConfig
from mirage_detector.data.records import ImageRecord
from mirage_detector.engine import checkpoint_filename, evaluate, train, write_calibrated_threshold
from mirage_detector.metrics import calibrate_threshold
from temporalio import activity
from temporalio.exceptions import ApplicationError, CancelledError

from mirage_gpu_worker.contracts import contract_errors, validate_contract
from mirage_gpu_worker.failures import (
    CODE_VERSION_MISMATCH,
    WORKER_SHUTDOWN,
    data_failure,
    non_retryable,
    typed_failures,
    validate_input,
    validate_output,
)
from mirage_gpu_worker.heartbeat import HeartbeatPulse
from mirage_gpu_worker.manifests import load_selected_records
from mirage_gpu_worker.metrics_log import TrainMetricsLog
from mirage_gpu_worker.worker_context import WorkerContext

_CHECKPOINT_NAME = re.compile(r"step-(\d{8})\.safetensors")
_METRICS_EVERY = 10


def run_train(context: WorkerContext, payload: Any) -> dict[str, Any]:
    """Validate a TrainInput, train (or resume) and return a TrainOutput; failures are typed for Temporal."""
    validate_input("TrainInput", payload)
    if payload["code_version"] != context.code_version:
        raise non_retryable(
            CODE_VERSION_MISMATCH,
            f"code_version: the run asks for {payload['code_version']!r} but this worker runs "
            f"{context.code_version!r}; a number must not be attributed to code that did not produce it",
        )
    with typed_failures():
        return TrainAttempt(context, payload).run()


def _checkpoint_key(prefix: str, step: int) -> str:
    return f"{prefix.rstrip('/')}/{checkpoint_filename(step)}"


class TrainAttempt:
    """One attempt of the activity: state shared by the engine's callbacks."""

    def __init__(self, context: WorkerContext, payload: dict[str, Any]) -> None:
        self.context = context
        self.payload = payload
        self.bucket: str = payload["bucket"]
        self.prefix: str = payload["checkpoint_prefix"]
        self.metrics_key: str = payload["train_metrics_key"]
        self.total_steps: int = payload["config"]["schedule"]["steps"]
        self.checkpoints: list[dict[str, Any]] = []
        self.metrics = TrainMetricsLog()
        self.progress: dict[str, Any] = {"step": 0, "loss_terms": {}, "lr": 0.0, "images_per_second": 0.0}
        self.pulse: HeartbeatPulse | None = None
        self.report_every = math.gcd(_METRICS_EVERY, payload["config"]["schedule"]["checkpoint_every"])
        self.next_step = 0

    def run(self) -> dict[str, Any]:
        config = RunConfig.from_dict(self.payload["config"])
        resume = self._resume_point()
        # Beat from the start: loading big manifests or fetching the resume checkpoint can outlast the
        # heartbeat timeout. Until the resume state is in place the details repeat the previous attempt's last
        # heartbeat, so a worker lost during preparation never makes the next attempt forget the checkpoint.
        first = activity.info().heartbeat_details[-1] if resume is not None else self._heartbeat_details()
        work_dir = Path(tempfile.mkdtemp(prefix="train-", dir=self._work_root()))
        try:
            with HeartbeatPulse(first) as pulse:
                self.pulse = pulse
                train_records = self._records("train_manifest")
                val_records = (
                    self._records("val_manifest") if self.payload["val_manifest"] is not None else None
                )
                resume_path = self._prepare_resume(resume, work_dir) if resume is not None else None
                pulse.update(self._heartbeat_details())
                result = train(
                    config,
                    train_records,
                    checkpoint_dir=work_dir / "checkpoints",
                    resume_from=resume_path,
                    on_step=self._on_step,
                    on_checkpoint=self._on_checkpoint,
                    should_stop=self._should_stop,
                    report_every=self.report_every,
                    code_version=self.context.code_version,
                )
                if result.stopped:
                    raise _stopped_failure(result.step)
                assert result.checkpoint_path is not None
                threshold = (
                    self._calibrate(config, result.checkpoint_path, val_records)
                    if val_records is not None
                    else None
                )
                final = self._publish(result.checkpoint_path, result.step)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        final_terms = result.loss_terms or (
            self.metrics.records[-1]["loss_terms"] if self.metrics.records else {}
        )
        output = {
            "run_id": self.payload["run_id"],
            "checkpoint": final,
            "checkpoints": self.checkpoints,
            "steps": result.step,
            "final_loss_terms": final_terms,
            "images_per_second": max(0.0, result.images_per_second),
            "calibrated_threshold": threshold,
            "train_metrics_key": self.metrics_key,
            "n_train": len(train_records),
            "resumed_from_step": resume["step"] if resume is not None else None,
            "attempt": activity.info().attempt,
            "skipped": _unique_skipped(result.skipped_images),
        }
        validate_output("TrainOutput", output)
        return output

    def _work_root(self) -> Path:
        self.context.work_root.mkdir(parents=True, exist_ok=True)
        return self.context.work_root

    def _records(self, field: str) -> list[ImageRecord]:
        try:
            return load_selected_records(self.context.cache, self.bucket, self.payload[field], field)
        except Exception as error:
            failure = data_failure(error, field)
            if failure is not None:
                raise failure from error
            raise

    def _resume_point(self) -> dict[str, Any] | None:
        """The checkpoint named by the last heartbeat of a previous attempt, if any."""
        details = activity.info().heartbeat_details
        if not details:
            return None
        heartbeat = details[-1]
        problems = contract_errors("TrainHeartbeat", heartbeat)
        if problems:
            raise non_retryable("ContractViolation", "heartbeat details: " + "; ".join(problems))
        checkpoint: dict[str, Any] | None = heartbeat["checkpoint"]
        if checkpoint is not None and not checkpoint["key"].startswith(self.prefix.rstrip("/") + "/"):
            raise non_retryable(
                "CheckpointError", f"heartbeat checkpoint {checkpoint['key']!r} is not under {self.prefix!r}"
            )
        return checkpoint

    def _prepare_resume(self, resume: dict[str, Any], work_dir: Path) -> Path:
        """Fetch the resume checkpoint into the work dir, and the state that preceded it."""
        try:
            cached = self.context.cache.fetch(self.bucket, resume["key"], expected_sha256=resume["sha256"])
        except Exception as error:
            failure = data_failure(error, "checkpoint (heartbeat)")
            if failure is not None:
                raise failure from error
            raise
        # a copy: calibration rewrites the final checkpoint in place, and the cache must stay verified bytes
        local = work_dir / "resume" / checkpoint_filename(resume["step"])
        local.parent.mkdir(parents=True)
        shutil.copyfile(cached, local)
        self.checkpoints = self._earlier_checkpoints(resume["step"])
        self.metrics = TrainMetricsLog.resume(
            self.context.store, self.bucket, self.metrics_key, resume["step"]
        )
        self.progress["step"] = resume["step"]
        self.next_step = resume["step"]
        if self.metrics.records:
            last = self.metrics.records[-1]
            self.progress.update(loss_terms=last["loss_terms"], lr=last["lr"], images_per_second=0.0)
        return local

    def _earlier_checkpoints(self, up_to_step: int) -> list[dict[str, Any]]:
        refs = []
        for key in self.context.store.list_keys(self.bucket, self.prefix.rstrip("/") + "/"):
            match = _CHECKPOINT_NAME.fullmatch(key.rsplit("/", 1)[-1])
            if match is None or int(match.group(1)) > up_to_step:
                continue
            stored = self.context.store.describe(self.bucket, key)
            refs.append(
                {"key": key, "sha256": stored.sha256, "bytes": stored.bytes, "step": int(match.group(1))}
            )
        return sorted(refs, key=lambda ref: ref["step"])

    def _heartbeat_details(self) -> dict[str, Any]:
        details = {
            **self.progress,
            "total_steps": self.total_steps,
            "checkpoint": self.checkpoints[-1] if self.checkpoints else None,
        }
        validate_contract("TrainHeartbeat", details)
        return details

    def _should_stop(self) -> bool:
        """Stop on cancellation or worker shutdown, at the next step that closes a metrics window.

        The engine asks once before each step. Stopping where a metrics line was just written makes the
        resumed run's lines identical to an uninterrupted run's (a window is never split in two).
        """
        step, self.next_step = self.next_step, self.next_step + 1
        if step % self.report_every:
            return False
        return activity.is_cancelled() or activity.is_worker_shutdown()

    def _on_step(self, step: int, total: int, terms: dict[str, float], lr: float, rate: float) -> None:
        record = self.metrics.append(step, terms, lr, rate)
        self.progress.update(record)
        if self.pulse is not None:
            self.pulse.update(self._heartbeat_details())

    def _on_checkpoint(self, path: Path, step: int) -> None:
        # the final checkpoint is published after calibration, which rewrites it
        if step < self.total_steps:
            self._publish(path, step)

    def _publish(self, path: Path, step: int) -> dict[str, Any]:
        """Upload a checkpoint and the metrics so far, then heartbeat it as the resume point."""
        stored = self.context.store.put_file(self.bucket, _checkpoint_key(self.prefix, step), path)
        ref = {"key": stored.key, "sha256": stored.sha256, "bytes": stored.bytes, "step": step}
        self.checkpoints = [c for c in self.checkpoints if c["step"] != step] + [ref]
        self.metrics.upload(self.context.store, self.bucket, self.metrics_key)
        self.progress["step"] = step
        if self.pulse is not None:
            self.pulse.update(self._heartbeat_details(), send_now=True)
        return ref

    def _calibrate(self, config: RunConfig, checkpoint_path: Path, val_records: list[ImageRecord]) -> float:
        """Balanced-accuracy threshold on the validation records, stored in the final checkpoint.

        Clamped to [0, 1] (the calibration may put it a hair below the lowest score).
        """
        if len({record.label for record in val_records}) < 2:
            raise non_retryable("DatasetError", "val_manifest: calibration needs both real and fake images")
        result = evaluate(config, checkpoint_path, val_records)
        if len({score.label for score in result.scores}) < 2:
            raise non_retryable(
                "DatasetError", "val_manifest: after skipping unreadable images, one class has no image left"
            )
        raw = calibrate_threshold([s.label for s in result.scores], [s.p_fake for s in result.scores])
        threshold = min(1.0, max(0.0, float(raw)))
        write_calibrated_threshold(checkpoint_path, threshold)
        return threshold


def _stopped_failure(step: int) -> BaseException:
    if activity.is_cancelled():
        return CancelledError(f"train cancelled at step {step}; its checkpoint was saved")
    return ApplicationError(
        f"{WORKER_SHUTDOWN}: the worker is shutting down; stopped at step {step}, resume from its checkpoint",
        type=WORKER_SHUTDOWN,
    )


def _unique_skipped(skipped: list[tuple[str, str]]) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for uri, reason in skipped:
        seen.setdefault(uri, reason)
    return [{"uri": uri, "reason": reason} for uri, reason in seen.items()]
