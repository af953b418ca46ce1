"""The `evaluate` activity: one (checkpoint, dataset column, perturbation) cell of the evaluation matrix.

Per-image scores (uri, label, p_fake, margin; a video frame adds video_id, frame and timestamp) go to S3 as
JSON lines; the summary metrics come back in the EvaluateOutput, with video-level metrics (`video`) when the
column's records are video frames. Accuracy is reported at 0.5 and, when the run calibrated one on its
validation split, at that threshold: the threshold is never tuned on the data being evaluated.
"""

from __future__ import annotations

import json
import math
from typing import Any, NotRequired, TypedDict

from mirage_detector.data.decode_cache import DecodeCache
from mirage_detector.data.perturbations import Perturbation, create_perturbation
from mirage_detector.data.records import LABEL_NAMES
from mirage_detector.engine import EvalResult, evaluate, load_checkpoint
from mirage_detector.generated.contracts_models import EvaluateInput, EvaluateOutput, VideoMetrics
from mirage_detector.metrics import binary_metrics
from mirage_detector.video_metrics import VideoAggregate

from mirage_gpu_worker.failures import (
    building_output,
    check_backbone,
    check_code_version,
    data_failure,
    parse_input,
    typed_failures,
    validate_output,
)
from mirage_gpu_worker.heartbeat import HeartbeatPulse
from mirage_gpu_worker.manifests import load_selected_records
from mirage_gpu_worker.model_cache import ModelCache, process_models
from mirage_gpu_worker.outcome import ActivityOutcome, SkippedList, SkippedListing, list_skipped
from mirage_gpu_worker.payloads import to_json_payload
from mirage_gpu_worker.worker_context import WorkerContext

DEFAULT_THRESHOLD = 0.5


class ScoreLine(TypedDict):
    """One line of a cell's scores file; the video keys only on a video frame's line."""

    uri: str | None
    label: str
    p_fake: float
    margin: float
    video_id: NotRequired[str]
    frame: NotRequired[int | None]
    timestamp: NotRequired[float | None]


def run_evaluate(
    context: WorkerContext,
    payload: object,
    *,
    models: ModelCache | None = None,
    decode_cache: DecodeCache | None = None,
) -> ActivityOutcome[EvaluateOutput]:
    """Validate an EvaluateInput, score the cell, write the scores file and return an EvaluateOutput.

    ``models`` keeps restored detectors across cells (default: this process's); ``decode_cache`` keeps decoded
    crops across cells (None: every cell decodes its images).
    """
    request = parse_input("EvaluateInput", EvaluateInput, payload)
    check_code_version(request.code_version, context.code_version)
    check_backbone(request.config.backbone)
    with typed_failures(), HeartbeatPulse():
        return _evaluate_cell(
            context, request, models if models is not None else process_models(), decode_cache
        )


def _guarded(what: str, error: Exception) -> BaseException:
    failure = data_failure(error, what)
    return failure if failure is not None else error


def _evaluate_cell(
    context: WorkerContext, request: EvaluateInput, models: ModelCache, decode_cache: DecodeCache | None
) -> ActivityOutcome[EvaluateOutput]:
    config = request.config
    bucket = request.bucket
    try:
        perturbation = create_perturbation(to_json_payload(request.perturbation))
    except Exception as error:
        raise _guarded("perturbation", error) from error
    checkpoint = request.checkpoint
    try:
        checkpoint_path = context.cache.fetch(bucket, checkpoint.key, expected_sha256=checkpoint.sha256)
    except Exception as error:
        raise _guarded("checkpoint", error) from error
    try:
        records = load_selected_records(
            context.cache, bucket, request.manifest, "manifest", context.data_roots
        )
    except Exception as error:
        raise _guarded("manifest", error) from error
    # absent in inputs planned before videos existed: the contract's default (mean); null: the detector's
    requested = request.video_aggregate
    aggregate = VideoAggregate.from_dict(to_json_payload(requested)) if requested else VideoAggregate()
    # the same checkpoint, precision, device and compile as the previous cell: the same detector
    detector = models.detector(config, load_checkpoint(checkpoint_path), checkpoint.sha256)
    result = evaluate(
        config,
        checkpoint_path,
        records,
        detector=detector,
        decode_cache=decode_cache,
        perturbation=perturbation,
        threshold=DEFAULT_THRESHOLD,
        video_aggregate=aggregate,
        calibrated_threshold=request.calibrated_threshold,
    )
    scores_file = _scores_jsonl(result)
    stored = context.store.put_bytes(
        bucket, request.scores_key, scores_file, content_type="application/x-ndjson"
    )
    skipped_key = request.scores_key.removesuffix(".jsonl") + ".skipped.jsonl"
    listing = list_skipped(result.skipped, SkippedList(context.store, bucket, skipped_key))
    with building_output("EvaluateOutput"):
        output = _summary(request, perturbation, result, stored.sha256, listing, context)
    validate_output("EvaluateOutput", output)
    return ActivityOutcome(output, listing.total)


def _scores_jsonl(result: EvalResult) -> bytes:
    """One line per image: uri, label, p_fake and the fp32 logit margin (logit_fake - logit_real).

    The margin keeps the ranking where p_fake saturates at 0 or 1, so curves can be recomputed from it. A
    video frame's line adds video_id, frame and timestamp, from which a reader regroups frames into videos
    (the uri is the video's); a still image's line has no such keys, as before videos existed.
    """
    lines = []
    for score in sorted(result.scores, key=lambda score: score.index):
        line = ScoreLine(
            uri=score.uri, label=LABEL_NAMES[score.label], p_fake=score.p_fake, margin=score.margin
        )
        if score.video_id is not None:
            line.update(video_id=score.video_id, frame=score.frame, timestamp=score.timestamp)
        lines.append(json.dumps(line, sort_keys=True))
    return "".join(line + "\n" for line in lines).encode("utf-8")


def _finite_or_none(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)


def _summary(
    request: EvaluateInput,
    perturbation: Perturbation,
    result: EvalResult,
    scores_sha256: str,
    listing: SkippedListing,
    context: WorkerContext,
) -> EvaluateOutput:
    """The EvaluateOutput of a scored cell; every field is set, nulls included (`video` when no frames)."""
    metrics = result.metrics
    calibrated = request.calibrated_threshold
    acc_calibrated = None
    if calibrated is not None and result.scores:
        labels = [score.label for score in result.scores]
        acc_calibrated = _finite_or_none(
            binary_metrics(labels, [s.p_fake for s in result.scores], calibrated).acc
        )
    return EvaluateOutput(
        run_id=request.run_id,
        eval_id=request.eval_id,
        perturbation_id=perturbation.id,
        n=int(metrics.get("n", 0)),
        n_real=int(metrics.get("n_real", 0)),
        n_fake=int(metrics.get("n_fake", 0)),
        acc_real=_finite_or_none(metrics.get("acc_real")),
        acc_fake=_finite_or_none(metrics.get("acc_fake")),
        acc=_finite_or_none(metrics.get("acc")),
        ap=_finite_or_none(metrics.get("ap")),
        auc=_finite_or_none(metrics.get("auc")),
        threshold=DEFAULT_THRESHOLD,
        acc_calibrated=acc_calibrated,
        calibrated_threshold=calibrated,
        scores_key=request.scores_key,
        scores_sha256=scores_sha256,
        video=VideoMetrics.model_validate(result.video.to_dict()) if result.video is not None else None,
        skipped=listing.skipped,
        skipped_total=listing.total,
        skipped_key=listing.key,
        environment=context.environment,
    )
