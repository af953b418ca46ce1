"""A method = detector module + objective, registered by name (``register_method``, ``create_method``).

Every detector returns a ``DetectorOutput`` in training and evaluation alike; loss terms are present when
labels are given. Only the tensors that require gradients are trainable and checkpointed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

import torch
from torch import nn

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import LossConfig, RunConfig
from mirage_detector.errors import CheckpointError, ConfigError
from mirage_detector.losses import create_loss
from mirage_detector.registry import Registry


def full_precision(device: torch.device) -> contextlib.AbstractContextManager[object]:
    """Autocast switched off on ``device``: the score head (normalise, cosine, scale, softmax) runs in fp32.

    Under bf16 autocast the logits would be bf16 (8 mantissa bits: 512 distinct images gave 59 distinct
    p_fake values); the backbone may stay in bf16, the comparison of its features may not.
    """
    return torch.autocast(device_type=device.type, enabled=False)


@dataclass(frozen=True)
class DetectorOutput:
    """Scores and features of one batch; ``losses`` holds named terms and ``"total"`` given labels."""

    logits: torch.Tensor  # [B, 2] float32, column 1 = fake
    p_fake: torch.Tensor  # [B] float32
    features: torch.Tensor  # [B, D] L2-normalised image features
    anchors: (
        torch.Tensor | None
    )  # [2, D] L2-normalised class text features (real, fake), if the method has them
    losses: dict[str, torch.Tensor] | None


class Detector(nn.Module):
    """Base of every method: subclasses implement ``score``; the objective comes from ``loss.name``."""

    loss_name: ClassVar[str]
    """The objective this method trains with; ``loss.name`` must name it."""

    def __init__(self, backbone: ClipBackbone, loss: LossConfig) -> None:
        super().__init__()
        self.backbone = backbone
        self.loss_config = loss
        self.objective = create_loss(loss.name)

    def score(self, pixel_values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """``(logits [B, 2], normalised features [B, D], normalised anchors [2, D] or None)``, all float32.

        Implementations compute everything after the backbone under ``full_precision``.
        """
        raise NotImplementedError

    def forward(self, pixel_values: torch.Tensor, labels: torch.Tensor | None = None) -> DetectorOutput:
        """Score a batch; compute the objective's terms when ``labels`` are given."""
        logits, features, anchors = self.score(pixel_values)
        # softmax and loss terms in fp32 too (supcon's similarity matmul would otherwise run in bf16)
        with full_precision(logits.device):
            p_fake = logits.float().softmax(dim=-1)[:, 1]
            losses = None
            if labels is not None:
                losses = self.objective(
                    logits=logits, features=features, anchors=anchors, labels=labels, config=self.loss_config
                )
        return DetectorOutput(logits, p_fake, features, anchors, losses)

    def trainable_tensors(self) -> dict[str, nn.Parameter]:
        """Trainable parameters by name, sorted (the checkpoint's ``model.*`` entries and optimizer order)."""
        named = {name: p for name, p in self.named_parameters() if p.requires_grad}
        return dict(sorted(named.items()))

    def load_trainable(self, tensors: dict[str, torch.Tensor]) -> None:
        """Copy checkpointed tensors into the trainable parameters; any key or shape drift is an error."""
        own = self.trainable_tensors()
        missing = sorted(set(own) - set(tensors))
        unexpected = sorted(set(tensors) - set(own))
        if missing or unexpected:
            raise CheckpointError(f"trainable tensors differ: missing {missing}, unexpected {unexpected}")
        with torch.no_grad():
            for name, param in own.items():
                if tensors[name].shape != param.shape:
                    raise CheckpointError(
                        f"tensor '{name}': checkpoint shape {tuple(tensors[name].shape)}, "
                        f"model {tuple(param.shape)}"
                    )
                param.copy_(tensors[name])
        self.invalidate_cache()

    def invalidate_cache(self) -> None:
        """Drop values cached for evaluation (called whenever parameters may have changed)."""

    def train(self, mode: bool = True) -> Detector:
        """Switching modes drops evaluation caches."""
        self.invalidate_cache()
        return super().train(mode)


MethodFactory = Callable[[ClipBackbone, RunConfig, torch.Generator], Detector]

METHODS: Registry[MethodFactory] = Registry("method", "method")


def register_method(name: str) -> Callable[[MethodFactory], MethodFactory]:
    """Decorator registering a detector class (or factory) under ``name``."""
    return METHODS.register(name)


def create_method(config: RunConfig, backbone: ClipBackbone) -> Detector:
    """Build the detector ``config.method`` names, its trainable tensors seeded from ``config.seed``."""
    factory = METHODS.get(config.method)
    expected = getattr(factory, "loss_name", None)
    if expected is not None and config.loss.name != expected:
        raise ConfigError(
            f"loss.name: method '{config.method}' trains with '{expected}', got '{config.loss.name}'"
        )
    generator = torch.Generator().manual_seed(config.seed)
    return factory(backbone, config, generator)


def list_methods() -> list[str]:
    """Names of the registered methods."""
    return METHODS.names()
