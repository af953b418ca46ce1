"""`python -m mirage_trackers export --bundle FILE --to TRACKER --out DIR`: what `mirage export` spawns.

Prints one JSON line (ExportResult) on stdout; a user's mistake is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from .bundle import load_bundle
from .errors import TrackerExportError
from .export import ExportOptions, export_bundle, list_trackers

USER_ERROR_EXIT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m mirage_trackers")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser("export", help="write a bundle's runs to a tracker")
    export.add_argument("--bundle", type=Path, required=True, help="the JSON bundle `mirage export` wrote")
    export.add_argument("--to", choices=list_trackers(), required=True)
    export.add_argument("--out", type=Path, required=True, help="folder to write (must be empty or absent)")
    export.add_argument(
        "--tracking-uri", help="MLflow: a tracking server or store instead of <out>/mlflow.db"
    )
    export.add_argument(
        "--project", help="W&B: the project the runs sync into (default: the sweep/experiment)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        bundle = load_bundle(args.bundle)
        options = ExportOptions(
            out=args.out, mlflow_tracking_uri=args.tracking_uri, wandb_project=args.project
        )
        # The trackers' own chatter goes to stderr: stdout carries only the result line.
        with contextlib.redirect_stdout(sys.stderr):
            result = export_bundle(bundle, args.to, options)
    except TrackerExportError as error:
        print(f"error: {error}", file=sys.stderr)
        return USER_ERROR_EXIT
    print(json.dumps(result.to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
