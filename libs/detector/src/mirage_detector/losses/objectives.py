"""Training objectives: named combinations of loss terms, registered by name (``loss.name``).

An objective returns a dict of named terms (tensors) plus ``"total"``, the value that is back-propagated.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from mirage_detector.config import LossConfig
from mirage_detector.losses.terms import (
    cross_entropy,
    inter_class_separation,
    intra_class_alignment,
    supervised_contrastive,
)
from mirage_detector.registry import Registry

Objective = Callable[..., dict[str, torch.Tensor]]
"""``objective(logits=, features=, anchors=, labels=, config=) -> {term: tensor, "total": tensor}``"""

OBJECTIVES: Registry[Objective] = Registry("loss", "loss.name")


@OBJECTIVES.register("ce")
def ce_objective(
    *,
    logits: torch.Tensor,
    features: torch.Tensor,
    anchors: torch.Tensor | None,
    labels: torch.Tensor,
    config: LossConfig,
) -> dict[str, torch.Tensor]:
    """Cross-entropy only (CoOp, MaPLe, UnivFD)."""
    ce = cross_entropy(logits, labels)
    return {"ce": ce, "total": ce}


@OBJECTIVES.register("mirage")
def mirage_objective(
    *,
    logits: torch.Tensor,
    features: torch.Tensor,
    anchors: torch.Tensor | None,
    labels: torch.Tensor,
    config: LossConfig,
) -> dict[str, torch.Tensor]:
    """MiraGe objective (reconstruction): ``ce + w_intra * intra + w_inter * inter``.

    ``loss.variant = "hinge"``: intra = alignment to the own anchor, inter = hinge separation (margin).
    ``loss.variant = "supcon"``: one supervised-contrastive term over batch + anchors (temperature) plays both
    roles and is weighted by ``w_intra``; ``w_inter`` is unused.
    """
    if anchors is None:
        raise ValueError("the mirage loss needs text anchors; this method produces none")
    ce = cross_entropy(logits, labels)
    if config.variant == "supcon":
        supcon = supervised_contrastive(features, labels, anchors, config.temperature)
        return {"ce": ce, "supcon": supcon, "total": ce + config.w_intra * supcon}
    intra = intra_class_alignment(features, labels, anchors)
    inter = inter_class_separation(features, labels, anchors, config.margin)
    return {
        "ce": ce,
        "intra": intra,
        "inter": inter,
        "total": ce + config.w_intra * intra + config.w_inter * inter,
    }


def create_loss(name: str) -> Objective:
    """The registered objective called ``name``."""
    return OBJECTIVES.get(name)


def list_losses() -> list[str]:
    """Names of the registered objectives."""
    return OBJECTIVES.names()
