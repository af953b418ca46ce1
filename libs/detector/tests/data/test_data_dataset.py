from __future__ import annotations

import random
from pathlib import Path

import torch
from data_fixtures import encode, noise_image
from torch.utils.data import DataLoader

from mirage_detector.data.dataset import RecordDataset, collate_batch, item_seed
from mirage_detector.data.loading import decode_image
from mirage_detector.data.perturbations import create_perturbation
from mirage_detector.data.records import ImageRecord
from mirage_detector.data.transforms import build_transform

AUGMENT = {"jpeg": {"p": 0.5, "quality": [30, 95]}, "blur": {"p": 0.5, "sigma": [0.1, 2.0]}}


def make_records(root: Path, n: int = 10) -> list[ImageRecord]:
    records = []
    for i in range(n):
        path = root / f"{i}.png"
        path.write_bytes(encode(noise_image(20, 18, seed=i), "PNG"))
        records.append(ImageRecord(str(path), i % 2, "g", "train"))
    (root / "bad.png").write_bytes(b"not a png")
    records.insert(3, ImageRecord(str(root / "bad.png"), 1, "g", "train"))
    return records


def train_dataset(records: list[ImageRecord]) -> RecordDataset:
    transform = build_transform({"policy": "random_crop", "size": 16}, AUGMENT, train=True)
    return RecordDataset(records, transform, seed=5)


def run_loader(dataset: RecordDataset, workers: int, order: list[int]) -> dict[int, torch.Tensor]:
    loader = DataLoader(
        torch.utils.data.Subset(dataset, order), batch_size=4, num_workers=workers, collate_fn=collate_batch
    )
    tensors: dict[int, torch.Tensor] = {}
    for batch in loader:
        for original, pixels in zip(batch["indices"].tolist(), batch["pixel_values"], strict=True):
            tensors[original] = pixels
    return tensors


def test_augmentation_is_independent_of_workers_and_order(tmp_path: Path) -> None:
    dataset = train_dataset(make_records(tmp_path))
    serial = run_loader(dataset, 0, list(range(len(dataset))))
    parallel = run_loader(dataset, 2, list(reversed(range(len(dataset)))))
    assert sorted(serial) == sorted(parallel) == [i for i in range(11) if i != 3]
    assert all(torch.equal(serial[i], parallel[i]) for i in serial)
    dataset.set_epoch(1)
    next_epoch = run_loader(dataset, 0, list(range(len(dataset))))
    assert sum(not torch.equal(serial[i], next_epoch[i]) for i in serial) >= 5


def test_bad_image_is_skipped_and_reported(tmp_path: Path) -> None:
    records = make_records(tmp_path)
    dataset = train_dataset(records)
    item = dataset[3]
    assert item["index"] == 3 and item["uri"] == records[3].uri and "not an image" in item["skipped"]
    batch = collate_batch([dataset[2], dataset[3], dataset[4]])
    assert batch["pixel_values"].shape == (2, 3, 16, 16)
    assert batch["labels"].tolist() == [records[2].label, records[4].label]
    assert batch["indices"].tolist() == [2, 4]
    assert batch["skipped"] == [(records[3].uri, item["skipped"])]
    empty = collate_batch([dataset[3]])
    assert (
        empty["pixel_values"] is None and empty["labels"].dtype == torch.long and empty["labels"].numel() == 0
    )


def test_perturbation_is_applied_before_transform(tmp_path: Path) -> None:
    records = make_records(tmp_path, 2)
    transform = build_transform({"policy": "center_crop", "size": 16}, None, train=False)
    perturbation = create_perturbation({"name": "jpeg", "quality": 20})
    dataset = RecordDataset(records, transform, seed=0, perturbation=perturbation)
    image = decode_image(Path(records[0].uri).read_bytes(), records[0].uri)
    expected = transform(perturbation(image), random.Random(0))
    assert torch.equal(dataset[0]["pixel_values"], expected)
    assert dataset[0]["label"] == 0


def test_opener_is_used_for_remote_uris(tmp_path: Path) -> None:
    data = encode(noise_image(20, 18), "PNG")
    transform = build_transform({"policy": "clip_resize", "size": 8}, None, train=False)
    dataset = RecordDataset(
        [ImageRecord("s3://b/k.png", 1, "g", "test")], transform, 0, opener=lambda uri: data
    )
    assert dataset[0]["pixel_values"].shape == (3, 8, 8)


def test_item_seed_is_stable() -> None:
    assert item_seed(0, 0, 0) == item_seed(0, 0, 0) != item_seed(0, 0, 1)
    assert item_seed(0, 1, 0) != item_seed(0, 0, 0) != item_seed(1, 0, 0)
    # Pinned: a change here silently changes every augmentation draw of every past run.
    assert item_seed(0, 0, 0) == 0x70C81B25EBAD884F
    assert item_seed(7, 3, 11, "perturbation") == 0x565D153541B8DF94


def test_tiled_items_are_concatenated_with_their_item_positions(tmp_path: Path) -> None:
    records = make_records(tmp_path, 4)  # 20 x 18 images, record 3 unreadable
    transform = build_transform({"policy": "tile", "size": 8}, None, train=False)  # 3 x 3 tiles each
    dataset = RecordDataset(records, transform, seed=0)
    items = [dataset[index] for index in range(5)]
    batch = collate_batch(items)
    assert batch["pixel_values"].shape == (4 * 9, 3, 8, 8)
    assert batch["indices"].tolist() == [0, 1, 2, 4]
    assert batch["tile_items"].tolist() == [i for i in range(4) for _ in range(9)]
    assert torch.equal(batch["pixel_values"][9:18], items[1]["pixel_values"])
    assert batch["skipped"] == [(records[3].uri, items[3]["skipped"])]
    untiled = collate_batch([{"pixel_values": torch.zeros(3, 8, 8), "label": 0, "index": 0}])
    assert untiled["tile_items"] is None and untiled["pixel_values"].shape == (1, 3, 8, 8)
    assert collate_batch([items[3]])["tile_items"] is None
