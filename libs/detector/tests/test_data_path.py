"""The uint8 data path: same scores and same training as the float path; fixed batch shapes; shm check."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
import torch
from tiny_setup import tiny_config_dict, write_png_records

from mirage_detector import RunConfig, load_checkpoint, parse_run_config, train
from mirage_detector.backbone import ClipBackbone
from mirage_detector.data.dataset import RecordDataset
from mirage_detector.data.decode_cache import DecodeCache
from mirage_detector.data.shm_budget import SharedMemoryTooSmallError
from mirage_detector.data.transforms import build_transform
from mirage_detector.engine import Runtime, score_dataset
from mirage_detector.engine.batches import iterate_batches
from mirage_detector.engine.datasets import evaluation_dataset, training_dataset
from mirage_detector.methods import create_method

CPU_FP32 = Runtime(torch.device("cpu"), None)
P_FAKE_TOLERANCE = 1e-5
"""uint8 path against the float path in fp32 (on the CPU they are in fact bit-identical)."""


def float_dataset(records: Any, config: RunConfig, backbone: ClipBackbone, train_side: bool) -> RecordDataset:
    """The records with the transform normalising in the worker: the data path before uint8."""
    augment = config.augment if train_side else None
    transform = build_transform(
        config.preprocess, augment, train_side, backbone.image_mean, backbone.image_std
    )
    return RecordDataset(records, transform, config.seed)


@pytest.mark.parametrize("policy", ["clip_resize", "center_crop"])
def test_uint8_scores_are_the_float_scores(policy: str, tiny_backbone: ClipBackbone, tmp_path: Path) -> None:
    config = parse_run_config(tiny_config_dict(preprocess__eval={"policy": policy, "size": 32}))
    records = write_png_records(tmp_path / "images", 24, size=45)
    detector = create_method(config, tiny_backbone)
    new = evaluation_dataset(records, config, tiny_backbone)
    assert new[0]["pixel_values"].dtype == torch.uint8
    old = float_dataset(records, config, tiny_backbone, train_side=False)
    assert old[0]["pixel_values"].dtype == torch.float32
    scored_new = score_dataset(detector, new, CPU_FP32, batch_size=8)
    scored_old = score_dataset(detector, old, CPU_FP32, batch_size=8)
    assert scored_new.indices == scored_old.indices == list(range(24))
    difference = max(abs(a - b) for a, b in zip(scored_new.p_fake, scored_old.p_fake, strict=True))
    assert difference <= P_FAKE_TOLERANCE
    assert len(set(scored_new.p_fake)) > 1


def test_uint8_training_is_the_float_training(tiny_backbone: ClipBackbone, tmp_path: Path) -> None:
    config = parse_run_config(tiny_config_dict(augment__jpeg__p=0.5, augment__flip__p=0.5))
    records = write_png_records(tmp_path / "images", 20)
    assert training_dataset(records, config, tiny_backbone)[0]["pixel_values"].dtype == torch.uint8
    new = train(config, records, checkpoint_dir=tmp_path / "new", backbone=tiny_backbone)
    old = train(
        config,
        float_dataset(records, config, tiny_backbone, train_side=True),
        checkpoint_dir=tmp_path / "old",
        backbone=tiny_backbone,
    )
    assert new.loss_terms == old.loss_terms  # bit-identical on the CPU
    assert new.checkpoint_path is not None and old.checkpoint_path is not None
    new_tensors, old_tensors = (
        load_checkpoint(new.checkpoint_path).model,
        load_checkpoint(old.checkpoint_path).model,
    )
    assert new_tensors.keys() == old_tensors.keys()
    assert all(torch.equal(new_tensors[name], old_tensors[name]) for name in new_tensors)


class ShapeLog(torch.nn.Module):
    """Wraps a detector and records the batch shape of each forward."""

    def __init__(self, detector: torch.nn.Module) -> None:
        super().__init__()
        self.detector = detector
        self.backbone = detector.backbone
        self.shapes: list[int] = []

    def forward(self, pixels: torch.Tensor) -> Any:
        self.shapes.append(len(pixels))
        return self.detector(pixels)


def test_fixed_batch_pads_the_last_batch_and_drops_the_padding(
    tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    config = parse_run_config(tiny_config_dict())
    records = write_png_records(tmp_path / "images", 13, size=40)
    dataset = evaluation_dataset(records, config, tiny_backbone)
    detector = ShapeLog(create_method(config, tiny_backbone).eval())
    plain = score_dataset(detector, dataset, CPU_FP32, batch_size=5)  # type: ignore[arg-type]
    assert detector.shapes == [5, 5, 3]
    detector.shapes.clear()
    fixed = score_dataset(detector, dataset, CPU_FP32, batch_size=5, fixed_batch=True)  # type: ignore[arg-type]
    assert detector.shapes == [5, 5, 5]
    assert fixed.indices == plain.indices and fixed.labels == plain.labels and len(fixed.p_fake) == 13
    # rows do not interact in the model; only the matmul blocking of another batch size can change bits
    assert max(abs(a - b) for a, b in zip(fixed.p_fake, plain.p_fake, strict=True)) <= 1e-6
    assert max(abs(a - b) for a, b in zip(fixed.margin, plain.margin, strict=True)) <= 1e-5


def test_scoring_refuses_workers_whose_batches_do_not_fit_in_shm(
    tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    config = parse_run_config(tiny_config_dict())
    dataset = evaluation_dataset(write_png_records(tmp_path / "images", 4), config, tiny_backbone)
    detector = create_method(config, tiny_backbone)
    # 8 items x 3 x 32 x 32 uint8 = 24 KiB per batch and worker; 16 KiB free is not enough for 2 workers
    with pytest.raises(SharedMemoryTooSmallError, match=r"/dev/shm has 0\.0 MiB free; 2 loader worker"):
        score_dataset(detector, dataset, CPU_FP32, batch_size=8, num_workers=2, free_shm_bytes=16 * 1024)
    scored = score_dataset(detector, dataset, CPU_FP32, batch_size=8, num_workers=2, free_shm_bytes=2**20)
    assert scored.indices == [0, 1, 2, 3]


class WorkerAndEpoch(torch.utils.data.Dataset):  # type: ignore[type-arg]
    """Items that report the process that loaded them (as "index") and the epoch set on it (as "label")."""

    def __init__(self) -> None:
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return 8

    def __getitem__(self, index: int) -> dict[str, Any]:
        return {"pixel_values": torch.zeros(3, 4, 4), "label": self.epoch, "index": os.getpid()}


def test_training_workers_persist_across_epochs_and_see_each_items_epoch() -> None:
    batches = iterate_batches(
        WorkerAndEpoch(), seed=0, batch_size=4, start_step=1, num_workers=2, device=torch.device("cpu")
    )
    seen = [next(batches) for _ in range(7)]  # steps 1..7: epochs 0, 1, 1, 2, 2, 3, 3
    batches.close()
    assert [batch["labels"].unique().tolist() for batch in seen] == [[0], [1], [1], [2], [2], [3], [3]]
    workers = {pid for batch in seen for pid in batch["indices"].tolist()}
    assert len(workers) == 2 and os.getpid() not in workers  # the same two workers for four epochs


def test_evaluation_with_the_decode_cache_scores_the_same_twice(
    tiny_backbone: ClipBackbone, tmp_path: Path
) -> None:
    config = parse_run_config(tiny_config_dict())
    records = [
        dataclasses.replace(record, sha256=hashlib.sha256(Path(record.uri).read_bytes()).hexdigest())
        for record in write_png_records(tmp_path / "images", 10, size=48)
    ]
    detector = create_method(config, tiny_backbone)
    cache = DecodeCache(tmp_path / "decoded", 2**30)
    uncached = score_dataset(detector, evaluation_dataset(records, config, tiny_backbone), CPU_FP32, 4)
    first = score_dataset(
        detector, evaluation_dataset(records, config, tiny_backbone, decode_cache=cache), CPU_FP32, 4
    )
    assert cache.total_bytes() >= 10 * 3 * 32 * 32
    second = score_dataset(
        detector, evaluation_dataset(records, config, tiny_backbone, decode_cache=cache), CPU_FP32, 4
    )
    assert uncached.p_fake == first.p_fake == second.p_fake
