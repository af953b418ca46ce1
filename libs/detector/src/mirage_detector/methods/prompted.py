"""Detector over a frozen CLIP whose class prompts are learned; the class text features are the anchors.

Scores: image feature = projected CLS token (normalised); anchors = projected text features of the real and
fake prompts (normalised); logits = logit_scale * cosine; p_fake = softmax over the two anchors, column 1.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import RunConfig
from mirage_detector.methods.base import Detector, full_precision
from mirage_detector.prompts import PromptSet, create_prompt_learner


class PromptedClipDetector(Detector):
    """Shared body of the prompt-learning methods; ``learner_name`` picks the prompt learner."""

    learner_name = "multimodal"

    def __init__(self, backbone: ClipBackbone, config: RunConfig, generator: torch.Generator) -> None:
        super().__init__(backbone, config.loss)
        self.prompts = create_prompt_learner(self.learner_name, backbone, config.prompt, generator)
        self._cached: tuple[PromptSet, torch.Tensor] | None = None

    def invalidate_cache(self) -> None:
        """Forget the cached prompts and anchors."""
        self._cached = None

    def _apply(self, fn, recurse=True):  # type: ignore[no-untyped-def]
        # moving the module (device or dtype) would leave a stale cache behind
        self._cached = None
        return super()._apply(fn, recurse)

    def prompts_and_anchors(self) -> tuple[PromptSet, torch.Tensor]:
        """Current prompts and normalised anchors; computed once while evaluating without gradients."""
        if self._cached is not None:
            return self._cached
        prompts = self.prompts()
        text = self.backbone.encode_text(prompts.text_embeds, prompts.eos_positions, prompts.text_deep)
        with full_precision(text.device):
            result = (prompts, F.normalize(text.float(), dim=-1))
        if not self.training and not torch.is_grad_enabled():
            self._cached = result
        return result

    def score(self, pixel_values: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
        """Cosine logits of image features against the two class anchors (fp32 whatever the autocast)."""
        prompts, anchors = self.prompts_and_anchors()
        image = self.backbone.encode_image(pixel_values, prompts.vision)
        with full_precision(image.device):
            features = F.normalize(image.float(), dim=-1)
            logits = self.backbone.logit_scale().float() * features @ anchors.T
        return logits, features, anchors
