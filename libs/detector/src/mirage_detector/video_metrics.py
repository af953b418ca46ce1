"""Video-level metrics: frame scores grouped by video, one score per video, then the frame metrics' rules.

A video's score aggregates its frames' p_fake (mean, max or trimmed mean, the contracts' VideoAggregate); its
label is its frames' label. Accuracy uses the decision rule of ``metrics.is_fake`` at the threshold the frame
metrics use, AP and AUC are ``metrics``' (sklearn's definitions). Frames that could not be decoded never
reach here, so a video counts the frames that were scored and a video none of whose frames decoded is absent.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from mirage_detector.errors import ConfigError, DetectorError
from mirage_detector.json_object import JsonObject
from mirage_detector.metrics import binary_metrics

VIDEO_AGGREGATE_METHODS: tuple[str, ...] = ("mean", "max", "trimmed_mean")
"""How a video's frame scores become its score."""

# floor(trim * n) with slack for binary fractions: 0.29 * 100 is 28.999999999999996, and drops 29 frames
_FLOOR_SLACK = 1e-9


class VideoGroupingError(DetectorError, ValueError):
    """Frames cannot be grouped into videos: one video's frames disagree on the label, or still images and
    video frames are mixed in one evaluation; the message names the video or the image."""


@dataclass(frozen=True)
class VideoAggregate:
    """The contracts' VideoAggregate; ``trim`` (in [0, 0.5)) only counts for ``trimmed_mean``."""

    method: str = "mean"
    trim: float = 0.1

    def __post_init__(self) -> None:
        if self.method not in VIDEO_AGGREGATE_METHODS:
            raise ConfigError(
                f"video_aggregate.method: expected one of {list(VIDEO_AGGREGATE_METHODS)}, "
                f"got {self.method!r}"
            )
        trim = self.trim
        if isinstance(trim, bool) or not isinstance(trim, int | float) or not 0 <= trim < 0.5:
            raise ConfigError(f"video_aggregate.trim: must be a number in [0, 0.5), got {trim!r}")

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VideoAggregate:
        """Parse the JSON shape {"method", "trim"}; unknown or missing keys are ConfigErrors."""
        unknown = sorted(set(data) - {"method", "trim"})
        if unknown:
            raise ConfigError(f"video_aggregate.{unknown[0]}: unknown field (known: method, trim)")
        missing = [name for name in ("method", "trim") if name not in data]
        if missing:
            raise ConfigError(f"video_aggregate.{missing[0]}: missing field")
        return cls(method=data["method"], trim=data["trim"])

    def to_dict(self) -> JsonObject:
        """The JSON shape."""
        return {"method": self.method, "trim": float(self.trim)}


def aggregate_frames(frame_scores: Sequence[float], aggregate: VideoAggregate) -> float:
    """One video's score from its frames' p_fake.

    ``trimmed_mean`` drops floor(trim * n) lowest and as many highest scores and averages the rest; with
    too few frames to drop any it is the mean (trim < 0.5 always leaves at least one frame).
    """
    scores = np.sort(np.asarray(frame_scores, dtype=np.float64))
    if scores.ndim != 1 or scores.size == 0:
        raise ValueError("a video needs at least one frame score")
    if aggregate.method == "max":
        return float(scores[-1])
    if aggregate.method == "trimmed_mean":
        dropped = math.floor(aggregate.trim * scores.size + _FLOOR_SLACK)
        scores = scores[dropped : scores.size - dropped]
    return float(scores.mean())


@dataclass(frozen=True)
class VideoScores:
    """One label and one aggregated score per video, videos in order of their first frame."""

    video_ids: list[str]
    labels: list[int]
    scores: list[float]


def group_video_scores(
    video_ids: Sequence[str], labels: Sequence[int], scores: Sequence[float], aggregate: VideoAggregate
) -> VideoScores:
    """Group frame scores by video_id and aggregate each video; a video whose frames disagree on the label
    is a VideoGroupingError naming it."""
    if not len(video_ids) == len(labels) == len(scores):
        raise ValueError(
            f"video_ids ({len(video_ids)}), labels ({len(labels)}) and scores ({len(scores)}) "
            "differ in length"
        )
    frames: dict[str, list[float]] = {}
    label_of: dict[str, int] = {}
    for video_id, label, score in zip(video_ids, labels, scores, strict=True):
        known = label_of.setdefault(video_id, int(label))
        if known != int(label):
            raise VideoGroupingError(
                f"video {video_id!r}: its frames carry both labels (real and fake); a video has one label"
            )
        frames.setdefault(video_id, []).append(float(score))
    ordered = list(frames)
    return VideoScores(
        video_ids=ordered,
        labels=[label_of[video_id] for video_id in ordered],
        scores=[aggregate_frames(frames[video_id], aggregate) for video_id in ordered],
    )


@dataclass(frozen=True)
class VideoMetrics:
    """Metrics at video level (the contracts' VideoMetrics); None where undefined (a class absent).

    acc_real, acc_fake and acc are at the frame metrics' threshold; acc_calibrated at the threshold
    calibrated on validation data, None without one.
    """

    aggregate: VideoAggregate
    n_videos: int
    n_real: int
    n_fake: int
    acc_real: float | None
    acc_fake: float | None
    acc: float | None
    ap: float | None
    auc: float | None
    acc_calibrated: float | None

    def to_dict(self) -> JsonObject:
        """The contract's JSON shape."""
        return {
            "aggregate": self.aggregate.to_dict(),
            "n_videos": self.n_videos,
            "n_real": self.n_real,
            "n_fake": self.n_fake,
            "acc_real": self.acc_real,
            "acc_fake": self.acc_fake,
            "acc": self.acc,
            "ap": self.ap,
            "auc": self.auc,
            "acc_calibrated": self.acc_calibrated,
        }


def video_metrics(
    video_ids: Sequence[str],
    labels: Sequence[int],
    scores: Sequence[float],
    aggregate: VideoAggregate,
    threshold: float,
    calibrated_threshold: float | None = None,
) -> VideoMetrics:
    """Video-level metrics of frame scores (p_fake) labelled by their video."""
    videos = group_video_scores(video_ids, labels, scores, aggregate)
    metrics = binary_metrics(videos.labels, videos.scores, threshold)
    calibrated = None
    if calibrated_threshold is not None:
        calibrated = _defined(binary_metrics(videos.labels, videos.scores, calibrated_threshold).acc)
    return VideoMetrics(
        aggregate=aggregate,
        n_videos=metrics.n,
        n_real=metrics.n_real,
        n_fake=metrics.n_fake,
        acc_real=_defined(metrics.acc_real),
        acc_fake=_defined(metrics.acc_fake),
        acc=_defined(metrics.acc),
        ap=_defined(metrics.ap),
        auc=_defined(metrics.auc),
        acc_calibrated=calibrated,
    )


def _defined(value: float) -> float | None:
    return None if math.isnan(value) else float(value)
