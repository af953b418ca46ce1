"""The one name for a decoded JSON object: a manifest line, a checkpoint's metadata, a perturbation spec, a
payload before it is parsed into its contract model. Its values are whatever JSON holds, so they are typed
``Any``; code that needs their types parses the object into a model (mirage_detector.generated) first."""

from __future__ import annotations

from typing import Any

JsonObject = dict[str, Any]
