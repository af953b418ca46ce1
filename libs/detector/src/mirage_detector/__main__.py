"""Command line.

``python -m mirage_detector predict --checkpoint CKPT [--backbone-path DIR] [--json] PATH...``
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence

from mirage_detector.errors import DetectorError
from mirage_detector.predict import Prediction, predict_paths


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mirage_detector", description="MiraGe detector tools")
    commands = parser.add_subparsers(dest="command", required=True)
    predict = commands.add_parser("predict", help="score images or folders of images")
    predict.add_argument("--checkpoint", required=True, help="checkpoint .safetensors file")
    predict.add_argument(
        "--backbone-path", help="folder holding the CLIP weights the checkpoint was trained on"
    )
    predict.add_argument("--device", choices=["auto", "cpu", "cuda"], help="override the checkpoint's device")
    predict.add_argument("--batch-size", type=int, help="images per forward pass")
    predict.add_argument("--json", action="store_true", help="print one JSON object per line")
    predict.add_argument("paths", nargs="+", help="image files or folders")
    return parser


def _print_table(predictions: list[Prediction]) -> None:
    width = max([len("path"), *(len(p.path) for p in predictions)])
    print(f"{'path':<{width}}  {'p_fake':>7}  verdict")
    for p in predictions:
        score = "-" if p.p_fake is None else f"{p.p_fake:.4f}"
        verdict = p.verdict if p.error is None else f"{p.verdict} ({p.error})"
        print(f"{p.path:<{width}}  {score:>7}  {verdict}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status (2 on bad input)."""
    args = _parser().parse_args(argv)
    try:
        predictions = predict_paths(
            args.checkpoint,
            args.paths,
            backbone_path=args.backbone_path,
            device=args.device,
            batch_size=args.batch_size,
        )
    except (DetectorError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        for p in predictions:
            print(json.dumps(dataclasses.asdict(p)))
    else:
        _print_table(predictions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
