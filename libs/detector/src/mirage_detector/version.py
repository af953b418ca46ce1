"""The code version recorded in checkpoints (the installed distribution's version)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    CODE_VERSION = f"mirage-detector {version('mirage-detector')}"
except PackageNotFoundError:  # running from a source tree that was never installed
    CODE_VERSION = "mirage-detector unknown"
