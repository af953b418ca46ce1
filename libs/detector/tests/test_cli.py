"""``python -m mirage_detector predict`` end to end in a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from tiny_setup import tiny_config_dict, write_png_records

from mirage_detector import parse_run_config, train
from mirage_detector.__main__ import main
from mirage_detector.backbone import ClipBackbone
from mirage_detector.engine.checkpoint import write_calibrated_threshold
from mirage_detector.metrics import binary_metrics
from mirage_detector.predict import predict_paths


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mirage_detector", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def checkpoint_and_images(
    tiny_backbone: ClipBackbone, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    records = write_png_records(folder / "images", 6)
    (folder / "images" / "notes.txt").write_text("not an image, and not listed")
    (folder / "images" / "broken.png").write_bytes(b"broken")
    config = parse_run_config(tiny_config_dict(schedule__steps=2, schedule__checkpoint_every=2))
    result = train(config, records, checkpoint_dir=folder / "ck", backbone=tiny_backbone)
    assert result.checkpoint_path is not None
    return result.checkpoint_path, folder / "images"


def test_predict_prints_json_lines(checkpoint_and_images: tuple[Path, Path]) -> None:
    checkpoint, images = checkpoint_and_images
    done = run_cli("predict", "--checkpoint", str(checkpoint), "--json", str(images))
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    assert [Path(r["path"]).name for r in rows] == ["broken.png"] + [f"img_{i:03d}.png" for i in range(6)]
    assert rows[0]["verdict"] == "error" and rows[0]["p_fake"] is None and rows[0]["error"]
    for row in rows[1:]:
        assert 0.0 <= row["p_fake"] <= 1.0
        assert row["verdict"] == ("fake" if row["p_fake"] > 0.5 else "real")


def test_predict_reports_a_bad_checkpoint_with_exit_status_2(
    checkpoint_and_images: tuple[Path, Path], tmp_path: Path
) -> None:
    _, images = checkpoint_and_images
    done = run_cli("predict", "--checkpoint", str(tmp_path / "missing.safetensors"), str(images))
    assert done.returncode == 2 and "checkpoint file not found" in done.stderr


# the entry function in-process (a subprocess costs seconds of imports each)
def test_predict_prints_a_table_for_single_files(
    checkpoint_and_images: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint, images = checkpoint_and_images
    assert (
        main(
            [
                "predict",
                "--checkpoint",
                str(checkpoint),
                str(images / "img_000.png"),
                str(images / "img_001.png"),
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["path", "p_fake", "verdict"] and len(lines) == 3
    assert lines[1].split()[-1] in ("real", "fake")


def test_predict_reports_a_missing_path(
    checkpoint_and_images: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint, _ = checkpoint_and_images
    assert main(["predict", "--checkpoint", str(checkpoint), str(tmp_path / "nowhere")]) == 2
    assert "no such file or folder" in capsys.readouterr().err


def test_predict_verdicts_follow_the_metrics_rule_at_the_threshold(
    checkpoint_and_images: tuple[Path, Path], tmp_path: Path
) -> None:
    checkpoint, images = checkpoint_and_images
    files = sorted(images.glob("img_*.png"))
    scored = predict_paths(checkpoint, files)
    p_fake = [p.p_fake for p in scored]
    assert all(p is not None for p in p_fake)
    # a threshold equal to a score: that image is real, for predict as for the reported accuracy
    tie = sorted(p_fake)[len(p_fake) // 2]
    copy = tmp_path / checkpoint.name
    copy.write_bytes(checkpoint.read_bytes())
    write_calibrated_threshold(copy, tie)
    verdicts = [p.verdict for p in predict_paths(copy, files)]
    assert verdicts[p_fake.index(tie)] == "real"
    # taken as labels, the verdicts are exactly what binary_metrics counts as right at that threshold
    labels = [int(v == "fake") for v in verdicts]
    assert 0 < sum(labels) < len(labels)
    assert binary_metrics(labels, p_fake, tie).acc == 1.0
