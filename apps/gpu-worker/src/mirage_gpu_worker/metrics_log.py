"""The train-metrics file: one TrainMetricRecord JSON object per line, kept in S3 at `train_metrics_key`."""

from __future__ import annotations

import json

from mirage_detector.generated.contracts_models import TrainMetricRecord

from mirage_gpu_worker.contracts import validate_contract
from mirage_gpu_worker.payloads import to_json_payload
from mirage_gpu_worker.s3 import ArtifactStore, ObjectNotFoundError


class TrainMetricsLog:
    """Metric lines of one run; a resumed attempt continues the lines of the attempt it resumes."""

    def __init__(self, records: list[TrainMetricRecord] | None = None) -> None:
        self.records: list[TrainMetricRecord] = list(records or [])

    @classmethod
    def resume(cls, store: ArtifactStore, bucket: str, key: str, resumed_step: int) -> TrainMetricsLog:
        """The lines already in S3 up to `resumed_step`; later ones belong to work the resumption redoes."""
        try:
            data = store.get_bytes(bucket, key)
        except ObjectNotFoundError:
            return cls()
        lines = [line for line in data.decode("utf-8").splitlines() if line.strip()]
        records = [TrainMetricRecord.model_validate_json(line) for line in lines]
        return cls([record for record in records if record.step <= resumed_step])

    def append(
        self, step: int, loss_terms: dict[str, float], lr: float, images_per_second: float
    ) -> TrainMetricRecord:
        """Add the line of `step` (validated against TrainMetricRecord) and return it."""
        record = TrainMetricRecord(
            step=step,
            loss_terms=dict(loss_terms),
            lr=float(lr),
            images_per_second=max(0.0, float(images_per_second)),
        )
        # the JSON Schema too: it is what the TS side reads the file with
        validate_contract("TrainMetricRecord", to_json_payload(record))
        self.records.append(record)
        return record

    def to_bytes(self) -> bytes:
        """JSON lines with sorted keys."""
        return "".join(
            json.dumps(to_json_payload(record), sort_keys=True) + "\n" for record in self.records
        ).encode("utf-8")

    def upload(self, store: ArtifactStore, bucket: str, key: str) -> None:
        """Replace the file in S3 with the current lines."""
        store.put_bytes(bucket, key, self.to_bytes(), content_type="application/x-ndjson")
