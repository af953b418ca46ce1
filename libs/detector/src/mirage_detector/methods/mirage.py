"""MiraGe (reconstruction): multimodal prompts + anchor objective (``loss.name = "mirage"``).

Only the abstract is public; the prompt layout follows MaPLe and the objective is documented in
``mirage_detector.losses``. Each guessed choice is a config switch (prompt.depth, loss.variant, weights).
"""

from __future__ import annotations

from mirage_detector.methods.base import register_method
from mirage_detector.methods.prompted import PromptedClipDetector


@register_method("mirage")
class MirageDetector(PromptedClipDetector):
    """Multimodal prompts; intra-class alignment and inter-class separation around text anchors."""

    loss_name = "mirage"
    learner_name = "multimodal"
