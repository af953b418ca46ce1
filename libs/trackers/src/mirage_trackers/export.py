"""Picks the tracker, checks its library is installed and the output folder is free, and runs its writer."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

from .bundle import TrackerBundle
from .errors import MissingTrackerError, OutputExistsError
from .result import ExportResult

# Each tracker and the top-level module its extra installs (`pip install 'mirage-trackers[<tracker>]'`).
TRACKER_MODULES = {"tensorboard": "tensorboard", "mlflow": "mlflow", "wandb": "wandb"}


def list_trackers() -> list[str]:
    """The names `--to` accepts."""
    return sorted(TRACKER_MODULES)


@dataclass(frozen=True)
class ExportOptions:
    """Where an export goes: the folder `out`, or for MLflow a tracking URI; W&B takes a project name."""

    out: Path
    mlflow_tracking_uri: str | None = None
    wandb_project: str | None = None


def require_tracker(tracker: str) -> None:
    """Raises MissingTrackerError (naming the pip command) when the tracker's library is not importable."""
    module = TRACKER_MODULES[tracker]
    if importlib.util.find_spec(module) is None:
        raise MissingTrackerError(tracker, module)


def _require_free_folder(out: Path) -> None:
    # An export never writes into (or wipes) an earlier one: appended event files would double every curve.
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise OutputExistsError(f"--out {out}: already holds files; choose another folder or remove it first")


def export_bundle(bundle: TrackerBundle, tracker: str, options: ExportOptions) -> ExportResult:
    """Writes the bundle's runs to `tracker` ("tensorboard", "mlflow" or "wandb")."""
    if tracker not in TRACKER_MODULES:
        raise ValueError(f"unknown tracker {tracker!r}; expected one of {', '.join(list_trackers())}")
    require_tracker(tracker)
    if tracker == "tensorboard":
        from .tensorboard_export import export_tensorboard

        _require_free_folder(options.out)
        return export_tensorboard(bundle, options.out)
    if tracker == "mlflow":
        from .mlflow_export import export_mlflow

        if options.mlflow_tracking_uri is None:
            _require_free_folder(options.out)
        return export_mlflow(bundle, options.out, options.mlflow_tracking_uri)
    from .wandb_export import export_wandb

    _require_free_folder(options.out)
    return export_wandb(bundle, options.out, options.wandb_project)
