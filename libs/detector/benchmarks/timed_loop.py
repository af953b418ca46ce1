"""Time a step function: warmup excluded, one device synchronisation around the timed region only."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import torch


@dataclass(frozen=True)
class Timing:
    """Throughput of one timed loop."""

    images_per_second: float
    ms_per_step: float
    batch_size: int
    steps: int
    peak_memory_gib: float | None  # CUDA only

    def to_json(self) -> dict[str, float | int | None]:
        """The JSON object the benchmark prints."""
        return {
            "images_per_second": round(self.images_per_second, 2),
            "ms_per_step": round(self.ms_per_step, 3),
            "batch_size": self.batch_size,
            "steps": self.steps,
            "peak_memory_gib": None if self.peak_memory_gib is None else round(self.peak_memory_gib, 2),
        }


def synchronize(device: torch.device) -> None:
    """Wait for queued kernels (CUDA launches are asynchronous; a host clock alone would time launches)."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def time_steps(
    step: Callable[[], object], *, device: torch.device, batch_size: int, warmup: int, steps: int
) -> Timing:
    """Run ``warmup`` untimed then ``steps`` timed calls of ``step``; no synchronisation between steps."""
    if steps < 1:
        raise ValueError(f"steps: must be >= 1, got {steps}")
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    for _ in range(warmup):
        step()
    synchronize(device)
    started = time.perf_counter()
    for _ in range(steps):
        step()
    synchronize(device)
    elapsed = max(time.perf_counter() - started, 1e-9)
    peak = torch.cuda.max_memory_allocated(device) / 2**30 if device.type == "cuda" else None
    return Timing(batch_size * steps / elapsed, 1000.0 * elapsed / steps, batch_size, steps, peak)
