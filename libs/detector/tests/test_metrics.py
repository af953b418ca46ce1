from __future__ import annotations

import math

import numpy as np
import pytest
import sklearn.metrics

from mirage_detector.metrics import (
    average_precision,
    binary_metrics,
    calibrate_threshold,
    is_fake,
    roc_auc,
    roc_curve,
)


def random_case(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random labels and scores; even seeds round scores to create many ties."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 300))
    labels = rng.integers(0, 2, size=n)
    labels[:2] = (0, 1)
    scores = np.clip(rng.normal(0.35 + 0.3 * labels, 0.25), 0, 1)
    if seed % 2 == 0:
        scores = np.round(scores, int(rng.integers(0, 3)))
    return labels, scores


@pytest.mark.parametrize("seed", range(40))
def test_agrees_with_scikit_learn(seed: int) -> None:
    labels, scores = random_case(seed)
    assert (
        abs(average_precision(labels, scores) - sklearn.metrics.average_precision_score(labels, scores))
        < 1e-9
    )
    assert abs(roc_auc(labels, scores) - sklearn.metrics.roc_auc_score(labels, scores)) < 1e-9
    for drop in (True, False):
        ours = roc_curve(labels, scores, drop_intermediate=drop)
        reference = sklearn.metrics.roc_curve(labels, scores, drop_intermediate=drop)
        for mine, theirs in zip(ours, reference, strict=True):
            assert mine.shape == theirs.shape
            assert np.allclose(mine, theirs, rtol=0, atol=1e-12)
    threshold = float(np.median(scores))
    metrics = binary_metrics(labels, scores, threshold)
    predicted = (scores > threshold).astype(int)
    assert abs(metrics.acc - sklearn.metrics.balanced_accuracy_score(labels, predicted)) < 1e-9
    assert abs(metrics.acc_real - sklearn.metrics.recall_score(labels, predicted, pos_label=0)) < 1e-9
    assert abs(metrics.acc_fake - sklearn.metrics.recall_score(labels, predicted, pos_label=1)) < 1e-9
    assert (metrics.n, metrics.n_real, metrics.n_fake) == (
        labels.size,
        int((labels == 0).sum()),
        int(labels.sum()),
    )


def test_all_tied_scores() -> None:
    labels = np.array([0, 1, 0, 1, 1])
    scores = np.full(5, 0.5)
    assert roc_auc(labels, scores) == pytest.approx(0.5, abs=1e-12)
    assert average_precision(labels, scores) == pytest.approx(
        sklearn.metrics.average_precision_score(labels, scores)
    )


@pytest.mark.parametrize("seed", range(30))
def test_calibrated_threshold_is_optimal(seed: int) -> None:
    labels, scores = random_case(seed)
    threshold = calibrate_threshold(labels, scores)
    best = binary_metrics(labels, scores, threshold).acc
    candidates = np.r_[np.unique(scores), np.unique(scores) - 1e-6, -1.0, 2.0]
    predicted = scores[None, :] > candidates[:, None]
    brute = ((~predicted[:, labels == 0]).mean(axis=1) + predicted[:, labels == 1].mean(axis=1)).max() / 2
    assert abs(best - brute) < 1e-12


def test_calibration_tie_rule_prefers_prior_then_lower() -> None:
    labels = np.array([0, 0, 1, 1])
    assert calibrate_threshold(labels, np.array([0.1, 0.2, 0.8, 0.9])) == pytest.approx(0.5)
    # Perfectly separable anywhere in (0.2, 0.3]: the midpoint 0.25 is the only candidate there.
    assert calibrate_threshold(labels, np.array([0.1, 0.2, 0.3, 0.9])) == pytest.approx(0.25)
    # Two optimal cuts (0.2 and 0.8) equally far from 0.5: the lower one wins.
    assert calibrate_threshold(np.array([0, 1, 0, 1]), np.array([0.1, 0.3, 0.7, 0.9])) == pytest.approx(0.2)
    assert calibrate_threshold(np.array([0, 1, 0, 1]), np.array([0.1, 0.3, 0.7, 0.9]), 0.7) == pytest.approx(
        0.8
    )


def test_single_class_gives_nan_not_a_crash() -> None:
    metrics = binary_metrics([1, 1, 1], [0.9, 0.2, 0.7])
    assert metrics.acc_fake == pytest.approx(2 / 3)
    assert all(math.isnan(v) for v in (metrics.acc_real, metrics.acc, metrics.ap, metrics.auc))
    assert metrics.to_dict()["n_fake"] == 3
    with pytest.raises(ValueError, match="both real"):
        calibrate_threshold([1, 1], [0.1, 0.2])
    with pytest.raises(ValueError, match="both real"):
        roc_curve([0, 0], [0.1, 0.2])


def test_threshold_is_strict() -> None:
    metrics = binary_metrics([0, 1], [0.5, 0.5], threshold=0.5)
    assert (metrics.acc_real, metrics.acc_fake) == (1.0, 0.0)


@pytest.mark.parametrize(
    ("labels", "scores", "message"),
    [
        ([0, 2], [0.1, 0.2], "labels must be 0"),
        ([0, 1], [0.1], "differ in length"),
        ([0, 1], [0.1, float("nan")], "finite"),
        ([], [], "empty"),
        ([[0, 1]], [[0.1, 0.2]], "1-D"),
    ],
)
def test_bad_inputs(labels: list, scores: list, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        binary_metrics(labels, scores)


def test_is_fake_is_strict_and_is_the_rule_binary_metrics_counts() -> None:
    assert is_fake(0.6, 0.5) and not is_fake(0.5, 0.5) and not is_fake(0.4, 0.5)
    scores = np.array([0.2, 0.5, 0.5, 0.7])
    assert is_fake(scores, 0.5).tolist() == [False, False, False, True]
    metrics = binary_metrics([0, 0, 1, 1], scores, 0.5)
    assert (metrics.acc_real, metrics.acc_fake) == (1.0, 0.5)
