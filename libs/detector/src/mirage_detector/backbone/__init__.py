"""Frozen CLIP backbone: adapter, loaders and the built-in tokenizer for config-built models."""

from mirage_detector.backbone.clip import CLIP_IMAGE_MEAN, CLIP_IMAGE_STD, ClipBackbone
from mirage_detector.backbone.load import build_clip_from_shape, load_backbone, load_pretrained_clip

__all__ = [
    "CLIP_IMAGE_MEAN",
    "CLIP_IMAGE_STD",
    "ClipBackbone",
    "build_clip_from_shape",
    "load_backbone",
    "load_pretrained_clip",
]
