"""Prompt learners over a frozen CLIP (CoOp, MaPLe-style multimodal)."""

from mirage_detector.prompts.learners import (
    ClassPromptLearner,
    MultimodalPromptLearner,
    PromptSet,
    create_prompt_learner,
    list_prompt_learners,
)

__all__ = [
    "ClassPromptLearner",
    "MultimodalPromptLearner",
    "PromptSet",
    "create_prompt_learner",
    "list_prompt_learners",
]
