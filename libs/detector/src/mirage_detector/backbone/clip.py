"""Frozen CLIP adapter: what prompt learning needs from a transformers ``CLIPModel``, and nothing else.

The adapter runs both encoders layer by layer so callers can inject deep prompts: text prompt tokens are
replaced at layers ``1..len(deep_prompts)``, vision prompt tokens are appended once before
``pre_layrnorm`` and replaced at later layers (the MaPLe arrangement). It never knows which method uses it.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence

import torch
from torch import nn
from transformers import CLIPModel, PreTrainedTokenizerBase

from mirage_detector.errors import ConfigError

# OpenAI CLIP normalisation; every OpenAI-derived CLIP checkpoint uses these statistics
CLIP_IMAGE_MEAN: tuple[float, float, float] = (0.48145466, 0.4578275, 0.40821073)
CLIP_IMAGE_STD: tuple[float, float, float] = (0.26862954, 0.26130258, 0.27577711)


def _hidden(output: torch.Tensor | tuple[torch.Tensor, ...]) -> torch.Tensor:
    # encoder layers return a tensor in recent transformers and a 1-tuple in older 4.x releases
    return output[0] if isinstance(output, tuple) else output


class ClipBackbone(nn.Module):
    """A frozen CLIP with its tokenizer; exposes token embeddings, prompted encoders and the logit scale."""

    def __init__(
        self,
        model: CLIPModel,
        tokenizer: PreTrainedTokenizerBase,
        image_mean: Sequence[float] = CLIP_IMAGE_MEAN,
        image_std: Sequence[float] = CLIP_IMAGE_STD,
    ) -> None:
        super().__init__()
        model.requires_grad_(False)
        model.eval()
        self.model = model
        self.tokenizer = tokenizer
        self.image_mean = tuple(image_mean)
        self.image_std = tuple(image_std)
        # transformers 4.x encoder layers take the causal mask as a separate positional argument
        layer_parameters = inspect.signature(model.text_model.encoder.layers[0].forward).parameters
        self._separate_causal_mask = "causal_attention_mask" in layer_parameters

    def train(self, mode: bool = True) -> ClipBackbone:
        """The CLIP stays in eval mode (no dropout) whatever mode the detector is in."""
        super().train(mode)
        self.model.eval()
        return self

    @property
    def text_width(self) -> int:
        """Hidden size of the text transformer."""
        return self.model.config.text_config.hidden_size

    @property
    def vision_width(self) -> int:
        """Hidden size of the vision transformer."""
        return self.model.config.vision_config.hidden_size

    @property
    def embed_dim(self) -> int:
        """Size of the joint (projected) image-text space."""
        return self.model.config.projection_dim

    @property
    def text_layers(self) -> int:
        """Number of text transformer layers."""
        return len(self.model.text_model.encoder.layers)

    @property
    def vision_layers(self) -> int:
        """Number of vision transformer layers."""
        return len(self.model.vision_model.encoder.layers)

    @property
    def context_length(self) -> int:
        """Token positions of the text encoder; prompts are padded to this length."""
        return self.model.config.text_config.max_position_embeddings

    @property
    def image_size(self) -> int:
        """Square input resolution the vision tower expects."""
        return self.model.config.vision_config.image_size

    def tokenize(self, texts: Sequence[str]) -> torch.Tensor:
        """Token ids ``[n, context_length]`` with begin/end markers, padded; too-long prompts are an error."""
        ids = self.tokenizer(list(texts), add_special_tokens=True)["input_ids"]
        longest = max(len(row) for row in ids)
        if longest > self.context_length:
            raise ConfigError(
                f"prompt: {longest} tokens exceed the text context length {self.context_length}"
            )
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        return torch.tensor([row + [pad] * (self.context_length - len(row)) for row in ids], dtype=torch.long)

    def word_ids(self, text: str) -> list[int]:
        """Token ids of ``text`` without begin/end markers."""
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def eos_positions(self, token_ids: torch.Tensor) -> torch.Tensor:
        """Index of the first end-of-text token in each row (where CLIP pools text features)."""
        eos = self.tokenizer.eos_token_id
        return (token_ids == eos).int().argmax(dim=-1)

    def embed_tokens(self, token_ids: torch.Tensor) -> torch.Tensor:
        """Token embeddings without positions, ``[n, L, text_width]``."""
        return self.model.text_model.embeddings.token_embedding(token_ids)

    def encode_text(
        self,
        token_embeds: torch.Tensor,
        eos_positions: torch.Tensor,
        deep_prompts: Sequence[torch.Tensor] = (),
        prompt_start: int = 1,
    ) -> torch.Tensor:
        """Projected text features ``[n, embed_dim]`` of embedded prompts.

        ``deep_prompts[j]`` (``[n_ctx, text_width]``) replaces the prompt tokens at ``prompt_start`` before
        layer ``j + 1``.
        """
        if len(deep_prompts) >= self.text_layers:
            raise ConfigError(
                f"prompt.depth: {len(deep_prompts) + 1} exceeds the {self.text_layers} text layers"
            )
        text = self.model.text_model
        length = token_embeds.shape[1]
        x = token_embeds + text.embeddings.position_embedding.weight[:length]
        # an explicit additive mask is right for every attention kernel (sdpa, eager) and transformers version
        causal = torch.full((length, length), float("-inf"), device=x.device).triu(1)[None, None]
        for index, layer in enumerate(text.encoder.layers):
            if 1 <= index <= len(deep_prompts):
                prompt = deep_prompts[index - 1].to(x.dtype).expand(x.shape[0], -1, -1)
                end = prompt_start + prompt.shape[1]
                x = torch.cat([x[:, :prompt_start], prompt, x[:, end:]], dim=1)
            masks = (None, causal) if self._separate_causal_mask else (causal,)
            x = _hidden(layer(x, *masks))
        x = text.final_layer_norm(x)
        pooled = x[torch.arange(x.shape[0], device=x.device), eos_positions.to(x.device)]
        return self.model.text_projection(pooled)

    def encode_image(self, pixel_values: torch.Tensor, prompts: Sequence[torch.Tensor] = ()) -> torch.Tensor:
        """Projected image features ``[B, embed_dim]`` from the class token.

        ``prompts[0]`` (``[n_ctx, vision_width]``) is appended to the patch tokens before ``pre_layrnorm``;
        ``prompts[j]`` replaces those tokens before layer ``j``.
        """
        if len(prompts) > self.vision_layers:
            raise ConfigError(f"prompt.depth: {len(prompts)} exceeds the {self.vision_layers} vision layers")
        vision = self.model.vision_model
        x = vision.embeddings(pixel_values.to(vision.embeddings.patch_embedding.weight.dtype))
        batch = x.shape[0]
        if prompts:
            x = torch.cat([x, prompts[0].to(x.dtype).expand(batch, -1, -1)], dim=1)
        x = vision.pre_layrnorm(x)
        for index, layer in enumerate(vision.encoder.layers):
            if 1 <= index < len(prompts):
                prompt = prompts[index].to(x.dtype).expand(batch, -1, -1)
                x = torch.cat([x[:, : -prompt.shape[1]], prompt], dim=1)
            x = _hidden(layer(x, None))
        pooled = vision.post_layernorm(x[:, 0])
        return self.model.visual_projection(pooled)

    def logit_scale(self) -> torch.Tensor:
        """CLIP's learned temperature, exponentiated (frozen)."""
        return self.model.logit_scale.exp()
