"""Preprocessing policies and training augmentation: PIL image + seeded rng -> normalised CHW tensor.

Pure PIL/numpy/torch (torchvision is not a dependency). Training augmentation follows CNNDetection /
UniversalFakeDetect: on the full image, blur and JPEG each with its own independent probability (blur
first), then the crop policy, then the horizontal flip; evaluation never augments. Where the crop is a
window of the image (center_crop and random_crop without resampling) and no JPEG follows, the blur runs on
that window only (image_ops.gaussian_blur_box, float32): within one grey level of the float64 full-image
reference (benchmarks/decode_throughput.py measures the speed); items whose blur feeds JPEG or a resize
keep the reference, bit for bit.

Draws from the per-item rng, in this order and only when the step is enabled (p > 0): blur decision [, blur
sigma], JPEG decision [, JPEG quality], crop offsets x then y (random_crop only), flip decision. A step with
p = 0 draws nothing, so adding a disabled step keeps the stream, and the tensors, of existing runs.

Images smaller than the crop (``small_images``): ``pad`` keeps the pixels and zero-pads them (no resampling
trace, which a forensic detector could learn as a cue); ``resize_up`` scales the short side up to the crop
size (bicubic) before cropping. ``clip_resize`` always resizes, so the choice only touches the crop policies.

``tile`` (evaluation only, from a ``preprocess`` evaluation condition) keeps the native resolution and gives
a stack of tiles instead of one crop; see TilePipeline.
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from PIL import Image
from pydantic import BaseModel

from mirage_detector.data.image_ops import (
    center_crop,
    gaussian_blur,
    gaussian_blur_box,
    horizontal_flip,
    jpeg_reencode,
    resize_shorter_side,
    upscale_to_cover,
)
from mirage_detector.json_object import JsonObject

CLIP_MEAN: tuple[float, float, float] = (0.48145466, 0.4578275, 0.40821073)
"""CLIP's per-channel normalisation mean (RGB, on [0, 1] pixels)."""

CLIP_STD: tuple[float, float, float] = (0.26862954, 0.26130258, 0.27577711)
"""CLIP's per-channel normalisation standard deviation."""

POLICIES: tuple[str, ...] = ("clip_resize", "center_crop", "random_crop", "tile")
"""Preprocess policies; random_crop is for training only, tile for evaluation only."""

EVAL_POLICIES: tuple[str, ...] = ("clip_resize", "center_crop", "tile")
"""Policies of an evaluation `preprocess` step (perturbations.EVAL_PREPROCESS_POLICIES)."""

MAX_TILE_GRID = 4
"""A tiled image keeps at most this many rows and columns of tiles (so at most 16 tiles)."""

SMALL_IMAGE_POLICIES: tuple[str, ...] = ("pad", "resize_up")
"""What a crop policy does to an image smaller than the crop (RunConfig.preprocess.small_images)."""

ImageTransform = Callable[[Image.Image, random.Random], torch.Tensor]
"""(RGB image, per-item rng) -> float tensor [3, size, size] ([T, 3, size, size] for the tile policy)."""


@dataclass(frozen=True)
class Augmentation:
    """Apply an operation with probability `p`, its strength uniform in `bounds` (inclusive)."""

    p: float
    bounds: tuple[float, float]


@dataclass(frozen=True)
class ImagePipeline:
    """The transform build_transform returns: augment (train only), crop policy, flip, normalise.

    ``flip_p`` is the horizontal-flip probability (0 in evaluation). With ``as_uint8`` the output is the
    uint8 crop [3, size, size] and normalisation is left to the device (data.device_batch): a quarter of
    the bytes through shared memory and the host-to-device copy, and the same float values there.
    """

    policy: str
    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    blur: Augmentation | None = None
    jpeg: Augmentation | None = None
    small_images: str = "pad"
    flip_p: float = 0.0
    as_uint8: bool = False

    def __call__(self, image: Image.Image, rng: random.Random) -> torch.Tensor:
        image = image.convert("RGB")
        sigma: float | None = None
        quality: int | None = None
        if self.blur is not None and rng.random() < self.blur.p:
            sigma = rng.uniform(*self.blur.bounds)
        if self.jpeg is not None and rng.random() < self.jpeg.p:
            low, high = self.jpeg.bounds
            quality = rng.randint(int(low), int(high))
        if quality is not None or self.resamples(image.size):
            # JPEG's 8x8 block grid and the resampling filters read the whole image: blur all of it, with
            # the float64 reference, since JPEG's quantisation (and bicubic's overshoot) would turn a
            # one-level float32 difference into several levels
            if sigma is not None:
                image = gaussian_blur(image, sigma)
            if quality is not None:
                image = jpeg_reencode(image, quality)
            image = self.crop(image, rng)
        else:
            # the crop is a window of the image: blurring only the window (plus the kernel's radius) gives the
            # pixels of blurring the whole image in float32, within one grey level of the float64 reference
            box = self.crop_box(image.size, rng)
            image = gaussian_blur_box(image, sigma, box) if sigma is not None else image.crop(box)
        # drawn only when enabled, so p = 0 leaves the rng stream (and the tensors) of older runs unchanged
        if self.flip_p > 0 and rng.random() < self.flip_p:
            image = horizontal_flip(image)
        return to_uint8_tensor(image) if self.as_uint8 else self.normalise(image)

    @property
    def deterministic(self) -> bool:
        """True when the output depends on the image only (no augmentation, no random crop): cacheable."""
        return self.blur is None and self.jpeg is None and self.flip_p == 0 and self.policy != "random_crop"

    @property
    def cache_id(self) -> str:
        """What the output depends on besides the image: names a decoded crop in a DecodeCache."""
        return f"{self.policy}(size={self.size},small_images={self.small_images})"

    def resamples(self, image_size: tuple[int, int]) -> bool:
        """Whether the crop policy resamples an image of this size (else the crop is a window of it)."""
        if self.policy == "clip_resize":
            return True
        return self.small_images == "resize_up" and min(image_size) < self.size

    def crop_box(self, image_size: tuple[int, int], rng: random.Random) -> tuple[int, int, int, int]:
        """The crop of a non-resampling policy as a box of the image (beyond it: the zero padding).

        Same window, and the same draws (x then y for random_crop), as padding to `size` then cropping.
        """
        width, height = image_size
        padded_width, padded_height = max(width, self.size), max(height, self.size)
        # pad_to_size centres the image on the padded canvas
        shift_x, shift_y = (padded_width - width) // 2, (padded_height - height) // 2
        if self.policy == "center_crop":
            left = round((padded_width - self.size) / 2.0)
            top = round((padded_height - self.size) / 2.0)
        else:
            left = rng.randint(0, padded_width - self.size)
            top = rng.randint(0, padded_height - self.size)
        left, top = left - shift_x, top - shift_y
        return (left, top, left + self.size, top + self.size)

    def crop(self, image: Image.Image, rng: random.Random) -> Image.Image:
        """Apply the preprocess policy (and the small-image policy), giving a `size` x `size` image."""
        if self.policy == "clip_resize":
            return center_crop(resize_shorter_side(image, self.size), self.size)
        if self.small_images == "resize_up":
            image = upscale_to_cover(image, self.size)
        # PIL fills the part of a box beyond the image with zeros: that is the pad policy's padding
        return image.crop(self.crop_box(image.size, rng))

    def normalise(self, image: Image.Image) -> torch.Tensor:
        """uint8 HWC -> float CHW in [0, 1] -> (x - mean) / std."""
        return normalise(image, self.mean, self.std)


@dataclass(frozen=True)
class TilePipeline:
    """The ``tile`` evaluation policy: the image at native resolution as a stack of `size` x `size` tiles.

    The grid starts at the top-left corner and its tiles do not overlap; the right and bottom edge tiles are
    zero-padded where the image ends (as the ``pad`` small-image policy pads: no resampling, so no
    resampling trace, and an image smaller than a tile is one padded tile). A grid of more than
    MAX_TILE_GRID rows or columns keeps its central MAX_TILE_GRID x MAX_TILE_GRID block (an odd surplus
    drops one more row or column at the bottom or right than at the top or left), so at most 16 tiles; a
    long thin grid (1 x 9) keeps fewer (1 x 4). Tiles come row by row, normalised like the other policies:
    a tensor [T, 3, size, size].

    The image's score is the mean of its tiles' logit margins, p_fake the sigmoid of that mean
    (engine.scoring). That is our choice, not a published protocol: the margin is what the scores file keeps
    for ranking, and its mean is the geometric mean of the tiles' odds; the mean of p_fake or the max over
    tiles would be as defensible.
    """

    size: int
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    policy: str = "tile"
    as_uint8: bool = False

    def __call__(self, image: Image.Image, rng: random.Random) -> torch.Tensor:
        image = image.convert("RGB")
        (left, top), (columns, rows) = tile_block(image.size, self.size)
        size = self.size
        # PIL fills the part of a crop box beyond the image with zeros: that is the edge tiles' padding
        block = image.crop((left, top, left + columns * size, top + rows * size))
        pixels = to_uint8_tensor(block) if self.as_uint8 else normalise(block, self.mean, self.std)
        tiles = pixels.view(3, rows, size, columns, size).permute(1, 3, 0, 2, 4)
        return tiles.reshape(rows * columns, 3, size, size).contiguous()

    @property
    def deterministic(self) -> bool:
        """Tiling draws nothing: always cacheable."""
        return True

    @property
    def cache_id(self) -> str:
        """What the output depends on besides the image: names a decoded crop in a DecodeCache."""
        return f"tile(size={self.size},grid={MAX_TILE_GRID})"


def tile_block(image_size: tuple[int, int], size: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The kept block of an image's tile grid: its top-left pixel (x, y) and its (columns, rows) of tiles."""
    width, height = image_size
    grid_columns, grid_rows = math.ceil(width / size), math.ceil(height / size)
    columns, rows = min(grid_columns, MAX_TILE_GRID), min(grid_rows, MAX_TILE_GRID)
    first_column, first_row = (grid_columns - columns) // 2, (grid_rows - rows) // 2
    return (first_column * size, first_row * size), (columns, rows)


def to_uint8_tensor(image: Image.Image) -> torch.Tensor:
    """uint8 HWC RGB image -> uint8 CHW tensor (contiguous), the pixels as decoded."""
    return torch.from_numpy(np.array(image, dtype=np.uint8)).permute(2, 0, 1).contiguous()


def normalise(image: Image.Image, mean: Sequence[float], std: Sequence[float]) -> torch.Tensor:
    """uint8 HWC RGB image -> float CHW in [0, 1] -> (x - mean) / std."""
    pixels = torch.from_numpy(np.asarray(image, dtype=np.float32) / np.float32(255.0))
    pixels = pixels.permute(2, 0, 1)
    mean_t = torch.tensor(mean, dtype=torch.float32).view(3, 1, 1)
    std_t = torch.tensor(std, dtype=torch.float32).view(3, 1, 1)
    return ((pixels - mean_t) / std_t).contiguous()


def build_transform(
    preprocess: Mapping[str, Any] | Any,
    augment: Mapping[str, Any] | Any | None,
    train: bool,
    mean: Sequence[float] = CLIP_MEAN,
    std: Sequence[float] = CLIP_STD,
    small_images: str | None = None,
    *,
    as_uint8: bool = False,
) -> ImagePipeline | TilePipeline:
    """Build the transform for one side of RunConfig.preprocess, or for an evaluation `preprocess` step.

    `preprocess` is {"policy", "size"}, or the whole {"train": ..., "eval": ..., "small_images"} block, in
    which case `train` picks the side and the block's small_images applies. `small_images` ("pad" or
    "resize_up") overrides the block's; default "pad". `augment` is RunConfig.augment ({"jpeg": {"p",
    "quality": [lo, hi]}, "blur": {"p", "sigma": [lo, hi]}, "flip": {"p"}}, flip optional) and is ignored
    unless `train`. Dataclasses are accepted too. The ``tile`` policy (evaluation only) gives a TilePipeline.
    `as_uint8` makes the transform give uint8 crops, normalised later on the device (data.device_batch).
    """
    spec = _as_dict(preprocess, "preprocess")
    if "policy" not in spec and {"train", "eval"} <= set(spec):
        _reject_unknown(spec, {"train", "eval", "small_images"}, "preprocess")
        if small_images is None:
            small_images = spec.get("small_images", "pad")
        spec = _as_dict(spec["train" if train else "eval"], f"preprocess.{'train' if train else 'eval'}")
    _reject_unknown(spec, {"policy", "size"}, "preprocess")
    small_images = "pad" if small_images is None else small_images
    if small_images not in SMALL_IMAGE_POLICIES:
        raise ValueError(
            f"preprocess.small_images must be one of {', '.join(SMALL_IMAGE_POLICIES)}, got {small_images!r}"
        )
    policy = spec.get("policy")
    if policy not in POLICIES:
        raise ValueError(f"preprocess.policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    if policy == "random_crop" and not train:
        raise ValueError(
            "preprocess.policy 'random_crop' is for training; evaluation needs a deterministic policy"
        )
    if policy == "tile" and train:
        raise ValueError("preprocess.policy 'tile' is for evaluation; training takes one crop per image")
    size = spec.get("size")
    if not isinstance(size, int) or isinstance(size, bool) or size < 1:
        raise ValueError(f"preprocess.size must be a positive integer, got {size!r}")
    if policy == "tile":
        return TilePipeline(
            size=size, mean=_channel_triple(mean, "mean"), std=_channel_triple(std, "std"), as_uint8=as_uint8
        )
    blur = jpeg = None
    flip_p = 0.0
    if train and augment is not None:
        options = _as_dict(augment, "augment")
        _reject_unknown(options, {"jpeg", "blur", "flip"}, "augment")
        if options.get("flip") is not None:
            flip_p = _flip_probability(options["flip"])
        if options.get("blur") is not None:
            blur = _augmentation(options["blur"], "blur", "sigma", minimum=0.0, maximum=float("inf"))
        if options.get("jpeg") is not None:
            jpeg = _augmentation(options["jpeg"], "jpeg", "quality", minimum=1, maximum=100)
            if jpeg.bounds != (int(jpeg.bounds[0]), int(jpeg.bounds[1])):
                raise ValueError(f"augment.jpeg.quality must be integers, got {list(jpeg.bounds)}")
    return ImagePipeline(
        policy=policy,
        size=size,
        mean=_channel_triple(mean, "mean"),
        std=_channel_triple(std, "std"),
        blur=blur if blur is not None and blur.p > 0 else None,
        jpeg=jpeg if jpeg is not None and jpeg.p > 0 else None,
        small_images=small_images,
        flip_p=flip_p,
        as_uint8=as_uint8,
    )


def _flip_probability(raw: Any) -> float:
    spec = _as_dict(raw, "augment.flip")
    _reject_unknown(spec, {"p"}, "augment.flip")
    p = spec.get("p", 0.0)
    if not _is_number(p) or not 0 <= p <= 1:
        raise ValueError(f"augment.flip.p must be a number in [0, 1], got {p!r}")
    return float(p)


def _augmentation(raw: Any, name: str, key: str, minimum: float, maximum: float) -> Augmentation:
    spec = _as_dict(raw, f"augment.{name}")
    _reject_unknown(spec, {"p", key}, f"augment.{name}")
    p = spec.get("p", 0.0)
    if not _is_number(p) or not 0 <= p <= 1:
        raise ValueError(f"augment.{name}.p must be a number in [0, 1], got {p!r}")
    bounds = spec.get(key)
    if (
        not isinstance(bounds, list | tuple)
        or len(bounds) != 2
        or not all(_is_number(value) for value in bounds)
        or not minimum <= bounds[0] <= bounds[1] <= maximum
    ):
        raise ValueError(
            f"augment.{name}.{key} must be [low, high], {minimum} <= low <= high <= {maximum}, got {bounds!r}"
        )
    return Augmentation(p=float(p), bounds=(bounds[0], bounds[1]))


def _as_dict(value: Any, name: str) -> JsonObject:
    if isinstance(value, BaseModel):  # a RunConfig block (the contract's model)
        return value.model_dump(mode="json")
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, Mapping):
        return dict(value)
    raise ValueError(f"{name} must be a mapping, got {type(value).__name__}")


def _reject_unknown(spec: Mapping[str, Any], allowed: set[str], name: str) -> None:
    unknown = sorted(set(spec) - allowed)
    if unknown:
        raise ValueError(f"{name}: unknown field(s) {', '.join(map(repr, unknown))}")


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _channel_triple(values: Sequence[float], name: str) -> tuple[float, float, float]:
    if len(values) != 3 or not all(_is_number(value) for value in values):
        raise ValueError(f"{name} must be three numbers (R, G, B), got {values!r}")
    if name == "std" and any(value <= 0 for value in values):
        raise ValueError(f"std must be positive, got {values!r}")
    return (float(values[0]), float(values[1]), float(values[2]))
