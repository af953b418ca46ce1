"""Seconds per evaluation cell with and without model reuse, in one process.

Run from the repository root::

    .venv/bin/python libs/detector/benchmarks/eval_cell.py --quick          # tiny CLIP on CPU, seconds
    .venv/bin/python libs/detector/benchmarks/eval_cell.py --arch vit-l-14 --device cuda --images 512

A cell is one ``evaluate()`` of a checkpoint on a column of images (the GPU worker's evaluate activity).
"restore per cell" is what every cell paid before the worker kept its models: build the frozen CLIP, cast and
move it, restore the checkpoint's tensors, then score. "model reused" restores once (the worker's
ModelCache does the same through ``engine.prepare.restore_prepared_detector``) and passes the detector to
each cell. Both score the same PNG files written by this script (random pixels: content does not change the
cost), from a checkpoint of the library's own detector (random weights, ``backbone.source = "config"``); one
untimed cell first warms the file cache and the kernels. The scores of the two ways must agree exactly.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from arches import ARCHES, benchmark_config
from PIL import Image
from timed_loop import synchronize

from mirage_detector import ConfigError, create_method
from mirage_detector.backbone import load_backbone
from mirage_detector.config import RunConfig, replace_config
from mirage_detector.data import ImageRecord
from mirage_detector.engine import EvalResult, evaluate, load_checkpoint, resolve_runtime, save_checkpoint
from mirage_detector.engine.checkpoint import Checkpoint
from mirage_detector.engine.prepare import restore_prepared_detector
from mirage_detector.engine.runtime import Runtime

QUICK = {"arch": "tiny", "device": "cpu", "cells": 5, "images": 16, "batch": 8}


@dataclass(frozen=True)
class CellTimes:
    """Seconds of each timed cell of one way of running them."""

    seconds: list[float]

    @property
    def mean(self) -> float:
        """Mean seconds per cell."""
        return sum(self.seconds) / len(self.seconds)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--arch", choices=sorted(ARCHES), default="vit-l-14")
    parser.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto")
    parser.add_argument("--precision", choices=("auto", "fp32", "bf16"), default="auto")
    parser.add_argument("--cells", type=int, default=4, help="timed cells per way (default 4)")
    parser.add_argument("--images", type=int, default=256, help="images per cell (default 256)")
    parser.add_argument("--batch", type=int, default=64, help="evaluation batch (default 64)")
    parser.add_argument(
        "--compile", action="store_true", help="torch.compile the detector (RunConfig.compile)"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object (table on stderr)")
    parser.add_argument("--quick", action="store_true", help="tiny CLIP on CPU, a few seconds")
    args = parser.parse_args(argv)
    if args.quick:
        for name, value in QUICK.items():
            setattr(args, name, value)
    for name in ("cells", "images", "batch"):
        if getattr(args, name) < 1:
            parser.error(f"--{name}: must be >= 1")
    return args


def write_images(folder: Path, count: int, size: int) -> list[ImageRecord]:
    """``count`` PNG files of random pixels, half labelled fake; their records."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    records = []
    for index in range(count):
        path = folder / f"{index:05d}.png"
        Image.fromarray(rng.integers(0, 256, (size, size, 3), dtype=np.uint8)).save(path)
        records.append(ImageRecord(uri=str(path), label=index % 2, generator="benchmark", split="test"))
    return records


def write_checkpoint(config: RunConfig, path: Path) -> Path:
    """A checkpoint of the freshly initialised detector (the trainable tensors only, as training writes)."""
    detector = create_method(config, load_backbone(config.backbone))
    tensors = {name: p.detach() for name, p in detector.trainable_tensors().items()}
    return save_checkpoint(path, Checkpoint(step=0, config=config, model=tensors, code_version="benchmark"))


def time_cells(cell: Callable[[], EvalResult], runtime: Runtime, cells: int) -> tuple[CellTimes, EvalResult]:
    """Run ``cells`` cells, each timed alone (device synchronised at both ends); the last result."""
    seconds = []
    result = None
    for _ in range(cells):
        synchronize(runtime.device)
        started = time.perf_counter()
        result = cell()
        synchronize(runtime.device)
        seconds.append(time.perf_counter() - started)
    assert result is not None
    return CellTimes(seconds), result


def run(args: argparse.Namespace, folder: Path) -> dict[str, object]:
    """Both ways; the JSON report."""
    arch = ARCHES[args.arch]
    config = benchmark_config(
        arch,
        "mirage",
        device=args.device,
        precision=args.precision,
        eval_batch=args.batch,
        train_batch=args.batch,
        workers=0,
    )
    if args.compile:
        config = replace_config(config, compile=True)
    runtime = resolve_runtime(config.device, config.precision)
    records = write_images(folder / "images", args.images, arch.image_size)
    checkpoint = write_checkpoint(config, folder / "checkpoint.safetensors")

    evaluate(config, checkpoint, records)  # untimed: file cache, kernels (and a first compile)
    restored, fresh = time_cells(lambda: evaluate(config, checkpoint, records), runtime, args.cells)
    started = time.perf_counter()
    detector = restore_prepared_detector(load_checkpoint(checkpoint), runtime, compile=config.compile is True)
    synchronize(runtime.device)
    restore_seconds = time.perf_counter() - started
    evaluate(config, checkpoint, records, detector=detector)  # untimed: the reused model's first compile
    reused, kept = time_cells(
        lambda: evaluate(config, checkpoint, records, detector=detector), runtime, args.cells
    )
    if [s.p_fake for s in fresh.scores] != [s.p_fake for s in kept.scores]:
        raise AssertionError("a reused detector scored differently from a fresh restore")
    return {
        "arch": args.arch,
        "device": runtime.device.type,
        "precision": runtime.precision,
        "compile": config.compile is True,
        "images_per_cell": args.images,
        "batch": args.batch,
        "cells": args.cells,
        "restore_per_cell_seconds": round(restored.mean, 4),
        "model_reused_seconds": round(reused.mean, 4),
        "restore_per_cell_each": [round(x, 3) for x in restored.seconds],
        "model_reused_each": [round(x, 3) for x in reused.seconds],
        "speedup": round(restored.mean / reused.mean, 3),
        "one_restore_seconds": round(restore_seconds, 4),
        "scores_identical": True,
    }


def format_table(report: dict[str, object]) -> str:
    """The human-readable summary."""
    return "\n".join(
        [
            f"eval cell: arch {report['arch']} | {report['device']} | {report['precision']} | compile "
            f"{report['compile']} | {report['images_per_cell']} images per cell, batch {report['batch']}, "
            f"{report['cells']} timed cells each",
            f"{'restore per cell':<24}{report['restore_per_cell_seconds']:>10.3f} s/cell",
            f"{'model reused':<24}{report['model_reused_seconds']:>10.3f} s/cell",
            f"{'speedup':<24}{report['speedup']:>10.2f}x",
            f"one restore alone: {report['one_restore_seconds']:.3f} s; scores identical both ways",
            f"per cell (s): restore {report['restore_per_cell_each']} | reused {report['model_reused_each']}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    args = parse_args(argv)
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory(prefix="eval-cell-") as folder:
        try:
            report = run(args, Path(folder))
        except ConfigError as error:
            print(f"eval_cell.py: {error}", file=sys.stderr)
            return 2
    table = format_table(report)
    if args.json:
        print(table, file=sys.stderr)
        print(json.dumps(report))
    else:
        print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
