"""The `train` activity: one run of the detector, checkpointed to S3 and resumable from its heartbeat.

Each checkpoint is uploaded, then the train-metrics file, then a heartbeat whose details name the
checkpoint; a retried attempt (worker killed, heartbeat timeout, stalled training) downloads that
checkpoint and continues. An attempt with no checkpoint in its heartbeat details (a new execution of the
run after a cancel or a failure, or a first attempt) resumes from the newest checkpoint under the run's
prefix whose bytes verify. The detector's training is a pure function of (config, data, seed, step), so
the resumed run ends in the same checkpoint bytes as an uninterrupted one.

With `stop_at_step` (an early-stopping rung) the attempt trains only up to that step, publishes its
checkpoint and reports the val metrics there, uncalibrated; a later execution of the run without it resumes
from that checkpoint and ends in the bytes of an uninterrupted run.
"""

from __future__ import annotations

import logging
import math
import re
import shutil
import tempfile
from pathlib import Path
from typing import NamedTuple

from mirage_detector.config import RunConfig
from mirage_detector.data.records import ImageRecord
from mirage_detector.engine import checkpoint_filename, evaluate, train, write_calibrated_threshold
from mirage_detector.engine.evaluate import DEFAULT_THRESHOLD, EvalResult
from mirage_detector.generated.contracts_models import (
    CheckpointRef,
    ManifestRef,
    TrainHeartbeat,
    TrainInput,
    TrainMetricRecord,
    TrainOutput,
    ValMetrics,
)
from mirage_detector.metrics import calibrate_threshold
from temporalio import activity
from temporalio.exceptions import ApplicationError, CancelledError

from mirage_gpu_worker.contracts import contract_errors, validate_contract
from mirage_gpu_worker.failures import (
    WORKER_SHUTDOWN,
    building_output,
    check_backbone,
    check_code_version,
    data_failure,
    non_retryable,
    parse_input,
    typed_failures,
    validate_output,
)
from mirage_gpu_worker.heartbeat import HeartbeatPulse
from mirage_gpu_worker.manifests import load_selected_records
from mirage_gpu_worker.metrics_log import TrainMetricsLog
from mirage_gpu_worker.model_cache import process_models
from mirage_gpu_worker.outcome import ActivityOutcome, SkippedList, list_skipped, skipped_list_key
from mirage_gpu_worker.payloads import JsonObject, to_json_payload
from mirage_gpu_worker.s3 import IntegrityError, ObjectNotFoundError
from mirage_gpu_worker.worker_context import WorkerContext

_CHECKPOINT_NAME = re.compile(r"step-(\d{8})\.safetensors")
_METRICS_EVERY = 10
logger = logging.getLogger("mirage_gpu_worker")


def run_train(context: WorkerContext, payload: object) -> ActivityOutcome[TrainOutput]:
    """Validate a TrainInput, train (or resume) and return a TrainOutput; failures are typed for Temporal."""
    request = parse_input("TrainInput", TrainInput, payload)
    check_code_version(request.code_version, context.code_version)
    check_backbone(request.config.backbone)
    # the evaluation models kept for earlier cells are of other checkpoints: give their device memory to the
    # training (its own cells come after it and restore the new checkpoint)
    process_models().clear()
    with typed_failures():
        return TrainAttempt(context, request).run()


class Calibration(NamedTuple):
    """The calibrated threshold of the final checkpoint and its val metrics, from one evaluation."""

    threshold: float
    val_metrics: ValMetrics


class ResumePoint(NamedTuple):
    """The checkpoint an attempt continues from: its ref and a private local copy of its verified bytes."""

    ref: CheckpointRef
    path: Path


def _checkpoint_key(prefix: str, step: int) -> str:
    return f"{prefix.rstrip('/')}/{checkpoint_filename(step)}"


class TrainAttempt:
    """One attempt of the activity: state shared by the engine's callbacks."""

    def __init__(self, context: WorkerContext, request: TrainInput) -> None:
        self.context = context
        self.request = request
        self.bucket = request.bucket
        self.prefix = request.checkpoint_prefix
        self.metrics_key = request.train_metrics_key
        self.total_steps = request.config.schedule.steps
        self.checkpoints: list[CheckpointRef] = []
        self.metrics = TrainMetricsLog()
        # the last metrics line (or the resumed step's), which the heartbeat details repeat
        self.progress = TrainMetricRecord(step=0, loss_terms={}, lr=0.0, images_per_second=0.0)
        self.pulse: HeartbeatPulse | None = None
        self.report_every = math.gcd(_METRICS_EVERY, request.config.schedule.checkpoint_every)
        self.next_step = 0
        # payloads of callers older than the field have no key: train to the end
        self.stop_at_step = request.stop_at_step
        # False when a rung retrains steps whose metrics lines S3 already holds (a run that went further)
        self.upload_metrics = True
        self._check_stop_at_step()

    def _check_stop_at_step(self) -> None:
        """A rung must end before the schedule does, and where a metrics window closes (the resumed run
        then writes the lines, and ends in the bytes, of an uninterrupted one)."""
        stop = self.stop_at_step
        if stop is None:
            return
        if stop >= self.total_steps:
            raise non_retryable(
                "ConfigError",
                f"stop_at_step: {stop} is not below the schedule's {self.total_steps} steps "
                "(config.schedule.steps); a rung must end before the training does",
            )
        if stop % self.report_every:
            raise non_retryable(
                "ConfigError",
                f"stop_at_step: {stop} is not a multiple of {self.report_every}, the metrics window of this "
                f"run (gcd of {_METRICS_EVERY} and config.schedule.checkpoint_every "
                f"{self.request.config.schedule.checkpoint_every})",
            )

    def run(self) -> ActivityOutcome[TrainOutput]:
        config = self.request.config
        heartbeat_resume = self._heartbeat_resume_point()
        # Beat from the start: loading big manifests or fetching the resume checkpoint can outlast the
        # heartbeat timeout. Until the resume state is in place the details repeat the previous attempt's last
        # heartbeat, so a worker lost during preparation never makes the next attempt forget the checkpoint.
        first = (
            activity.info().heartbeat_details[-1]
            if heartbeat_resume is not None
            else self._heartbeat_details()
        )
        work_dir = Path(tempfile.mkdtemp(prefix="train-", dir=self._work_root()))
        try:
            with HeartbeatPulse(first, stall_timeout=self.context.stall_timeout_seconds) as pulse:
                self.pulse = pulse
                train_records = self._records(self.request.train_manifest, "train_manifest")
                val_manifest = self.request.val_manifest
                val_records = (
                    self._records(val_manifest, "val_manifest") if val_manifest is not None else None
                )
                resume = self._resume(heartbeat_resume, work_dir)
                pulse.update(self._heartbeat_details())
                result = train(
                    config,
                    train_records,
                    checkpoint_dir=work_dir / "checkpoints",
                    resume_from=resume.path if resume is not None else None,
                    on_step=self._on_step,
                    on_checkpoint=self._on_checkpoint,
                    should_stop=self._should_stop,
                    report_every=self.report_every,
                    code_version=self.context.code_version,
                )
                pulse.training_ended()
                if result.stopped and not self._at_rung(result.step):
                    raise _stopped_failure(result.step)
                assert result.checkpoint_path is not None
                threshold: float | None = None
                val_metrics: ValMetrics | None = None
                if result.stopped:
                    final = self._rung_checkpoint(result.checkpoint_path, result.step)
                    if val_records is not None:
                        val_metrics = self._rung_metrics(config, result.checkpoint_path, val_records)
                else:
                    if val_records is not None:
                        threshold, val_metrics = self._calibrate(config, result.checkpoint_path, val_records)
                    final = self._publish(result.checkpoint_path, result.step)
        finally:
            shutil.rmtree(work_dir, ignore_errors=True)
        final_terms = result.loss_terms or (
            self.metrics.records[-1].loss_terms if self.metrics.records else {}
        )
        key = skipped_list_key(self.metrics_key, "train-skipped.jsonl")
        listing = list_skipped(result.skipped_images, SkippedList(self.context.store, self.bucket, key))
        with building_output("TrainOutput"):
            # every field is set, nulls included: the output's JSON carries each (payloads.to_json_payload)
            output = TrainOutput(
                run_id=self.request.run_id,
                checkpoint=final,
                checkpoints=list(self.checkpoints),
                steps=result.step,
                final_loss_terms=dict(final_terms),
                images_per_second=max(0.0, result.images_per_second),
                calibrated_threshold=threshold,
                train_metrics_key=self.metrics_key,
                n_train=len(train_records),
                resumed_from_step=resume.ref.step if resume is not None else None,
                attempt=activity.info().attempt,
                environment=self.context.environment,
                val_metrics=val_metrics,
                skipped=listing.skipped,
                skipped_total=listing.total,
                skipped_key=listing.key,
            )
        validate_output("TrainOutput", output)
        return ActivityOutcome(output, listing.total)

    def _work_root(self) -> Path:
        self.context.work_root.mkdir(parents=True, exist_ok=True)
        return self.context.work_root

    def _records(self, manifest: ManifestRef, field: str) -> list[ImageRecord]:
        try:
            return load_selected_records(
                self.context.cache, self.bucket, manifest, field, self.context.data_roots
            )
        except Exception as error:
            failure = data_failure(error, field)
            if failure is not None:
                raise failure from error
            raise

    def _heartbeat_resume_point(self) -> CheckpointRef | None:
        """The checkpoint named by the last heartbeat of a previous attempt, if any."""
        details = activity.info().heartbeat_details
        if not details:
            return None
        heartbeat = details[-1]
        problems = contract_errors("TrainHeartbeat", heartbeat)
        if problems:
            raise non_retryable("ContractViolation", "heartbeat details: " + "; ".join(problems))
        checkpoint = TrainHeartbeat.model_validate(heartbeat).checkpoint
        if checkpoint is not None and not checkpoint.key.startswith(self.prefix.rstrip("/") + "/"):
            raise non_retryable(
                "CheckpointError", f"heartbeat checkpoint {checkpoint.key!r} is not under {self.prefix!r}"
            )
        return checkpoint

    def _resume(self, heartbeat_resume: CheckpointRef | None, work_dir: Path) -> ResumePoint | None:
        """The checkpoint to resume from, copied into the work dir, or None to start at step 0.

        The heartbeat's checkpoint when it names one, else the newest verified one in S3. The state that
        preceded it (earlier checkpoints, metrics lines, progress) is restored too.
        """
        if (
            heartbeat_resume is not None
            and self.stop_at_step is not None
            and heartbeat_resume.step > self.stop_at_step
        ):
            raise non_retryable(
                "CheckpointError",
                f"heartbeat checkpoint {heartbeat_resume.key!r} is at step {heartbeat_resume.step}, "
                f"beyond stop_at_step {self.stop_at_step}",
            )
        found = (
            (heartbeat_resume, self._fetch_heartbeat_checkpoint(heartbeat_resume))
            if heartbeat_resume is not None
            else self._newest_stored_checkpoint()
        )
        if found is None:
            return None
        resume, cached = found
        if self.stop_at_step is not None and any(
            step > self.stop_at_step for step, _ in self._stored_checkpoint_keys()
        ):
            # an execution of the run went past the rung: S3 holds the metrics lines up to there, which a
            # rewrite from this attempt's shorter log would drop
            self.upload_metrics = False
        # a copy: calibration rewrites the final checkpoint in place, and the cache must stay verified bytes
        local = work_dir / "resume" / checkpoint_filename(resume.step)
        local.parent.mkdir(parents=True)
        shutil.copyfile(cached, local)
        earlier = self._earlier_checkpoints(resume.step)
        self.checkpoints = [ref for ref in earlier if ref.step != resume.step] + [resume]
        self.metrics = TrainMetricsLog.resume(self.context.store, self.bucket, self.metrics_key, resume.step)
        self.progress = self.progress.model_copy(update={"step": resume.step})
        self.next_step = resume.step
        if self.metrics.records:
            last = self.metrics.records[-1]
            self.progress = self.progress.model_copy(
                update={"loss_terms": dict(last.loss_terms), "lr": last.lr, "images_per_second": 0.0}
            )
        return ResumePoint(resume, local)

    def _fetch_heartbeat_checkpoint(self, resume: CheckpointRef) -> Path:
        """The verified bytes of the heartbeat's checkpoint; a CheckpointError when they do not verify."""
        try:
            return self.context.cache.fetch(self.bucket, resume.key, expected_sha256=resume.sha256)
        except Exception as error:
            failure = data_failure(error, "checkpoint (heartbeat)")
            if failure is not None:
                raise failure from error
            raise

    def _newest_stored_checkpoint(self) -> tuple[CheckpointRef, Path] | None:
        """The newest checkpoint under the prefix whose bytes verify against the sha256 recorded for it.

        A new execution of the run (a re-launch after a cancel or a failure) has no heartbeat to resume
        from, but the checkpoints its earlier executions left are as good: training is a pure function of
        (config, data, seed, step) and the run id, hence the prefix, names all of them. One that does not
        verify (corrupt, untagged, gone) is passed over for the next older one. A rung resumes from none
        beyond its `stop_at_step`.
        """
        stop = self.stop_at_step
        candidates = [(s, k) for s, k in self._stored_checkpoint_keys() if stop is None or s <= stop]
        for step, key in reversed(candidates):
            try:
                stored = self.context.store.describe(self.bucket, key)
                cached = self.context.cache.fetch(self.bucket, key, expected_sha256=stored.sha256)
            except (IntegrityError, ObjectNotFoundError) as error:
                logger.warning(
                    "run_id=%s: not resuming from the checkpoint of step %d: %s; trying the next older one",
                    self.request.run_id,
                    step,
                    error,
                )
                continue
            logger.info(
                "run_id=%s: no checkpoint in the heartbeat details; resuming from s3://%s/%s (step %d), "
                "the newest verified checkpoint under the run's prefix",
                self.request.run_id,
                self.bucket,
                key,
                step,
            )
            return CheckpointRef(key=key, sha256=stored.sha256, bytes=stored.bytes, step=step), cached
        return None

    def _stored_checkpoint_keys(self) -> list[tuple[int, str]]:
        """(step, key) of every checkpoint file directly under the prefix, by step."""
        folder = self.prefix.rstrip("/") + "/"
        found = []
        for key in self.context.store.list_keys(self.bucket, folder):
            match = _CHECKPOINT_NAME.fullmatch(key[len(folder) :])
            if match is not None:
                found.append((int(match.group(1)), key))
        return sorted(found)

    def _earlier_checkpoints(self, up_to_step: int) -> list[CheckpointRef]:
        refs = []
        for step, key in self._stored_checkpoint_keys():
            if step > up_to_step:
                continue
            stored = self.context.store.describe(self.bucket, key)
            refs.append(CheckpointRef(key=key, sha256=stored.sha256, bytes=stored.bytes, step=step))
        return refs

    def _heartbeat_details(self) -> JsonObject:
        """The TrainHeartbeat of the progress so far, as the JSON the heartbeat carries to Temporal."""
        heartbeat = TrainHeartbeat(
            step=self.progress.step,
            total_steps=self.total_steps,
            loss_terms=dict(self.progress.loss_terms),
            lr=self.progress.lr,
            images_per_second=self.progress.images_per_second,
            checkpoint=self.checkpoints[-1] if self.checkpoints else None,
        )
        details = to_json_payload(heartbeat)
        validate_contract("TrainHeartbeat", details)
        return details

    def _should_stop(self) -> bool:
        """Stop on cancellation or worker shutdown, at the next step that closes a metrics window.

        The engine asks once before each step. Stopping where a metrics line was just written makes the
        resumed run's lines identical to an uninterrupted run's (a window is never split in two). Each
        call is also the step progress the pulse's stall watch sees.
        """
        step, self.next_step = self.next_step, self.next_step + 1
        if self.pulse is not None:
            resume_step = self.checkpoints[-1].step if self.checkpoints else 0
            self.pulse.step_started(step, resume_step)
        if step % self.report_every:
            return False
        if step == self.stop_at_step:
            return True
        return activity.is_cancelled() or activity.is_worker_shutdown()

    def _at_rung(self, step: int) -> bool:
        """Whether a stopped training ended at its rung (not for a cancellation or a worker shutdown)."""
        if activity.is_cancelled() or activity.is_worker_shutdown():
            return False
        return step == self.stop_at_step

    def _rung_checkpoint(self, path: Path, step: int) -> CheckpointRef:
        """The ref of the rung's checkpoint: published when saved (or resumed from), else now."""
        for ref in self.checkpoints:
            if ref.step == step:
                return ref
        return self._publish(path, step)

    def _rung_metrics(
        self, config: RunConfig, checkpoint_path: Path, val_records: list[ImageRecord]
    ) -> ValMetrics:
        """Val metrics of the rung's checkpoint; no calibration, the checkpoint is left as published.

        Undefined metrics (one class in the val selection, or none left after skipping unreadable
        images) are null.
        """
        return _val_metrics(evaluate(config, checkpoint_path, val_records, threshold=DEFAULT_THRESHOLD))

    def _on_step(self, step: int, total: int, terms: dict[str, float], lr: float, rate: float) -> None:
        self.progress = self.metrics.append(step, terms, lr, rate)
        if self.pulse is not None:
            self.pulse.update(self._heartbeat_details())

    def _on_checkpoint(self, path: Path, step: int) -> None:
        # the final checkpoint is published after calibration, which rewrites it
        if step < self.total_steps:
            self._publish(path, step)

    def _publish(self, path: Path, step: int) -> CheckpointRef:
        """Upload a checkpoint and the metrics so far, then heartbeat it as the resume point."""
        stored = self.context.store.put_file(self.bucket, _checkpoint_key(self.prefix, step), path)
        ref = CheckpointRef(key=stored.key, sha256=stored.sha256, bytes=stored.bytes, step=step)
        self.checkpoints = [c for c in self.checkpoints if c.step != step] + [ref]
        if self.upload_metrics:
            self.metrics.upload(self.context.store, self.bucket, self.metrics_key)
        self.progress = self.progress.model_copy(update={"step": step})
        if self.pulse is not None:
            self.pulse.update(self._heartbeat_details(), send_now=True)
        return ref

    def _calibrate(
        self, config: RunConfig, checkpoint_path: Path, val_records: list[ImageRecord]
    ) -> Calibration:
        """Balanced-accuracy threshold on the validation records, stored in the final checkpoint, and the
        val metrics of the same scores (acc at the default threshold, as at a rung).

        Clamped to [0, 1] (the calibration may put it a hair below the lowest score).
        """
        if len({record.label for record in val_records}) < 2:
            raise non_retryable("DatasetError", "val_manifest: calibration needs both real and fake images")
        # the default threshold, not one a resumed final checkpoint may already store
        result = evaluate(config, checkpoint_path, val_records, threshold=DEFAULT_THRESHOLD)
        if len({score.label for score in result.scores}) < 2:
            raise non_retryable(
                "DatasetError", "val_manifest: after skipping unreadable images, one class has no image left"
            )
        raw = calibrate_threshold([s.label for s in result.scores], [s.p_fake for s in result.scores])
        threshold = min(1.0, max(0.0, float(raw)))
        write_calibrated_threshold(checkpoint_path, threshold)
        return Calibration(threshold, _val_metrics(result))


def _val_metrics(result: EvalResult) -> ValMetrics:
    """The ValMetrics of an evaluation: its auc, ap and acc, null where undefined (NaN, or no scores)."""

    def defined(name: str) -> float | None:
        value = result.metrics.get(name)
        return float(value) if value is not None and math.isfinite(value) else None

    return ValMetrics(auc=defined("auc"), ap=defined("ap"), acc=defined("acc"))


def _stopped_failure(step: int) -> BaseException:
    if activity.is_cancelled():
        return CancelledError(f"train cancelled at step {step}; its checkpoint was saved")
    return ApplicationError(
        f"{WORKER_SHUTDOWN}: the worker is shutting down; stopped at step {step}, resume from its checkpoint",
        type=WORKER_SHUTDOWN,
    )
