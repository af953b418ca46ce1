"""The scoring loop: fp32 scores and logit margins whatever the autocast precision."""

from __future__ import annotations

from typing import Any

import torch
from tiny_setup import tiny_config_dict
from torch.utils.data import Dataset

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import parse_run_config
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
    detector = create_method(parse_run_config(tiny_config_dict()), tiny_backbone)
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


class TiledImages(Dataset[dict[str, Any]]):
    """Items of the tile policy's shape [T, 3, 32, 32], T varying from 1 to 5."""

    def __init__(self, count: int) -> None:
        generator = torch.Generator().manual_seed(5)
        self.tiles = [torch.randn(1 + index % 5, 3, 32, 32, generator=generator) for index in range(count)]

    def __len__(self) -> int:
        return len(self.tiles)

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {"pixel_values": self.tiles[index], "label": index % 2, "index": index}


def test_a_tiled_item_scores_the_mean_of_its_tile_margins(tiny_backbone: ClipBackbone) -> None:
    detector = create_method(parse_run_config(tiny_config_dict()), tiny_backbone).eval()
    data = TiledImages(7)
    runtime = Runtime(torch.device("cpu"), None)
    # batch_size 3 items is up to 15 tiles: the forward is cut into chunks of 3 rows
    scored = score_dataset(detector, data, runtime, batch_size=3)
    assert scored.indices == list(range(7)) and scored.labels == [i % 2 for i in range(7)]
    with torch.inference_mode():
        for index, tiles in enumerate(data.tiles):
            logits = detector(tiles).logits
            expected = (logits[:, 1] - logits[:, 0]).mean()
            assert abs(scored.margin[index] - expected.item()) < 1e-5
            assert abs(scored.p_fake[index] - torch.sigmoid(expected).item()) < 1e-6
