"""The loader's prefetch is sized from /dev/shm's free space; a clear error when one batch does not fit."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from torch.utils.data import Dataset

from mirage_detector.data.loader_options import item_bytes, loader_options
from mirage_detector.data.shm_budget import SharedMemoryTooSmallError, prefetch_factor, shm_free_bytes
from mirage_detector.data.transforms import build_transform

MIB = 2**20
BATCH_224_UINT8 = 512 * 3 * 224 * 224  # 77 MB: the float32 batch is 308 MB


def test_prefetch_is_the_most_that_fits_in_half_the_free_space() -> None:
    assert prefetch_factor(BATCH_224_UINT8, 16, free_bytes=64 * 1024 * MIB) == 2
    # 16 workers x 77 MB = 1.2 GB per prefetched batch; 3 GB free allows one
    assert prefetch_factor(BATCH_224_UINT8, 16, free_bytes=3 * 1024 * MIB) == 1
    assert prefetch_factor(BATCH_224_UINT8, 0, free_bytes=1) is None
    assert prefetch_factor(BATCH_224_UINT8, 4, free_bytes=None) == 2  # unknown: the default


def test_a_docker_default_shm_refuses_with_the_numbers() -> None:
    with pytest.raises(SharedMemoryTooSmallError) as caught:
        prefetch_factor(BATCH_224_UINT8, 16, free_bytes=64 * MIB)
    message = str(caught.value)
    assert "/dev/shm" in message and "64.0 MiB" in message  # where, and its size
    assert "73.5 MiB" in message and "16 loader worker(s)" in message  # the batch bytes, the workers
    assert "--shm-size" in message


def test_free_space_is_read_from_the_filesystem(tmp_path: Any) -> None:
    free = shm_free_bytes(tmp_path)
    assert free is not None and free > 0


class PixelItems(Dataset[dict[str, Any]]):
    """Float items of 3 x 32 x 32 (12 KiB each), as a dataset of the caller's own would give."""

    def __len__(self) -> int:
        return 8

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {"pixel_values": torch.zeros(3, 32, 32), "label": 0, "index": index}


def test_item_bytes_come_from_the_transform_or_the_first_item() -> None:
    class WithTransform(PixelItems):
        transform = build_transform({"policy": "tile", "size": 224}, None, train=False, as_uint8=True)

    assert item_bytes(PixelItems()) == 3 * 32 * 32 * 4
    assert item_bytes(WithTransform()) == 16 * 3 * 224 * 224  # the largest tile grid


def test_loader_options_pin_on_cuda_keep_workers_and_fire_with_a_tiny_shm() -> None:
    cpu_options = loader_options(PixelItems(), 4, 0, torch.device("cpu"))
    assert (cpu_options.pin_memory, cpu_options.persistent_workers, cpu_options.prefetch_factor) == (
        False,
        False,
        None,
    )
    cuda_options = loader_options(PixelItems(), 4, 2, torch.device("cuda"), free_shm_bytes=10 * MIB)
    assert (cuda_options.pin_memory, cuda_options.persistent_workers, cuda_options.prefetch_factor) == (
        True,
        True,
        2,
    )
    with pytest.raises(SharedMemoryTooSmallError, match="2 loader worker"):
        loader_options(PixelItems(), 4, 2, torch.device("cpu"), free_shm_bytes=4096)
