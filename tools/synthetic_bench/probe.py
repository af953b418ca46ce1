"""Train a logistic regression on handcrafted features of one family, test it on every family.

A sanity probe of the benchmark, not a detector: if a family-specific cue exists, the in-family score
is high; if the cue does not carry over, the other families score lower. The threshold is 0.5 on the
trained model's probability, never tuned on test data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from synthetic_bench.encoding import decode_image
from synthetic_bench.features import image_features
from synthetic_bench.writer import MANIFEST_NAME


@dataclass(frozen=True)
class LabelledFeatures:
    """Feature rows and 0 (real) / 1 (fake) labels of one family's split."""

    features: np.ndarray
    labels: np.ndarray


@dataclass(frozen=True)
class ProbeScore:
    """How the probe trained on `train_family` does on `test_family`'s test split."""

    train_family: str
    test_family: str
    accuracy: float
    auc: float


def load_split(root: Path, family: str, split: str) -> LabelledFeatures:
    """Features of every image in `family`'s manifest with this split."""
    manifest = root / family / MANIFEST_NAME
    rows, labels = [], []
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), start=1):
        record = json.loads(line)
        if record["split"] != split:
            continue
        if record["label"] not in ("real", "fake"):
            raise ValueError(f"{manifest} line {number}: field 'label' must be real or fake")
        pixels = decode_image((manifest.parent / record["uri"]).read_bytes())
        rows.append(image_features(pixels))
        labels.append(1 if record["label"] == "fake" else 0)
    if not rows:
        raise ValueError(f"{manifest}: no records in split {split!r}")
    return LabelledFeatures(np.stack(rows), np.array(labels, dtype=np.float64))


class LogisticProbe:
    """L2-regularised logistic regression on standardised features, fitted by full-batch gradient descent."""

    def __init__(self, l2: float = 1e-2, steps: int = 2000, learning_rate: float = 0.5) -> None:
        self.l2, self.steps, self.learning_rate = l2, steps, learning_rate
        self.mean = self.scale = self.weights = np.zeros(0)
        self.bias = 0.0

    def fit(self, data: LabelledFeatures) -> LogisticProbe:
        self.mean = data.features.mean(axis=0)
        self.scale = data.features.std(axis=0) + 1e-9
        inputs = (data.features - self.mean) / self.scale
        self.weights = np.zeros(inputs.shape[1])
        self.bias = 0.0
        for _ in range(self.steps):
            error = _sigmoid(inputs @ self.weights + self.bias) - data.labels
            self.weights -= self.learning_rate * (inputs.T @ error / len(error) + self.l2 * self.weights)
            self.bias -= self.learning_rate * float(error.mean())
        return self

    def p_fake(self, features: np.ndarray) -> np.ndarray:
        return _sigmoid(((features - self.mean) / self.scale) @ self.weights + self.bias)


def _sigmoid(logits: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -50.0, 50.0)))


def roc_auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve by the rank-sum formula (ties share their average rank)."""
    order = np.argsort(scores, kind="stable")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    start = 0
    while start < len(scores):
        stop = start
        while stop + 1 < len(scores) and sorted_scores[stop + 1] == sorted_scores[start]:
            stop += 1
        ranks[order[start : stop + 1]] = (start + stop) / 2.0 + 1.0
        start = stop + 1
    positives = labels == 1
    n_pos, n_neg = int(positives.sum()), int((~positives).sum())
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs both labels")
    return float((ranks[positives].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def probe_matrix(root: Path, train_families: list[str], test_families: list[str]) -> list[ProbeScore]:
    """Scores of a probe trained on each train family's train split, on each test family's test split."""
    tests = {family: load_split(root, family, "test") for family in test_families}
    scores = []
    for train_family in train_families:
        probe = LogisticProbe().fit(load_split(root, train_family, "train"))
        for test_family, data in tests.items():
            p_fake = probe.p_fake(data.features)
            accuracy = float(((p_fake >= 0.5) == (data.labels == 1)).mean())
            scores.append(ProbeScore(train_family, test_family, accuracy, roc_auc(data.labels, p_fake)))
    return scores
