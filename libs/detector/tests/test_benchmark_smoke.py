"""The throughput benchmark script runs end to end (``--quick``: tiny CLIP on CPU); no speed is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from PIL import Image

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "throughput.py"


def _write_jpegs(folder: Path, count: int) -> None:
    rng = np.random.default_rng(0)
    for index in range(count):
        label_dir = folder / ("fake" if index % 2 else "real")
        label_dir.mkdir(parents=True, exist_ok=True)
        pixels = rng.integers(0, 256, size=(48, 40, 3), dtype=np.uint8)
        Image.fromarray(pixels, mode="RGB").save(label_dir / f"{index:02d}.jpg", quality=90)


def _check_timing(result: dict[str, object], batch: int) -> None:
    assert "error" not in result, result
    assert isinstance(result["images_per_second"], float) and result["images_per_second"] > 0
    assert isinstance(result["ms_per_step"], float) and result["ms_per_step"] > 0
    assert result["batch_size"] == batch


def test_quick_run_reports_every_figure(tmp_path: Path) -> None:
    _write_jpegs(tmp_path / "jpegs", 6)
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", "--from-files", str(tmp_path / "jpegs")],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    report = json.loads(completed.stdout)

    assert report["arch"] == "tiny" and report["device_type"] == "cpu"
    assert report["device"] and report["torch"] and report["precision"] == "fp32"
    for phase in ("eval", "train"):
        _check_timing(report[phase]["implementation"], 8)
        _check_timing(report[phase]["reference"], 8)
        assert report[phase]["ratio"] > 0
    files = report["jpeg_eval"]
    _check_timing(files, 8)
    # --quick runs 3 timed batches of 8, cycling the 6 files
    assert files["images"] == 24 and files["files"] == 6 and files["skipped"] == 0
    # same weights, SDPA vs eager attention: the reference measures the same model
    assert report["reference_max_abs_feature_diff"] < 1e-4
    assert report["reference_min_feature_cosine"] > 0.9999
    assert report["weights_dtype"] == "float32" and report["compile"] is False

    table = completed.stderr
    for label in ("eval: implementation", "eval: reference", "eval: ratio", "train: ratio", "eval from JPEG"):
        assert label in table, table


def test_unknown_arch_is_rejected() -> None:
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--arch", "vit-h-99"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2
    assert "--arch" in completed.stderr
