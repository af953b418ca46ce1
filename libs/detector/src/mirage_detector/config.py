"""RunConfig: one resolved point of a sweep, mirrored field for field from the shared JSON contract.

``RunConfig.from_dict`` is strict: a missing key, an unknown key or a value of the wrong type raises
``ConfigError`` whose message starts with the dotted path of the field (``loss.w_intra: expected number, got
'x'``). The only keys that may be absent are those zod gives a ``.default`` (``preprocess.small_images``,
``augment.flip``): they take the same default here, so payloads and checkpoints written before those fields
existed still parse. ``to_dict`` gives back the same JSON shape, defaults filled in, so a config survives a
round trip through a checkpoint.

The checks mirror zod's RunConfig (libs/contracts/src/run-config.ts), the source: every shared fixture under
libs/contracts/fixtures reaches the same verdict here (tests/test_config.py). Some checks go beyond zod,
each marked "beyond zod" below; no fixture can cover those, as zod accepts what they refuse.
"""

from __future__ import annotations

import dataclasses
import math
import re
import types
from dataclasses import dataclass, field
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

from mirage_detector.errors import ConfigError

# zod's RunConfig.method enum (METHODS in run-config.ts); tests/test_config.py holds it equal to the generated
# JSON Schema's enum and to the registered methods
CONTRACT_METHODS: tuple[str, ...] = ("mirage", "maple", "coop", "univfd")

# zod's .int() takes safe integers only (Number.isSafeInteger); the generated JSON Schema has the same bound
_MAX_SAFE_INTEGER = 2**53 - 1


@dataclass(frozen=True)
class VisionTowerConfig:
    """Shape of a config-built CLIP vision tower (tiny random models for tests and demos)."""

    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    image_size: int
    patch_size: int


@dataclass(frozen=True)
class TextTowerConfig:
    """Shape of a config-built CLIP text tower."""

    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int


@dataclass(frozen=True)
class ClipShapeConfig:
    """Architecture of a CLIP built from config rather than loaded from a checkpoint."""

    vision: VisionTowerConfig
    text: TextTowerConfig
    projection_dim: int


@dataclass(frozen=True)
class BackboneConfig:
    """Where the frozen CLIP comes from: a hub id (read from the local cache only), a folder, or a shape."""

    source: Literal["hub", "local", "config"]
    name_or_path: str | None
    config: ClipShapeConfig | None
    # sha256 of a local folder's weight/config/tokenizer files (filled by the CLI; the GPU worker checks it)
    weights_sha256: str | None = None


@dataclass(frozen=True)
class ClassWords:
    """Words naming the two classes inside the text prompts."""

    real: str
    fake: str


@dataclass(frozen=True)
class PromptConfig:
    """Prompt learning: context length, optional initial words, depth (layers carrying prompts)."""

    n_ctx: int
    ctx_init: str | None
    depth: int
    class_words: ClassWords


@dataclass(frozen=True)
class LossConfig:
    """Loss selection and weights; ``variant`` picks how the anchor terms are computed."""

    name: Literal["mirage", "ce"]
    w_intra: float
    w_inter: float
    margin: float
    variant: Literal["hinge", "supcon"]
    temperature: float


@dataclass(frozen=True)
class OptimizerConfig:
    """Optimizer over the trainable tensors only."""

    name: Literal["adamw", "sgd"]
    lr: float
    weight_decay: float
    momentum: float
    betas: tuple[float, float]


@dataclass(frozen=True)
class ScheduleConfig:
    """Training length, warmup, batch sizes, clipping and checkpoint cadence (all in optimizer steps)."""

    steps: int
    warmup_steps: int
    batch_size: int
    grad_clip: float
    checkpoint_every: int
    eval_batch_size: int


@dataclass(frozen=True)
class TrainPreprocess:
    """How a training image becomes a square tensor."""

    policy: Literal["random_crop", "clip_resize", "center_crop"]
    size: int


@dataclass(frozen=True)
class EvalPreprocess:
    """How an evaluation image becomes a square tensor (deterministic policies only)."""

    policy: Literal["clip_resize", "center_crop"]
    size: int


@dataclass(frozen=True)
class PreprocessConfig:
    """Preprocessing for training and evaluation.

    ``small_images``: what a crop policy does to an image smaller than the crop, in training and evaluation
    alike: ``pad`` keeps its pixels and zero-pads them (no resampling trace), ``resize_up`` scales the short
    side up to the crop size (bicubic) first. ``clip_resize`` always resizes and ignores it.
    """

    train: TrainPreprocess
    eval: EvalPreprocess
    small_images: Literal["pad", "resize_up"] = "pad"


@dataclass(frozen=True)
class JpegAugment:
    """Random JPEG re-compression with a quality drawn from ``quality`` (inclusive)."""

    p: float
    quality: tuple[int, int]


@dataclass(frozen=True)
class BlurAugment:
    """Random Gaussian blur with a sigma drawn from ``sigma``."""

    p: float
    sigma: tuple[float, float]


@dataclass(frozen=True)
class FlipAugment:
    """Random horizontal flip with probability ``p`` (after the crop, as CNNDetection)."""

    p: float


@dataclass(frozen=True)
class AugmentConfig:
    """Training-time augmentations, each with its own independent probability."""

    jpeg: JpegAugment
    blur: BlurAugment
    flip: FlipAugment = field(default_factory=lambda: FlipAugment(p=0.0))


@dataclass(frozen=True)
class RunConfig:
    """One resolved run: everything needed to train a detector reproducibly."""

    experiment: str
    method: str
    backbone: BackboneConfig
    prompt: PromptConfig
    loss: LossConfig
    optimizer: OptimizerConfig
    schedule: ScheduleConfig
    preprocess: PreprocessConfig
    augment: AugmentConfig
    seed: int
    device: Literal["auto", "cpu", "cuda"]
    precision: Literal["auto", "fp32", "bf16"]
    num_workers: int
    # zod's optional ``compile: true``: absent (False) is eager; ``to_dict`` leaves it out when False, so a
    # config without it hashes and round-trips as before the field existed
    compile: bool = False

    @classmethod
    def from_dict(cls, data: Any) -> RunConfig:
        """Parse the JSON shape strictly; raise ConfigError naming the offending dotted field."""
        config = _parse_dataclass(cls, data, "")
        # zod's z.literal(true).optional(): off is written by leaving the key out (one config, one JSON shape)
        _require(data.get("compile") is not False, "compile: expected true or absent (off), got false")
        _check_semantics(config)
        return config

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape (tuples become lists) that ``from_dict`` accepts; ``compile`` only when on."""
        shape = _to_json(self)
        if not self.compile:
            del shape["compile"]
        return shape

    def replace(self, **changes: Any) -> RunConfig:
        """A copy with top-level fields replaced (nested dataclasses via ``dataclasses.replace``)."""
        return dataclasses.replace(self, **changes)


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    return repr(value) if isinstance(value, str) else f"{type(value).__name__} {value!r}"


def _join(path: str, name: str | int) -> str:
    if isinstance(name, int):
        return f"{path}[{name}]"
    return f"{path}.{name}" if path else name


def _parse_value(hint: Any, value: Any, path: str) -> Any:
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        options = get_args(hint)
        if value is None:
            if type(None) in options:
                return None
            raise ConfigError(f"{path}: expected a value, got null")
        (inner,) = [o for o in options if o is not type(None)]
        return _parse_value(inner, value, path)
    if origin is Literal:
        allowed = get_args(hint)
        if not isinstance(value, str) or value not in allowed:
            raise ConfigError(f"{path}: expected one of {list(allowed)}, got {_describe(value)}")
        return value
    if origin is tuple:
        items = get_args(hint)
        if not isinstance(value, list | tuple) or len(value) != len(items):
            raise ConfigError(f"{path}: expected a list of {len(items)} items, got {_describe(value)}")
        return tuple(
            _parse_value(h, v, _join(path, i)) for i, (h, v) in enumerate(zip(items, value, strict=True))
        )
    if dataclasses.is_dataclass(hint):
        return _parse_dataclass(hint, value, path)
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: expected boolean, got {_describe(value)}")
        return value
    if hint is int:
        # JSON has one number type: 3.0 is accepted as an integer, 3.5, true and infinity are not
        if isinstance(value, bool) or not isinstance(value, int | float) or not _is_integral(value):
            raise ConfigError(f"{path}: expected integer, got {_describe(value)}")
        if abs(value) > _MAX_SAFE_INTEGER:
            raise ConfigError(f"{path}: must be a safe integer (|n| <= 2**53 - 1), got {_describe(value)}")
        return int(value)
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{path}: expected number, got {_describe(value)}")
        try:
            number = float(value)
        except OverflowError:  # an int past float range: JSON.parse makes it Infinity
            number = math.inf
        if not math.isfinite(number):  # zod's z.number() refuses Infinity and NaN
            raise ConfigError(f"{path}: expected a finite number, got {_describe(value)}")
        return number
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: expected string, got {_describe(value)}")
        return value
    raise TypeError(f"config.py cannot parse type {hint!r} at {path}")


def _is_integral(value: int | float) -> bool:
    return isinstance(value, int) or (math.isfinite(value) and value.is_integer())


def _parse_dataclass(cls: Any, data: Any, path: str) -> Any:
    if not isinstance(data, dict):
        raise ConfigError(f"{path or '<root>'}: expected an object, got {_describe(data)}")
    hints = get_type_hints(cls)
    fields = [f.name for f in dataclasses.fields(cls)]
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ConfigError(f"{_join(path, unknown[0])}: unknown field (known: {', '.join(fields)})")
    # a field with a dataclass default mirrors a zod .default(): it may be absent and then takes the default
    optional = {
        f.name
        for f in dataclasses.fields(cls)
        if f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
    }
    missing = [name for name in fields if name not in data and name not in optional]
    if missing:
        raise ConfigError(f"{_join(path, missing[0])}: missing field")
    return cls(
        **{name: _parse_value(hints[name], data[name], _join(path, name)) for name in fields if name in data}
    )


def _to_json(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_to_json(v) for v in value]
    return value


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def _check_semantics(c: RunConfig) -> None:
    """Range and cross-field checks the JSON types alone cannot express."""
    _require(c.experiment != "", "experiment: must not be empty")
    # the registry's wording (methods.create_method), so the error reads the same wherever it is caught
    _require(
        c.method in CONTRACT_METHODS,
        f"method: unknown method '{c.method}' (known: {', '.join(sorted(CONTRACT_METHODS))})",
    )
    b = c.backbone
    # beyond zod: which of config / name_or_path is required follows the source
    if b.source == "config":
        _require(b.config is not None, "backbone.config: required when backbone.source is 'config'")
    else:
        _require(
            bool(b.name_or_path), f"backbone.name_or_path: required when backbone.source is '{b.source}'"
        )
    _require(b.name_or_path != "", "backbone.name_or_path: must not be empty (null when unused)")
    _require(
        b.weights_sha256 is None or re.fullmatch(r"[0-9a-f]{64}", b.weights_sha256) is not None,
        f"backbone.weights_sha256: expected 64 lowercase hex digits, got {_describe(b.weights_sha256)}",
    )
    if b.config is not None:
        for tower in ("vision", "text"):
            for field in dataclasses.fields(getattr(b.config, tower)):
                value = getattr(getattr(b.config, tower), field.name)
                _require(value > 0, f"backbone.config.{tower}.{field.name}: must be > 0, got {value}")
        _require(b.config.projection_dim > 0, "backbone.config.projection_dim: must be > 0")
        v = b.config.vision
        # beyond zod: the vision tower needs a whole number of patches
        _require(
            v.image_size % v.patch_size == 0,
            f"backbone.config.vision.image_size: {v.image_size} is not a multiple of "
            f"patch_size {v.patch_size}",
        )
    p = c.prompt
    _require(p.n_ctx >= 1, f"prompt.n_ctx: must be >= 1, got {p.n_ctx}")
    _require(p.depth >= 1, f"prompt.depth: must be >= 1, got {p.depth}")
    _require(p.ctx_init != "", "prompt.ctx_init: must not be empty (null for a random initial context)")
    # beyond zod: zod refuses only "", these also refuse blank words and two classes named alike
    _require(p.class_words.real.strip() != "", "prompt.class_words.real: must not be empty")
    _require(p.class_words.fake.strip() != "", "prompt.class_words.fake: must not be empty")
    _require(p.class_words.real != p.class_words.fake, "prompt.class_words.fake: must differ from real")
    lo = c.loss
    _require(lo.w_intra >= 0, f"loss.w_intra: must be >= 0, got {lo.w_intra}")
    _require(lo.w_inter >= 0, f"loss.w_inter: must be >= 0, got {lo.w_inter}")
    _require(lo.temperature > 0, f"loss.temperature: must be > 0, got {lo.temperature}")
    _require(-1.0 <= lo.margin <= 1.0, f"loss.margin: must lie in [-1, 1] (a cosine), got {lo.margin}")
    o = c.optimizer
    _require(o.lr > 0, f"optimizer.lr: must be > 0, got {o.lr}")
    _require(o.weight_decay >= 0, f"optimizer.weight_decay: must be >= 0, got {o.weight_decay}")
    _require(0 <= o.momentum <= 1, f"optimizer.momentum: must lie in [0, 1], got {o.momentum}")
    # beyond zod (which allows 1): Adam's bias correction divides by 1 - beta**t, zero at beta 1
    for i, beta in enumerate(o.betas):
        _require(0 <= beta < 1, f"optimizer.betas[{i}]: must lie in [0, 1), got {beta}")
    s = c.schedule
    for name in ("steps", "batch_size", "checkpoint_every", "eval_batch_size"):
        _require(getattr(s, name) >= 1, f"schedule.{name}: must be >= 1, got {getattr(s, name)}")
    _require(s.warmup_steps >= 0, f"schedule.warmup_steps: must be >= 0, got {s.warmup_steps}")
    _require(s.grad_clip >= 0, f"schedule.grad_clip: must be >= 0 (0 disables), got {s.grad_clip}")
    _require(c.preprocess.train.size >= 1, "preprocess.train.size: must be >= 1")
    _require(c.preprocess.eval.size >= 1, "preprocess.eval.size: must be >= 1")
    for name in ("jpeg", "blur", "flip"):
        aug = getattr(c.augment, name)
        _require(0 <= aug.p <= 1, f"augment.{name}.p: must lie in [0, 1], got {aug.p}")
    # beyond zod: low <= high (zod bounds each end alone), and the quality is an integer (the int type above)
    q = c.augment.jpeg.quality
    _require(1 <= q[0] <= q[1] <= 100, f"augment.jpeg.quality: need 1 <= low <= high <= 100, got {list(q)}")
    sg = c.augment.blur.sigma
    _require(0 <= sg[0] <= sg[1] <= 50, f"augment.blur.sigma: need 0 <= low <= high <= 50, got {list(sg)}")
    _require(c.seed >= 0, f"seed: must be >= 0, got {c.seed}")
    _require(c.num_workers >= 0, f"num_workers: must be >= 0, got {c.num_workers}")
