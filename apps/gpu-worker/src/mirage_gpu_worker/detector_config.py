"""The seam between the contract's RunConfig model and the detector's own RunConfig dataclass."""

from __future__ import annotations

from mirage_detector.config import RunConfig

from mirage_gpu_worker.generated import contracts_models as contracts
from mirage_gpu_worker.payloads import to_json_payload


def detector_config(config: contracts.RunConfig) -> RunConfig:
    """The detector's RunConfig of a payload's config, parsed by the detector's own loader from the JSON the
    payload carried (fields left unset stay absent: `compile` is written only when on)."""
    return RunConfig.from_dict(to_json_payload(config))
