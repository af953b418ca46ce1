"""Exports MiraGe Lab runs (config, train curves, per-generator metrics) to TensorBoard, MLflow, W&B."""

from .bundle import (
    BUNDLE_FORMAT,
    EvalCell,
    ExportRun,
    TrackerBundle,
    TrainPoint,
    cell_metrics,
    last_step,
    load_bundle,
    parse_bundle,
)
from .errors import BundleError, MissingTrackerError, OutputExistsError, TrackerExportError
from .export import ExportOptions, export_bundle, list_trackers
from .result import ExportResult

__all__ = [
    "BUNDLE_FORMAT",
    "BundleError",
    "EvalCell",
    "ExportOptions",
    "ExportResult",
    "ExportRun",
    "MissingTrackerError",
    "OutputExistsError",
    "TrackerBundle",
    "TrackerExportError",
    "TrainPoint",
    "cell_metrics",
    "export_bundle",
    "last_step",
    "list_trackers",
    "load_bundle",
    "parse_bundle",
]
