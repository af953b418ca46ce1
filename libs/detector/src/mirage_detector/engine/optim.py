"""Optimizer construction over the trainable tensors (``optimizer`` section of the RunConfig)."""

from __future__ import annotations

import torch
from torch import nn

from mirage_detector.config import OptimizerConfig


def build_optimizer(config: OptimizerConfig, params: dict[str, nn.Parameter]) -> torch.optim.Optimizer:
    """AdamW or SGD over ``params`` in their (sorted) name order; the order ties state to names."""
    tensors = list(params.values())
    if config.name == "adamw":
        return torch.optim.AdamW(tensors, lr=config.lr, betas=config.betas, weight_decay=config.weight_decay)
    return torch.optim.SGD(tensors, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay)
