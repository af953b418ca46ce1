"""Shared test material: a tiny RunConfig, a synthetic separable dataset, PNG files on disk."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from mirage_detector.data.records import ImageRecord

TINY_CONFIG: dict[str, Any] = {
    "experiment": "unit",
    "method": "mirage",
    "backbone": {
        "source": "config",
        "name_or_path": None,
        "config": {
            "vision": {
                "hidden_size": 32,
                "num_hidden_layers": 2,
                "num_attention_heads": 4,
                "intermediate_size": 64,
                "image_size": 32,
                "patch_size": 8,
            },
            "text": {
                "hidden_size": 32,
                "num_hidden_layers": 2,
                "num_attention_heads": 4,
                "intermediate_size": 64,
                "max_position_embeddings": 32,
            },
            "projection_dim": 32,
        },
        "weights_sha256": None,
    },
    "prompt": {
        "n_ctx": 4,
        "ctx_init": "a photo of a",
        "depth": 2,
        "class_words": {"real": "real", "fake": "fake"},
    },
    "loss": {
        "name": "mirage",
        "w_intra": 1.0,
        "w_inter": 1.0,
        "margin": 0.2,
        "variant": "hinge",
        "temperature": 0.07,
    },
    "optimizer": {"name": "adamw", "lr": 0.01, "weight_decay": 0.0, "momentum": 0.9, "betas": [0.9, 0.999]},
    "schedule": {
        "steps": 6,
        "warmup_steps": 2,
        "batch_size": 8,
        "grad_clip": 1.0,
        "checkpoint_every": 3,
        "eval_batch_size": 16,
    },
    "preprocess": {
        "train": {"policy": "random_crop", "size": 32},
        "eval": {"policy": "clip_resize", "size": 32},
        "small_images": "pad",
    },
    "augment": {
        "jpeg": {"p": 0.0, "quality": [30, 100]},
        "blur": {"p": 0.0, "sigma": [0.0, 3.0]},
        "flip": {"p": 0.0},
    },
    "seed": 0,
    "device": "cpu",
    "precision": "fp32",
    "num_workers": 0,
}

# the objective each registered method trains with
METHOD_LOSS = {"mirage": "mirage", "maple": "ce", "coop": "ce", "univfd": "ce"}


def tiny_config_dict(**overrides: Any) -> dict[str, Any]:
    """A deep copy of TINY_CONFIG; ``overrides`` use ``section__field`` for nested keys."""
    data = copy.deepcopy(TINY_CONFIG)
    for key, value in overrides.items():
        target = data
        *parents, leaf = key.split("__")
        for parent in parents:
            target = target[parent]
        target[leaf] = value
    return data


def method_config_dict(method: str, **overrides: Any) -> dict[str, Any]:
    """TINY_CONFIG for ``method`` with its objective."""
    return tiny_config_dict(method=method, loss__name=METHOD_LOSS[method], **overrides)


class SeparableImages(Dataset[dict[str, Any]]):
    """Items in the RecordDataset shape: label i % 2; fake images are bright, real ones dark, plus noise."""

    def __init__(self, size: int = 32, image_size: int = 32, nan_from: int | None = None) -> None:
        self.size = size
        self.image_size = image_size
        self.nan_from = nan_from
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> dict[str, Any]:
        label = index % 2
        generator = torch.Generator().manual_seed(index * 1000 + self.epoch)
        noise = torch.randn(3, self.image_size, self.image_size, generator=generator) * 0.3
        pixels = noise + (1.0 if label else -1.0)
        if self.nan_from is not None and index >= self.nan_from:
            pixels = torch.full_like(pixels, float("nan"))
        return {"pixel_values": pixels, "label": label, "index": index}


def write_png_records(folder: Path, count: int, size: int = 40) -> list[ImageRecord]:
    """PNG files (fake bright, real dark) and their records; size > 32 so random crops move."""
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    rng = np.random.default_rng(0)
    for index in range(count):
        label = index % 2
        base = 190 if label else 60
        pixels = np.clip(rng.normal(base, 25, size=(size, size, 3)), 0, 255).astype(np.uint8)
        path = folder / f"img_{index:03d}.png"
        Image.fromarray(pixels, mode="RGB").save(path)
        records.append(
            ImageRecord(uri=str(path), label=label, generator="unit" if label else "real-unit", split="train")
        )
    return records
