"""Evaluation of a checkpoint on a dataset: per-image scores plus summary metrics.

The decision threshold is never tuned on the data being evaluated: it is the argument, else the threshold
calibrated on validation data and stored in the checkpoint, else 0.5. Records that are video frames also
get video-level metrics (mirage_detector.video_metrics).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import RunConfig
from mirage_detector.data.decode_cache import DecodeCache
from mirage_detector.data.perturbations import Perturbation
from mirage_detector.data.records import ImageRecord
from mirage_detector.engine.checkpoint import load_checkpoint, write_calibrated_threshold
from mirage_detector.engine.datasets import DataSource, evaluation_dataset
from mirage_detector.engine.prepare import restore_prepared_detector
from mirage_detector.engine.runtime import resolve_runtime
from mirage_detector.engine.scoring import score_dataset
from mirage_detector.errors import ConfigError, UnreadableImagesError
from mirage_detector.json_object import JsonObject
from mirage_detector.methods import Detector
from mirage_detector.metrics import BinaryMetrics, binary_metrics, calibrate_threshold
from mirage_detector.video_metrics import VideoAggregate, VideoGroupingError, VideoMetrics, video_metrics

DEFAULT_THRESHOLD = 0.5
# sections that define the trained model: an evaluation config must agree with the checkpoint on them
MODEL_FIELDS = ("method", "backbone", "prompt", "loss")


@dataclass(frozen=True)
class ImageScore:
    """One scored image: dataset index, uri (when known), label (0 real, 1 fake), p_fake and logit margin.

    ``margin`` = logit_fake - logit_real (fp32): p_fake is its sigmoid, and it keeps the ranking where p_fake
    saturates at 0 or 1. A video frame carries its record's video_id, frame and timestamp (None otherwise).
    """

    index: int
    uri: str | None
    label: int
    p_fake: float
    margin: float
    video_id: str | None = None
    frame: int | None = None
    timestamp: float | None = None


@dataclass(frozen=True)
class EvalResult:
    """Per-image scores, metrics at ``threshold``, images that could not be loaded, and video-level metrics
    when the records are video frames (None otherwise)."""

    scores: list[ImageScore]
    metrics: JsonObject
    threshold: float
    skipped: list[tuple[str, str]]
    images_per_second: float
    video: VideoMetrics | None = None


def _merge_configs(config: RunConfig | None, stored: RunConfig) -> RunConfig:
    if config is None:
        return stored
    for name in MODEL_FIELDS:
        if getattr(config, name) != getattr(stored, name):
            raise ConfigError(
                f"{name}: differs from the checkpoint's config; the checkpoint defines the model"
            )
    return config


def _metrics_dict(metrics: BinaryMetrics) -> JsonObject:
    return dataclasses.asdict(metrics)


def evaluate(
    config: RunConfig | None,
    checkpoint_path: str | Path,
    data: DataSource,
    *,
    backbone: ClipBackbone | None = None,
    backbone_path: str | Path | None = None,
    detector: Detector | None = None,
    decode_cache: DecodeCache | None = None,
    perturbation: Mapping[str, Any] | Perturbation | None = None,
    threshold: float | None = None,
    video_aggregate: VideoAggregate | Mapping[str, Any] | None = None,
    calibrated_threshold: float | Literal["checkpoint"] | None = "checkpoint",
) -> EvalResult:
    """Score ``data`` with the checkpoint's detector.

    ``config`` supplies runtime choices (device, precision, compile, eval_batch_size, preprocess.eval,
    num_workers); ``None`` uses the checkpoint's. Text anchors are computed once and cached for the pass.
    ``detector`` is this checkpoint's detector already restored and prepared for the run's runtime (the GPU
    worker keeps one across the evaluation cells of a run); None restores it here. ``decode_cache`` keeps
    decoded crops of content-addressed records between cells (data.decode_cache).
    ``video_aggregate`` (default mean) scores each video of frame records; its ``acc_calibrated`` is at
    ``calibrated_threshold``: "checkpoint" takes the checkpoint's stored calibration, None means none.
    """
    checkpoint = load_checkpoint(checkpoint_path)
    run = _merge_configs(config, checkpoint.config)
    runtime = resolve_runtime(run.device, run.precision)
    if detector is None:
        detector = restore_prepared_detector(
            checkpoint, runtime, backbone=backbone, backbone_path=backbone_path, compile=run.compile is True
        )
    dataset = evaluation_dataset(data, run, detector.backbone, perturbation, decode_cache=decode_cache)
    # a compiled forward is specialised to one batch shape: pad the last batch rather than recompile
    scored = score_dataset(
        detector,
        dataset,
        runtime,
        run.schedule.eval_batch_size,
        run.num_workers,
        fixed_batch=detector.backbone.compiled,
    )
    records = getattr(dataset, "records", None)
    scores = [
        _image_score(records[index] if records is not None else None, index, label, p, margin)
        for index, label, p, margin in zip(
            scored.indices, scored.labels, scored.p_fake, scored.margin, strict=True
        )
    ]
    if threshold is None:
        stored = checkpoint.calibrated_threshold
        threshold = DEFAULT_THRESHOLD if stored is None else stored
    if calibrated_threshold == "checkpoint":
        calibrated_threshold = checkpoint.calibrated_threshold
    if not scores and scored.skipped:
        raise UnreadableImagesError("evaluation (every image)", len(scored.skipped), scored.skipped[:3])
    metrics = _metrics_dict(binary_metrics(scored.labels, scored.p_fake, threshold)) if scores else {}
    if not isinstance(video_aggregate, VideoAggregate):
        video_aggregate = VideoAggregate.from_dict(video_aggregate) if video_aggregate else VideoAggregate()
    video = _video_metrics(scores, video_aggregate, threshold, calibrated_threshold)
    return EvalResult(scores, metrics, threshold, scored.skipped, scored.images_per_second, video)


def _image_score(
    record: ImageRecord | None, index: int, label: int, p_fake: float, margin: float
) -> ImageScore:
    if record is None:
        return ImageScore(index, None, label, p_fake, margin)
    return ImageScore(
        index, record.uri, label, p_fake, margin, record.video_id, record.frame, record.timestamp
    )


def _video_metrics(
    scores: list[ImageScore], aggregate: VideoAggregate, threshold: float, calibrated: float | None
) -> VideoMetrics | None:
    """Video-level metrics when the scored records are video frames; None for still images."""
    video_ids = [score.video_id for score in scores if score.video_id is not None]
    if not video_ids:
        return None
    if len(video_ids) != len(scores):
        still = next(score for score in scores if score.video_id is None)
        raise VideoGroupingError(
            f"{len(scores) - len(video_ids)} still images (e.g. {still.uri}) among {len(video_ids)} video "
            "frames: an evaluation scores either videos or images"
        )
    labels, p_fake = [score.label for score in scores], [score.p_fake for score in scores]
    return video_metrics(video_ids, labels, p_fake, aggregate, threshold, calibrated)


def calibrate_checkpoint(
    config: RunConfig | None,
    checkpoint_path: str | Path,
    validation_data: DataSource,
    *,
    backbone: ClipBackbone | None = None,
    backbone_path: str | Path | None = None,
    detector: Detector | None = None,
) -> float:
    """Calibrate the threshold on validation data and store it in the checkpoint; returns it."""
    result = evaluate(
        config,
        checkpoint_path,
        validation_data,
        backbone=backbone,
        backbone_path=backbone_path,
        detector=detector,
    )
    labels = [s.label for s in result.scores]
    threshold = float(calibrate_threshold(labels, [s.p_fake for s in result.scores]))
    write_calibrated_threshold(checkpoint_path, threshold)
    return threshold
