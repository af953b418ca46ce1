"""Named, seeded image perturbations for robustness evaluation, with a registry.

Spec (JSON): {"name": "jpeg", "quality": 75}; canonical id: "jpeg(quality=75)". The operations are the
ones training augmentation uses (mirage_detector.data.image_ops). Each perturbation takes the per-item
rng so that random perturbations can be added without changing the interface; the built-ins are
deterministic.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar

from PIL import Image

from mirage_detector.data.image_ops import downscale, gaussian_blur, jpeg_reencode


class PerturbationSpecError(ValueError):
    """A perturbation spec is malformed; the message names the field."""


@dataclass(frozen=True)
class Perturbation:
    """Base of every perturbation: a frozen dataclass whose fields are its parameters."""

    name: ClassVar[str] = ""

    def __call__(self, image: Image.Image, rng: random.Random | None = None) -> Image.Image:
        return self.apply(image, rng if rng is not None else random.Random(0))

    def apply(self, image: Image.Image, rng: random.Random) -> Image.Image:
        """Perturb an RGB image."""
        raise NotImplementedError

    def spec(self) -> dict[str, Any]:
        """The JSON spec that recreates this perturbation."""
        return {"name": self.name, **dataclasses.asdict(self)}

    @property
    def id(self) -> str:
        """Canonical id, e.g. "blur(sigma=1.0)"."""
        params = ",".join(f"{field.name}={getattr(self, field.name)!r}" for field in dataclasses.fields(self))
        return f"{self.name}({params})" if params else self.name

    def check(self) -> None:
        """Validate parameter values; raise PerturbationSpecError naming the field."""


P = TypeVar("P", bound=type[Perturbation])
_REGISTRY: dict[str, type[Perturbation]] = {}


def register_perturbation(name: str) -> Callable[[P], P]:
    """Class decorator: make a Perturbation dataclass creatable by `name`."""

    def decorate(cls: P) -> P:
        if name in _REGISTRY:
            raise ValueError(f"perturbation {name!r} is already registered")
        cls.name = name
        _REGISTRY[name] = cls
        return cls

    return decorate


def list_perturbations() -> list[str]:
    """Names of the registered perturbations, sorted."""
    return sorted(_REGISTRY)


def create_perturbation(spec: Mapping[str, Any]) -> Perturbation:
    """Build a perturbation from its JSON spec; unknown names or fields and bad values are errors."""
    if not isinstance(spec, Mapping):
        raise PerturbationSpecError(f"perturbation spec must be an object, got {type(spec).__name__}")
    name = spec.get("name")
    if name not in _REGISTRY:
        raise PerturbationSpecError(
            f"perturbation field 'name': unknown {name!r}; registered: {', '.join(list_perturbations())}"
        )
    cls = _REGISTRY[name]
    fields = {field.name: field for field in dataclasses.fields(cls)}
    unknown = sorted(set(spec) - set(fields) - {"name"})
    if unknown:
        raise PerturbationSpecError(
            f"perturbation {name!r}: unknown field(s) {', '.join(map(repr, unknown))}"
        )
    values: dict[str, Any] = {}
    for field_name, field in fields.items():
        if field_name not in spec:
            raise PerturbationSpecError(f"perturbation {name!r}: missing field {field_name!r}")
        values[field_name] = _coerce(spec[field_name], field.type, f"{name}.{field_name}")
    perturbation = cls(**values)
    perturbation.check()
    return perturbation


def perturbation_id(spec: Mapping[str, Any] | Perturbation) -> str:
    """Canonical id of a spec: "none", "jpeg(quality=75)", "blur(sigma=1.0)", ..."""
    perturbation = spec if isinstance(spec, Perturbation) else create_perturbation(spec)
    return perturbation.id


def _coerce(value: Any, annotation: Any, where: str) -> int | float:
    # Annotations are strings under `from __future__ import annotations`.
    kind = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PerturbationSpecError(f"perturbation field {where!r} must be a number, got {value!r}")
    if not math.isfinite(value):
        raise PerturbationSpecError(f"perturbation field {where!r} must be finite, got {value!r}")
    if kind == "int":
        if value != int(value):
            raise PerturbationSpecError(f"perturbation field {where!r} must be an integer, got {value!r}")
        return int(value)
    return float(value)


@register_perturbation("none")
@dataclass(frozen=True)
class NoPerturbation(Perturbation):
    """The image unchanged."""

    def apply(self, image: Image.Image, rng: random.Random) -> Image.Image:
        return image


@register_perturbation("jpeg")
@dataclass(frozen=True)
class JpegPerturbation(Perturbation):
    """JPEG re-encode at a fixed quality."""

    quality: int

    def check(self) -> None:
        if not 1 <= self.quality <= 100:
            raise PerturbationSpecError(
                f"perturbation field 'jpeg.quality' must be in [1, 100], got {self.quality}"
            )

    def apply(self, image: Image.Image, rng: random.Random) -> Image.Image:
        return jpeg_reencode(image, self.quality)


@register_perturbation("blur")
@dataclass(frozen=True)
class BlurPerturbation(Perturbation):
    """Gaussian blur with a fixed sigma (pixels)."""

    sigma: float

    def check(self) -> None:
        if self.sigma < 0:
            raise PerturbationSpecError(f"perturbation field 'blur.sigma' must be >= 0, got {self.sigma}")

    def apply(self, image: Image.Image, rng: random.Random) -> Image.Image:
        return gaussian_blur(image, self.sigma)


@register_perturbation("downscale")
@dataclass(frozen=True)
class DownscalePerturbation(Perturbation):
    """Bicubic downscale by a factor in (0, 1]; the eval transform then brings it back to its size."""

    factor: float

    def check(self) -> None:
        if not 0 < self.factor <= 1:
            raise PerturbationSpecError(
                f"perturbation field 'downscale.factor' must be in (0, 1], got {self.factor}"
            )

    def apply(self, image: Image.Image, rng: random.Random) -> Image.Image:
        return downscale(image, self.factor)


@register_perturbation("crop")
@dataclass(frozen=True)
class CropPerturbation(Perturbation):
    """Centre crop to at most size x size; a side already shorter than size is kept (no padding)."""

    size: int

    def check(self) -> None:
        if self.size < 1:
            raise PerturbationSpecError(f"perturbation field 'crop.size' must be >= 1, got {self.size}")

    def apply(self, image: Image.Image, rng: random.Random) -> Image.Image:
        width, height = image.size
        crop_width, crop_height = min(width, self.size), min(height, self.size)
        left = round((width - crop_width) / 2.0)
        top = round((height - crop_height) / 2.0)
        return image.crop((left, top, left + crop_width, top + crop_height))
