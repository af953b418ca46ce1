"""The data-path benchmark runs end to end and prints every figure; no speed is asserted."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "decode_throughput.py"


def test_quick_run_prints_every_figure() -> None:
    command = [
        sys.executable,
        str(SCRIPT),
        "--quick",
        "--images",
        "2",
        "--eval-images",
        "16",
        "--workers",
        "1",
    ]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert completed.returncode == 0, completed.stderr
    out = completed.stdout
    for row in ("JPEG 500x375 q90", "PNG 512x512", "PNG 1024x1024", "old float32", "new uint8"):
        assert re.search(rf"{row}\s+\d", out), (row, out)
    assert "308.3 MB" in out and "77.1 MB" in out  # 512 x 3 x 224 x 224 x 4 bytes, and x 1
    for row in ("old (float32, no cache)", "new, cache cold (writes)", "new, cache warm (2nd ckpt)"):
        assert re.search(rf"{re.escape(row)}\s+\d", out), (row, out)
    assert re.search(r"1024x1024\s+[\d.]+\s+[\d.]+\s+[\d.]+x", out), out


def test_bad_counts_are_refused() -> None:
    completed = subprocess.run(
        [sys.executable, str(SCRIPT), "--images", "0"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 2 and "counts must be >= 1" in completed.stderr
