"""Rebuild a trained detector from its checkpoint and score a dataset in evaluation mode."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch
from torch.utils.data import DataLoader, Dataset

from mirage_detector.backbone import ClipBackbone, load_backbone
from mirage_detector.data.dataset import collate_batch
from mirage_detector.data.device_batch import to_device_pixels
from mirage_detector.data.items import Batch, Item
from mirage_detector.data.loader_options import loader_options
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
    dataset: Dataset[Item],
    runtime: Runtime,
    batch_size: int,
    num_workers: int = 0,
    *,
    fixed_batch: bool = False,
    free_shm_bytes: int | None = None,
) -> ScoredBatches:
    """p_fake and logit margin for every item; results stay on the device until the end (one transfer).

    The backbone runs under ``runtime.autocast()``; the detector computes its logits and p_fake in fp32
    (``methods.base.full_precision``), so bf16 does not quantise the scores. A tiled item (the tile eval
    policy) scores the mean of its tiles' margins, p_fake its sigmoid (see data.transforms.TilePipeline).
    uint8 pixels are normalised on the device with the backbone's mean and std (data.device_batch).

    ``fixed_batch`` pads every forward to ``batch_size`` rows (zeros, dropped from the results), so a
    compiled model (or captured CUDA graph) never meets a new shape at the last batch. The loader pins
    memory on CUDA and sizes its prefetch from the free space of /dev/shm (``free_shm_bytes``; measured
    when None), raising SharedMemoryTooSmallError when not even one batch per worker fits.
    """
    options = loader_options(dataset, batch_size, num_workers, runtime.device, free_shm_bytes=free_shm_bytes)
    loader = DataLoader(
        dataset,
        batch_size=batch_size,
        shuffle=False,
        num_workers=num_workers,
        collate_fn=collate_batch,
        **options.kwargs(),
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
            p_fake_batch, margin_batch = _score_batch(detector, batch, runtime, batch_size, fixed_batch)
            scores.append(p_fake_batch)
            margins.append(margin_batch)
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


def _score_batch(
    detector: Detector, batch: Batch, runtime: Runtime, batch_size: int, fixed_batch: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """(p_fake, margin) per item of a collated batch, fp32 on the device.

    The forward takes at most ``batch_size`` rows at a time, so a batch of tiled items (up to 16 tiles
    each) needs no more device memory than an untiled batch; with ``fixed_batch`` exactly that many.
    """
    pixels = batch["pixel_values"]
    assert pixels is not None, "a batch of skipped items only is not scored"
    mean, std = detector.backbone.image_mean, detector.backbone.image_std
    p_parts: list[torch.Tensor] = []
    margin_parts: list[torch.Tensor] = []
    for start in range(0, len(pixels), batch_size):
        rows = pixels[start : start + batch_size]
        if fixed_batch and len(rows) < batch_size:
            rows = torch.cat([rows, rows.new_zeros((batch_size - len(rows), *rows.shape[1:]))])
        chunk = to_device_pixels(rows, runtime.device, mean, std)
        try:
            with runtime.autocast():
                output = detector(chunk)
        except torch.OutOfMemoryError as error:
            raise OutOfMemoryError(batch_size, "evaluation", str(error).splitlines()[0]) from error
        kept = min(batch_size, len(pixels) - start)  # the padding rows are dropped here
        p_parts.append(output.p_fake[:kept].float())
        margin_parts.append((output.logits[:kept, 1] - output.logits[:kept, 0]).float())
    p_fake, margin = torch.cat(p_parts), torch.cat(margin_parts)
    tile_items = batch.get("tile_items")
    if tile_items is None:
        return p_fake, margin
    tile_items = tile_items.to(margin.device)
    items = len(batch["indices"])
    sums = torch.zeros(items, dtype=margin.dtype, device=margin.device).index_add_(0, tile_items, margin)
    item_margin = sums / torch.bincount(tile_items, minlength=items).to(margin.dtype)
    return torch.sigmoid(item_margin), item_margin
