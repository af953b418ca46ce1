"""MiraGe detector library: frozen CLIP backbone, prompt learners, losses, methods, data, engine, metrics.

MiraGe (Shi et al., ACM MM 2025, arXiv 2508.01525) is published as an abstract only; this package is a
documented reconstruction whose guessed choices are config switches. It knows nothing of Temporal, S3 or the
environment: callers pass configs, data and callbacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mirage_detector.lazy_exports import lazy_getattr

# Names are imported on first use (PEP 562): `python -m mirage_detector.data.register` scans a dataset without
# importing torch and transformers through the engine, which alone took ~10 s of a registration.
_EXPORTS: dict[str, str] = {
    "RunConfig": "mirage_detector.config",
    "parse_run_config": "mirage_detector.config",
    "replace_config": "mirage_detector.config",
    "run_config_json": "mirage_detector.config",
    "Checkpoint": "mirage_detector.engine",
    "EvalResult": "mirage_detector.engine",
    "ImageScore": "mirage_detector.engine",
    "TrainResult": "mirage_detector.engine",
    "calibrate_checkpoint": "mirage_detector.engine",
    "evaluate": "mirage_detector.engine",
    "load_checkpoint": "mirage_detector.engine",
    "train": "mirage_detector.engine",
    "CheckpointError": "mirage_detector.errors",
    "ConfigError": "mirage_detector.errors",
    "DetectorError": "mirage_detector.errors",
    "NonFiniteLossError": "mirage_detector.errors",
    "OutOfMemoryError": "mirage_detector.errors",
    "DetectorOutput": "mirage_detector.methods",
    "create_method": "mirage_detector.methods",
    "list_methods": "mirage_detector.methods",
    "register_method": "mirage_detector.methods",
    "CODE_VERSION": "mirage_detector.version",
}

if TYPE_CHECKING:
    from mirage_detector.config import RunConfig, parse_run_config, replace_config, run_config_json
    from mirage_detector.engine import (
        Checkpoint,
        EvalResult,
        ImageScore,
        TrainResult,
        calibrate_checkpoint,
        evaluate,
        load_checkpoint,
        train,
    )
    from mirage_detector.errors import (
        CheckpointError,
        ConfigError,
        DetectorError,
        NonFiniteLossError,
        OutOfMemoryError,
    )
    from mirage_detector.methods import DetectorOutput, create_method, list_methods, register_method
    from mirage_detector.version import CODE_VERSION


__getattr__ = lazy_getattr(__name__, _EXPORTS)

__all__ = [
    "CODE_VERSION",
    "Checkpoint",
    "CheckpointError",
    "ConfigError",
    "DetectorError",
    "DetectorOutput",
    "EvalResult",
    "ImageScore",
    "NonFiniteLossError",
    "OutOfMemoryError",
    "RunConfig",
    "TrainResult",
    "calibrate_checkpoint",
    "create_method",
    "evaluate",
    "list_methods",
    "load_checkpoint",
    "parse_run_config",
    "register_method",
    "replace_config",
    "run_config_json",
    "train",
]
