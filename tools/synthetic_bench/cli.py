"""`python -m synthetic_bench generate|probe|families`: the command line of the SYNTHETIC benchmark."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from synthetic_bench.config import DEMO_TRAIN_FAMILY, BenchmarkConfig, BenchmarkConfigError
from synthetic_bench.families import create_family, list_families
from synthetic_bench.probe import probe_matrix
from synthetic_bench.writer import OutputExistsError, generate_benchmark


def _family_names(text: str) -> tuple[str, ...]:
    try:
        return tuple(create_family(name.strip()).name for name in text.split(",") if name.strip())
    except KeyError as error:
        raise argparse.ArgumentTypeError(error.args[0]) from None


def _fractions(text: str) -> tuple[float, float, float]:
    parts = text.split(",")
    try:
        values = tuple(float(part) for part in parts)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected three comma-separated numbers, got {text!r}") from None
    if len(values) != 3:
        raise argparse.ArgumentTypeError(f"expected three comma-separated numbers, got {text!r}")
    return values  # type: ignore[return-value]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m synthetic_bench",
        description="SYNTHETIC forensics benchmark: procedural images, not real generator data.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="write a benchmark tree (refuses a non-empty --out)")
    generate.add_argument("--out", type=Path, required=True, help="new or empty output folder")
    generate.add_argument("--seed", type=int, default=0)
    generate.add_argument("--per-class", type=int, default=200, help="images per label per family")
    generate.add_argument("--size", type=int, default=32, help="square image side in pixels (even)")
    generate.add_argument("--jpeg-quality", type=int, default=90, help="final JPEG quality of every file")
    generate.add_argument("--splits", type=_fractions, default=(0.6, 0.2, 0.2), help="train,val,test")
    generate.add_argument("--families", type=_family_names, default=tuple(list_families()))
    probe = commands.add_parser("probe", help="handcrafted-feature probe: train on one family, test on all")
    probe.add_argument("--root", type=Path, required=True, help="a folder written by generate")
    probe.add_argument("--train", type=_family_names, default=(DEMO_TRAIN_FAMILY,))
    probe.add_argument("--test", type=_family_names, default=tuple(list_families()))
    commands.add_parser("families", help="list the registered families")
    return parser


def _generate(args: argparse.Namespace) -> int:
    config = BenchmarkConfig(
        seed=args.seed,
        per_class=args.per_class,
        size=args.size,
        families=args.families,
        jpeg_quality=args.jpeg_quality,
        split_fractions=args.splits,
    )
    started = time.perf_counter()
    outputs = generate_benchmark(args.out, config)
    elapsed = time.perf_counter() - started
    total = sum(sum(output.counts.values()) for output in outputs)
    print(f"SYNTHETIC benchmark: {total} images in {elapsed:.2f}s under {args.out}")
    for output in outputs:
        counts = output.counts
        print(f"  {output.name}: {counts['real']} real + {counts['fake']} fake -> {output.manifest}")
    return 0


def _probe(args: argparse.Namespace) -> int:
    scores = probe_matrix(args.root, list(args.train), list(args.test))
    print("SYNTHETIC benchmark, handcrafted-feature probe (test split, threshold 0.5)")
    print(f"{'train':<24}{'test':<24}{'accuracy':>9}{'auc':>8}")
    for score in scores:
        print(f"{score.train_family:<24}{score.test_family:<24}{score.accuracy:>9.3f}{score.auc:>8.3f}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; bad settings exit with status 2 and a message naming the field."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "generate":
            return _generate(args)
        if args.command == "probe":
            return _probe(args)
        for name in list_families():
            print(f"{name}: {create_family(name).summary}")
        return 0
    except (BenchmarkConfigError, OutputExistsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
