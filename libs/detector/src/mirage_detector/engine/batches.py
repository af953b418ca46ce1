"""Deterministic batch order: the batch of step k is a pure function of (seed, k, dataset size, batch size).

Each epoch is a seeded permutation of the dataset cut into full batches (the remainder is dropped, as with
``drop_last``), so a run resumed at step k sees exactly the batches the uninterrupted run sees from step k.
The items' augmentation draws are seeded by (seed, epoch, index), never by the worker, so the worker count
and the prefetch depth do not change the batches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Generator, Iterator

import torch
from torch.utils.data import DataLoader, Dataset

from mirage_detector.data.dataset import collate_batch
from mirage_detector.data.items import Batch, Item
from mirage_detector.data.loader_options import loader_options


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


class EpochItems(Dataset[Item]):
    """A dataset indexed by (epoch, index): each item sets its epoch on the dataset first.

    DataLoader workers each hold a copy of the dataset, so setting the epoch per item (in the worker that
    loads it) lets one set of workers serve every epoch: no restart of the workers at each epoch boundary,
    and items of two epochs may be in flight at once.
    """

    def __init__(self, dataset: Dataset[Item]) -> None:
        self.dataset = dataset
        self.epoch: int | None = None

    def __len__(self) -> int:
        return len(self.dataset)  # type: ignore[arg-type]

    def __getitem__(self, key: tuple[int, int]) -> Item:
        epoch, index = key
        if epoch != self.epoch:
            set_epoch = getattr(self.dataset, "set_epoch", None)
            if set_epoch is not None:
                set_epoch(epoch)
            self.epoch = epoch
        return self.dataset[index]


class StepPlan:
    """Batch sampler of (epoch, index) keys for steps ``start_step, start_step + 1, ...`` (endless)."""

    def __init__(self, seed: int, dataset_size: int, batch_size: int, start_step: int) -> None:
        self.seed = seed
        self.dataset_size = dataset_size
        self.batch_size = batch_size
        self.start_step = start_step

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        per_epoch = batches_per_epoch(self.dataset_size, self.batch_size)
        epoch, position = divmod(self.start_step, per_epoch)
        while True:
            order = epoch_order(self.seed, epoch, self.dataset_size).tolist()
            for batch in range(position, per_epoch):
                indices = order[batch * self.batch_size : (batch + 1) * self.batch_size]
                yield [(epoch, index) for index in indices]
            epoch, position = epoch + 1, 0


def iterate_batches(
    dataset: Dataset[Item],
    *,
    seed: int,
    batch_size: int,
    start_step: int,
    num_workers: int,
    device: torch.device,
    free_shm_bytes: int | None = None,
) -> Generator[Batch, None, None]:
    """Collated batches for steps ``start_step, start_step + 1, ...`` (endless); epochs set per item.

    One DataLoader serves the whole run, so its workers live as long as the iterator (close it to stop
    them); pinned memory on CUDA, prefetch sized from /dev/shm (data.loader_options).
    """
    size = len(dataset)  # type: ignore[arg-type]
    if size == 0:
        raise ValueError("the training dataset is empty")
    options = loader_options(dataset, batch_size, num_workers, device, free_shm_bytes=free_shm_bytes)
    loader = DataLoader(
        EpochItems(dataset),
        batch_sampler=StepPlan(seed, size, batch_size, start_step),
        num_workers=num_workers,
        collate_fn=collate_batch,
        # the loader draws worker seeds from this generator instead of the global RNG (items draw from
        # their own seeded rngs, so the worker seeds do not reach the data)
        generator=_epoch_generator(seed, start_step, "loader"),
        **options.kwargs(),
    )
    iterator = iter(loader)
    try:
        yield from iterator
    finally:
        del iterator  # the last reference: its workers stop now, not whenever the generator is collected
