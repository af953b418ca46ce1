"""Training, evaluation and checkpoints."""

from mirage_detector.engine.checkpoint import (
    Checkpoint,
    load_checkpoint,
    save_checkpoint,
    write_calibrated_threshold,
)
from mirage_detector.engine.evaluate import EvalResult, ImageScore, calibrate_checkpoint, evaluate
from mirage_detector.engine.runtime import Runtime, resolve_runtime
from mirage_detector.engine.scoring import restore_detector, score_dataset
from mirage_detector.engine.train import TrainResult, checkpoint_filename, train

__all__ = [
    "Checkpoint",
    "EvalResult",
    "ImageScore",
    "Runtime",
    "TrainResult",
    "calibrate_checkpoint",
    "checkpoint_filename",
    "evaluate",
    "load_checkpoint",
    "resolve_runtime",
    "restore_detector",
    "save_checkpoint",
    "score_dataset",
    "train",
    "write_calibrated_threshold",
]
