from __future__ import annotations

from pathlib import Path

import pytest
from readback import read_tensorboard

from mirage_trackers import ExportOptions, export_bundle, last_step
from mirage_trackers.names import eval_metrics


def test_event_accumulator_reads_every_curve_and_cell(bundle, tmp_path: Path) -> None:
    out = tmp_path / "tb"
    result = export_bundle(bundle, "tensorboard", ExportOptions(out=out))
    assert result.open_command == f"tensorboard --logdir {out}"
    read = read_tensorboard(out)
    assert sorted(read) == sorted(r.id for r in bundle.runs)
    for run in bundle.runs:
        series = read[run.id].series
        # TensorBoard stores scalars as float32: equal to the rows to float32 precision, at the rows' steps.
        assert [step for step, _ in series["loss/total"]] == [p.step for p in run.train]
        assert [v for _, v in series["loss/total"]] == pytest.approx(
            [p.loss_terms["total"] for p in run.train], rel=1e-6
        )
        assert [v for _, v in series["train/lr"]] == pytest.approx([p.lr for p in run.train], rel=1e-6)
        for name, value in eval_metrics(run).items():
            assert series[name] == [(last_step(run), pytest.approx(value, rel=1e-6))], name
        assert read[run.id].params == run.config


def test_runs_with_no_curve_still_export_their_cells(bundle, tmp_path: Path) -> None:

    untrained = bundle.model_copy(update={"runs": [bundle.runs[0].model_copy(update={"train": []})]})
    export_bundle(untrained, "tensorboard", ExportOptions(out=tmp_path / "tb"))
    series = read_tensorboard(tmp_path / "tb")[bundle.runs[0].id].series
    assert "loss/total" not in series
    assert series["eval/midjourney/none/acc"][0][0] == 0
