"""Weights & Biases, offline: one offline run folder per run, which `wandb sync <folder>` uploads later.

Nothing here touches the network: offline mode, no early viewer query, no git or code capture, no system stats
or machine metadata (an export is not the training machine, and its stats would be noise).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from .bundle import ExportRun, TrackerBundle
from .names import eval_metrics, train_scalars
from .result import ExportResult


def _history_rows(run: ExportRun) -> dict[int, dict[str, float]]:
    """The curves as one W&B history row per step (W&B wants each step logged once, in increasing order)."""
    rows: dict[int, dict[str, float]] = defaultdict(dict)
    for scalar in train_scalars(run):
        rows[scalar.step][scalar.name] = scalar.value
    return dict(sorted(rows.items()))


def export_wandb(bundle: TrackerBundle, out: Path, project: str | None = None) -> ExportResult:
    """Writes `out/wandb/offline-run-*-<run id>/` per run; the project defaults to the sweep/experiment id."""
    import wandb

    settings = wandb.Settings(
        mode="offline",
        silent=True,
        console="off",
        disable_git=True,
        save_code=False,
        disable_job_creation=True,
        x_disable_viewer=True,
        x_disable_stats=True,
        x_disable_meta=True,
        x_disable_machine_info=True,
        x_save_requirements=False,
    )
    out.mkdir(parents=True, exist_ok=True)

    def write_run(run: ExportRun) -> int:
        handle = wandb.init(
            dir=str(out),
            project=project or bundle.source.id,
            id=run.id,
            name=run.id,
            group=run.sweep_id,
            job_type=run.method,
            tags=[run.method, f"seed={run.seed}", run.status],
            config=run.config,
            settings=settings,
        )
        log = Path(handle.settings.sync_file)
        try:
            points = 0
            for step, row in _history_rows(run).items():
                handle.log(row, step=step)
                points += len(row)
            metrics = eval_metrics(run)
            handle.summary.update(metrics)
        finally:
            handle.finish(exit_code=0 if run.status != "failed" else 1)
        # Seen once while trying offline settings: an empty run log. Never report success without the data.
        if not log.is_file() or log.stat().st_size == 0:
            raise RuntimeError(f"wandb left the run log {log} empty; the export of {run.id} is incomplete")
        return points + len(metrics)

    points = sum(write_run(run) for run in bundle.runs)
    return ExportResult(
        tracker="wandb",
        location=str(out),
        runs=len(bundle.runs),
        points=points,
        open_command=f"wandb sync {out / 'wandb'}/offline-run-*",
    )
