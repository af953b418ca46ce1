"""Optional JPEG decoding on the GPU (nvJPEG through torchvision), CPU (Pillow) decoding otherwise.

torchvision is not a dependency of the library: when it is importable and the device is CUDA,
``decode_jpeg`` decodes there; otherwise it decodes with Pillow on the CPU. Not wired into RecordDataset:
the loader's crops are made by workers on the CPU, and decoding on the device would move the crop there as
well; this is the building block, checked against Pillow's pixels (tests/data/test_data_gpu_jpeg.py).
nvJPEG and libjpeg-turbo use different IDCTs and chroma upsampling, so pixels differ by a few levels.
"""

from __future__ import annotations

import importlib.util
import io

import numpy as np
import torch
from PIL import Image


def gpu_jpeg_available(device: torch.device) -> bool:
    """True when torchvision is importable and ``device`` is a CUDA device that is present."""
    return (
        device.type == "cuda"
        and torch.cuda.is_available()
        and importlib.util.find_spec("torchvision") is not None
    )


def decode_jpeg(data: bytes, device: torch.device) -> torch.Tensor:
    """JPEG bytes -> uint8 RGB [3, H, W] on ``device``: nvJPEG when available, else Pillow then a copy."""
    if gpu_jpeg_available(device):
        # torchvision is optional (not in the lock): this branch runs only where it is installed
        from torchvision.io import ImageReadMode  # pyright: ignore[reportMissingImports]
        from torchvision.io import decode_jpeg as nvjpeg_decode  # pyright: ignore[reportMissingImports]

        encoded = torch.frombuffer(bytearray(data), dtype=torch.uint8)
        return nvjpeg_decode(encoded, mode=ImageReadMode.RGB, device=device)
    with Image.open(io.BytesIO(data)) as image:
        pixels = np.array(image.convert("RGB"), dtype=np.uint8)
    return torch.from_numpy(pixels).permute(2, 0, 1).contiguous().to(device)
