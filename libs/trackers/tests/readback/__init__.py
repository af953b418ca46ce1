"""Reads an export back with each tracker's own reader, into one shape the tests compare with the bundle."""

from .model import ReadRun
from .readers import read_export, read_mlflow, read_tensorboard, read_wandb

__all__ = ["ReadRun", "read_export", "read_mlflow", "read_tensorboard", "read_wandb"]
