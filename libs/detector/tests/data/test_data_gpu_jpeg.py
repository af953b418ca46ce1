"""GPU JPEG decoding (torchvision's nvJPEG) against Pillow's pixels; CPU decoding is Pillow's exactly."""

from __future__ import annotations

import importlib.util
import io

import numpy as np
import pytest
import torch
from photo_fixtures import photo_like
from PIL import Image

from mirage_detector.data.gpu_jpeg import decode_jpeg, gpu_jpeg_available

MEAN_LEVELS = 1.5
"""Largest mean absolute difference nvJPEG vs libjpeg-turbo, in grey levels (different IDCT and chroma
upsampling: a few levels on edges, near zero in smooth regions)."""


def _jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    photo_like(500, 375, seed=11, quality=None).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _pillow_pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(image.convert("RGB")).transpose(2, 0, 1)


def test_cpu_decoding_is_pillow() -> None:
    data = _jpeg_bytes()
    decoded = decode_jpeg(data, torch.device("cpu"))
    assert not gpu_jpeg_available(torch.device("cpu"))
    assert decoded.dtype == torch.uint8 and np.array_equal(decoded.numpy(), _pillow_pixels(data))


@pytest.mark.skipif(
    importlib.util.find_spec("torchvision") is None or not torch.cuda.is_available(),
    reason="needs torchvision and a CUDA device",
)
def test_gpu_decoding_matches_pillow_within_the_idct_difference() -> None:
    device = torch.device("cuda")
    data = _jpeg_bytes()
    assert gpu_jpeg_available(device)
    decoded = decode_jpeg(data, device)
    assert decoded.device.type == "cuda" and decoded.shape == (3, 375, 500)
    difference = np.abs(decoded.cpu().numpy().astype(int) - _pillow_pixels(data).astype(int))
    assert difference.mean() <= MEAN_LEVELS
