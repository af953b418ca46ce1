"""One generic torch Dataset over ImageRecords, reproducible whatever the worker count or order."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from typing import Any

import torch
from torch.utils.data import Dataset

from mirage_detector.data.loading import DEFAULT_MAX_PIXELS, BadImageError, Opener, load_record_image
from mirage_detector.data.perturbations import Perturbation
from mirage_detector.data.records import ImageRecord
from mirage_detector.data.transforms import ImageTransform


def item_seed(seed: int, epoch: int, index: int, stream: str = "transform") -> int:
    """A 64-bit seed from (seed, epoch, index, stream), stable across processes and Python versions.

    Python's hash() of a tuple is salted per process for strings, so it cannot be used here.
    """
    digest = hashlib.blake2b(f"{seed}:{epoch}:{index}:{stream}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class RecordDataset(Dataset[dict[str, Any]]):
    """Loads record i, applies the perturbation (if any) then the transform, with per-item seeded rngs.

    The perturbation applies its image steps only (a chain's in order); its preprocess step, if any, is
    already the transform (engine.datasets.evaluation_dataset).

    A BadImageError gives {"skipped": reason, "index": i, "uri": uri} instead of crashing the run.
    `set_epoch` changes the augmentation draw; DataLoader workers copy the dataset when an epoch's
    iterator starts, so call it before iterating (and do not use persistent_workers with it).
    """

    def __init__(
        self,
        records: Sequence[ImageRecord],
        transform: ImageTransform,
        seed: int,
        perturbation: Perturbation | None = None,
        opener: Opener | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
    ) -> None:
        self.records = list(records)
        self.transform = transform
        self.seed = int(seed)
        self.perturbation = perturbation
        self.opener = opener
        self.max_pixels = max_pixels
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """Select the augmentation draw of this epoch."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> dict[str, Any]:
        record = self.records[index]
        try:
            image = load_record_image(record, self.opener, self.max_pixels)
        except BadImageError as error:
            return {"skipped": error.reason, "index": index, "uri": record.uri}
        if self.perturbation is not None:
            image = self.perturbation(
                image, random.Random(item_seed(self.seed, self.epoch, index, "perturbation"))
            )
        pixels = self.transform(image, random.Random(item_seed(self.seed, self.epoch, index, "transform")))
        return {"pixel_values": pixels, "label": record.label, "index": index}


def collate_batch(items: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Stack the loaded items; skipped ones go to "skipped" as (uri, reason) pairs.

    labels and indices align with the loaded items; pixel_values is None when every item was skipped.
    Items of the tile eval policy carry [T, 3, s, s]: their tiles are concatenated into pixel_values and
    "tile_items" gives, for each tile, its item's position in labels/indices (so scores average per item);
    it is None when no item is tiled, and pixel_values is then [items, 3, s, s] as before tiles existed.
    """
    loaded = [item for item in items if "skipped" not in item]
    skipped = [(item["uri"], item["skipped"]) for item in items if "skipped" in item]
    pixels = [item["pixel_values"] for item in loaded]
    tile_items = None
    if any(tensor.dim() == 4 for tensor in pixels):
        pixels = [tensor if tensor.dim() == 4 else tensor.unsqueeze(0) for tensor in pixels]
        counts = torch.tensor([len(tensor) for tensor in pixels], dtype=torch.long)
        tile_items = torch.repeat_interleave(torch.arange(len(pixels)), counts)
        stacked = torch.cat(pixels)
    else:
        stacked = torch.stack(pixels) if pixels else None
    return {
        "pixel_values": stacked,
        "labels": torch.tensor([item["label"] for item in loaded], dtype=torch.long),
        "indices": torch.tensor([item["index"] for item in loaded], dtype=torch.long),
        "tile_items": tile_items,
        "skipped": skipped,
    }
