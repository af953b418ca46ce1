"""Video-level metrics: frames grouped by video, aggregated, scored with the frame metrics' rules."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import sklearn.metrics

from mirage_detector import ConfigError
from mirage_detector.video_metrics import (
    VideoAggregate,
    VideoGroupingError,
    aggregate_frames,
    group_video_scores,
    video_metrics,
)

MEAN, MAX = VideoAggregate("mean"), VideoAggregate("max")


def random_videos(seed: int) -> tuple[list[str], list[int], list[float]]:
    """Frames of 30 videos (1 to 12 frames each, labels per video), in shuffled order."""
    rng = np.random.default_rng(seed)
    frames = []
    for video in range(30):
        label = int(video % 3 == 0) if video > 1 else video  # both classes, unbalanced
        for _ in range(int(rng.integers(1, 13))):
            frames.append((f"v{video:02d}", label, float(np.clip(rng.normal(0.4 + 0.2 * label, 0.2), 0, 1))))
    order = rng.permutation(len(frames))
    ids, labels, scores = zip(*(frames[i] for i in order), strict=True)
    return list(ids), list(labels), list(scores)


def per_video(
    ids: list[str], labels: list[int], scores: list[float], reduce: Callable[[list[float]], float]
) -> tuple[list[int], list[float]]:
    """Reference grouping written independently of the module: a sorted dict of frame lists."""
    groups: dict[str, list[float]] = {}
    label_of: dict[str, int] = {}
    for video, label, score in zip(ids, labels, scores, strict=True):
        groups.setdefault(video, []).append(score)
        label_of[video] = label
    videos = sorted(groups)
    return [label_of[v] for v in videos], [reduce(groups[v]) for v in videos]


def test_mean_max_and_trimmed_mean_of_one_video() -> None:
    frames = [0.1, 0.9, 0.5, 0.4, 0.3]
    assert aggregate_frames(frames, MEAN) == pytest.approx(0.44)
    assert aggregate_frames(frames, MAX) == 0.9
    # trim 0.2 of 5 frames drops floor(1.0) = 1 lowest and 1 highest: mean of 0.3, 0.4, 0.5
    assert aggregate_frames(frames, VideoAggregate("trimmed_mean", 0.2)) == pytest.approx(0.4)
    # too few frames to drop any (floor(0.1 * 5) = 0): the mean
    assert aggregate_frames(frames, VideoAggregate("trimmed_mean", 0.1)) == pytest.approx(0.44)
    assert aggregate_frames([0.7], VideoAggregate("trimmed_mean", 0.49)) == pytest.approx(0.7)


def test_trimmed_mean_drops_floor_trim_n_despite_binary_fractions() -> None:
    frames = [(i / 100) ** 2 for i in range(100)]  # 0.29 * 100 is 28.999999999999996 in floating point
    expected = float(np.mean(sorted(frames)[29:71]))
    assert aggregate_frames(frames[::-1], VideoAggregate("trimmed_mean", 0.29)) == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(5))
def test_auc_and_ap_are_sklearns_on_per_video_means(seed: int) -> None:
    ids, labels, scores = random_videos(seed)
    video_labels, video_scores = per_video(ids, labels, scores, lambda frames: sum(frames) / len(frames))
    metrics = video_metrics(ids, labels, scores, MEAN, threshold=0.5, calibrated_threshold=0.45)
    assert metrics.auc == pytest.approx(sklearn.metrics.roc_auc_score(video_labels, video_scores), abs=1e-12)
    assert metrics.ap == pytest.approx(
        sklearn.metrics.average_precision_score(video_labels, video_scores), abs=1e-12
    )
    y, s = np.array(video_labels), np.array(video_scores)
    assert (metrics.n_videos, metrics.n_real, metrics.n_fake) == (30, int((y == 0).sum()), int(y.sum()))
    assert metrics.acc_real == pytest.approx(float((s[y == 0] <= 0.5).mean()))
    assert metrics.acc_fake == pytest.approx(float((s[y == 1] > 0.5).mean()))
    assert metrics.acc == pytest.approx((metrics.acc_real + metrics.acc_fake) / 2)
    calibrated = ((s[y == 0] <= 0.45).mean() + (s[y == 1] > 0.45).mean()) / 2
    assert metrics.acc_calibrated == pytest.approx(float(calibrated))


def test_max_aggregate_scores_each_video_by_its_highest_frame() -> None:
    ids, labels, scores = random_videos(7)
    video_labels, video_scores = per_video(ids, labels, scores, max)
    metrics = video_metrics(ids, labels, scores, MAX, threshold=0.5)
    assert metrics.auc == pytest.approx(sklearn.metrics.roc_auc_score(video_labels, video_scores), abs=1e-12)
    assert metrics.aggregate == MAX and metrics.acc_calibrated is None


def test_trimmed_mean_aggregate_on_many_videos() -> None:
    ids, labels, scores = random_videos(8)

    def trimmed(frames: list[float]) -> float:
        dropped = int(0.25 * len(frames) + 1e-9)
        return float(np.mean(sorted(frames)[dropped : len(frames) - dropped]))

    video_labels, video_scores = per_video(ids, labels, scores, trimmed)
    aggregate = VideoAggregate("trimmed_mean", 0.25)
    metrics = video_metrics(ids, labels, scores, aggregate, threshold=0.5)
    assert metrics.auc == pytest.approx(sklearn.metrics.roc_auc_score(video_labels, video_scores), abs=1e-12)
    assert metrics.to_dict()["aggregate"] == {"method": "trimmed_mean", "trim": 0.25}


def test_videos_keep_the_order_of_their_first_frame() -> None:
    grouped = group_video_scores(["b", "a", "b", "c"], [1, 0, 1, 0], [0.2, 0.5, 0.4, 0.9], MEAN)
    assert grouped.video_ids == ["b", "a", "c"]
    assert grouped.labels == [1, 0, 0]
    assert grouped.scores == pytest.approx([0.3, 0.5, 0.9])


def test_a_video_with_both_labels_is_an_error_naming_it() -> None:
    with pytest.raises(VideoGroupingError, match="video 'clip-7'"):
        group_video_scores(["clip-7", "clip-8", "clip-7"], [1, 0, 0], [0.2, 0.5, 0.4], MEAN)


def test_one_class_leaves_ap_auc_and_acc_undefined() -> None:
    metrics = video_metrics(["a", "a", "b"], [1, 1, 1], [0.9, 0.7, 0.2], MEAN, 0.5, calibrated_threshold=0.5)
    assert (metrics.n_videos, metrics.n_real, metrics.n_fake) == (2, 0, 2)
    assert metrics.acc_fake == 0.5 and metrics.acc_real is None
    assert (
        metrics.acc is None and metrics.ap is None and metrics.auc is None and metrics.acc_calibrated is None
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"method": "median", "trim": 0.1}, r"video_aggregate\.method"),
        ({"method": "trimmed_mean", "trim": 0.5}, r"video_aggregate\.trim"),
        ({"method": "mean", "trim": -0.1}, r"video_aggregate\.trim"),
        ({"method": "mean"}, r"video_aggregate\.trim: missing"),
        ({"method": "mean", "trim": 0.1, "k": 1}, r"video_aggregate\.k: unknown"),
    ],
)
def test_bad_aggregates_name_the_field(data: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        VideoAggregate.from_dict(data)


def test_default_aggregate_is_the_contracts_default() -> None:
    assert VideoAggregate().to_dict() == {"method": "mean", "trim": 0.1}
