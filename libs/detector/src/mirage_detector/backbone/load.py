"""Build a ClipBackbone from a BackboneConfig: hub id (local cache only), local folder, or a shape.

Nothing is ever downloaded: hub ids resolve through the local Hugging Face cache (``local_files_only``).
A config-built CLIP stands in for a pretrained one, so its random weights come from a fixed seed
(``CONFIG_BACKBONE_SEED``), the same for every run seed; a checkpoint's config therefore rebuilds it exactly.
"""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import AutoTokenizer, CLIPConfig, CLIPModel, CLIPTextConfig, CLIPVisionConfig

from mirage_detector.backbone.clip import ClipBackbone
from mirage_detector.backbone.tokenizer import build_word_tokenizer, word_vocab_size
from mirage_detector.config import BackboneConfig, ClipArchitecture
from mirage_detector.errors import ConfigError

CONFIG_BACKBONE_SEED = 0


def build_clip_from_shape(shape: ClipArchitecture) -> ClipBackbone:
    """A randomly initialised CLIP of the given shape with the built-in word tokenizer (seeded, CPU)."""
    tokenizer = build_word_tokenizer()
    vocab = word_vocab_size()
    text = {
        "hidden_size": shape.text.hidden_size,
        "num_hidden_layers": shape.text.num_hidden_layers,
        "num_attention_heads": shape.text.num_attention_heads,
        "intermediate_size": shape.text.intermediate_size,
        "max_position_embeddings": shape.text.max_position_embeddings,
        "vocab_size": vocab,
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": tokenizer.bos_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }
    vision = {
        "hidden_size": shape.vision.hidden_size,
        "num_hidden_layers": shape.vision.num_hidden_layers,
        "num_attention_heads": shape.vision.num_attention_heads,
        "intermediate_size": shape.vision.intermediate_size,
        "image_size": shape.vision.image_size,
        "patch_size": shape.vision.patch_size,
    }
    for tower, values in (("text", shape.text), ("vision", shape.vision)):
        if values.hidden_size % values.num_attention_heads:
            raise ConfigError(
                f"backbone.config.{tower}.hidden_size: {values.hidden_size} is not divisible by "
                f"num_attention_heads {values.num_attention_heads}"
            )
    config = CLIPConfig(text_config=text, vision_config=vision, projection_dim=shape.projection_dim)
    # SDPA on every attention call (transformers picks it per config); the adapter's tests assert it is used
    config._attn_implementation = "sdpa"
    for tower in (config.text_config, config.vision_config):
        assert isinstance(tower, CLIPTextConfig | CLIPVisionConfig)  # CLIPConfig builds them from the dicts
        tower._attn_implementation = "sdpa"
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(CONFIG_BACKBONE_SEED)
        model = CLIPModel(config)
    return ClipBackbone(model.float(), tokenizer)


def load_pretrained_clip(name_or_path: str, field: str = "backbone.name_or_path") -> ClipBackbone:
    """A CLIP checkpoint and its tokenizer from a local folder or the local hub cache (never the network)."""
    try:
        model = CLIPModel.from_pretrained(
            name_or_path, local_files_only=True, attn_implementation="sdpa", dtype=torch.float32
        )
        tokenizer = AutoTokenizer.from_pretrained(name_or_path, local_files_only=True)
    except (OSError, ValueError) as error:
        raise ConfigError(
            f"{field}: cannot load CLIP from {name_or_path!r} without network: {error}"
        ) from error
    return ClipBackbone(model, tokenizer)


def load_backbone(config: BackboneConfig, override_path: str | Path | None = None) -> ClipBackbone:
    """The frozen backbone a RunConfig names; ``override_path`` replaces a hub id or folder (not a shape)."""
    if config.source == "config":
        if config.config is None:
            raise ConfigError("backbone.config: required when backbone.source is 'config'")
        return build_clip_from_shape(config.config)
    location = str(override_path) if override_path is not None else config.name_or_path
    if not location:
        raise ConfigError(f"backbone.name_or_path: required when backbone.source is '{config.source}'")
    if (config.source == "local" or override_path is not None) and not Path(location).is_dir():
        raise ConfigError(f"backbone.name_or_path: folder {location!r} does not exist")
    return load_pretrained_clip(location)
