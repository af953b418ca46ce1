"""One generic torch Dataset over ImageRecords, reproducible whatever the worker count or order."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence

import torch
from torch.utils.data import Dataset

from mirage_detector.data.decode_cache import DecodeCache, DecodeKey
from mirage_detector.data.items import Batch, Item
from mirage_detector.data.loading import DEFAULT_MAX_PIXELS, BadImageError, Opener, load_record_image
from mirage_detector.data.perturbations import Perturbation
from mirage_detector.data.records import ImageRecord
from mirage_detector.data.transforms import ImagePipeline, ImageTransform, TilePipeline


def item_seed(seed: int, epoch: int, index: int, stream: str = "transform") -> int:
    """A 64-bit seed from (seed, epoch, index, stream), stable across processes and Python versions.

    Python's hash() of a tuple is salted per process for strings, so it cannot be used here.
    """
    digest = hashlib.blake2b(f"{seed}:{epoch}:{index}:{stream}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class RecordDataset(Dataset[Item]):
    """Loads record i, applies the perturbation (if any) then the transform, with per-item seeded rngs.

    The perturbation applies its image steps only (a chain's in order); its preprocess step, if any, is
    already the transform (engine.datasets.evaluation_dataset).

    A BadImageError gives {"skipped": reason, "index": i, "uri": uri} instead of crashing the run.
    `set_epoch` changes the augmentation draw; DataLoader workers copy the dataset when an epoch's
    iterator starts, so call it before iterating (engine.batches sets it per item in the workers instead,
    so that they persist across epochs).

    With a `decode_cache`, items whose output is a pure function of the image (a deterministic uint8
    transform, a deterministic condition, a record with a sha256) are read from it when present and
    written to it otherwise: the same tensors, without decoding again (data.decode_cache).
    """

    def __init__(
        self,
        records: Sequence[ImageRecord],
        transform: ImageTransform,
        seed: int,
        perturbation: Perturbation | None = None,
        opener: Opener | None = None,
        max_pixels: int = DEFAULT_MAX_PIXELS,
        decode_cache: DecodeCache | None = None,
    ) -> None:
        self.records = list(records)
        self.transform = transform
        self.seed = int(seed)
        self.perturbation = perturbation
        self.opener = opener
        self.max_pixels = max_pixels
        self.epoch = 0
        self.decode_cache = decode_cache
        self.cache_scope = cache_scope(transform, perturbation) if decode_cache is not None else None

    def set_epoch(self, epoch: int) -> None:
        """Select the augmentation draw of this epoch."""
        self.epoch = int(epoch)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, index: int) -> Item:
        record = self.records[index]
        cache_key = self._cache_key(record)
        if cache_key is not None and self.decode_cache is not None:
            cached = self.decode_cache.get(cache_key)
            if cached is not None:
                return {"pixel_values": torch.from_numpy(cached), "label": record.label, "index": index}
        try:
            image = load_record_image(record, self.opener, self.max_pixels)
        except BadImageError as error:
            return {"skipped": error.reason, "index": index, "uri": record.uri}
        if self.perturbation is not None:
            image = self.perturbation(
                image, random.Random(item_seed(self.seed, self.epoch, index, "perturbation"))
            )
        pixels = self.transform(image, random.Random(item_seed(self.seed, self.epoch, index, "transform")))
        if cache_key is not None and self.decode_cache is not None:
            self.decode_cache.put(cache_key, pixels.numpy())
        return {"pixel_values": pixels, "label": record.label, "index": index}

    def _cache_key(self, record: ImageRecord) -> DecodeKey | None:
        if self.cache_scope is None or record.sha256 is None:
            return None
        preprocess, condition = self.cache_scope
        # the pixel limit decides whether an image is refused, so it belongs to the preprocessing
        return DecodeKey(record.sha256, record.frame, f"{preprocess}|max_pixels={self.max_pixels}", condition)


def cache_scope(transform: ImageTransform, perturbation: Perturbation | None) -> tuple[str, str] | None:
    """(preprocess id, condition id) naming cached crops, None when the output may not be cached.

    Cached: uint8 output (lossless, and what the loader hands over) of a deterministic transform and a
    deterministic condition; anything drawn from the per-item rng would be frozen at its first draw.
    """
    if not isinstance(transform, ImagePipeline | TilePipeline):
        return None  # a caller's own transform: what it depends on is unknown
    if not transform.as_uint8 or not transform.deterministic:
        return None
    if perturbation is not None and not perturbation.deterministic:
        return None
    return transform.cache_id, "none" if perturbation is None else perturbation.id


def collate_batch(items: Sequence[Item]) -> Batch:
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
