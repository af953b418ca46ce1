"""Prompt learners: what is trainable, initialisation, shapes, config errors."""

from __future__ import annotations

import pytest
import torch
from tiny_setup import tiny_config_dict

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import RunConfig
from mirage_detector.errors import ConfigError
from mirage_detector.prompts import create_prompt_learner, list_prompt_learners


def prompt_config(**overrides: object) -> RunConfig:
    return RunConfig.from_dict(tiny_config_dict(**{f"prompt__{k}": v for k, v in overrides.items()}))


def test_registry_lists_learners() -> None:
    assert list_prompt_learners() == ["coop", "multimodal"]


def test_ctx_init_words_initialise_the_context(tiny_backbone: ClipBackbone) -> None:
    config = prompt_config(ctx_init="a photo of a")
    learner = create_prompt_learner("coop", tiny_backbone, config.prompt, torch.Generator().manual_seed(0))
    expected = tiny_backbone.embed_tokens(torch.tensor(tiny_backbone.word_ids("a photo of a")))
    assert torch.equal(learner.context.detach(), expected)
    prompts = learner()
    reference = tiny_backbone.embed_tokens(
        tiny_backbone.tokenize(["a photo of a real.", "a photo of a fake."])
    )
    assert torch.equal(prompts.text_embeds.detach(), reference)
    assert prompts.text_deep == [] and prompts.vision == []
    assert [n for n, p in learner.named_parameters() if p.requires_grad] == ["context"]


def test_multimodal_learner_couples_vision_prompts_to_text_prompts(tiny_backbone: ClipBackbone) -> None:
    config = prompt_config(ctx_init=None, depth=2, n_ctx=3)
    learner = create_prompt_learner(
        "multimodal", tiny_backbone, config.prompt, torch.Generator().manual_seed(0)
    )
    prompts = learner()
    assert len(prompts.text_deep) == 1 and prompts.text_deep[0].shape == (3, tiny_backbone.text_width)
    assert [p.shape for p in prompts.vision] == [(3, tiny_backbone.vision_width)] * 2
    assert torch.allclose(prompts.vision[1], learner.couplings[1](learner.deep_text[0]))
    trainable = sorted(n for n, p in learner.named_parameters() if p.requires_grad)
    couplings = ["couplings.0.bias", "couplings.0.weight", "couplings.1.bias", "couplings.1.weight"]
    assert trainable == ["context", *couplings, "deep_text.0"]
    again = create_prompt_learner(
        "multimodal", tiny_backbone, config.prompt, torch.Generator().manual_seed(0)
    )
    assert all(torch.equal(a, b) for a, b in zip(learner.parameters(), again.parameters(), strict=True))


def test_prompt_config_errors_name_the_field(tiny_backbone: ClipBackbone) -> None:
    generator = torch.Generator().manual_seed(0)
    with pytest.raises(
        ConfigError, match=r"^prompt\.ctx_init: 'a photo of a' is 4 tokens, prompt\.n_ctx is 2"
    ):
        create_prompt_learner("coop", tiny_backbone, prompt_config(n_ctx=2).prompt, generator)
    with pytest.raises(ConfigError, match=r"^prompt\.depth: 3 exceeds the backbone's 2 layers"):
        create_prompt_learner("multimodal", tiny_backbone, prompt_config(depth=3).prompt, generator)
