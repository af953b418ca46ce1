"""The tracker-neutral shape a read-back export takes."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class ReadRun:
    """What a tracker holds for one run, keyed by our run id."""

    # Every scalar series: name -> [(step, value)] in step order.
    series: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    # MLflow params / the W&B config / TensorBoard hparams, flattened to text where the tracker stores text.
    params: dict[str, object] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    # W&B's run summary (final values); empty for the others.
    summary: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return asdict(self)
