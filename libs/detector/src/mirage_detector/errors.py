"""Error types of the detector library.

Everything the library raises on purpose derives from ``DetectorError`` so a caller (the GPU worker) can tell
"this input or run is broken, retrying will not help" from infrastructure failures.
"""

from __future__ import annotations


class DetectorError(Exception):
    """Base of every deliberate detector error; retrying the same input will fail the same way."""


class ConfigError(DetectorError, ValueError):
    """A RunConfig (or a value derived from it) is invalid; the message starts with the dotted field path."""


class CheckpointError(DetectorError):
    """A checkpoint file is malformed or does not match the model it is loaded into."""


class NonFiniteLossError(DetectorError):
    """A loss term became NaN or infinite during training."""

    def __init__(self, step: int, term: str) -> None:
        super().__init__(f"loss term '{term}' is NaN or infinite at step {step}")
        self.step = step
        self.term = term


class OutOfMemoryError(DetectorError):
    """The accelerator ran out of memory; the message names the batch size that did not fit."""

    def __init__(self, batch_size: int, phase: str, detail: str) -> None:
        super().__init__(
            f"out of device memory during {phase} with batch_size={batch_size}; lower it ({detail})"
        )
        self.batch_size = batch_size
        self.phase = phase


class UnreadableImagesError(DetectorError):
    """Images in a row could not be read: they are missing on this machine, not merely corrupt.

    Training or evaluating on nothing would "succeed" (an untrained model, a cell of n=0); the message says
    where (`where`), how many, and names the first files and why.
    """

    def __init__(self, where: str, images: int, examples: list[tuple[str, str]]) -> None:
        listed = "; ".join(f"{uri} ({reason})" for uri, reason in examples)
        super().__init__(
            f"{where}: {images} images in a row could not be read, e.g. {listed}: are the images "
            "reachable from this worker (the dataset's root mounted here, or uploaded to S3)?"
        )
        self.images = images
