"""Device and precision resolution from the RunConfig (``device``, ``precision``)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

import torch

from mirage_detector.errors import ConfigError


@dataclass(frozen=True)
class Runtime:
    """Where and in which precision a run computes."""

    device: torch.device
    autocast_dtype: torch.dtype | None  # None = plain fp32

    def autocast(self) -> contextlib.AbstractContextManager[object]:
        """Autocast context for forward passes (a no-op in fp32)."""
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.device.type, dtype=self.autocast_dtype)

    @property
    def weight_dtype(self) -> torch.dtype:
        """dtype the frozen backbone's weights are held in: bf16 once at load for a bf16 run, else fp32."""
        return torch.float32 if self.autocast_dtype is None else self.autocast_dtype

    @property
    def precision(self) -> str:
        """``bf16`` or ``fp32``."""
        return "fp32" if self.autocast_dtype is None else "bf16"


def resolve_runtime(device: str, precision: str) -> Runtime:
    """``auto`` picks CUDA when present, and bf16 autocast on a CUDA device that supports it, else fp32."""
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError("device: 'cuda' requested but CUDA is not available on this machine")
    if device not in ("cpu", "cuda"):
        raise ConfigError(f"device: expected one of ['auto', 'cpu', 'cuda'], got {device!r}")
    torch_device = torch.device(device)
    if precision == "auto":
        use_bf16 = torch_device.type == "cuda" and torch.cuda.is_bf16_supported()
        precision = "bf16" if use_bf16 else "fp32"
    if precision not in ("fp32", "bf16"):
        raise ConfigError(f"precision: expected one of ['auto', 'fp32', 'bf16'], got {precision!r}")
    return Runtime(torch_device, torch.bfloat16 if precision == "bf16" else None)
