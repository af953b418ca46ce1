"""Throughput of the MiraGe detector against a plain fp32 eager CLIP loop, in one process.

Run from the repository root::

    .venv/bin/python libs/detector/benchmarks/throughput.py --arch vit-l-14 --device auto --batch 256 \
        --steps 20 --warmup 5 [--method mirage] [--compile] [--from-files DIR] [--json]
    .venv/bin/python libs/detector/benchmarks/throughput.py --quick   # tiny CLIP on CPU, seconds

The backbone is built through the library (``RunConfig`` with ``backbone.source = "config"``, random weights)
so this implementation is what is measured: the ``create_method`` detector prepared by
``engine.prepare.prepare_detector`` (frozen weights held in bf16 once on a bf16 run, torch.compile with
``--compile``), SDPA attention, anchors cached in evaluation, the engine's training step. The reference
(``eager_reference.py``) is the same CLIP, same weights, in fp32 with eager attention, in the same process.

Measured: (1) evaluation from decoded tensors already on the device, (2) one training step (forward, loss,
backward, optimizer step; frozen backbone), (3) with ``--from-files``, evaluation end to end from JPEG files.
With ``--compile`` the warmup steps include the compilation (at least one warmup step is run).
Warmup steps are excluded; the timed region is bracketed by ``torch.cuda.synchronize`` on CUDA and the loop
itself never synchronises. With ``--json`` stdout is one JSON object and the table goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
import transformers
from arches import ARCHES, Arch, benchmark_config
from eager_reference import EagerReference
from jpeg_eval import FileEvalTiming, time_file_evaluation
from timed_loop import Timing, synchronize, time_steps

from mirage_detector import ConfigError, OutOfMemoryError, create_method
from mirage_detector.backbone import load_backbone
from mirage_detector.config import RunConfig
from mirage_detector.engine import Runtime, resolve_runtime
from mirage_detector.engine.optim import build_optimizer
from mirage_detector.engine.prepare import prepare_detector
from mirage_detector.engine.train import _train_step
from mirage_detector.methods import Detector, list_methods

QUICK = {"arch": "tiny", "device": "cpu", "batch": 8, "steps": 3, "warmup": 1, "workers": 1}
DEFAULTS = {
    "cuda": {"batch": 256, "steps": 20, "warmup": 5},
    "cpu": {"batch": 8, "steps": 3, "warmup": 1},
}


@dataclass(frozen=True)
class Settings:
    """Resolved command line."""

    arch_name: str
    arch: Arch
    method: str
    device: str
    precision: str
    batch: int
    train_batch: int
    reference_batch: int
    steps: int
    warmup: int
    workers: int
    from_files: Path | None
    compile: bool
    as_json: bool


def parse_args(argv: list[str] | None) -> Settings:
    """Parse and resolve the command line (defaults depend on the device)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--arch", choices=sorted(ARCHES), default="vit-l-14")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto")
    parser.add_argument("--method", choices=list_methods(), default="mirage")
    parser.add_argument("--batch", type=int, help="evaluation batch (cuda 256, cpu 8)")
    parser.add_argument("--train-batch", type=int, help="training batch (default min(batch, 128))")
    parser.add_argument(
        "--reference-batch", type=int, help="fp32 eager reference batch (default min(batch, 64))"
    )
    parser.add_argument("--steps", type=int, help="timed steps per phase (cuda 20, cpu 3)")
    parser.add_argument("--warmup", type=int, help="untimed steps before each phase (cuda 5, cpu 1)")
    parser.add_argument(
        "--workers", type=int, help="data loader workers for --from-files (default min(16, cores))"
    )
    parser.add_argument(
        "--from-files",
        type=Path,
        metavar="DIR",
        help="also time evaluation end to end from the JPEGs under DIR",
    )
    parser.add_argument(
        "--compile", action="store_true", help="torch.compile the detector (RunConfig.compile)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (table on stderr)")
    parser.add_argument("--quick", action="store_true", help="tiny CLIP on CPU, a few seconds")
    args = parser.parse_args(argv)
    if args.quick:
        args.arch, args.device = QUICK["arch"], QUICK["device"]
        for name in ("batch", "steps", "warmup", "workers"):
            if getattr(args, name) is None:
                setattr(args, name, QUICK[name])
    device = args.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    for name, value in DEFAULTS[device].items():
        if getattr(args, name) is None:
            setattr(args, name, value)
    workers = args.workers if args.workers is not None else min(16, os.cpu_count() or 1)
    settings = Settings(
        arch_name=args.arch,
        arch=ARCHES[args.arch],
        method=args.method,
        device=device,
        precision=args.precision,
        batch=args.batch,
        train_batch=args.train_batch or min(args.batch, 128),
        reference_batch=args.reference_batch or min(args.batch, 64),
        steps=args.steps,
        warmup=args.warmup,
        workers=workers,
        from_files=args.from_files,
        compile=args.compile,
        as_json=args.json,
    )
    for name in ("batch", "train_batch", "reference_batch", "steps"):
        if getattr(settings, name) < 1:
            parser.error(f"--{name.replace('_', '-')}: must be >= 1")
    if settings.warmup < 0 or settings.workers < 0:
        parser.error("--warmup and --workers must be >= 0")
    if settings.compile and settings.warmup < 1:
        parser.error("--compile: needs --warmup >= 1 (the first step compiles)")
    return settings


def device_name(device: torch.device) -> str:
    """The card's name, or the CPU model and core count."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    model = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model} ({os.cpu_count()} cores, {torch.get_num_threads()} torch threads)"


LABEL_WIDTH = 30

PhaseResult = Timing | FileEvalTiming | str  # a string is the reason the phase could not run


def run_phase(action: Callable[[], Timing | FileEvalTiming], device: torch.device) -> PhaseResult:
    """Run one phase; running out of device memory is reported, not fatal, so the other phases still run."""
    try:
        return action()
    except (torch.OutOfMemoryError, OutOfMemoryError) as error:
        return f"out of memory: {str(error).splitlines()[0]}"
    finally:
        if device.type == "cuda":
            torch.cuda.empty_cache()


def count_cuda_syncs(step: Callable[[], object], device: torch.device) -> int | None:
    """Synchronising CUDA calls made by one ``step`` (torch's sync debug mode); None off CUDA."""
    if device.type != "cuda":
        return None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        try:
            step()
        finally:
            torch.cuda.set_sync_debug_mode("default")
    synchronize(device)
    return sum("synchroniz" in str(w.message) for w in caught)


class Benchmark:
    """The detector, the reference and the input tensors of one run."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.config: RunConfig = benchmark_config(
            settings.arch,
            settings.method,
            device=settings.device,
            precision=settings.precision,
            eval_batch=settings.batch,
            train_batch=settings.train_batch,
            workers=settings.workers,
        )
        self.runtime: Runtime = resolve_runtime(self.config.device, self.config.precision)
        self.device = self.runtime.device
        backbone = load_backbone(self.config.backbone)
        # the reference copies the fp32 weights first; prepare_detector casts a copy, never ``backbone``
        self.reference = EagerReference(backbone, self.device)
        self.detector: Detector = prepare_detector(
            create_method(self.config, backbone), self.runtime, compile=settings.compile
        )
        del backbone  # a bf16 run keeps only the bf16 copy (and the reference's fp32 one)
        generator = torch.Generator().manual_seed(0)
        size = settings.arch.image_size
        largest = max(settings.batch, settings.train_batch, settings.reference_batch)
        # CLIP-normalised pixels are roughly standard normal; values do not change the cost
        self.pixels = torch.randn(largest, 3, size, size, generator=generator).to(self.device)
        self.labels = (torch.arange(largest) % 2).to(self.device)
        self.sync_counts: dict[str, int | None] = {}

    def _time(self, step: Callable[[], object], batch: int) -> Timing:
        s = self.settings
        return time_steps(step, device=self.device, batch_size=batch, warmup=s.warmup, steps=s.steps)

    def reference_agreement(self) -> tuple[float, float]:
        """(max |difference|, min cosine similarity) of image features, library path (no prompts, the run's
        precision) vs the fp32 eager reference."""
        pixels = self.pixels[:8]
        with torch.no_grad(), self.runtime.autocast():
            ours = self.detector.backbone.encode_image(pixels).float()
        with torch.no_grad():
            theirs = self.reference.image_features(pixels).float()
        cosine = torch.nn.functional.cosine_similarity(ours, theirs, dim=-1)
        return float((ours - theirs).abs().max()), float(cosine.min())

    def implementation_eval(self) -> Timing:
        """Detector forward under inference_mode and autocast; p_fake stays on the device."""
        batch = self.settings.batch
        pixels = self.pixels[:batch]
        self.detector.eval()
        kept: list[torch.Tensor] = []

        def step() -> None:
            with torch.inference_mode(), self.runtime.autocast():
                kept.append(self.detector(pixels).p_fake)

        step()  # computes and caches the anchors before the sync count
        self.sync_counts["eval"] = count_cuda_syncs(step, self.device)
        return self._time(step, batch)

    def reference_eval(self) -> Timing:
        """The eager fp32 evaluation step; p_fake stays on the device as well."""
        batch = self.settings.reference_batch
        pixels = self.pixels[:batch]
        kept: list[torch.Tensor] = []
        return self._time(lambda: kept.append(self.reference.evaluate(pixels)), batch)

    def implementation_train(self) -> Timing:
        """The engine's training step (forward + objective + backward + grad clip + optimizer step)."""
        batch_size = self.settings.train_batch
        batch = {"pixel_values": self.pixels[:batch_size], "labels": self.labels[:batch_size]}
        self.detector.train()
        optimizer = build_optimizer(self.config.optimizer, self.detector.trainable_tensors())
        grad_clip = self.config.schedule.grad_clip

        def step() -> None:
            _train_step(self.detector, optimizer, batch, self.runtime, grad_clip, batch_size)

        step()  # creates the optimizer state before the sync count
        self.sync_counts["train"] = count_cuda_syncs(step, self.device)
        timing = self._time(step, batch_size)
        self.detector.eval()
        return timing

    def reference_train(self) -> Timing:
        """The eager fp32 pixel-prompt training step."""
        batch = self.settings.reference_batch
        pixels, labels = self.pixels[:batch], self.labels[:batch]
        return self._time(lambda: self.reference.train_step(pixels, labels), batch)

    def file_eval(self) -> FileEvalTiming:
        """End-to-end evaluation from the JPEG folder."""
        s = self.settings
        folder = s.from_files
        assert folder is not None
        return time_file_evaluation(
            self.detector, self.config, self.runtime, folder, warmup=s.warmup, steps=s.steps
        )


def _json(result: PhaseResult | None) -> dict[str, Any] | None:
    if result is None:
        return None
    return {"error": result} if isinstance(result, str) else result.to_json()


def _ratio(ours: PhaseResult, theirs: PhaseResult) -> float | None:
    if isinstance(ours, str) or isinstance(theirs, str):
        return None
    return round(ours.images_per_second / theirs.images_per_second, 3)


def run(settings: Settings) -> dict[str, Any]:
    """All phases; returns the JSON report."""
    bench = Benchmark(settings)
    device = bench.device
    max_diff, min_cosine = bench.reference_agreement()
    eval_ours = run_phase(bench.implementation_eval, device)
    eval_ref = run_phase(bench.reference_eval, device)
    train_ours = run_phase(bench.implementation_train, device)
    train_ref = run_phase(bench.reference_train, device)
    files = run_phase(bench.file_eval, device) if settings.from_files is not None else None
    return {
        "device": device_name(device),
        "device_type": device.type,
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "python": platform.python_version(),
        "arch": settings.arch_name,
        "method": settings.method,
        "precision": bench.runtime.precision,
        "weights_dtype": str(bench.detector.backbone.weight_dtype).removeprefix("torch."),
        "compile": bench.detector.backbone.compiled,
        "attention": bench.detector.backbone.attention_implementations[1],
        "reference": "fp32, eager attention, no autocast (eager_reference.py)",
        "warmup_steps": settings.warmup,
        "reference_max_abs_feature_diff": max_diff,
        "reference_min_feature_cosine": min_cosine,
        "cuda_sync_calls_per_step": bench.sync_counts,
        "eval": {
            "implementation": _json(eval_ours),
            "reference": _json(eval_ref),
            "ratio": _ratio(eval_ours, eval_ref),
        },
        "train": {
            "implementation": _json(train_ours),
            "reference": _json(train_ref),
            "ratio": _ratio(train_ours, train_ref),
        },
        "jpeg_eval": _json(files),
    }


def format_table(report: dict[str, Any]) -> str:
    """The human-readable summary."""
    lines = [
        f"device: {report['device']} [{report['device_type']}] | torch {report['torch']} | "
        f"transformers {report['transformers']}",
        f"arch: {report['arch']} | method: {report['method']} | precision: {report['precision']} "
        f"(weights {report['weights_dtype']}, {report['attention']} attention"
        f"{', compiled' if report['compile'] else ''}) | reference: fp32 eager | "
        f"warmup {report['warmup_steps']} steps",
        "eval = evaluation from decoded tensors on the device; train = one optimizer step, frozen backbone",
        "",
        f"{'phase':<{LABEL_WIDTH}}{'images/s':>12}{'ms/step':>11}{'batch':>7}{'steps':>7}{'peak GiB':>10}",
    ]

    def row(label: str, result: dict[str, Any] | None) -> None:
        if result is None:
            return
        if "error" in result:
            lines.append(f"{label:<{LABEL_WIDTH}}  {result['error']}")
            return
        peak = result.get("peak_memory_gib")
        steps = result.get("steps", "")
        lines.append(
            f"{label:<{LABEL_WIDTH}}{result['images_per_second']:>12.1f}{result['ms_per_step']:>11.2f}"
            f"{result['batch_size']:>7}{steps!s:>7}{'-' if peak is None else f'{peak:.2f}':>10}"
        )

    for phase in ("eval", "train"):
        section = report[phase]
        row(f"{phase}: implementation", section["implementation"])
        row(f"{phase}: reference", section["reference"])
        ratio = section["ratio"]
        shown = "n/a" if ratio is None else f"{ratio:.2f}x"
        lines.append(f"{phase + ': ratio':<{LABEL_WIDTH}}{shown:>12}")
    files = report["jpeg_eval"]
    if files is not None:
        workers = files.get("workers", "?")
        row(f"eval from JPEG, {workers} workers", files)
        if "files" in files:
            lines.append(
                f"  ({files['images']} images from {files['files']} files, {files['skipped']} skipped)"
            )
    lines.append("")
    lines.append(
        f"reference agreement: max |feature diff| = {report['reference_max_abs_feature_diff']:.3g}, "
        f"min cosine = {report['reference_min_feature_cosine']:.6f}"
    )
    syncs = report["cuda_sync_calls_per_step"]
    if any(v is not None for v in syncs.values()):
        lines.append(f"CUDA synchronising calls per step (sync debug mode): {syncs}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    settings = parse_args(argv)
    try:
        report = run(settings)
    except ConfigError as error:
        print(f"throughput.py: {error}", file=sys.stderr)
        return 2
    table = format_table(report)
    if settings.as_json:
        print(table, file=sys.stderr)
        print(json.dumps(report))
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
