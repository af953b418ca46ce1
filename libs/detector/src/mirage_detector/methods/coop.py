"""CoOp baseline: learnable text context only (``prompt.depth`` is ignored), cross-entropy."""

from __future__ import annotations

from mirage_detector.methods.base import register_method
from mirage_detector.methods.prompted import PromptedClipDetector


@register_method("coop")
class CoopDetector(PromptedClipDetector):
    """Text context shared by the two class prompts; the image side is plain frozen CLIP."""

    loss_name = "ce"
    learner_name = "coop"
