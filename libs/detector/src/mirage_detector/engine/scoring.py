"""Rebuild a trained detector from its checkpoint and score a dataset in evaluation mode."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch.utils.data import DataLoader, Dataset

from mirage_detector.backbone import ClipBackbone, load_backbone
from mirage_detector.data.dataset import collate_batch
from mirage_detector.engine.checkpoint import Checkpoint
from mirage_detector.engine.runtime import Runtime
from mirage_detector.errors import OutOfMemoryError
from mirage_detector.methods import Detector, create_method


def restore_detector(
    checkpoint: Checkpoint,
    runtime: Runtime,
    backbone: ClipBackbone | None = None,
    backbone_path: str | Path | None = None,
) -> Detector:
    """The checkpoint's method with its trained tensors, on ``runtime.device``, in eval mode.

    The backbone comes from the checkpoint's config (a config-built one is rebuilt exactly); ``backbone_path``
    points a hub or local backbone at another folder holding the same weights.
    """
    if backbone is None:
        backbone = load_backbone(checkpoint.config.backbone, backbone_path)
    detector = create_method(checkpoint.config, backbone)
    detector.load_trainable(checkpoint.model)
    return detector.to(runtime.device).eval()


@dataclass(frozen=True)
class ScoredBatches:
    """Scores of every loaded item, in dataset order of appearance (``margin`` = logit_fake - logit_real)."""

    indices: list[int]
    labels: list[int]
    p_fake: list[float]
    margin: list[float]
    skipped: list[tuple[str, str]]
    images_per_second: float


def score_dataset(
    detector: Detector,
    dataset: Dataset[dict[str, Any]],
    runtime: Runtime,
    batch_size: int,
    num_workers: int = 0,
) -> ScoredBatches:
    """p_fake and logit margin for every item; results stay on the device until the end (one transfer).

    The backbone runs under ``runtime.autocast()``; the detector computes its logits and p_fake in fp32
    (``methods.base.full_precision``), so bf16 does not quantise the scores.
    """
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
        collate_fn=collate_batch,
        pin_memory=runtime.device.type == "cuda",
    )
    detector.eval()
    scores: list[torch.Tensor] = []
    margins: list[torch.Tensor] = []
    indices: list[torch.Tensor] = []
    labels: list[torch.Tensor] = []
    skipped: list[tuple[str, str]] = []
    started = time.perf_counter()
    with torch.inference_mode():
        for batch in loader:
            skipped.extend(batch["skipped"])
            if batch["pixel_values"] is None:
                continue
            try:
                with runtime.autocast():
                    output = detector(batch["pixel_values"].to(runtime.device, non_blocking=True))
            except torch.OutOfMemoryError as error:
                raise OutOfMemoryError(batch_size, "evaluation", str(error).splitlines()[0]) from error
            scores.append(output.p_fake.float())
            margins.append((output.logits[:, 1] - output.logits[:, 0]).float())
            indices.append(batch["indices"])
            labels.append(batch["labels"])
        p_fake: list[float] = []
        margin: list[float] = []
        if scores:
            p_fake, margin = torch.stack([torch.cat(scores), torch.cat(margins)]).cpu().tolist()
    elapsed = max(time.perf_counter() - started, 1e-9)
    return ScoredBatches(
        indices=torch.cat(indices).tolist() if indices else [],
        labels=torch.cat(labels).tolist() if labels else [],
        p_fake=p_fake,
        margin=margin,
        skipped=skipped,
        images_per_second=len(p_fake) / elapsed,
    )
