"""The model-path checks a GPU machine runs (tools/gpu-check.sh): each prints its figures, none needs Node,
Temporal or the network. ``--device cpu --quick`` runs the same code on the tiny CLIP as a smoke test.

- ``agreement``: image and text features of the bf16 path (weights cast once, autocast off) against fp32, on
  one random-weight CLIP: cosine similarity per image (min and mean) and the max |difference|.
- ``oom``: a training batch and an evaluation batch that cannot fit under a memory cap (the allocator is
  capped, so the result does not depend on the card's size) must raise the library's OutOfMemoryError naming
  the batch size, a type the contracts list as non-retryable (so Temporal does not retry a hopeless batch).
- ``resume``: train k steps with a checkpoint at k/2, resume from it, compare every trainable tensor with the
  uninterrupted run (bit-exact, else the max |difference| is printed).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from arches import ARCHES, Arch, benchmark_config
from torch.utils.data import Dataset

from mirage_detector import OutOfMemoryError, create_method, train
from mirage_detector.backbone import load_backbone
from mirage_detector.config import RunConfig, replace_config
from mirage_detector.engine import load_checkpoint, resolve_runtime, score_dataset
from mirage_detector.engine.optim import build_optimizer
from mirage_detector.engine.prepare import prepare_detector
from mirage_detector.engine.train import _train_step
from mirage_detector.methods import Detector

CONSTANTS = Path(__file__).resolve().parents[3] / "libs" / "contracts" / "generated" / "constants.json"
OOM_CAP_GIB = 8.0


class NoiseImages(Dataset[dict[str, Any]]):
    """Items in the RecordDataset shape: seeded noise, fake ones brighter (content does not matter)."""

    def __init__(self, count: int, size: int) -> None:
        self.count, self.size, self.epoch = count, size, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> dict[str, Any]:
        label = index % 2
        generator = torch.Generator().manual_seed(index * 1000 + self.epoch)
        pixels = torch.randn(3, self.size, self.size, generator=generator) * 0.5 + (0.5 if label else -0.5)
        return {"pixel_values": pixels, "label": label, "index": index}


def _config(arch: Arch, device: str, precision: str, batch: int, **schedule: int) -> RunConfig:
    config = benchmark_config(
        arch, "mirage", device=device, precision=precision, eval_batch=batch, train_batch=batch, workers=0
    )
    return replace_config(config, schedule=replace_config(config.schedule, **schedule))


def check_agreement(arch: Arch, device: str, batch: int) -> dict[str, Any]:
    """bf16 against fp32 features of the same weights."""
    fp32 = resolve_runtime(device, "fp32")
    bf16 = resolve_runtime(device, "bf16")
    config = _config(arch, device, "fp32", batch)
    backbone = load_backbone(config.backbone)
    reference = prepare_detector(create_method(config, backbone), fp32).eval()
    ours = prepare_detector(create_method(config, backbone), bf16).eval()
    pixels = torch.randn(
        batch, 3, arch.image_size, arch.image_size, generator=torch.Generator().manual_seed(0)
    )
    pixels = pixels.to(fp32.device)
    with torch.inference_mode():
        expected = reference(pixels)
        with bf16.autocast():
            got = ours(pixels)
    image_cos = F.cosine_similarity(got.features, expected.features, dim=-1)
    assert got.anchors is not None and expected.anchors is not None
    text_cos = F.cosine_similarity(got.anchors, expected.anchors, dim=-1)
    report = {
        "weights": str(ours.backbone.weight_dtype).removeprefix("torch."),
        "attention": list(ours.backbone.attention_implementations),
        "images": batch,
        "image_cosine_min": round(float(image_cos.min()), 6),
        "image_cosine_mean": round(float(image_cos.mean()), 6),
        "image_max_abs_diff": float((got.features - expected.features).abs().max()),
        "text_cosine_min": round(float(text_cos.min()), 6),
        "p_fake_max_abs_diff": float((got.p_fake - expected.p_fake).abs().max()),
    }
    print(
        f"agreement bf16 vs fp32 ({batch} images, weights {report['weights']}, attention "
        f"{report['attention']}): image cosine min {report['image_cosine_min']:.6f} mean "
        f"{report['image_cosine_mean']:.6f}, max |diff| {report['image_max_abs_diff']:.3g}; text cosine min "
        f"{report['text_cosine_min']:.6f}; max |p_fake diff| {report['p_fake_max_abs_diff']:.3g}"
    )
    return report


def _non_retryable() -> list[str]:
    return list(json.loads(CONSTANTS.read_text())["non_retryable_error_types"])


def _expect_oom(what: str, action: Callable[[], object], batch: int) -> dict[str, Any]:
    try:
        action()
    except OutOfMemoryError as error:
        named = f"batch_size={batch}" in str(error)
        listed = type(error).__name__ in _non_retryable()
        print(
            f"oom {what}: {type(error).__name__} (non-retryable: {listed}, names the batch: {named}): {error}"
        )
        if not (named and listed):
            raise AssertionError(
                f"oom {what}: the error must name batch_size={batch} and be non-retryable"
            ) from error
        return {"raised": type(error).__name__, "message": str(error), "non_retryable": listed}
    raise AssertionError(f"oom {what}: batch {batch} fit under the {OOM_CAP_GIB} GiB cap; raise it")


def check_oom(arch: Arch, device: str, train_batch: int, eval_batch: int) -> dict[str, Any]:
    """Batches that cannot fit under a capped allocator raise the library's error (CUDA only)."""
    if device != "cuda":
        print("oom: skipped (needs CUDA: a CPU allocation never raises torch.OutOfMemoryError)")
        return {"skipped": "needs CUDA"}
    runtime = resolve_runtime(device, "auto")
    total = torch.cuda.get_device_properties(runtime.device).total_memory
    torch.cuda.set_per_process_memory_fraction(min(1.0, OOM_CAP_GIB * 2**30 / total), runtime.device)
    try:
        config = _config(arch, device, runtime.precision, train_batch)
        detector: Detector = prepare_detector(create_method(config, load_backbone(config.backbone)), runtime)
        size = arch.image_size
        optimizer = build_optimizer(config.optimizer, detector.trainable_tensors())
        batch = {
            "pixel_values": torch.randn(train_batch, 3, size, size),
            "labels": torch.arange(train_batch) % 2,
        }
        training = _expect_oom(
            "training",
            lambda: _train_step(detector, optimizer, batch, runtime, 1.0, train_batch),
            train_batch,
        )
        detector.zero_grad(set_to_none=True)
        torch.cuda.empty_cache()
        evaluation = _expect_oom(
            "evaluation",
            lambda: score_dataset(detector, NoiseImages(eval_batch, size), runtime, eval_batch),
            eval_batch,
        )
    finally:
        torch.cuda.set_per_process_memory_fraction(1.0, runtime.device)
        torch.cuda.empty_cache()
    return {"cap_gib": OOM_CAP_GIB, "training": training, "evaluation": evaluation}


def check_resume(arch: Arch, device: str, batch: int, steps: int) -> dict[str, Any]:
    """Interrupted at steps/2 and resumed, against uninterrupted: every trainable tensor compared."""
    runtime = resolve_runtime(device, "auto")
    half = steps // 2
    config = _config(
        arch, device, runtime.precision, batch, steps=steps, checkpoint_every=half, warmup_steps=1
    )
    data = NoiseImages(batch * 4, arch.image_size)
    with tempfile.TemporaryDirectory(prefix="gpu-check-resume-") as folder:
        root = Path(folder)
        whole = train(config, data, checkpoint_dir=root / "whole")
        part = root / "whole" / f"step-{half:08d}.safetensors"
        resumed = train(config, data, checkpoint_dir=root / "resumed", resume_from=part)
        assert whole.checkpoint_path is not None and resumed.checkpoint_path is not None
        a = load_checkpoint(whole.checkpoint_path).model
        b = load_checkpoint(resumed.checkpoint_path).model
    diffs = {name: float((a[name].double() - b[name].double()).abs().max()) for name in a}
    exact = all(torch.equal(a[name], b[name]) for name in a)
    worst = max(diffs.values())
    print(
        f"resume on {device} ({runtime.precision}, {steps} steps, resumed from step {half}): "
        f"{'bit-exact' if exact else 'NOT bit-exact'} over {len(a)} trainable tensors, max |diff| {worst:.3g}"
    )
    return {"steps": steps, "resumed_from": half, "bit_exact": exact, "max_abs_diff": worst}


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the checks named (default all), print a JSON line of every figure at the end."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("checks", nargs="*", metavar="CHECK", help="agreement, oom, resume (default: all)")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cuda")
    parser.add_argument("--quick", action="store_true", help="tiny CLIP, small batches (smoke test)")
    args = parser.parse_args(argv)
    known = ("agreement", "oom", "resume")
    checks = args.checks or list(known)
    unknown = [check for check in checks if check not in known]
    if unknown:
        parser.error(f"unknown check {unknown[0]!r} (known: {', '.join(known)})")
    arch_name = "tiny" if args.quick else "vit-l-14"
    arch = ARCHES[arch_name]
    resume_arch = ARCHES["tiny" if args.quick else "vit-b-16"]
    report: dict[str, Any] = {"arch": arch_name, "device": args.device}
    if "agreement" in checks:
        report["agreement"] = check_agreement(arch, args.device, 8 if args.quick else 64)
    if "oom" in checks:
        report["oom"] = check_oom(arch, args.device, train_batch=1024, eval_batch=4096)
    if "resume" in checks:
        report["resume"] = check_resume(
            resume_arch, args.device, 4 if args.quick else 32, 4 if args.quick else 6
        )
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
