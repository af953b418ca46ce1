"""Prompt learners: what is trainable, initialisation, shapes, config errors."""

from __future__ import annotations

import pytest
import torch
from tiny_setup import tiny_config_dict

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import RunConfig, parse_run_config
from mirage_detector.errors import ConfigError
from mirage_detector.prompts import create_prompt_learner, list_prompt_learners


def prompt_config(**overrides: object) -> RunConfig:
    return parse_run_config(tiny_config_dict(**{f"prompt__{k}": v for k, v in overrides.items()}))


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
    # as many words as n_ctx: no fixed words, the suffix starts at the class word (the tensors of before)
    class_words = tiny_backbone.embed_tokens(
        torch.tensor([tiny_backbone.word_ids(w)[0] for w in ("real", "fake")])
    )
    assert torch.equal(learner.suffix[:, 0], class_words)
    assert learner.suffix.shape == (2, tiny_backbone.context_length - 1 - 4, tiny_backbone.text_width)


def test_longer_ctx_init_leaves_its_last_words_as_fixed_prompt_text(tiny_backbone: ClipBackbone) -> None:
    config = prompt_config(ctx_init="a photo of a", n_ctx=2)
    learner = create_prompt_learner("coop", tiny_backbone, config.prompt, torch.Generator().manual_seed(0))
    ids = tiny_backbone.word_ids
    assert torch.equal(learner.context.detach(), tiny_backbone.embed_tokens(torch.tensor(ids("a photo"))))
    # the prompt is [BOS] ctx_1 ctx_2 of a <class word>. [EOS]
    token_ids = tiny_backbone.tokenize(["a photo of a real.", "a photo of a fake."])
    tokenizer = tiny_backbone.tokenizer
    bos, eos = tokenizer.bos_token_id, tokenizer.eos_token_id
    for row, word in zip(token_ids, ("real", "fake"), strict=True):
        expected = [bos, *ids("a photo"), *ids("of a"), *ids(f"{word}."), eos]
        assert row[: len(expected)].tolist() == expected
    assert learner.eos_positions.tolist() == [1 + 2 + 2 + len(ids("real.")), 1 + 2 + 2 + len(ids("fake."))]
    with torch.no_grad():
        learner.context.zero_()
    embeds = learner().text_embeds.detach()
    reference = tiny_backbone.embed_tokens(token_ids)
    assert torch.equal(embeds[:, 1:3], torch.zeros(2, 2, tiny_backbone.text_width))  # learned
    assert torch.equal(embeds[:, :1], reference[:, :1])
    assert torch.equal(embeds[:, 3:], reference[:, 3:])  # "of a", class word, period, EOS, padding: fixed
    assert [n for n, p in learner.named_parameters() if p.requires_grad] == ["context"]


def test_deep_prompts_replace_only_the_learned_context(tiny_backbone: ClipBackbone) -> None:
    config = prompt_config(ctx_init="a photo of a", n_ctx=2, depth=2)
    learner = create_prompt_learner(
        "multimodal", tiny_backbone, config.prompt, torch.Generator().manual_seed(0)
    )
    prompts = learner()
    assert [p.shape for p in prompts.text_deep] == [(2, tiny_backbone.text_width)]
    assert [p.shape for p in prompts.vision] == [(2, tiny_backbone.vision_width)] * 2
    layers = tiny_backbone.model.text_model.encoder.layers
    seen: dict[str, torch.Tensor] = {}

    def after_first(_module: object, _args: object, out: object) -> None:
        seen["after_0"] = out[0] if isinstance(out, tuple) else out  # type: ignore[assignment]

    def into_second(_module: object, args: tuple[torch.Tensor, ...]) -> None:
        seen["into_1"] = args[0]

    hooks = [layers[0].register_forward_hook(after_first), layers[1].register_forward_pre_hook(into_second)]
    try:
        with torch.no_grad():
            features = tiny_backbone.encode_text(
                prompts.text_embeds, prompts.eos_positions, prompts.text_deep
            )
    finally:
        for hook in hooks:
            hook.remove()
    assert features.shape == (2, tiny_backbone.embed_dim)
    deep = prompts.text_deep[0].detach().expand(2, -1, -1)
    assert torch.equal(seen["into_1"][:, 1:3], deep)
    assert torch.equal(seen["into_1"][:, 3:], seen["after_0"][:, 3:])  # the fixed words flow through


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
        ConfigError, match=r"^prompt\.ctx_init: 'a photo' is 2 tokens, fewer than prompt\.n_ctx 4"
    ):
        create_prompt_learner("coop", tiny_backbone, prompt_config(ctx_init="a photo").prompt, generator)
    with pytest.raises(ConfigError, match=r"^prompt\.depth: 3 exceeds the backbone's 2 layers"):
        create_prompt_learner("multimodal", tiny_backbone, prompt_config(depth=3).prompt, generator)
