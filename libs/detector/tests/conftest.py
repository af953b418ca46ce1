"""Fixtures for the detector core tests (tiny random CLIP on CPU)."""

from __future__ import annotations

import pytest
import torch
from tiny_setup import tiny_config_dict

from mirage_detector.backbone import ClipBackbone, build_clip_from_shape
from mirage_detector.config import RunConfig, parse_run_config


@pytest.fixture(scope="session")
def tiny_config() -> RunConfig:
    """The tiny mirage RunConfig."""
    return parse_run_config(tiny_config_dict())


@pytest.fixture(scope="session")
def tiny_backbone(tiny_config: RunConfig) -> ClipBackbone:
    """A frozen tiny random CLIP shared by tests that do not train it (it is frozen anyway)."""
    assert tiny_config.backbone.config is not None
    return build_clip_from_shape(tiny_config.backbone.config)


# tiny models gain nothing from intra-op threads; one thread avoids contention on small shared machines
torch.set_num_threads(1)
