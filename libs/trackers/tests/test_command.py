"""`python -m mirage_trackers export`: the result line, and one-line errors for what the user can fix."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from conftest import bundle_json

from mirage_trackers.__main__ import main


def _write_bundle(tmp_path: Path) -> Path:
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(bundle_json(n_runs=1, steps=4)))
    return path


def test_prints_one_json_result_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = _write_bundle(tmp_path)
    assert (
        main(["export", "--bundle", str(bundle), "--to", "tensorboard", "--out", str(tmp_path / "tb")]) == 0
    )
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0]) == {
        "tracker": "tensorboard",
        "location": str(tmp_path / "tb"),
        "runs": 1,
        # 4 steps x (4 loss terms + lr + throughput) + 6 cells x (5 defined metrics + n)
        # + 2 video cells x (5 defined metrics + n_videos)
        "points": 4 * 6 + 6 * 6 + 2 * 6,
        "open_command": f"tensorboard --logdir {tmp_path / 'tb'}",
    }


def test_refuses_to_write_into_an_earlier_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = _write_bundle(tmp_path)
    (tmp_path / "tb").mkdir()
    (tmp_path / "tb" / "keep.txt").write_text("earlier")
    assert (
        main(["export", "--bundle", str(bundle), "--to", "tensorboard", "--out", str(tmp_path / "tb")]) == 2
    )
    err = capsys.readouterr().err
    assert "already holds files" in err and "Traceback" not in err
    assert (tmp_path / "tb" / "keep.txt").read_text() == "earlier"


@pytest.mark.parametrize("tracker", ["tensorboard", "mlflow", "wandb"])
def test_a_missing_extra_names_the_pip_command(
    tracker: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # None in sys.modules makes the import machinery report the module as absent, as on a machine without it.
    monkeypatch.setitem(sys.modules, tracker, None)
    bundle = _write_bundle(tmp_path)
    assert main(["export", "--bundle", str(bundle), "--to", tracker, "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert f"pip install -e 'libs/trackers[{tracker}]'" in err
    assert not (tmp_path / "x").exists()


def test_a_broken_bundle_is_one_line_naming_the_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = bundle_json(n_runs=1, steps=2)
    raw["runs"][0]["train"][0]["loss_terms"]["total"] = "NaN"
    path = tmp_path / "bundle.json"
    path.write_text(json.dumps(raw))
    assert main(["export", "--bundle", str(path), "--to", "mlflow", "--out", str(tmp_path / "m")]) == 2
    assert (
        capsys.readouterr().err.strip()
        == "error: bundle.runs[0].train[0].loss_terms.total: Input should be a valid number"
    )
