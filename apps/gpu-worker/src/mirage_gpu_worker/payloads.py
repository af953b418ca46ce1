"""The typed boundary between Temporal's JSON payloads and the contract models generated from zod.

Temporal's default JSON converter carries plain JSON (the TypeScript side sends and reads it); inside the
worker every payload is a model of mirage_detector.generated.contracts_models.
"""

from __future__ import annotations

from mirage_detector.json_object import JsonObject
from pydantic import BaseModel

# A payload is a JsonObject as Temporal's default converter hands it to an activity and takes it back; it is
# parsed into its model at once (failures.parse_input).
__all__ = ["JsonObject", "to_json_payload"]


def to_json_payload(model: BaseModel) -> JsonObject:
    """The JSON object of `model`: every field that was set, nulls included (the zod schema requires them),
    and none of the fields left at a default (the payloads before the models did not write those)."""
    return model.model_dump(mode="json", exclude_unset=True)
