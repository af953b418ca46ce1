"""The fp32 eager reference: the loop peer repositories run, on a CLIP of the same shape and weights.

It is a copy of the library backbone's ``CLIPModel`` (same weights) switched to transformers' eager attention,
kept in fp32 with no autocast, no SDPA and no caching:

- evaluation step (under ``torch.no_grad``): ``get_image_features`` of the batch, ``get_text_features`` of the
  two class prompts (recomputed every batch, as a plain loop does), cosine logits scaled by CLIP's logit
  scale, softmax, p_fake kept on the device;
- training step: a trainable additive pixel prompt ``[1, 3, H, W]`` (visual prompting) is added to the batch,
  the frozen eager vision tower runs forward with autograd, the two class text features are recomputed
  without gradients, cross-entropy on the scaled cosine logits, backward (activation gradients through all
  vision layers, no weight gradients: the tower is frozen) and an AdamW step on the pixel prompt.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn
from transformers import CLIPModel, PretrainedConfig

from mirage_detector.backbone import ClipBackbone

CLASS_PROMPTS: tuple[str, str] = ("a photo of a real .", "a photo of a fake .")


def _features(output: object) -> torch.Tensor:
    # transformers 5 returns a model output whose pooler_output is the projected feature; 4.x a tensor
    return output if isinstance(output, torch.Tensor) else output.pooler_output  # type: ignore[attr-defined]


def use_eager_attention(model: CLIPModel) -> None:
    """Switch every attention layer of ``model`` to transformers' eager (matmul + softmax) attention."""
    model.set_attn_implementation("eager")
    configs: dict[int, PretrainedConfig] = {}
    for module in model.modules():
        config = getattr(module, "config", None)
        if isinstance(config, PretrainedConfig):
            configs[id(config)] = config
    wrong = [c._attn_implementation for c in configs.values() if c._attn_implementation != "eager"]
    if wrong:
        raise RuntimeError(f"reference model still uses {wrong} attention")


class EagerReference:
    """fp32 eager CLIP with the evaluation and training steps described in the module docstring."""

    def __init__(self, backbone: ClipBackbone, device: torch.device, lr: float = 1e-3) -> None:
        model = copy.deepcopy(backbone.model)
        use_eager_attention(model)
        # nn.Module.to directly: transformers' decorated PreTrainedModel.to has a signature pyright misreads
        nn.Module.to(model.float(), device)
        self.model = model.eval().requires_grad_(False)
        token_ids = backbone.tokenize(CLASS_PROMPTS)
        pad = backbone.tokenizer.pad_token_id
        assert isinstance(pad, int), "the library's CLIP tokenizers have one pad token"
        self.input_ids = token_ids.to(device)
        self.attention_mask = torch.ne(token_ids, pad).long().to(device)
        size = backbone.image_size
        self.pixel_prompt = nn.Parameter(torch.zeros(1, 3, size, size, device=device))
        self.optimizer = torch.optim.AdamW([self.pixel_prompt], lr=lr)

    def image_features(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """Projected image features ``[B, D]`` (not normalised)."""
        return _features(self.model.get_image_features(pixel_values=pixel_values))

    def _logits(self, image: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            text = _features(
                self.model.get_text_features(input_ids=self.input_ids, attention_mask=self.attention_mask)
            )
        cosine = F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).T
        return self.model.logit_scale.exp() * cosine

    def evaluate(self, pixel_values: torch.Tensor) -> torch.Tensor:
        """p_fake ``[B]`` of a batch."""
        with torch.no_grad():
            return self._logits(self.image_features(pixel_values)).softmax(dim=-1)[:, 1]

    def train_step(self, pixel_values: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """One optimizer step of the pixel prompt; returns the (device) loss."""
        logits = self._logits(self.image_features(pixel_values + self.pixel_prompt))
        loss = F.cross_entropy(logits, labels)
        loss.backward()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        return loss.detach()
