"""UnivFD baseline (Ojha et al. 2023): a linear probe on frozen CLIP image features.

UnivFD trains one logit with binary cross-entropy; the two-way logits ``[0, z]`` make the shared
cross-entropy objective equal to that BCE and ``p_fake = sigmoid(z)``. It has no text anchors.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import RunConfig
from mirage_detector.methods.base import Detector, full_precision, register_method


@register_method("univfd")
class UnivFdDetector(Detector):
    """Linear head on the projected CLIP image embedding."""

    loss_name = "ce"

    def __init__(self, backbone: ClipBackbone, config: RunConfig, generator: torch.Generator) -> None:
        super().__init__(backbone, config.loss)
        self.head = nn.Linear(backbone.embed_dim, 1)
        with torch.no_grad():
            # UnivFD initialises its probe with N(0, 0.02) and zero bias
            self.head.weight.copy_(torch.randn(1, backbone.embed_dim, generator=generator) * 0.02)
            self.head.bias.zero_()

    def score(self, pixel_values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Logits ``[0, head(feature)]``, the head in fp32; features normalised for reporting only."""
        image = self.backbone.encode_image(pixel_values)
        with full_precision(image.device):
            image = image.float()
            fake_logit = self.head(image)
            logits = torch.cat([torch.zeros_like(fake_logit), fake_logit], dim=-1)
            return logits, F.normalize(image, dim=-1), None
