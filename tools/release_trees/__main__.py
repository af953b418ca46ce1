"""`python -m release_trees --out DIR [--which genimage,forensynths,...]` (from tools/).

Prints one JSON object: per tree its root, the records a layout scan must find (uri, generator, split,
label, object_class; videos add n_frames and timestamps), their counts and the debris files with their
kinds. Exit status 2 on bad input.
"""

from __future__ import annotations

import argparse
import json
import sys

from .build import TREES, build_release_trees


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m release_trees", description=__doc__)
    parser.add_argument("--out", required=True, help="folder to write the trees into (one subfolder each)")
    parser.add_argument("--which", default=",".join(TREES), help=f"comma-separated, of {', '.join(TREES)}")
    args = parser.parse_args(argv)
    try:
        summary = build_release_trees(
            args.out, [name.strip() for name in args.which.split(",") if name.strip()]
        )
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(summary, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
