"""A bundle shaped like a real sweep's rows: the tiny RunConfig of the contracts' fixtures, MiraGe's loss
terms decaying over a cosine lr schedule, and cells on still and video columns, clean and perturbed."""

from __future__ import annotations

import copy
import json
import math
import random
from pathlib import Path
from typing import Any

import pytest

from mirage_trackers import BUNDLE_FORMAT, TrackerBundle, parse_bundle

REPO = Path(__file__).resolve().parents[3]
RUN_CONFIG_FIXTURE = REPO / "libs/contracts/fixtures/valid/RunConfig.tiny.json"
COLUMNS = ("sdv14", "midjourney", "sora-frames")
PERTURBATIONS = ("none", "jpeg(quality=75)")


def _train_curve(rng: random.Random, steps: int, base_lr: float) -> list[dict[str, object]]:
    points = []
    for step in range(1, steps + 1):
        decay = math.exp(-step / (steps / 3))
        ce = 0.69 * decay + 0.05 + rng.uniform(0, 0.02)
        intra = 0.4 * decay + rng.uniform(0, 0.01)
        inter = 0.2 * decay + rng.uniform(0, 0.01)
        lr = base_lr * 0.5 * (1 + math.cos(math.pi * step / steps))
        points.append(
            {
                "step": step,
                "loss_terms": {"ce": ce, "intra": intra, "inter": inter, "total": ce + intra + inter},
                "lr": lr,
                "images_per_second": rng.uniform(40, 60),
            }
        )
    return points


def _cell(rng: random.Random, column: str, perturbation: str) -> dict[str, object]:
    acc_real, acc_fake = rng.uniform(0.6, 1.0), rng.uniform(0.5, 1.0)
    metrics = {
        "acc": (acc_real + acc_fake) / 2,
        "acc_real": acc_real,
        "acc_fake": acc_fake,
        "ap": rng.uniform(0.6, 1.0),
        "auc": rng.uniform(0.6, 1.0),
        # null: no validation split, so no calibrated threshold (as eval_results stores it)
        "acc_calibrated": None,
    }
    video = None
    if column.endswith("-frames"):
        video = {**metrics, "acc": rng.uniform(0.5, 1.0), "n_videos": 12}
    return {
        "column": column,
        "perturbation": perturbation,
        "n": 200,
        "n_real": 100,
        "n_fake": 100,
        "threshold": 0.5,
        "metrics": metrics,
        "video": video,
    }


def bundle_json(n_runs: int = 2, steps: int = 25, seed: int = 7) -> dict[str, Any]:
    """The JSON of a sweep of `n_runs` runs (mirage and coop alternating, one seed each); Any: raw JSON that
    tests edit to break it."""
    rng = random.Random(seed)
    base_config = json.loads(RUN_CONFIG_FIXTURE.read_text())["value"]
    runs = []
    for i in range(n_runs):
        config = copy.deepcopy(base_config)
        config["method"] = "mirage" if i % 2 == 0 else "coop"
        config["seed"] = i
        runs.append(
            {
                "id": f"run-{i:024x}",
                "sweep_id": "sweep-fixture",
                "experiment": "fixture",
                "method": config["method"],
                "seed": i,
                "status": "succeeded",
                "code_version": "fixture-code-v1",
                "config": config,
                "train": _train_curve(rng, steps, config["optimizer"]["lr"]),
                "eval": [_cell(rng, c, p) for c in COLUMNS for p in PERTURBATIONS],
            }
        )
    return {"format": BUNDLE_FORMAT, "source": {"kind": "sweep", "id": "sweep-fixture"}, "runs": runs}


@pytest.fixture
def bundle() -> TrackerBundle:
    return parse_bundle(bundle_json())
