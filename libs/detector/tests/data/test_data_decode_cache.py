"""DecodeCache: clean evaluation crops decoded once, stored losslessly, keyed by image and preprocessing."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from photo_fixtures import photo_like
from torch.utils.data import DataLoader

from mirage_detector.data.dataset import RecordDataset, collate_batch
from mirage_detector.data.decode_cache import DecodeCache, DecodeKey
from mirage_detector.data.perturbations import Perturbation, create_perturbation
from mirage_detector.data.records import ImageRecord
from mirage_detector.data.transforms import build_transform

GIB = 2**30


def write_records(folder: Path, count: int, fmt: str = "JPEG") -> list[ImageRecord]:
    """Photo-like files of varied sizes (ImageNet-like JPEGs, PNGs) with their content sha256."""
    folder.mkdir(parents=True, exist_ok=True)
    records = []
    for index in range(count):
        image = photo_like(300 + 17 * index, 240 + 11 * index, seed=index, quality=None)
        path = folder / f"{index:03d}.{'jpg' if fmt == 'JPEG' else 'png'}"
        image.save(path, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        records.append(ImageRecord(uri=str(path), label=index % 2, generator="g", split="test", sha256=sha))
    return records


def eval_dataset(
    records: list[ImageRecord],
    cache: DecodeCache | None,
    policy: str = "clip_resize",
    size: int = 224,
    **kw: Any,
) -> RecordDataset:
    transform = build_transform({"policy": policy, "size": size}, None, train=False, as_uint8=True)
    return RecordDataset(records, transform, seed=0, decode_cache=cache, **kw)


def items(dataset: RecordDataset) -> list[dict[str, Any]]:
    return [dataset[index] for index in range(len(dataset))]


def test_second_pass_reads_identical_tensors_without_the_files(tmp_path: Path) -> None:
    records = write_records(tmp_path / "images", 5)
    cache = DecodeCache(tmp_path / "cache", 20 * GIB)
    first = items(eval_dataset(records, cache))
    uncached = items(eval_dataset(records, None))
    for path in (tmp_path / "images").iterdir():
        path.unlink()  # a hit must not need the file
    second = items(eval_dataset(records, DecodeCache(tmp_path / "cache", 20 * GIB)))
    for a, b, c in zip(first, second, uncached, strict=True):
        assert "skipped" not in b
        assert b["pixel_values"].dtype == torch.uint8
        assert torch.equal(a["pixel_values"], b["pixel_values"]) and torch.equal(
            b["pixel_values"], c["pixel_values"]
        )
        assert (a["label"], a["index"]) == (b["label"], b["index"])


def test_tiles_and_deterministic_conditions_are_cached_under_their_ids(tmp_path: Path) -> None:
    records = write_records(tmp_path / "images", 3, fmt="PNG")
    cache = DecodeCache(tmp_path / "cache", 20 * GIB)
    chain = create_perturbation(
        {"name": "chain", "steps": [{"name": "downscale", "factor": 0.5}, {"name": "jpeg", "quality": 75}]}
    )
    tiled = items(eval_dataset(records, cache, policy="tile"))
    perturbed = items(eval_dataset(records, cache, perturbation=chain))
    for path in (tmp_path / "images").iterdir():
        path.unlink()
    again_tiled = items(eval_dataset(records, cache, policy="tile"))
    again_perturbed = items(eval_dataset(records, cache, perturbation=chain))
    clean = items(eval_dataset(records, cache))  # never stored: the files are gone
    for a, b in zip(tiled + perturbed, again_tiled + again_perturbed, strict=True):
        assert torch.equal(a["pixel_values"], b["pixel_values"])
    assert tiled[0]["pixel_values"].dim() == 4
    assert all("skipped" in item for item in clean)


@pytest.mark.parametrize(("policy", "size"), [("center_crop", 224), ("clip_resize", 196)])
def test_another_preprocess_misses(tmp_path: Path, policy: str, size: int) -> None:
    records = write_records(tmp_path / "images", 2)
    cache = DecodeCache(tmp_path / "cache", 20 * GIB)
    items(eval_dataset(records, cache, policy="clip_resize", size=224))
    for path in (tmp_path / "images").iterdir():
        path.unlink()
    assert all("skipped" in item for item in items(eval_dataset(records, cache, policy=policy, size=size)))
    assert all("skipped" not in item for item in items(eval_dataset(records, cache)))


def test_a_corrupt_entry_is_a_miss_and_is_rewritten(tmp_path: Path) -> None:
    records = write_records(tmp_path / "images", 1)
    cache = DecodeCache(tmp_path / "cache", 20 * GIB)
    dataset = eval_dataset(records, cache)
    reference = dataset[0]["pixel_values"]
    (entry,) = [p for p in (tmp_path / "cache").rglob("*.u8")]
    good = entry.read_bytes()
    for damaged in (good[: len(good) // 2], good[:-1] + bytes([good[-1] ^ 0xFF]), b"not an entry"):
        entry.write_bytes(damaged)
        key = dataset._cache_key(records[0])
        assert key is not None and cache.get(key) is None
        assert torch.equal(dataset[0]["pixel_values"], reference)  # decoded again from the file
        assert entry.read_bytes() == good  # and stored again


def test_the_cap_evicts_the_least_recently_used(tmp_path: Path) -> None:
    entry_bytes = 3 * 64 * 64
    cache = DecodeCache(tmp_path / "cache", max_bytes=int(4.5 * (entry_bytes + 20)))
    keys = [DecodeKey(f"{index:064x}", None, "clip_resize(size=64)", "none") for index in range(4)]
    arrays = [np.full((3, 64, 64), index, dtype=np.uint8) for index in range(4)]
    for index, (key, array) in enumerate(zip(keys, arrays, strict=True)):
        cache.put(key, array)
        os.utime(cache.path(key), (1000.0 + index, 1000.0 + index))  # a clear order of use
    assert cache.get(keys[0]) is not None  # read now: the most recently used
    cache.put(DecodeKey("f" * 64, None, "clip_resize(size=64)", "none"), arrays[0])
    assert cache.total_bytes() <= cache.max_bytes
    assert cache.get(keys[1]) is None  # the oldest unread entry went first
    assert cache.get(keys[0]) is not None and np.array_equal(cache.get(keys[0]), arrays[0])


def test_a_zero_cap_stores_nothing(tmp_path: Path) -> None:
    cache = DecodeCache(tmp_path / "cache", max_bytes=0)
    key = DecodeKey("a" * 64, 3, "tile(size=224,grid=4)", "none")
    cache.put(key, np.zeros((3, 8, 8), dtype=np.uint8))
    assert cache.get(key) is None and cache.total_bytes() == 0


def test_video_frames_of_one_video_are_distinct_entries(tmp_path: Path) -> None:
    cache = DecodeCache(tmp_path / "cache", 20 * GIB)
    first, second = (DecodeKey("b" * 64, frame, "clip_resize(size=8)", "none") for frame in (0, 1))
    cache.put(first, np.zeros((3, 8, 8), dtype=np.uint8))
    assert cache.get(second) is None and cache.get(first) is not None


class RandomNoise(Perturbation):
    """A perturbation that draws from its rng and does not declare draws_randomness = False (unregistered:
    the registry is shared with the tests that run over every registered perturbation)."""

    def apply(self, image: Any, rng: Any) -> Any:
        rng.random()
        return image


def test_random_augmentation_and_random_conditions_are_never_cached(tmp_path: Path) -> None:
    records = write_records(tmp_path / "images", 2)
    cache = DecodeCache(tmp_path / "cache", 20 * GIB)
    noise = RandomNoise()
    assert not noise.deterministic
    items(eval_dataset(records, cache, perturbation=noise))
    train_transform = build_transform(
        {"policy": "random_crop", "size": 224}, {"flip": {"p": 0.5}}, train=True, as_uint8=True
    )
    items(RecordDataset(records, train_transform, seed=0, decode_cache=cache))
    float_transform = build_transform({"policy": "clip_resize", "size": 224}, None, train=False)
    items(RecordDataset(records, float_transform, seed=0, decode_cache=cache))
    records_without_hash = [ImageRecord(r.uri, r.label, r.generator, r.split) for r in records]
    items(eval_dataset(records_without_hash, cache))
    assert cache.total_bytes() == 0


def test_loader_workers_share_the_cache(tmp_path: Path) -> None:
    records = write_records(tmp_path / "images", 8)
    cache = DecodeCache(tmp_path / "cache", 20 * GIB)

    def scored(workers: int) -> torch.Tensor:
        loader = DataLoader(
            eval_dataset(records, cache), batch_size=3, num_workers=workers, collate_fn=collate_batch
        )
        return torch.cat([batch["pixel_values"] for batch in loader])

    written = scored(2)  # two worker processes write entries at once
    assert len(list((tmp_path / "cache").rglob("*.u8"))) == 8
    assert not list((tmp_path / "cache").rglob(".tmp-*"))
    for path in (tmp_path / "images").iterdir():
        path.unlink()
    assert torch.equal(scored(2), written) and torch.equal(scored(0), written)
