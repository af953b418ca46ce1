"""Binary detection metrics as pure numpy functions (label 1 = fake, score = p_fake).

AP, ROC AUC and the ROC curve follow scikit-learn's definitions exactly, ties included (a run of
equal scores is one operating point; AP is the step-wise sum sum_k (R_k - R_{k-1}) P_k, not the
interpolated area). A prediction is "fake" when score > threshold (``is_fake``), as in CNNDetection and
UniversalFakeDetect; every verdict in the package (metrics, predict) goes through that one rule.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import overload

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class BinaryMetrics:
    """Accuracy per class at a threshold, their mean, threshold-free AP/AUC, and counts.

    Undefined values (a class absent) are NaN: acc_real without reals, acc_fake without fakes,
    and acc, ap, auc unless both classes are present.
    """

    acc_real: float
    acc_fake: float
    acc: float
    ap: float
    auc: float
    n: int
    n_real: int
    n_fake: int
    threshold: float

    def to_dict(self) -> dict[str, float | int]:
        """Plain dict, e.g. for JSON."""
        return asdict(self)


@overload
def is_fake(p_fake: float, threshold: float) -> bool: ...
@overload
def is_fake(p_fake: np.ndarray, threshold: float) -> np.ndarray: ...
def is_fake(p_fake: float | np.ndarray, threshold: float) -> bool | np.ndarray:
    """The decision rule: fake iff ``p_fake > threshold`` (a score equal to the threshold is real)."""
    if isinstance(p_fake, np.ndarray):
        return p_fake > threshold
    return bool(p_fake > threshold)


def _check_inputs(labels: ArrayLike, scores: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=np.float64)
    if y.ndim != 1 or s.ndim != 1:
        raise ValueError(f"labels and scores must be 1-D, got shapes {y.shape} and {s.shape}")
    if y.shape != s.shape:
        raise ValueError(f"labels ({y.size}) and scores ({s.size}) differ in length")
    if y.size == 0:
        raise ValueError("labels and scores are empty")
    if not np.isin(y, (0, 1)).all():
        raise ValueError(f"labels must be 0 (real) or 1 (fake), got values {np.unique(y)[:10].tolist()}")
    if not np.isfinite(s).all():
        raise ValueError(f"scores must be finite; {int((~np.isfinite(s)).sum())} are NaN or infinite")
    return y.astype(np.int64), s


def _both_classes(y: np.ndarray) -> bool:
    return 0 < int(y.sum()) < y.size


def _cumulative_counts(y: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False/true positive counts at each distinct score, scanning from the highest score down."""
    order = np.argsort(s, kind="mergesort")[::-1]
    s, y = s[order], y[order]
    last_of_run = np.r_[np.flatnonzero(np.diff(s)), y.size - 1]
    tps = np.cumsum(y)[last_of_run]
    fps = 1 + last_of_run - tps
    return fps, tps, s[last_of_run]


def roc_curve(
    labels: ArrayLike, scores: ArrayLike, drop_intermediate: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(fpr, tpr, thresholds) as sklearn.metrics.roc_curve: thresholds decreasing, first one +inf.

    drop_intermediate removes collinear points (sklearn's default), which leaves the area unchanged.
    """
    y, s = _check_inputs(labels, scores)
    if not _both_classes(y):
        raise ValueError("roc_curve needs both real (0) and fake (1) labels")
    fps, tps, thresholds = _cumulative_counts(y, s)
    if drop_intermediate and fps.size > 2:
        keep = np.flatnonzero(np.r_[True, np.logical_or(np.diff(fps, 2), np.diff(tps, 2)), True])
        fps, tps, thresholds = fps[keep], tps[keep], thresholds[keep]
    fps, tps = np.r_[0, fps], np.r_[0, tps]
    return fps / fps[-1], tps / tps[-1], np.r_[np.inf, thresholds]


def roc_auc(labels: ArrayLike, scores: ArrayLike) -> float:
    """Area under the ROC curve (trapezoidal, so tied scores count one half); NaN without both classes."""
    y, s = _check_inputs(labels, scores)
    if not _both_classes(y):
        return math.nan
    fpr, tpr, _ = roc_curve(y, s, drop_intermediate=False)
    return float(np.trapezoid(tpr, fpr))


def average_precision(labels: ArrayLike, scores: ArrayLike) -> float:
    """sklearn's average_precision_score (fake = positive); NaN without both classes."""
    y, s = _check_inputs(labels, scores)
    if not _both_classes(y):
        return math.nan
    fps, tps, _ = _cumulative_counts(y, s)
    precision = tps / (tps + fps)
    recall = tps / tps[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def binary_metrics(labels: ArrayLike, scores: ArrayLike, threshold: float = 0.5) -> BinaryMetrics:
    """Per-class accuracy at `threshold` (fake iff score > threshold), their mean, AP, AUC and counts."""
    y, s = _check_inputs(labels, scores)
    predicted_fake = is_fake(s, threshold)
    real, fake = y == 0, y == 1
    n_real, n_fake = int(real.sum()), int(fake.sum())
    acc_real = float((~predicted_fake[real]).mean()) if n_real else math.nan
    acc_fake = float(predicted_fake[fake].mean()) if n_fake else math.nan
    both = n_real > 0 and n_fake > 0
    return BinaryMetrics(
        acc_real=acc_real,
        acc_fake=acc_fake,
        acc=(acc_real + acc_fake) / 2 if both else math.nan,
        ap=average_precision(y, s),
        auc=roc_auc(y, s),
        n=int(y.size),
        n_real=n_real,
        n_fake=n_fake,
        threshold=float(threshold),
    )


def calibrate_threshold(labels: ArrayLike, scores: ArrayLike, prior_threshold: float = 0.5) -> float:
    """Threshold maximising balanced accuracy (acc_real + acc_fake) / 2, for use with binary_metrics.

    Fit it on a VALIDATION split and apply it to the test set; never calibrate on the test set
    (UniversalFakeDetect's find_best_threshold on test data inflates its "best" accuracy).

    Candidates are the midpoints between consecutive distinct scores, plus one just below the
    lowest score (all fake) and the highest score (all real). Balanced accuracy is compared exactly
    in integers (tn * n_fake + tp * n_real). Tie rule: among optimal thresholds the one nearest
    `prior_threshold` (the uncalibrated default) wins, then the lower one.
    """
    y, s = _check_inputs(labels, scores)
    if not _both_classes(y):
        raise ValueError("calibrate_threshold needs both real (0) and fake (1) labels")
    n_fake = int(y.sum())
    n_real = int(y.size) - n_fake
    values, inverse = np.unique(s, return_inverse=True)
    reals_at = np.bincount(inverse, weights=(y == 0), minlength=values.size).astype(np.int64)
    fakes_at = np.bincount(inverse, weights=(y == 1), minlength=values.size).astype(np.int64)
    # Cut k predicts fake for scores above values[k - 1]: k = 0 is all fake, k = m all real.
    true_negatives = np.r_[0, np.cumsum(reals_at)]
    true_positives = n_fake - np.r_[0, np.cumsum(fakes_at)]
    objective = true_negatives * n_fake + true_positives * n_real
    midpoints = (values[:-1] + values[1:]) / 2
    midpoints = np.where(midpoints < values[1:], midpoints, values[:-1])
    thresholds = np.r_[np.nextafter(values[0], -np.inf), midpoints, values[-1]]
    best = np.flatnonzero(objective == objective.max())
    chosen = min(best, key=lambda k: (abs(thresholds[k] - prior_threshold), thresholds[k]))
    return float(thresholds[chosen])
