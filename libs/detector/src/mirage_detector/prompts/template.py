"""Class prompts ``[BOS] ctx_1 .. ctx_n [fixed words] <class word>. [EOS]``; the context is learnable.

The frozen token embeddings around the context (prefix = BOS; suffix = the fixed words, class word, period,
EOS, padding) are computed once; a learner concatenates them with its context vectors (the CoOp
construction).

``ctx_init`` longer than ``n_ctx`` tokens (MaPLe's partial initialisation): its first ``n_ctx`` tokens
initialise the learned context and the rest stay in the prompt as fixed text, so ``ctx_init = "a photo of
a"`` with ``n_ctx = 2`` gives ``[BOS] ctx("a") ctx("photo") of a <class word>. [EOS]``. With exactly
``n_ctx`` tokens there are no fixed words and the tensors are those of the plain CoOp construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import PromptConfig
from mirage_detector.errors import ConfigError

# std of randomly initialised prompt vectors (CoOp / MaPLe use 0.02)
PROMPT_INIT_STD = 0.02


@dataclass(frozen=True)
class ClassPromptTokens:
    """Frozen pieces of the two class prompts (index 0 real, 1 fake) and the initial context."""

    prefix: torch.Tensor  # [2, 1, D] embedding of BOS
    suffix: torch.Tensor  # [2, L - 1 - n_ctx, D] fixed ctx_init words, class word, period, EOS, padding
    eos_positions: torch.Tensor  # [2]
    initial_context: torch.Tensor  # [n_ctx, D]


def build_class_prompts(
    backbone: ClipBackbone, prompt: PromptConfig, generator: torch.Generator
) -> ClassPromptTokens:
    """Tokenise the class prompts and derive the initial context (from ``ctx_init`` words or random).

    ``ctx_init`` needs at least ``n_ctx`` tokens: the first ``n_ctx`` become the learned context, any
    further ones stay fixed prompt text before the class word.
    """
    n_ctx = prompt.n_ctx
    init_ids: list[int] = []
    if prompt.ctx_init:
        init_ids = backbone.word_ids(prompt.ctx_init)
        if len(init_ids) < n_ctx:
            raise ConfigError(
                f"prompt.ctx_init: {prompt.ctx_init!r} is {len(init_ids)} tokens, fewer than prompt.n_ctx "
                f"{n_ctx} (the first prompt.n_ctx tokens initialise the context, the rest stay fixed)"
            )
        context_text = prompt.ctx_init
    else:
        context_text = " ".join(["X"] * n_ctx)
        if len(backbone.word_ids(context_text)) != n_ctx:
            raise ConfigError("prompt.n_ctx: the tokenizer does not map 'X' to a single token")
    words = (prompt.class_words.real, prompt.class_words.fake)
    token_ids = backbone.tokenize([f"{context_text} {word}." for word in words])
    with torch.no_grad():
        embeds = backbone.embed_tokens(token_ids).float()
        if init_ids:
            initial = backbone.embed_tokens(torch.tensor(init_ids[:n_ctx])).float().clone()
        else:
            initial = torch.randn(n_ctx, backbone.text_width, generator=generator) * PROMPT_INIT_STD
    return ClassPromptTokens(
        prefix=embeds[:, :1].clone(),
        suffix=embeds[:, 1 + n_ctx :].clone(),
        eos_positions=backbone.eos_positions(token_ids),
        initial_context=initial,
    )
