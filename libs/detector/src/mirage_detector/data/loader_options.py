"""DataLoader settings shared by training and scoring: pinned memory, persistent workers, shm prefetch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch.utils.data import Dataset

from mirage_detector.data.items import Item
from mirage_detector.data.shm_budget import SHM_PATH, prefetch_factor, shm_free_bytes
from mirage_detector.data.transforms import MAX_TILE_GRID, ImagePipeline, TilePipeline


@dataclass(frozen=True)
class LoaderOptions:
    """The DataLoader keyword arguments that depend on the device, the workers and /dev/shm."""

    pin_memory: bool
    persistent_workers: bool
    prefetch_factor: int | None

    def kwargs(self) -> dict[str, Any]:
        """As DataLoader keyword arguments."""
        return {
            "pin_memory": self.pin_memory,
            "persistent_workers": self.persistent_workers,
            "prefetch_factor": self.prefetch_factor,
        }


def loader_options(
    dataset: Dataset[Item],
    batch_size: int,
    num_workers: int,
    device: torch.device,
    *,
    free_shm_bytes: int | None = None,
) -> LoaderOptions:
    """Pinned memory on CUDA (so ``non_blocking`` copies overlap compute), workers kept alive, and the
    prefetch that fits in /dev/shm (``free_shm_bytes``, measured when None; see data.shm_budget)."""
    if num_workers <= 0:
        return LoaderOptions(device.type == "cuda", False, None)
    free = shm_free_bytes(SHM_PATH) if free_shm_bytes is None else free_shm_bytes
    batch_bytes = batch_size * item_bytes(dataset)
    return LoaderOptions(
        device.type == "cuda", True, prefetch_factor(batch_bytes, num_workers, free_bytes=free)
    )


def item_bytes(dataset: Dataset[Item]) -> int:
    """Bytes of one item's pixels at most: from the dataset's transform, else measured on its first item.

    A tiled item counts its largest grid (MAX_TILE_GRID squared tiles).
    """
    transform = getattr(dataset, "transform", None)
    if isinstance(transform, ImagePipeline | TilePipeline):
        tiles = MAX_TILE_GRID**2 if isinstance(transform, TilePipeline) else 1
        return tiles * 3 * transform.size**2 * (1 if transform.as_uint8 else 4)
    if len(dataset) == 0:  # type: ignore[arg-type]
        return 0
    pixels = dataset[0].get("pixel_values")
    return int(pixels.nbytes) if isinstance(pixels, torch.Tensor) else 0
