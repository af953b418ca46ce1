"""Frozen CLIP adapter: what prompt learning needs from a transformers ``CLIPModel``, and nothing else.

The adapter runs both encoders layer by layer so callers can inject deep prompts: text prompt tokens are
replaced at layers ``1..len(deep_prompts)``, vision prompt tokens are appended once before
``pre_layrnorm`` and replaced at later layers (the MaPLe arrangement). It never knows which method uses it.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from collections.abc import Callable, Sequence

import torch
from torch import nn
from transformers import CLIPModel, CLIPTextConfig, CLIPVisionConfig, PreTrainedTokenizerBase

from mirage_detector.errors import ConfigError

# OpenAI CLIP normalisation; every OpenAI-derived CLIP checkpoint uses these statistics
CLIP_IMAGE_MEAN: tuple[float, float, float] = (0.48145466, 0.4578275, 0.40821073)
CLIP_IMAGE_STD: tuple[float, float, float] = (0.26862954, 0.26130258, 0.27577711)


ImageEncoder = Callable[[torch.Tensor, Sequence[torch.Tensor]], torch.Tensor]
TextEncoder = Callable[[torch.Tensor, torch.Tensor, Sequence[torch.Tensor], int], torch.Tensor]


def _hidden(output: object) -> torch.Tensor:
    # encoder layers return a tensor in recent transformers and a 1-tuple in older 4.x releases
    hidden = output[0] if isinstance(output, tuple) else output
    assert isinstance(hidden, torch.Tensor)
    return hidden


def _cast_copy(model: CLIPModel, dtype: torch.dtype) -> CLIPModel:
    """A copy of ``model`` whose floating weights are ``dtype``, built without a second full-precision copy.

    ``logit_scale`` stays fp32: its exp is CLIP's temperature (100 for OpenAI's weights), and bf16's 8-bit
    mantissa would move it to 98.9 or 102.
    """
    memo: dict[int, object] = {}
    for name, param in model.named_parameters():
        keep = name == "logit_scale" or not param.is_floating_point()
        memo[id(param)] = nn.Parameter(
            param.detach() if keep else param.detach().to(dtype), requires_grad=False
        )
    for buffer in model.buffers():
        memo[id(buffer)] = buffer.to(dtype) if buffer.is_floating_point() else buffer
    return copy.deepcopy(model, memo)


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
        layer_parameters = inspect.signature(self._text_layers()[0].forward).parameters
        self._separate_causal_mask = "causal_attention_mask" in layer_parameters
        # the encoders' callables: the eager methods, or torch.compile wrappers (``with_compiled_encoders``)
        self._image_encoder: ImageEncoder = self._encode_image
        self._text_encoder: TextEncoder = self._encode_text

    def _text_layers(self) -> Sequence[nn.Module]:
        layers = self.model.text_model.encoder.layers
        assert isinstance(layers, nn.ModuleList)
        return list(layers)

    def _vision_layers(self) -> Sequence[nn.Module]:
        layers = self.model.vision_model.encoder.layers
        assert isinstance(layers, nn.ModuleList)
        return list(layers)

    @property
    def weight_dtype(self) -> torch.dtype:
        """dtype the frozen weights are held in (fp32 as loaded; bf16 after ``in_dtype(torch.bfloat16)``)."""
        return self.model.vision_model.embeddings.patch_embedding.weight.dtype

    def in_dtype(self, dtype: torch.dtype) -> ClipBackbone:
        """This backbone with its frozen weights held in ``dtype``: itself when they already are, else a copy.

        Casting once here replaces autocast's cast of every weight on every op; the encoders then run in
        ``dtype`` with autocast off, LayerNorms and the residual stream included. A copy, not an in-place
        cast, so a caller's fp32 backbone (shared by tests, or the reference of a benchmark) stays fp32.
        """
        if dtype == self.weight_dtype:
            return self
        if self._image_encoder != self._encode_image:
            raise ValueError("in_dtype: cast the backbone before with_compiled_encoders, not after")
        model = _cast_copy(self.model, dtype)
        return ClipBackbone(model, self.tokenizer, self.image_mean, self.image_std)

    def with_compiled_encoders(self, mode: str | None = None) -> ClipBackbone:
        """This backbone with both encoders run through ``torch.compile`` (static shapes; ``mode`` e.g.
        "reduce-overhead"): a new adapter over the same weights, so the caller's backbone stays eager;
        itself when already compiled.

        The encoders are the whole cost of a forward; the detector's Python around them (its cached anchors)
        stays eager, so the graphs hold no Python state.
        """
        if self.compiled:
            return self
        compiled = ClipBackbone(self.model, self.tokenizer, self.image_mean, self.image_std)
        compiled._image_encoder = torch.compile(compiled._encode_image, dynamic=False, mode=mode)
        compiled._text_encoder = torch.compile(compiled._encode_text, dynamic=False, mode=mode)
        return compiled

    @property
    def compiled(self) -> bool:
        """Whether the encoders run through torch.compile (``with_compiled_encoders``)."""
        return self._image_encoder != self._encode_image

    def _low_precision(self, device: torch.device) -> contextlib.AbstractContextManager[object]:
        # weights already in bf16: autocast would only push LayerNorm and its residual stream back to fp32
        if self.weight_dtype == torch.float32:
            return contextlib.nullcontext()
        return torch.autocast(device_type=device.type, enabled=False)

    def train(self, mode: bool = True) -> ClipBackbone:
        """The CLIP stays in eval mode (no dropout) whatever mode the detector is in."""
        super().train(mode)
        self.model.eval()
        return self

    @property
    def text_config(self) -> CLIPTextConfig:
        """The text tower's transformers config."""
        config = self.model.config.text_config
        # CLIPConfig turns dict sub-configs into config objects; its annotation still admits dict and None
        assert isinstance(config, CLIPTextConfig)
        return config

    @property
    def vision_config(self) -> CLIPVisionConfig:
        """The vision tower's transformers config."""
        config = self.model.config.vision_config
        assert isinstance(config, CLIPVisionConfig)
        return config

    @property
    def attention_implementations(self) -> tuple[str | None, str | None]:
        """Attention kernel of each tower, (text, vision): "sdpa" for every backbone this library builds."""
        return self.text_config._attn_implementation, self.vision_config._attn_implementation

    @property
    def text_width(self) -> int:
        """Hidden size of the text transformer."""
        return self.text_config.hidden_size

    @property
    def vision_width(self) -> int:
        """Hidden size of the vision transformer."""
        return self.vision_config.hidden_size

    @property
    def embed_dim(self) -> int:
        """Size of the joint (projected) image-text space."""
        dim = self.model.config.projection_dim
        assert isinstance(dim, int)
        return dim

    @property
    def text_layers(self) -> int:
        """Number of text transformer layers."""
        return len(self._text_layers())

    @property
    def vision_layers(self) -> int:
        """Number of vision transformer layers."""
        return len(self._vision_layers())

    @property
    def context_length(self) -> int:
        """Token positions of the text encoder; prompts are padded to this length."""
        return self.text_config.max_position_embeddings

    @property
    def image_size(self) -> int:
        """Square input resolution the vision tower expects."""
        size = self.vision_config.image_size
        assert isinstance(size, int), f"non-square CLIP input {size!r}"
        return size

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
        assert isinstance(eos, int), "a CLIP tokenizer has one end-of-text token"
        return torch.eq(token_ids, eos).int().argmax(dim=-1)

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
        return self._text_encoder(token_embeds, eos_positions, deep_prompts, prompt_start)

    def _encode_text(
        self,
        token_embeds: torch.Tensor,
        eos_positions: torch.Tensor,
        deep_prompts: Sequence[torch.Tensor],
        prompt_start: int,
    ) -> torch.Tensor:
        if len(deep_prompts) >= self.text_layers:
            raise ConfigError(
                f"prompt.depth: {len(deep_prompts) + 1} exceeds the {self.text_layers} text layers"
            )
        text = self.model.text_model
        length = token_embeds.shape[1]
        with self._low_precision(token_embeds.device):
            position = text.embeddings.position_embedding.weight[:length]
            x = token_embeds.to(position.dtype) + position
            # an explicit additive mask (in the stream's dtype, as SDPA requires) is right for every attention
            # kernel and transformers version
            causal = torch.full((length, length), float("-inf"), dtype=x.dtype, device=x.device).triu(1)
            causal = causal[None, None]
            for index, layer in enumerate(self._text_layers()):
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
        return self._image_encoder(pixel_values, prompts)

    def _encode_image(self, pixel_values: torch.Tensor, prompts: Sequence[torch.Tensor]) -> torch.Tensor:
        if len(prompts) > self.vision_layers:
            raise ConfigError(f"prompt.depth: {len(prompts)} exceeds the {self.vision_layers} vision layers")
        vision = self.model.vision_model
        with self._low_precision(pixel_values.device):
            x = vision.embeddings(pixel_values.to(self.weight_dtype))
            batch = x.shape[0]
            if prompts:
                x = torch.cat([x, prompts[0].to(x.dtype).expand(batch, -1, -1)], dim=1)
            x = vision.pre_layrnorm(x)
            for index, layer in enumerate(self._vision_layers()):
                if 1 <= index < len(prompts):
                    prompt = prompts[index].to(x.dtype).expand(batch, -1, -1)
                    x = torch.cat([x[:, : -prompt.shape[1]], prompt], dim=1)
                x = _hidden(layer(x, None))
            pooled = vision.post_layernorm(x[:, 0])
            return self.model.visual_projection(pooled)

    def logit_scale(self) -> torch.Tensor:
        """CLIP's learned temperature, exponentiated (frozen)."""
        return self.model.logit_scale.exp()
