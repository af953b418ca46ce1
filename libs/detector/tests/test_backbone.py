"""The frozen CLIP adapter: loading, tokenizer, prompted encoders."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from mirage_detector.backbone import ClipBackbone, build_clip_from_shape, load_backbone
from mirage_detector.config import BackboneConfig, RunConfig
from mirage_detector.errors import ConfigError


def test_config_built_backbone_is_reproducible_and_frozen(tiny_config: RunConfig) -> None:
    assert tiny_config.backbone.config is not None
    first = build_clip_from_shape(tiny_config.backbone.config)
    torch.manual_seed(123)  # the global seed must not matter
    second = build_clip_from_shape(tiny_config.backbone.config)
    for (name, a), b in zip(first.state_dict().items(), second.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    assert not any(p.requires_grad for p in first.parameters())
    assert first.model.config._attn_implementation == "sdpa"
    first.train()
    assert not first.model.training


def test_tokenizer_maps_unknown_words_to_unk(tiny_backbone: ClipBackbone) -> None:
    tokenizer = tiny_backbone.tokenizer
    ids = tiny_backbone.tokenize(["a photo of a zebra."])
    assert ids.shape == (1, tiny_backbone.context_length)
    row = ids[0].tolist()
    assert row[0] == tokenizer.bos_token_id
    assert tokenizer.unk_token_id in row
    assert tiny_backbone.eos_positions(ids).item() == row.index(tokenizer.eos_token_id) == 7
    with pytest.raises(ConfigError, match="exceed the text context length"):
        tiny_backbone.tokenize([" ".join(["photo"] * 40)])


def test_unprompted_encoders_match_transformers(tiny_backbone: ClipBackbone) -> None:
    ids = tiny_backbone.tokenize(["a photo of a real.", "a photo of a fake."])
    mask = (ids != tiny_backbone.tokenizer.pad_token_id).long()
    with torch.no_grad():
        ours = tiny_backbone.encode_text(tiny_backbone.embed_tokens(ids), tiny_backbone.eos_positions(ids))
        reference = tiny_backbone.model.get_text_features(input_ids=ids, attention_mask=mask).pooler_output
        assert torch.allclose(ours, reference, atol=1e-5)
        pixels = torch.randn(3, 3, 32, 32, generator=torch.Generator().manual_seed(0))
        image = tiny_backbone.encode_image(pixels)
        reference = tiny_backbone.model.get_image_features(pixel_values=pixels).pooler_output
        assert torch.allclose(image, reference, atol=1e-5)


def test_deep_prompts_change_the_features(tiny_backbone: ClipBackbone) -> None:
    ids = tiny_backbone.tokenize(["x x x x real."])
    embeds = tiny_backbone.embed_tokens(ids)
    eos = tiny_backbone.eos_positions(ids)
    deep = [torch.randn(4, tiny_backbone.text_width)]
    pixels = torch.randn(2, 3, 32, 32)
    vision = [torch.randn(3, tiny_backbone.vision_width), torch.randn(3, tiny_backbone.vision_width)]
    with torch.no_grad():
        assert not torch.allclose(
            tiny_backbone.encode_text(embeds, eos), tiny_backbone.encode_text(embeds, eos, deep)
        )
        shallow_only = tiny_backbone.encode_image(pixels, vision[:1])
        assert not torch.allclose(tiny_backbone.encode_image(pixels), shallow_only)
        assert not torch.allclose(shallow_only, tiny_backbone.encode_image(pixels, vision))
    with pytest.raises(ConfigError, match=r"^prompt\.depth"):
        tiny_backbone.encode_text(embeds, eos, deep * 2)


def test_local_folder_loads_through_from_pretrained(tiny_backbone: ClipBackbone, tmp_path: Path) -> None:
    tiny_backbone.model.save_pretrained(tmp_path / "clip")
    tiny_backbone.tokenizer.save_pretrained(tmp_path / "clip")
    loaded = load_backbone(BackboneConfig(source="local", name_or_path=str(tmp_path / "clip"), config=None))
    assert loaded.model.config._attn_implementation == "sdpa"
    ids = loaded.tokenize(["a photo of a fake."])
    assert torch.equal(ids, tiny_backbone.tokenize(["a photo of a fake."]))
    pixels = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(loaded.encode_image(pixels), tiny_backbone.encode_image(pixels), atol=1e-6)


def test_missing_local_folder_and_uncached_hub_id_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^backbone\.name_or_path: folder .* does not exist"):
        load_backbone(BackboneConfig(source="local", name_or_path=str(tmp_path / "nope"), config=None))
    with pytest.raises(ConfigError, match=r"^backbone\.name_or_path: cannot load CLIP"):
        load_backbone(BackboneConfig(source="hub", name_or_path="mirage-lab/not-a-cached-model", config=None))
