"""Turn records into the data helper's RecordDataset with the run's transforms, or accept a ready dataset."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from torch.utils.data import Dataset

from mirage_detector.backbone import ClipBackbone
from mirage_detector.config import RunConfig
from mirage_detector.data.dataset import RecordDataset
from mirage_detector.data.decode_cache import DecodeCache
from mirage_detector.data.items import Item
from mirage_detector.data.perturbations import EvalPreprocessStep, Perturbation, create_perturbation
from mirage_detector.data.records import ImageRecord
from mirage_detector.data.transforms import ImageTransform, build_transform
from mirage_detector.errors import ConfigError

DataSource = Dataset[Item] | Sequence[ImageRecord]
"""A dataset yielding RecordDataset items, or records to wrap in one."""


def check_input_size(config: RunConfig, backbone: ClipBackbone, side: str) -> None:
    """The preprocess size must be the backbone's input resolution (CLIP's position table is fixed)."""
    size = getattr(config.preprocess, side).size
    if size != backbone.image_size:
        raise ConfigError(f"preprocess.{side}.size: {size}, but the backbone expects {backbone.image_size}")


def training_dataset(data: DataSource, config: RunConfig, backbone: ClipBackbone) -> Dataset[Item]:
    """Records become a RecordDataset with training preprocessing and augmentation, seeded by ``seed``."""
    if not _is_records(data):
        return data  # type: ignore[return-value]
    check_input_size(config, backbone, "train")
    # the whole preprocess block: its train side plus small_images
    transform = build_transform(
        config.preprocess, config.augment, True, backbone.image_mean, backbone.image_std, as_uint8=True
    )
    return RecordDataset(list(data), transform, config.seed)  # type: ignore[arg-type]


def evaluation_dataset(
    data: DataSource,
    config: RunConfig,
    backbone: ClipBackbone,
    perturbation: Mapping[str, Any] | Perturbation | None = None,
    *,
    decode_cache: DecodeCache | None = None,
) -> Dataset[Item]:
    """Records become a RecordDataset with evaluation preprocessing and the given condition.

    The condition's image steps apply before the transform; its preprocess step, if it has one, is the
    transform in place of ``config.preprocess.eval``. With ``decode_cache`` the crops of records with a
    sha256 are read from it, or stored in it on the first pass (deterministic conditions only; see
    data.decode_cache); a built dataset is returned as it is, so the cache cannot apply to it.
    """
    if not _is_records(data):
        if perturbation is not None:
            raise ValueError(
                "a perturbation can only be applied when evaluating records, not a built dataset"
            )
        return data  # type: ignore[return-value]
    if perturbation is not None and not isinstance(perturbation, Perturbation):
        perturbation = create_perturbation(perturbation)
    step = perturbation.eval_preprocess if perturbation is not None else None
    transform = evaluation_transform(config, backbone, step)
    return RecordDataset(
        list(data),  # type: ignore[arg-type]
        transform,
        config.seed,
        perturbation=perturbation,
        decode_cache=decode_cache,
    )


def evaluation_transform(
    config: RunConfig, backbone: ClipBackbone, step: EvalPreprocessStep | None = None
) -> ImageTransform:
    """The transform of ``config.preprocess.eval``, or of a preprocess step in its place (uint8 crops,
    normalised on the device: data.device_batch).

    A step's clip_resize and center_crop are the config policies, with the run's ``small_images``, so the
    same policy gives the same pixels either way. Its size must be the backbone's input resolution: for
    ``tile`` it is the tile size, and each tile is one backbone input.
    """
    mean, std = backbone.image_mean, backbone.image_std
    if step is None:
        check_input_size(config, backbone, "eval")
        return build_transform(config.preprocess, None, False, mean, std, as_uint8=True)
    if step.size != backbone.image_size:
        raise ConfigError(
            f"perturbation.size: {step.size} ({step.id}), but the backbone expects {backbone.image_size}"
        )
    spec = {"policy": step.policy, "size": step.size}
    return build_transform(
        spec, None, False, mean, std, small_images=config.preprocess.small_images, as_uint8=True
    )


def _is_records(data: object) -> bool:
    return isinstance(data, Sequence) and all(isinstance(item, ImageRecord) for item in data)
