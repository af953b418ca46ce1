"""`python -m readback <tracker> <location> [experiment]` (PYTHONPATH=libs/trackers/tests): prints the
read-back export as JSON, for tests outside Python (apps/cli/test/export.test.ts)."""

from __future__ import annotations

import json
import sys

from .readers import read_export


def main(argv: list[str]) -> int:
    tracker, location, *rest = argv
    runs = read_export(tracker, location, rest[0] if rest else "")
    print(json.dumps({run_id: read.to_json() for run_id, read in runs.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
