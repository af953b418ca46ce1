"""Prompt learners: CoOp (text context only) and MaPLe-style multimodal (text + coupled vision prompts).

Reconstruction note: the MiraGe paper builds on multimodal prompt learning; its exact prompt layout is not
public. This follows MaPLe: a shared text context of ``n_ctx`` vectors, deep text prompts for layers
``1..depth-1``, and each vision prompt produced from the text prompt of the same layer by its own linear
coupling map. Only prompts and couplings are trainable. Deep text prompts replace the ``n_ctx`` context
positions only; fixed ``ctx_init`` words after them (see ``prompts.template``) stay frozen at every layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import PromptConfig
from mirage_detector.errors import ConfigError
from mirage_detector.prompts.template import PROMPT_INIT_STD, build_class_prompts
from mirage_detector.registry import Registry


@dataclass(frozen=True)
class PromptSet:
    """What a learner hands the backbone for one forward pass."""

    text_embeds: torch.Tensor  # [2, L, D_text] class prompts with context inserted
    eos_positions: torch.Tensor  # [2]
    text_deep: list[torch.Tensor]  # replaces the context before text layers 1..depth-1
    vision: list[torch.Tensor]  # [0] appended to patch tokens, [j] replaces them before vision layer j


class ClassPromptLearner(nn.Module):
    """Learnable context shared by both class prompts; base of every learner."""

    # buffers registered in __init__, declared for the type checker (nn.Module's __getattr__ is untyped)
    prefix: torch.Tensor
    suffix: torch.Tensor
    eos_positions: torch.Tensor

    def __init__(self, backbone: ClipBackbone, prompt: PromptConfig, generator: torch.Generator) -> None:
        super().__init__()
        tokens = build_class_prompts(backbone, prompt, generator)
        self.n_ctx = prompt.n_ctx
        self.context = nn.Parameter(tokens.initial_context)
        # derived from the frozen backbone and the config, so not part of the checkpoint
        self.register_buffer("prefix", tokens.prefix, persistent=False)
        self.register_buffer("suffix", tokens.suffix, persistent=False)
        self.register_buffer("eos_positions", tokens.eos_positions, persistent=False)

    def class_prompt_embeds(self) -> torch.Tensor:
        """``[2, L, D]`` token embeddings of the real and fake prompts."""
        context = self.context.unsqueeze(0).expand(2, -1, -1)
        return torch.cat([self.prefix, context, self.suffix], dim=1)

    def forward(self) -> PromptSet:
        """Text-only prompts (CoOp)."""
        return PromptSet(self.class_prompt_embeds(), self.eos_positions, [], [])


class MultimodalPromptLearner(ClassPromptLearner):
    """MaPLe-style deep prompts: text prompts at ``depth`` layers, vision prompts coupled to them."""

    def __init__(self, backbone: ClipBackbone, prompt: PromptConfig, generator: torch.Generator) -> None:
        super().__init__(backbone, prompt, generator)
        limit = min(backbone.text_layers, backbone.vision_layers)
        if prompt.depth > limit:
            raise ConfigError(f"prompt.depth: {prompt.depth} exceeds the backbone's {limit} layers")
        width = backbone.text_width
        self.deep_text = nn.ParameterList(
            nn.Parameter(torch.randn(self.n_ctx, width, generator=generator) * PROMPT_INIT_STD)
            for _ in range(prompt.depth - 1)
        )
        self.couplings = nn.ModuleList(
            _seeded_linear(width, backbone.vision_width, generator) for _ in range(prompt.depth)
        )

    def forward(self) -> PromptSet:
        """Text prompts for every prompted layer and the vision prompts mapped from them."""
        text_layers = [self.context, *self.deep_text]
        vision = [coupling(text) for coupling, text in zip(self.couplings, text_layers, strict=True)]
        return PromptSet(self.class_prompt_embeds(), self.eos_positions, list(self.deep_text), vision)


def _seeded_linear(in_features: int, out_features: int, generator: torch.Generator) -> nn.Linear:
    # nn.Linear's default init draws from the global RNG; draw from ours so construction is reproducible
    layer = nn.Linear(in_features, out_features)
    bound = in_features**-0.5
    with torch.no_grad():
        layer.weight.copy_(torch.rand(out_features, in_features, generator=generator) * 2 * bound - bound)
        layer.bias.copy_(torch.rand(out_features, generator=generator) * 2 * bound - bound)
    return layer


PROMPT_LEARNERS: Registry[type[ClassPromptLearner]] = Registry("prompt learner", "method")
PROMPT_LEARNERS.register("coop")(ClassPromptLearner)
PROMPT_LEARNERS.register("multimodal")(MultimodalPromptLearner)


def create_prompt_learner(
    name: str, backbone: ClipBackbone, prompt: PromptConfig, generator: torch.Generator
) -> ClassPromptLearner:
    """Instantiate a registered prompt learner (``coop`` or ``multimodal``)."""
    return PROMPT_LEARNERS.get(name)(backbone, prompt, generator)


def list_prompt_learners() -> list[str]:
    """Names of the registered prompt learners."""
    return PROMPT_LEARNERS.names()
