from __future__ import annotations

from pathlib import Path

import pytest
from readback import read_mlflow

from mirage_trackers import ExportOptions, export_bundle, last_step
from mirage_trackers.names import eval_metrics, flatten_config, mlflow_safe


def test_mlflow_client_reads_params_tags_curves_and_cells(bundle, tmp_path: Path) -> None:
    out = tmp_path / "mlflow"
    result = export_bundle(bundle, "mlflow", ExportOptions(out=out))
    assert result.location == f"sqlite:///{out.resolve()}/mlflow.db"
    read = read_mlflow(result.location, bundle.source.id)
    assert sorted(read) == sorted(r.id for r in bundle.runs)
    for run in bundle.runs:
        got = read[run.id]
        assert got.params == {key: str(value) for key, value in flatten_config(run.config).items()}
        assert {k: got.tags[k] for k in ("sweep", "method", "seed", "code_version")} == {
            "sweep": run.sweep_id,
            "method": run.method,
            "seed": str(run.seed),
            "code_version": run.code_version,
        }
        assert got.tags["mlflow.status"] == "FINISHED"
        # MLflow keeps doubles: the curve is the rows exactly.
        assert got.series["loss/total"] == [(p.step, p.loss_terms["total"]) for p in run.train]
        for name, value in eval_metrics(run).items():
            assert got.series[mlflow_safe(name)] == [(last_step(run), value)], name


def test_exporting_again_to_a_tracking_uri_replaces_the_runs(bundle, tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'shared.db'}"
    for _ in range(2):
        export_bundle(bundle, "mlflow", ExportOptions(out=tmp_path / "unused", mlflow_tracking_uri=uri))
    read = read_mlflow(uri, bundle.source.id)
    assert len(read) == len(bundle.runs)
    run = bundle.runs[0]
    assert len(read[run.id].series["loss/total"]) == len(run.train)
    assert not (tmp_path / "unused").exists()


@pytest.mark.parametrize("status", ["failed", "cancelled"])
def test_the_mlflow_status_follows_the_run(bundle, tmp_path: Path, status: str) -> None:

    failed = bundle.model_copy(update={"runs": [bundle.runs[0].model_copy(update={"status": status})]})
    result = export_bundle(failed, "mlflow", ExportOptions(out=tmp_path / "m"))
    got = read_mlflow(result.location, bundle.source.id)[bundle.runs[0].id]
    assert got.tags["mlflow.status"] == {"failed": "FAILED", "cancelled": "KILLED"}[status]
