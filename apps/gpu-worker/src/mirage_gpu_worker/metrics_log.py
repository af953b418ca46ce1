"""The train-metrics file: one TrainMetricRecord JSON object per line, kept in S3 at `train_metrics_key`."""

from __future__ import annotations

import json
from typing import Any

from mirage_gpu_worker.contracts import validate_contract
from mirage_gpu_worker.s3 import ArtifactStore, ObjectNotFoundError


class TrainMetricsLog:
    """Metric lines of one run; a resumed attempt continues the lines of the attempt it resumes."""

    def __init__(self, records: list[dict[str, Any]] | None = None) -> None:
        self.records: list[dict[str, Any]] = list(records or [])

    @classmethod
    def resume(cls, store: ArtifactStore, bucket: str, key: str, resumed_step: int) -> TrainMetricsLog:
        """The lines already in S3 up to `resumed_step`; later ones belong to work the resumption redoes."""
        try:
            data = store.get_bytes(bucket, key)
        except ObjectNotFoundError:
            return cls()
        records = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
        return cls([record for record in records if record["step"] <= resumed_step])

    def append(
        self, step: int, loss_terms: dict[str, float], lr: float, images_per_second: float
    ) -> dict[str, Any]:
        """Add the line of `step` (validated against TrainMetricRecord) and return it."""
        record = {
            "step": step,
            "loss_terms": dict(loss_terms),
            "lr": float(lr),
            "images_per_second": max(0.0, float(images_per_second)),
        }
        validate_contract("TrainMetricRecord", record)
        self.records.append(record)
        return record

    def to_bytes(self) -> bytes:
        """JSON lines with sorted keys."""
        return "".join(json.dumps(record, sort_keys=True) + "\n" for record in self.records).encode("utf-8")

    def upload(self, store: ArtifactStore, bucket: str, key: str) -> None:
        """Replace the file in S3 with the current lines."""
        store.put_bytes(bucket, key, self.to_bytes(), content_type="application/x-ndjson")
