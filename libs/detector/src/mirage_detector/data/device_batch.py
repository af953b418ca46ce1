"""Host-to-device transfer of a batch's pixels, normalising uint8 crops on the device.

Loader workers hand over uint8 crops (a quarter of float32's bytes through shared memory, pinned memory
and PCIe); the device turns them into CLIP-normalised floats. The arithmetic is the CPU transform's
(``transforms.normalise``: x / 255, then (x - mean) / std, in float32), so on the CPU the values are
bit-identical to normalising in the worker. Float pixels (datasets that normalise themselves) pass through.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch


def to_device_pixels(
    pixels: torch.Tensor,
    device: torch.device,
    mean: Sequence[float],
    std: Sequence[float],
    dtype: torch.dtype = torch.float32,
) -> torch.Tensor:
    """``pixels`` [N, 3, H, W] on ``device``: uint8 ones normalised there, float ones as they are.

    ``non_blocking`` overlaps the copy with compute when ``pixels`` is in pinned memory (the loaders pin on
    CUDA). Normalisation runs in float32 and the result is cast to ``dtype`` (the compute dtype) after it,
    so a bf16 model sees the rounding of the normalised value, not of each step.
    """
    moved = pixels.to(device, non_blocking=True)
    if moved.dtype != torch.uint8:
        return moved if moved.dtype == dtype else moved.to(dtype)
    mean_t = torch.tensor(mean, dtype=torch.float32, device=device).view(1, 3, 1, 1)
    std_t = torch.tensor(std, dtype=torch.float32, device=device).view(1, 3, 1, 1)
    normalised = (moved.to(torch.float32) / 255.0 - mean_t) / std_t
    return normalised if dtype == torch.float32 else normalised.to(dtype)
