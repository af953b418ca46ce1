"""Deterministic batch order: the batch of step k is a pure function of (seed, k, dataset size, batch size).

Each epoch is a seeded permutation of the dataset cut into full batches (the remainder is dropped, as with
``drop_last``), so a run resumed at step k sees exactly the batches the uninterrupted run sees from step k.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset

from mirage_detector.data.dataset import collate_batch


def batches_per_epoch(dataset_size: int, batch_size: int) -> int:
    """Full batches in one epoch; a dataset smaller than a batch gives one (smaller) batch."""
    return max(1, dataset_size // batch_size)


def _epoch_generator(seed: int, epoch: int, stream: str) -> torch.Generator:
    digest = hashlib.blake2b(f"{seed}:{epoch}:{stream}".encode(), digest_size=8).digest()
    return torch.Generator().manual_seed(int.from_bytes(digest, "big"))


def epoch_order(seed: int, epoch: int, dataset_size: int) -> torch.Tensor:
    """The permutation of dataset indices used in ``epoch``."""
    return torch.randperm(dataset_size, generator=_epoch_generator(seed, epoch, "batch-order"))


def step_indices(seed: int, step: int, dataset_size: int, batch_size: int) -> list[int]:
    """Dataset indices of the batch used at optimizer step ``step``."""
    per_epoch = batches_per_epoch(dataset_size, batch_size)
    epoch, position = divmod(step, per_epoch)
    order = epoch_order(seed, epoch, dataset_size)
    return order[position * batch_size : (position + 1) * batch_size].tolist()


def iterate_batches(
    dataset: Dataset[dict[str, Any]],
    *,
    seed: int,
    batch_size: int,
    start_step: int,
    num_workers: int,
    pin_memory: bool,
) -> Iterator[dict[str, Any]]:
    """Collated batches for steps ``start_step, start_step + 1, ...`` (endless); epochs set on the dataset."""
    size = len(dataset)  # type: ignore[arg-type]
    if size == 0:
        raise ValueError("the training dataset is empty")
    per_epoch = batches_per_epoch(size, batch_size)
    epoch, position = divmod(start_step, per_epoch)
    while True:
        set_epoch = getattr(dataset, "set_epoch", None)
        if set_epoch is not None:
            set_epoch(epoch)  # before the loader starts: workers copy the dataset at that moment
        order = epoch_order(seed, epoch, size).tolist()
        plan = [order[b * batch_size : (b + 1) * batch_size] for b in range(position, per_epoch)]
        loader = DataLoader(
            dataset,
            batch_sampler=plan,
            num_workers=num_workers,
            collate_fn=collate_batch,
            pin_memory=pin_memory,
            # the loader draws worker seeds from this generator instead of the global RNG
            generator=_epoch_generator(seed, epoch, "loader"),
        )
        yield from loader
        epoch, position = epoch + 1, 0
