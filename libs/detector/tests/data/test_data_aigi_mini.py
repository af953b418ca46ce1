"""The data pipeline over the real shared aigi-mini set (read in place, never copied into the repo)."""

from __future__ import annotations

import collections
import dataclasses
import random
import time
from pathlib import Path

import pytest
import torch

from mirage_detector.data.dataset import RecordDataset, collate_batch
from mirage_detector.data.dedupe import dedupe_records, find_split_leaks, split_records
from mirage_detector.data.layouts import ScanResult, create_layout
from mirage_detector.data.loading import load_image
from mirage_detector.data.records import ImageRecord, ManifestError, read_manifest, write_manifest
from mirage_detector.data.transforms import build_transform
from mirage_detector.data.uris import resolve_uri

CIFAKE = "2spi_ai-v-real_CIFAKE"
EDIT_DETECT = "FrankCCCCC_edit_detect"


@pytest.fixture(scope="module")
def cifake(aigi_mini_root: Path) -> ScanResult:
    started = time.perf_counter()
    layout = create_layout(
        "folder", generator="sdv14", real_generator="real-cifar10", real_dir="REAL", fake_dir="FAKE"
    )
    result = layout.scan(aigi_mini_root / CIFAKE)
    print(f"scanned {len(result.records)} CIFAKE files in {time.perf_counter() - started:.2f}s")
    return result


def test_scan_reads_headers_of_all_cifake_files(cifake: ScanResult) -> None:
    assert cifake.skipped == []
    assert collections.Counter(r.label for r in cifake.records) == {0: 10_000, 1: 10_000}
    assert {(r.width, r.height, r.format, r.jpeg_quality) for r in cifake.records} == {(32, 32, "JPEG", 75)}
    assert {r.generator for r in cifake.records if r.label == 0} == {"real-cifar10"}


def test_known_duplicates_found_and_kept_on_one_side_of_the_split(cifake: ScanResult) -> None:
    started = time.perf_counter()
    deduped = dedupe_records(cifake.records)
    # INVENTORY.md: 45 byte-identical pairs inside CIFAKE FAKE in this subset, none among the reals.
    assert len(deduped.duplicates) == 45
    assert all(len(group.dropped) == 1 and group.kept.label == 1 for group in deduped.duplicates)
    assert all(
        r.uri.startswith("FAKE/") for group in deduped.duplicates for r in (group.kept, *group.dropped)
    )
    assert len(deduped.records) == 20_000 - 45
    fractions = {"train": 0.8, "val": 0.1, "test": 0.1}
    split = split_records(cifake.records, fractions, seed=0)
    assert find_split_leaks(split) == {}
    assert find_split_leaks(split_records(deduped.records, fractions, seed=0)) == {}
    print(f"dedupe + split of 20k records in {time.perf_counter() - started:.2f}s")
    # The check has teeth: a split that ignores content puts some duplicate pairs on both sides.
    rng = random.Random(0)
    naive = [dataclasses.replace(r, split=rng.choice(["train", "train", "test"])) for r in cifake.records]
    assert find_split_leaks(naive)


def test_manifest_round_trip_and_manifest_layout(
    cifake: ScanResult, aigi_mini_root: Path, tmp_path: Path
) -> None:
    path = tmp_path / "cifake.jsonl"
    write_manifest(cifake.records, path)
    assert read_manifest(path) == cifake.records
    # A hand-written manifest: uris relative to its folder, header fields and hashes left out.
    (tmp_path / "data").symlink_to(aigi_mini_root)
    sample = cifake.records[::500]
    bare = [ImageRecord(f"data/{CIFAKE}/{r.uri}", r.label, r.generator, "test") for r in sample]
    write_manifest(bare, tmp_path / "bare.csv")
    rescanned = create_layout("manifest").scan(tmp_path / "bare.csv")
    assert rescanned.skipped == [] and rescanned.root == tmp_path
    assert [r.uri for r in rescanned.records] == [b.uri for b in bare]
    assert [r.sha256 for r in rescanned.records] == [r.sha256 for r in sample]
    assert {(r.width, r.jpeg_quality) for r in rescanned.records} == {(32, 75)}


def test_load_images_and_batch(cifake: ScanResult) -> None:
    sample = cifake.records[::250]
    for record in sample[:20]:
        image = load_image(resolve_uri(record.uri, cifake.root))
        assert image.mode == "RGB" and image.size == (32, 32)
    transform = build_transform({"policy": "clip_resize", "size": 64}, None, train=False)
    resolved = [dataclasses.replace(r, uri=resolve_uri(r.uri, cifake.root)) for r in sample]
    dataset = RecordDataset(resolved, transform, seed=0)
    batch = collate_batch([dataset[i] for i in range(len(dataset))])
    assert batch["pixel_values"].shape == (len(sample), 3, 64, 64)
    assert torch.isfinite(batch["pixel_values"]).all() and batch["skipped"] == []
    assert batch["labels"].tolist() == [r.label for r in sample]


def test_edit_detect_overlaps_cifake_reals(aigi_mini_root: Path, cifake: ScanResult) -> None:
    root = aigi_mini_root / EDIT_DETECT
    cifar = create_layout(
        "folder",
        generator="ddpm-cifar10",
        real_generator="real-cifar10",
        real_dir="cifar10_real",
        fake_dir="cifar10_ddpm_fake",
    ).scan(root)
    faces = create_layout(
        "folder",
        generator="ddpm-celebahq",
        real_generator="real-celebahq",
        real_dir="celebahq256_real",
        fake_dir="celebahq256_ddpm_fake",
    ).scan(root)
    assert (len(cifar.records), len(faces.records), cifar.skipped, faces.skipped) == (258, 600, [], [])
    assert {(r.width, r.jpeg_quality) for r in faces.records} == {(256, 75)}
    # Two roots: resolve the uris so records of both sets are told apart by where they lie.
    both = [
        dataclasses.replace(r, uri=resolve_uri(r.uri, s.root)) for s in (cifake, cifar) for r in s.records
    ]
    combined = dedupe_records(both)
    crossing = [g for g in combined.duplicates if any(EDIT_DETECT in r.uri for r in (g.kept, *g.dropped))]
    # INVENTORY.md: 16 edit_detect CIFAR reals are byte-identical to CIFAKE REAL files.
    assert len(crossing) == 16 and all(g.kept.label == 0 for g in crossing)
    with pytest.raises(ManifestError, match="missing required column"):
        create_layout("manifest").scan(root / "manifest.csv")
