"""What a dataset hands the loader, and what the loader hands training and scoring.

A dataset item is either a loaded image (its pixels, label and position in the dataset) or a skipped one (an
unreadable file: its uri and why); ``collate_batch`` stacks the loaded ones and lists the skipped ones.
"""

from __future__ import annotations

from typing import TypedDict

import torch


class LoadedItem(TypedDict):
    """An image ready for the model: [3, s, s] (or [T, 3, s, s] tiles), uint8 or float."""

    pixel_values: torch.Tensor
    label: int
    index: int


class SkippedItem(TypedDict):
    """An image that could not be read; training and scoring go on without it and record why."""

    skipped: str
    index: int
    uri: str


Item = LoadedItem | SkippedItem


class Batch(TypedDict):
    """Loaded items stacked (pixel_values None when all were skipped), labels and indices aligned with them;
    ``tile_items`` maps each tile to its item's position when items are tiled, else None."""

    pixel_values: torch.Tensor | None
    labels: torch.Tensor
    indices: torch.Tensor
    tile_items: torch.Tensor | None
    skipped: list[tuple[str, str]]
