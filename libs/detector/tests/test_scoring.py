"""The scoring loop: fp32 scores and logit margins whatever the autocast precision."""

from __future__ import annotations

from typing import Any

import torch
from tiny_setup import tiny_config_dict
from torch.utils.data import Dataset

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import RunConfig
from mirage_detector.engine import Runtime, score_dataset
from mirage_detector.methods import create_method


class RandomImages(Dataset[dict[str, Any]]):
    """Distinct random pixel tensors in the RecordDataset item shape."""

    def __init__(self, count: int) -> None:
        self.pixels = torch.randn(count, 3, 32, 32, generator=torch.Generator().manual_seed(3))

    def __len__(self) -> int:
        return len(self.pixels)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {"pixel_values": self.pixels[index], "label": index % 2, "index": index}


def test_bf16_scoring_keeps_512_distinct_scores_and_their_margins(tiny_backbone: ClipBackbone) -> None:
    detector = create_method(RunConfig.from_dict(tiny_config_dict()), tiny_backbone)
    data = RandomImages(512)
    cpu = torch.device("cpu")
    full = score_dataset(detector, data, Runtime(cpu, None), batch_size=128)
    mixed = score_dataset(detector, data, Runtime(cpu, torch.bfloat16), batch_size=128)
    assert mixed.indices == full.indices == list(range(512))
    assert len(set(mixed.p_fake)) == len(set(full.p_fake)) == 512
    assert len(set(mixed.margin)) == 512
    # p_fake is the sigmoid of the margin logit_fake - logit_real
    assert torch.allclose(torch.tensor(mixed.margin).sigmoid(), torch.tensor(mixed.p_fake), atol=1e-6)
    assert max(abs(a - b) for a, b in zip(mixed.p_fake, full.p_fake, strict=True)) < 5e-3
