"""How many batches each DataLoader worker may prefetch, from the free space of /dev/shm.

A worker's batches travel to the main process through shared memory: ``num_workers * prefetch_factor``
batches are in flight at once. With float32 crops a 512-image batch at 224 px is 308 MB, so 16 workers x 2
is ~10 GB, and a container with Docker's default 64 MB /dev/shm dies with a bus error mid-run. This module
picks the largest prefetch that fits in a share of the free space, and refuses with a clear error (naming
/dev/shm, its size, the batch bytes and the worker count) when even one batch per worker does not fit.
"""

from __future__ import annotations

import os
from pathlib import Path

from mirage_detector.errors import DetectorError

SHM_PATH = Path("/dev/shm")
"""Where Linux mounts the shared memory the DataLoader workers hand batches over in."""

SHM_SHARE = 0.5
"""Share of the free shared memory the batches in flight may take: the rest is for other processes, and for
batches the main process still holds while the workers fill new ones."""

MAX_PREFETCH = 2
"""PyTorch's default prefetch_factor: more rarely helps once the workers keep up."""


class SharedMemoryTooSmallError(DetectorError):
    """Not even one batch per worker fits in /dev/shm: fewer workers, a smaller batch, or a larger shm."""


def shm_free_bytes(path: Path = SHM_PATH) -> int | None:
    """Free bytes of the shared-memory filesystem, None where there is none (not Linux)."""
    try:
        stats = os.statvfs(path)
    except (OSError, AttributeError):
        return None
    return stats.f_bavail * stats.f_frsize


def prefetch_factor(
    batch_bytes: int,
    num_workers: int,
    *,
    free_bytes: int | None,
    share: float = SHM_SHARE,
    max_prefetch: int = MAX_PREFETCH,
    path: Path = SHM_PATH,
) -> int | None:
    """The DataLoader's prefetch_factor for ``num_workers`` workers (None when there are none).

    ``free_bytes`` is the free shared memory (``shm_free_bytes()``; None where it cannot be known: then
    ``max_prefetch``). Raises SharedMemoryTooSmallError when ``num_workers`` batches exceed the share.
    """
    if num_workers <= 0:
        return None
    if free_bytes is None:
        return max_prefetch
    budget = int(free_bytes * share)
    fits = budget // max(1, batch_bytes * num_workers)
    if fits < 1:
        raise SharedMemoryTooSmallError(
            f"{path} has {_mib(free_bytes)} free; {num_workers} loader worker(s) x 1 batch of "
            f"{_mib(batch_bytes)} needs {_mib(batch_bytes * num_workers)}, over the {share:.0%} of it the "
            f"loader may use. Use fewer workers (num_workers) or a smaller batch, or give the container a "
            f"larger {path} (docker run --shm-size, or a Kubernetes emptyDir with medium: Memory)"
        )
    return int(min(fits, max_prefetch))


def _mib(count: int) -> str:
    return f"{count / 2**20:.1f} MiB"
