"""Evaluation conditions (the contracts' `Perturbation`): named, seeded image perturbations, an eval
preprocessing step and chains of them, with a registry.

Spec (JSON): {"name": "jpeg", "quality": 75}; canonical id: "jpeg(quality=75)", identical to the TS
`perturbationId` (libs/contracts/src/perturbation-id.ts): parameters sorted by name, strings unquoted,
numbers as JavaScript prints them, `sigma`/`factor` with ".0" when whole; a chain joins its steps' ids
with "+" (`downscale(factor=0.5)+jpeg(quality=75)`).

The image operations are the ones training augmentation uses (mirage_detector.data.image_ops). Each takes
the per-item rng so that random perturbations can be added without changing the interface; the built-ins
are deterministic. A `preprocess` step is no image operation: it replaces the run's `preprocess.eval` for
the cell, so the evaluation dataset reads it (`eval_preprocess`) and the image passes through it unchanged;
a chain's image steps run in order, before that preprocessing, as every perturbation runs before the eval
transform.
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
from mirage_detector.data.perturbation_id import format_param
from mirage_detector.json_object import JsonObject
from mirage_detector.registry import Registry

EVAL_PREPROCESS_POLICIES: tuple[str, ...] = ("clip_resize", "center_crop", "tile")
"""Policies of a `preprocess` step (the contracts' EvalPreprocessStep; transforms.EVAL_POLICIES)."""


class PerturbationSpecError(ValueError):
    """A perturbation spec is malformed; the message names the field."""


@dataclass(frozen=True)
class Perturbation:
    """Base of every perturbation: a frozen dataclass whose fields are its parameters."""

    name: ClassVar[str] = ""
    draws_randomness: ClassVar[bool] = True
    """Whether ``apply`` uses its rng; a class that does not says so (False), which lets a DecodeCache keep
    its output. True by default, so a new random perturbation is never cached by mistake."""

    def __call__(self, image: Image.Image, rng: random.Random | None = None) -> Image.Image:
        return self.apply(image, rng if rng is not None else random.Random(0))

    def apply(self, image: Image.Image, rng: random.Random) -> Image.Image:
        """Perturb an RGB image."""
        raise NotImplementedError

    def spec(self) -> JsonObject:
        """The JSON spec that recreates this perturbation."""
        return {"name": self.name, **dataclasses.asdict(self)}

    @property
    def id(self) -> str:
        """Canonical id, e.g. "blur(sigma=1.0)", "preprocess(policy=tile,size=224)"."""
        names = sorted(field.name for field in dataclasses.fields(self))
        params = ",".join(f"{name}={format_param(name, getattr(self, name))}" for name in names)
        return f"{self.name}({params})" if params else self.name

    @property
    def image_steps(self) -> tuple[Perturbation, ...]:
        """The image operations of this condition, in the order they apply."""
        return (self,)

    @property
    def deterministic(self) -> bool:
        """True when the perturbed image depends on the image only (not on the per-item rng)."""
        return all(not step.draws_randomness for step in self.image_steps)

    @property
    def eval_preprocess(self) -> EvalPreprocessStep | None:
        """The preprocessing that replaces the run's `preprocess.eval`, if the condition has one."""
        return None

    def check(self) -> None:
        """Validate parameter values; raise PerturbationSpecError naming the field."""

    @classmethod
    def parse_field(cls, name: str, value: Any, annotation: Any, where: str) -> Any:
        """Turn one JSON value of the spec into the field's value; `where` is "jpeg.quality"."""
        return _coerce(value, annotation, where)


P = TypeVar("P", bound=type[Perturbation])
_PERTURBATIONS: Registry[type[Perturbation]] = Registry(
    "perturbation", "perturbation.name", error=PerturbationSpecError
)


def register_perturbation(name: str) -> Callable[[P], P]:
    """Class decorator: make a Perturbation dataclass creatable by `name`."""

    def decorate(cls: P) -> P:
        _PERTURBATIONS.register(name)(cls)
        cls.name = name
        return cls

    return decorate


def list_perturbations() -> list[str]:
    """Names of the registered perturbations, sorted."""
    return _PERTURBATIONS.names()


def create_perturbation(spec: Mapping[str, Any]) -> Perturbation:
    """Build a perturbation from its JSON spec; unknown names or fields and bad values are errors."""
    if not isinstance(spec, Mapping):
        raise PerturbationSpecError(f"perturbation spec must be an object, got {type(spec).__name__}")
    name = spec.get("name")
    if not isinstance(name, str):
        raise PerturbationSpecError(f"perturbation.name: expected a string, got {name!r}")
    cls = _PERTURBATIONS.get(name)
    fields = {field.name: field for field in dataclasses.fields(cls)}
    unknown = sorted(set(spec) - set(fields) - {"name"})
    if unknown:
        raise PerturbationSpecError(
            f"perturbation {name!r}: unknown field(s) {', '.join(map(repr, unknown))}"
        )
    values: JsonObject = {}
    for field_name, field in fields.items():
        if field_name not in spec:
            raise PerturbationSpecError(f"perturbation {name!r}: missing field {field_name!r}")
        values[field_name] = cls.parse_field(field_name, spec[field_name], field.type, f"{name}.{field_name}")
    perturbation = cls(**values)
    perturbation.check()
    return perturbation


def perturbation_id(spec: Mapping[str, Any] | Perturbation) -> str:
    """Canonical id of a spec: "none", "jpeg(quality=75)", "blur(sigma=1.0)", ..."""
    perturbation = spec if isinstance(spec, Perturbation) else create_perturbation(spec)
    return perturbation.id


def _coerce(value: Any, annotation: Any, where: str) -> int | float | str:
    # Annotations are strings under `from __future__ import annotations`.
    kind = annotation if isinstance(annotation, str) else getattr(annotation, "__name__", str(annotation))
    if kind == "str":
        if not isinstance(value, str):
            raise PerturbationSpecError(f"perturbation field {where!r} must be a string, got {value!r}")
        return value
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

    draws_randomness: ClassVar[bool] = False

    @property
    def image_steps(self) -> tuple[Perturbation, ...]:
        return ()

    def apply(self, image: Image.Image, rng: random.Random) -> Image.Image:
        return image


@register_perturbation("jpeg")
@dataclass(frozen=True)
class JpegPerturbation(Perturbation):
    """JPEG re-encode at a fixed quality."""

    draws_randomness: ClassVar[bool] = False

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

    draws_randomness: ClassVar[bool] = False

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

    draws_randomness: ClassVar[bool] = False

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

    draws_randomness: ClassVar[bool] = False

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


@register_perturbation("preprocess")
@dataclass(frozen=True)
class EvalPreprocessStep(Perturbation):
    """Evaluation preprocessing in place of the run's `preprocess.eval` (AIGIBench's test-time axis).

    `clip_resize` and `center_crop` are the config policies (same pixels); `tile` scores the image at its
    native resolution as a grid of `size` tiles (transforms.TilePipeline). `size` must be the backbone's
    input size, which the evaluation dataset checks.
    """

    draws_randomness: ClassVar[bool] = False

    policy: str
    size: int

    @property
    def image_steps(self) -> tuple[Perturbation, ...]:
        return ()

    @property
    def eval_preprocess(self) -> EvalPreprocessStep | None:
        return self

    def check(self) -> None:
        if self.policy not in EVAL_PREPROCESS_POLICIES:
            raise PerturbationSpecError(
                "perturbation field 'preprocess.policy' must be one of "
                f"{', '.join(EVAL_PREPROCESS_POLICIES)}, got {self.policy!r}"
            )
        if self.size < 1:
            raise PerturbationSpecError(f"perturbation field 'preprocess.size' must be >= 1, got {self.size}")

    def apply(self, image: Image.Image, rng: random.Random) -> Image.Image:
        # not an image operation: the evaluation dataset builds its transform from this step instead
        return image


@register_perturbation("chain")
@dataclass(frozen=True)
class ChainPerturbation(Perturbation):
    """Steps applied in order, e.g. downscale then JPEG (the "social media" pipeline).

    At least two steps, each an image perturbation or a preprocess step; a preprocess step only as the last.
    """

    steps: tuple[Perturbation, ...]

    @classmethod
    def parse_field(cls, name: str, value: Any, annotation: Any, where: str) -> Any:
        if not isinstance(value, list | tuple):
            raise PerturbationSpecError(
                f"perturbation field {where!r} must be a list of steps, got {value!r}"
            )
        steps = []
        for index, step in enumerate(value):
            try:
                steps.append(create_perturbation(step))
            except PerturbationSpecError as error:
                raise PerturbationSpecError(f"{where}[{index}]: {error}") from None
        return tuple(steps)

    def check(self) -> None:
        if len(self.steps) < 2:
            raise PerturbationSpecError(
                f"perturbation field 'chain.steps' needs at least 2 steps, got {len(self.steps)}"
            )
        for index, step in enumerate(self.steps):
            if isinstance(step, NoPerturbation | ChainPerturbation):
                raise PerturbationSpecError(
                    f"perturbation field 'chain.steps[{index}]': {step.name!r} cannot be a chain's step "
                    "(an image perturbation or a preprocess step can)"
                )
            if isinstance(step, EvalPreprocessStep) and index != len(self.steps) - 1:
                raise PerturbationSpecError(
                    f"perturbation field 'chain.steps[{index}]': a preprocess step may only be the "
                    "chain's last"
                )

    def spec(self) -> JsonObject:
        return {"name": self.name, "steps": [step.spec() for step in self.steps]}

    @property
    def id(self) -> str:
        return "+".join(step.id for step in self.steps)

    @property
    def image_steps(self) -> tuple[Perturbation, ...]:
        return tuple(operation for step in self.steps for operation in step.image_steps)

    @property
    def eval_preprocess(self) -> EvalPreprocessStep | None:
        return self.steps[-1].eval_preprocess

    def apply(self, image: Image.Image, rng: random.Random) -> Image.Image:
        for step in self.image_steps:
            image = step.apply(image, rng)
        return image
