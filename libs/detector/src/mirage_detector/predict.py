"""Score image files or folders with a trained checkpoint (the ``predict`` command's library side)."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from torch.utils.data import Dataset

from mirage_detector.data.items import Item
from mirage_detector.data.layouts.debris import IMAGE_SUFFIXES
from mirage_detector.data.loading import BadImageError, load_image
from mirage_detector.data.transforms import ImageTransform, build_transform
from mirage_detector.engine.checkpoint import load_checkpoint
from mirage_detector.engine.datasets import check_input_size
from mirage_detector.engine.evaluate import DEFAULT_THRESHOLD
from mirage_detector.engine.runtime import resolve_runtime
from mirage_detector.engine.scoring import restore_detector, score_dataset
from mirage_detector.metrics import is_fake


@dataclass(frozen=True)
class Prediction:
    """Verdict for one image; ``p_fake`` is None and ``error`` set when the image could not be read."""

    path: str
    p_fake: float | None
    verdict: str  # "real", "fake" or "error"
    error: str | None = None


def expand_paths(paths: Sequence[str | Path]) -> list[Path]:
    """Files as given, folders expanded recursively to their image files, sorted; missing paths are errors."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return found


class _PathDataset(Dataset[Item]):
    """Items in the RecordDataset shape for unlabeled files (label -1)."""

    def __init__(self, paths: list[Path], transform: ImageTransform) -> None:
        self.paths = paths
        self.transform = transform

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, index: int) -> Item:
        uri = str(self.paths[index])
        try:
            image = load_image(uri)
        except BadImageError as error:
            return {"skipped": error.reason, "index": index, "uri": uri}
        # evaluation transforms draw nothing from the rng; it is required by the transform signature
        return {"pixel_values": self.transform(image, random.Random(0)), "label": -1, "index": index}


def predict_paths(
    checkpoint_path: str | Path,
    paths: Sequence[str | Path],
    *,
    backbone_path: str | Path | None = None,
    device: str | None = None,
    batch_size: int | None = None,
) -> list[Prediction]:
    """p_fake and a verdict (at the checkpoint's calibrated threshold, else 0.5) for each image.

    The verdict is ``metrics.is_fake``, the rule the reported accuracies use (fake iff p_fake > threshold).
    """
    checkpoint = load_checkpoint(checkpoint_path)
    config = checkpoint.config
    runtime = resolve_runtime(device or config.device, config.precision)
    detector = restore_detector(checkpoint, runtime, backbone_path=backbone_path)
    check_input_size(config, detector.backbone, "eval")
    backbone = detector.backbone
    transform = build_transform(config.preprocess, None, False, backbone.image_mean, backbone.image_std)
    files = expand_paths(paths)
    scored = score_dataset(
        detector, _PathDataset(files, transform), runtime, batch_size or config.schedule.eval_batch_size
    )
    threshold = (
        checkpoint.calibrated_threshold if checkpoint.calibrated_threshold is not None else DEFAULT_THRESHOLD
    )
    by_index = dict(zip(scored.indices, scored.p_fake, strict=True))
    errors = dict(scored.skipped)
    results = []
    for index, path in enumerate(files):
        if index in by_index:
            p = by_index[index]
            results.append(Prediction(str(path), p, "fake" if is_fake(p, threshold) else "real"))
        else:
            results.append(Prediction(str(path), None, "error", errors.get(str(path), "not scored")))
    return results
