"""MiraGe detector library: frozen CLIP backbone, prompt learners, losses, methods, data, engine, metrics.

MiraGe (Shi et al., ACM MM 2025, arXiv 2508.01525) is published as an abstract only; this package is a
documented reconstruction whose guessed choices are config switches. It knows nothing of Temporal, S3 or the
environment: callers pass configs, data and callbacks.
"""

from mirage_detector.config import RunConfig
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
    "register_method",
    "train",
]
