from __future__ import annotations

from pathlib import Path

import pytest
from readback import read_wandb

from mirage_trackers import ExportOptions, export_bundle
from mirage_trackers.names import eval_metrics, train_scalars


def test_offline_folders_hold_config_history_and_summary(bundle, tmp_path: Path) -> None:
    out = tmp_path / "wandb-export"
    result = export_bundle(bundle, "wandb", ExportOptions(out=out))
    folders = sorted((out / "wandb").glob("offline-run-*"))
    assert len(folders) == len(bundle.runs)
    assert result.open_command.startswith(f"wandb sync {out / 'wandb'}")
    read = read_wandb(out)
    assert sorted(read) == sorted(r.id for r in bundle.runs)
    for run in bundle.runs:
        got = read[run.id]
        assert got.tags["project"] == bundle.source.id
        assert got.tags["group"] == run.sweep_id
        assert got.params == run.config
        expected: dict[str, list[tuple[int, float]]] = {}
        for scalar in train_scalars(run):
            expected.setdefault(scalar.name, []).append((scalar.step, scalar.value))
        assert got.series == expected
        assert got.summary == pytest.approx(
            {**eval_metrics(run), **{n: s[-1][1] for n, s in expected.items()}}
        )
