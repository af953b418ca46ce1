"""Export throughput per tracker on a synthetic sweep, beside a reference measured in the same process.

`.venv/bin/python libs/trackers/bench/export_bench.py [--runs 8] [--steps 1000]`. The reference writes the
same scalars as JSON lines to a file: what an export costs beyond that is the tracker's own. CPU figures of
this machine, synthetic rows; nothing here is a GPU or paper number.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
import time
from pathlib import Path

from mirage_trackers import (
    BUNDLE_FORMAT,
    ExportOptions,
    TrackerBundle,
    export_bundle,
    list_trackers,
    parse_bundle,
)
from mirage_trackers.names import eval_metrics, train_scalars


def synthetic_bundle(runs: int, steps: int) -> TrackerBundle:
    def run(i: int) -> dict[str, object]:
        train = [
            {
                "step": s,
                "loss_terms": {"ce": math.exp(-s / steps), "intra": 0.5 / s, "inter": 0.1, "total": 1.0 / s},
                "lr": 0.002,
                "images_per_second": 50.0,
            }
            for s in range(1, steps + 1)
        ]
        metrics: dict[str, float | None] = {
            "acc": 0.9,
            "acc_real": 0.9,
            "acc_fake": 0.9,
            "ap": 0.95,
            "auc": 0.96,
            "acc_calibrated": None,
        }
        cells = [
            {"column": f"gen-{c}", "perturbation": "none", "n": 200, "n_real": 100, "n_fake": 100}
            | {"threshold": 0.5, "metrics": metrics, "video": None}
            for c in range(8)
        ]
        config = {"method": "mirage", "seed": i, "loss": {"w_intra": 1.0}}
        return {
            "id": f"run-{i:024x}",
            "sweep_id": "sweep-bench",
            "experiment": "bench",
            "method": "mirage",
            "seed": i,
            "status": "succeeded",
            "code_version": "bench",
            "config": config,
            "train": train,
            "eval": cells,
        }

    raw = {"format": BUNDLE_FORMAT, "source": {"kind": "sweep", "id": "sweep-bench"}}
    return parse_bundle(raw | {"runs": [run(i) for i in range(runs)]})


def reference_seconds(bundle: TrackerBundle, out: Path) -> tuple[float, int]:
    start = time.perf_counter()
    points = 0
    with (out / "reference.jsonl").open("w") as file:
        for run in bundle.runs:
            for s in train_scalars(run):
                row = {"run": run.id, "name": s.name, "step": s.step, "value": s.value}
                file.write(json.dumps(row) + "\n")
                points += 1
            for name, value in eval_metrics(run).items():
                file.write(json.dumps({"run": run.id, "name": name, "value": value}) + "\n")
                points += 1
    return time.perf_counter() - start, points


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=8)
    parser.add_argument("--steps", type=int, default=1000)
    args = parser.parse_args()
    bundle = synthetic_bundle(args.runs, args.steps)
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        seconds, points = reference_seconds(bundle, root)
        print(f"{args.runs} runs x {args.steps} steps, {points} scalars (synthetic, CPU)")
        print(f"{'reference (JSON lines)':<24}{seconds:8.3f} s  {points / seconds:12,.0f} scalars/s")
        for tracker in list_trackers():
            start = time.perf_counter()
            result = export_bundle(bundle, tracker, ExportOptions(out=root / tracker))
            took = time.perf_counter() - start
            rate = result.points / took
            ratio = took / seconds
            print(f"{tracker:<24}{took:8.3f} s  {rate:12,.0f} scalars/s  ({ratio:6.1f}x reference)")


if __name__ == "__main__":
    main()
