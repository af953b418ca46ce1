"""Loss terms (pure functions) and registered training objectives."""

from mirage_detector.losses.objectives import Objective, create_loss, list_losses
from mirage_detector.losses.terms import (
    cross_entropy,
    inter_class_separation,
    intra_class_alignment,
    supervised_contrastive,
)

__all__ = [
    "Objective",
    "create_loss",
    "cross_entropy",
    "inter_class_separation",
    "intra_class_alignment",
    "list_losses",
    "supervised_contrastive",
]
