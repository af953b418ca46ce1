"""What an export reports back: the command line prints it as one JSON line for `mirage export` to read."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class ExportResult:
    """Where an export went and how to open it."""

    tracker: str
    # A folder for TensorBoard and W&B, a tracking URI for MLflow.
    location: str
    runs: int
    # Scalars written: train-curve points plus per-generator metrics, over all runs.
    points: int
    open_command: str

    def to_json(self) -> dict[str, str | int]:
        """The JSON object `mirage export` parses (apps/cli/src/export/python-exporter.ts)."""
        return asdict(self)
