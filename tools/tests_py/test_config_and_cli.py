from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from synthetic_bench import BenchmarkConfig, BenchmarkConfigError, OutputExistsError, generate_benchmark

TOOLS_DIR = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("settings", "field"),
    [
        ({"size": 31}, "size"),
        ({"size": 4}, "size"),
        ({"per_class": 0}, "per_class"),
        ({"seed": -1}, "seed"),
        ({"jpeg_quality": 101}, "jpeg_quality"),
        ({"families": ("synthetic-sdv14",)}, "families"),
        ({"families": ()}, "families"),
        ({"split_fractions": (0.5, 0.5, 0.5)}, "split_fractions"),
    ],
)
def test_bad_settings_name_the_field(settings: dict[str, object], field: str) -> None:
    with pytest.raises(BenchmarkConfigError, match=field):
        BenchmarkConfig(**settings)  # type: ignore[arg-type]


def test_a_non_empty_output_folder_is_refused_and_left_alone(tmp_path: Path) -> None:
    keep = tmp_path / "out" / "keep.txt"
    keep.parent.mkdir()
    keep.write_text("mine")
    with pytest.raises(OutputExistsError, match="out"):
        generate_benchmark(tmp_path / "out", BenchmarkConfig(per_class=1))
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging folder left behind


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(TOOLS_DIR)}
    return subprocess.run(
        [sys.executable, "-m", "synthetic_bench", *args],
        cwd=TOOLS_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


def test_cli_generates_and_probes(tmp_path: Path) -> None:
    out = tmp_path / "bench"
    done = run_cli("generate", "--out", str(out), "--seed", "0", "--per-class", "10", "--size", "16")
    assert done.returncode == 0, done.stderr
    assert "SYNTHETIC benchmark: 80 images" in done.stdout
    assert (out / "synthetic-jpeg-double" / "fake" / "synthetic-jpeg-double-fake-00009.jpg").is_file()
    probed = run_cli("probe", "--root", str(out), "--train", "upsampler", "--test", "upsampler,quantizer")
    assert probed.returncode == 0, probed.stderr
    assert probed.stdout.count("synthetic-upsampler") == 3


def test_cli_reports_bad_input_with_status_2(tmp_path: Path) -> None:
    odd = run_cli("generate", "--out", str(tmp_path / "x"), "--size", "33")
    assert odd.returncode == 2 and "size must be even" in odd.stderr
    unknown = run_cli("generate", "--out", str(tmp_path / "y"), "--families", "upsampler,midjourney")
    assert unknown.returncode == 2 and "unknown family 'midjourney'" in unknown.stderr
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
