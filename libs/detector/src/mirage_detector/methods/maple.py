"""MaPLe baseline: multimodal prompts, cross-entropy only."""

from __future__ import annotations

from mirage_detector.methods.base import register_method
from mirage_detector.methods.prompted import PromptedClipDetector


@register_method("maple")
class MapleDetector(PromptedClipDetector):
    """Deep text prompts with coupled vision prompts, trained with cross-entropy."""

    loss_name = "ce"
    learner_name = "multimodal"
