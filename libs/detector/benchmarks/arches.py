"""Backbone architectures the benchmark can build, and the RunConfig that builds one through the library.

The CLIP is built from its config with random weights (``backbone.source = "config"``): throughput does not
depend on the weights, and nothing may be downloaded. The shapes are those of OpenAI's checkpoints.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mirage_detector.config import RunConfig, parse_run_config
from mirage_detector.methods.base import METHODS


@dataclass(frozen=True)
class Arch:
    """A CLIP shape (``backbone.config`` JSON) plus the prompt layout benchmarked on it."""

    vision: dict[str, int]
    text: dict[str, int]
    projection_dim: int
    n_ctx: int
    depth: int

    @property
    def image_size(self) -> int:
        """Square input resolution of the vision tower."""
        return self.vision["image_size"]


def _vision(hidden: int, layers: int, heads: int, mlp: int, image: int, patch: int) -> dict[str, int]:
    return {
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": mlp,
        "image_size": image,
        "patch_size": patch,
    }


def _text(hidden: int, layers: int, heads: int, mlp: int, positions: int) -> dict[str, int]:
    return {
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": mlp,
        "max_position_embeddings": positions,
    }


# MaPLe's layout (2 context vectors, prompts in the first 9 layers) on the real shapes; the tiny model
# has 2 layers, so its prompts reach both
ARCHES: dict[str, Arch] = {
    "vit-l-14": Arch(_vision(1024, 24, 16, 4096, 224, 14), _text(768, 12, 12, 3072, 77), 768, 2, 9),
    "vit-b-16": Arch(_vision(768, 12, 12, 3072, 224, 16), _text(512, 12, 8, 2048, 77), 512, 2, 9),
    "tiny": Arch(_vision(64, 2, 4, 128, 32, 8), _text(64, 2, 4, 128, 32), 64, 2, 2),
}


def method_loss(method: str) -> str:
    """The objective a registered method trains with (``loss.name`` must match it)."""
    return str(getattr(METHODS.get(method), "loss_name", "ce"))


def benchmark_config(
    arch: Arch,
    method: str,
    *,
    device: str,
    precision: str,
    eval_batch: int,
    train_batch: int,
    workers: int,
) -> RunConfig:
    """A RunConfig whose backbone is ``arch`` built from config; the library parses and validates it."""
    size = arch.image_size
    data: dict[str, Any] = {
        "experiment": "throughput-benchmark",
        "method": method,
        "backbone": {
            "source": "config",
            "name_or_path": None,
            "config": {"vision": arch.vision, "text": arch.text, "projection_dim": arch.projection_dim},
        },
        # random context ("X X" placeholder): ctx_init must have exactly n_ctx words
        "prompt": {
            "n_ctx": arch.n_ctx,
            "ctx_init": None,
            "depth": arch.depth,
            "class_words": {"real": "real", "fake": "fake"},
        },
        "loss": {
            "name": method_loss(method),
            "w_intra": 1.0,
            "w_inter": 1.0,
            "margin": 0.2,
            "variant": "hinge",
            "temperature": 0.07,
        },
        "optimizer": {
            "name": "adamw",
            "lr": 0.002,
            "weight_decay": 0.0,
            "momentum": 0.9,
            "betas": [0.9, 0.999],
        },
        "schedule": {
            "steps": 1000,
            "warmup_steps": 0,
            "batch_size": train_batch,
            "grad_clip": 1.0,
            "checkpoint_every": 1000,
            "eval_batch_size": eval_batch,
        },
        "preprocess": {
            "train": {"policy": "random_crop", "size": size},
            "eval": {"policy": "clip_resize", "size": size},
        },
        "augment": {"jpeg": {"p": 0.0, "quality": [30, 100]}, "blur": {"p": 0.0, "sigma": [0.0, 3.0]}},
        "seed": 0,
        "device": device,
        "precision": precision,
        "num_workers": workers,
    }
    return parse_run_config(data)
