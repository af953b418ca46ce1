"""Training loop: deterministic, resumable, cancellable, with self-describing checkpoints.

Resuming from the checkpoint of step k reproduces the uninterrupted run bit for bit on the same device and
software: the batch of each step is a pure function of (seed, step) (``batches.py``), augmentation a pure
function of (seed, epoch, index), the learning rate a function of the step, and the optimizer state, trainable
tensors and RNG states are restored from the file. Loss values stay on the device between reports so a GPU
is not synchronised every step.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import torch

from mirage_detector.backbone import ClipBackbone, load_backbone
from mirage_detector.config import RunConfig, run_config_json
from mirage_detector.data.device_batch import to_device_pixels
from mirage_detector.data.items import Batch
from mirage_detector.engine.batches import iterate_batches
from mirage_detector.engine.checkpoint import (
    Checkpoint,
    capture_rng,
    load_checkpoint,
    optimizer_to_checkpoint,
    restore_optimizer,
    restore_rng,
    save_checkpoint,
)
from mirage_detector.engine.datasets import DataSource, training_dataset
from mirage_detector.engine.optim import build_optimizer
from mirage_detector.engine.prepare import prepare_detector
from mirage_detector.engine.runtime import Runtime, resolve_runtime
from mirage_detector.engine.schedule import lr_factor, scheduler_state
from mirage_detector.errors import (
    CheckpointError,
    NonFiniteLossError,
    OutOfMemoryError,
    UnreadableImagesError,
)
from mirage_detector.methods import Detector, create_method
from mirage_detector.version import CODE_VERSION

StepCallback = Callable[[int, int, dict[str, float], float, float], None]
"""``on_step(step, total_steps, loss terms (window means), lr, images_per_second)``"""
CheckpointCallback = Callable[[Path, int], None]
"""``on_checkpoint(path, step)`` after a checkpoint file is complete."""

# config fields that may change between an interrupted attempt and its resumption
RESUMABLE_DIFFERENCES = ("num_workers",)

MAX_EMPTY_BATCHES = 3
"""Batches in a row with no readable image after which a training stops with UnreadableImagesError: corrupt
files are skipped one by one, but whole batches of them mean the images are not there (a missing mount)."""


@dataclass(frozen=True)
class TrainResult:
    """Outcome of ``train``; ``stopped`` is true when ``should_stop`` ended the run early."""

    step: int
    total_steps: int
    checkpoint_path: Path | None
    loss_terms: dict[str, float]
    images_per_second: float
    skipped_images: list[tuple[str, str]] = field(default_factory=list)
    stopped: bool = False


def checkpoint_filename(step: int) -> str:
    """Name of the checkpoint written after ``step`` optimizer steps."""
    return f"step-{step:08d}.safetensors"


class _LossWindow:
    """Loss sums and the first non-finite step per term, kept on the device until ``flush``."""

    def __init__(self, device: torch.device) -> None:
        self.device = device
        self.names: list[str] = []
        self.sums: torch.Tensor | None = None
        self.first_bad: torch.Tensor | None = None
        self.steps = 0
        self.images = 0
        self.started = time.perf_counter()

    def add(self, step: int, terms: dict[str, torch.Tensor], images: int) -> None:
        values = torch.stack([terms[name].detach().float() for name in sorted(terms)])
        if self.sums is None:
            self.names = sorted(terms)
            self.sums = torch.zeros_like(values)
            self.first_bad = torch.full_like(values, -1, dtype=torch.long)
        assert self.first_bad is not None
        bad = ~torch.isfinite(values) & (self.first_bad < 0)
        self.first_bad = torch.where(bad, torch.full_like(self.first_bad, step), self.first_bad)
        self.sums += values
        self.steps += 1
        self.images += images

    def check_finite(self) -> None:
        """Raise NonFiniteLossError for the earliest non-finite term (one host sync)."""
        if self.first_bad is None:
            return
        first_bad = self.first_bad.tolist()
        bad = [(s, name) for s, name in zip(first_bad, self.names, strict=True) if s >= 0]
        if bad:
            step, name = min(bad)
            raise NonFiniteLossError(step + 1, name)  # steps count from 1 in reports

    def flush(self) -> tuple[dict[str, float], float]:
        """Window means and images/s; starts a new window."""
        self.check_finite()
        means = {}
        if self.sums is not None and self.steps:
            means = dict(zip(self.names, (self.sums / self.steps).tolist(), strict=True))
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = self.images / elapsed
        self.sums = None
        self.first_bad = None
        self.steps = 0
        self.images = 0
        self.started = time.perf_counter()
        return means, rate


def _check_resumable(config: RunConfig, stored: RunConfig, path: Path) -> None:
    current, saved = run_config_json(config), run_config_json(stored)
    differing = [k for k in current if current[k] != saved[k] and k not in RESUMABLE_DIFFERENCES]
    if differing:
        raise CheckpointError(f"{path}: written by a run whose config differs in {differing}")


def _train_step(
    detector: Detector,
    optimizer: torch.optim.Optimizer,
    batch: Batch,
    runtime: Runtime,
    grad_clip: float,
    batch_size: int,
) -> dict[str, torch.Tensor]:
    backbone = detector.backbone
    assert batch["pixel_values"] is not None, "a batch of skipped items only is not trained on"
    pixels = to_device_pixels(batch["pixel_values"], runtime.device, backbone.image_mean, backbone.image_std)
    labels = batch["labels"].to(runtime.device, non_blocking=True)
    try:
        with runtime.autocast():
            output = detector(pixels, labels)
        assert output.losses is not None
        output.losses["total"].backward()
    except torch.OutOfMemoryError as error:
        raise OutOfMemoryError(batch_size, "training", str(error).splitlines()[0]) from error
    if grad_clip > 0:
        torch.nn.utils.clip_grad_norm_([p for g in optimizer.param_groups for p in g["params"]], grad_clip)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return output.losses


def train(
    config: RunConfig,
    data: DataSource,
    *,
    checkpoint_dir: str | Path,
    backbone: ClipBackbone | None = None,
    resume_from: str | Path | None = None,
    on_step: StepCallback | None = None,
    on_checkpoint: CheckpointCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
    report_every: int = 10,
    code_version: str = CODE_VERSION,
) -> TrainResult:
    """Train ``config.method`` on ``data`` for ``config.schedule.steps`` steps (or resume a run).

    ``data`` is a sequence of ImageRecords (wrapped in a RecordDataset with the run's transforms) or a
    dataset yielding the same items. Checkpoints go to ``checkpoint_dir`` every ``checkpoint_every`` steps,
    at the end, and when ``should_stop`` (checked between steps) ends the run early.
    """
    runtime = resolve_runtime(config.device, config.precision)
    torch.manual_seed(config.seed)
    backbone = backbone if backbone is not None else load_backbone(config.backbone)
    dataset = training_dataset(data, config, backbone)
    # cast (bf16 runs) before the move, so fp32 weights never reach the device; compiled when the run asks
    detector = prepare_detector(create_method(config, backbone), runtime, compile=config.compile is True)
    detector.train()
    params = detector.trainable_tensors()
    names = list(params)
    optimizer = build_optimizer(config.optimizer, params)
    schedule = config.schedule
    start = 0
    if resume_from is not None:
        resume_from = Path(resume_from)
        stored = load_checkpoint(resume_from)
        _check_resumable(config, stored.config, resume_from)
        detector.load_trainable({k: v.to(runtime.device) for k, v in stored.model.items()})
        restore_optimizer(optimizer, names, stored)
        restore_rng(stored.rng)
        start = stored.step

    checkpoint_dir = Path(checkpoint_dir)
    batches: Iterator[Batch] = iterate_batches(
        dataset,
        seed=config.seed,
        batch_size=schedule.batch_size,
        start_step=start,
        num_workers=config.num_workers,
        device=runtime.device,
    )
    window = _LossWindow(runtime.device)
    last_terms: dict[str, float] = {}
    last_rate = 0.0
    skipped: list[tuple[str, str]] = []
    last_path = Path(resume_from) if resume_from is not None else None
    last_saved = start

    def save(step: int) -> Path:
        window.check_finite()
        optim_tensors, optim_meta = optimizer_to_checkpoint(optimizer, names)
        checkpoint = Checkpoint(
            step=step,
            config=config,
            model={name: p.detach() for name, p in params.items()},
            optimizer_tensors=optim_tensors,
            optimizer_meta=optim_meta,
            rng=capture_rng(),
            scheduler=scheduler_state(step, schedule, config.optimizer.lr),
            code_version=code_version,
        )
        path = save_checkpoint(checkpoint_dir / checkpoint_filename(step), checkpoint)
        if on_checkpoint is not None:
            on_checkpoint(path, step)
        return path

    step = start
    stopped = False
    empty_run = empty_images = 0
    try:
        while step < schedule.steps:
            if should_stop is not None and should_stop():
                stopped = True
                break
            batch = next(batches)
            skipped.extend(batch["skipped"])
            empty = batch["pixel_values"] is None
            empty_run, empty_images = (
                (empty_run + 1, empty_images + len(batch["skipped"])) if empty else (0, 0)
            )
            if empty_run >= MAX_EMPTY_BATCHES:
                # the first paths of the run of unreadable batches: where a reader would start looking
                first = skipped[len(skipped) - empty_images :][:3]
                raise UnreadableImagesError(f"training ({empty_run} batches)", empty_images, first)
            lr = config.optimizer.lr * lr_factor(step, schedule)
            for group in optimizer.param_groups:
                group["lr"] = lr
            if batch["pixel_values"] is not None:
                terms = _train_step(
                    detector, optimizer, batch, runtime, schedule.grad_clip, schedule.batch_size
                )
                window.add(step, terms, len(batch["labels"]))
            step += 1
            if step % report_every == 0 or step == schedule.steps:
                last_terms, last_rate = window.flush()
                if on_step is not None:
                    on_step(step, schedule.steps, last_terms, lr, last_rate)
            if step % schedule.checkpoint_every == 0 or step == schedule.steps:
                last_path, last_saved = save(step), step

    finally:
        batches.close()  # stops the loader workers

    if stopped and step > last_saved:
        last_path, last_saved = save(step), step
    if window.steps:
        last_terms, last_rate = window.flush()
    return TrainResult(step, schedule.steps, last_path, last_terms, last_rate, skipped, stopped)
