from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import Path

from mirage_detector.data.image_header import read_image_header
from mirage_detector.data.layouts import create_layout
from mirage_detector.data.records import read_manifest

from synthetic_bench import SYNTHETIC_PREFIX, BenchmarkConfig, list_families

CONTRACTS_SCHEMA = Path(__file__).resolve().parents[2] / "libs/contracts/generated/contracts.schema.json"


def test_every_family_has_real_and_fake_folders_and_a_manifest(
    bench_root: Path, probe_config: BenchmarkConfig
) -> None:
    assert sorted(p.name for p in bench_root.iterdir()) == sorted(
        [*list_families(), "SYNTHETIC.md", "benchmark.json"]
    )
    for family in list_families():
        for label in ("real", "fake"):
            names = sorted(p.name for p in (bench_root / family / label).iterdir())
            assert len(names) == probe_config.per_class
            assert all(name.startswith(f"{family}-{label}-") and name.endswith(".jpg") for name in names)
        assert (bench_root / family / "manifest.jsonl").is_file()


def test_manifest_records_match_the_files(bench_root: Path, probe_config: BenchmarkConfig) -> None:
    for family in list_families():
        manifest = bench_root / family / "manifest.jsonl"
        records = read_manifest(manifest)  # the detector's own parser validates every field
        assert len(records) == 2 * probe_config.per_class
        assert {record.generator for record in records} == {family}
        assert family.startswith(SYNTHETIC_PREFIX)
        assert Counter(record.label_name for record in records) == {"real": 100, "fake": 100}
        assert Counter((r.label_name, r.split) for r in records)[("fake", "train")] == 60
        assert Counter(record.split for record in records) == {"train": 120, "val": 40, "test": 40}
        for record in records:
            data = (manifest.parent / record.uri).read_bytes()
            header = read_image_header(data)  # jpeg_quality here is estimated from the file's tables
            assert record.sha256 == hashlib.sha256(data).hexdigest()
            assert (record.width, record.height) == (header.width, header.height) == (32, 32)
            assert record.format == header.format == "JPEG"
            assert record.jpeg_quality == header.jpeg_quality == probe_config.jpeg_quality


def test_manifest_lines_have_exactly_the_contract_fields(bench_root: Path) -> None:
    schema = json.loads(CONTRACTS_SCHEMA.read_text())["$defs"]["ManifestRecord"]
    for family in list_families():
        lines = (bench_root / family / "manifest.jsonl").read_text().splitlines()
        for line in lines:
            record = json.loads(line)
            # every field written, optional ones too; the frame fields only on video frames
            assert set(record) == set(schema["properties"]) - {"video_id", "frame", "timestamp"}
            assert record["object_class"] is None and not record["uri"].startswith("/")


def test_detector_folder_and_manifest_layouts_read_the_same_files(
    bench_root: Path, probe_config: BenchmarkConfig
) -> None:
    for family in list_families():
        folder = create_layout("folder", generator=family).scan(bench_root / family)
        manifest = create_layout("manifest", verify=True).scan(bench_root / family / "manifest.jsonl")
        assert not folder.skipped and not manifest.skipped
        by_folder = {(r.sha256, r.label, r.generator) for r in folder.records}
        by_manifest = {(r.sha256, r.label, r.generator) for r in manifest.records}
        assert len(by_folder) == 2 * probe_config.per_class
        assert by_folder == by_manifest
        # Both root-relative, so the same files give the same uris whichever layout read them.
        assert {r.uri for r in folder.records} == {r.uri for r in manifest.records}


def test_output_says_it_is_synthetic(bench_root: Path) -> None:
    notice = (bench_root / "SYNTHETIC.md").read_text(encoding="utf-8")
    assert notice.startswith("# SYNTHETIC benchmark")
    assert "NOT the output of any real image generator" in notice
    summary = json.loads((bench_root / "benchmark.json").read_text(encoding="utf-8"))
    assert summary["synthetic"] is True
    assert summary["demo_protocol"]["train"] == "synthetic-upsampler"
    assert [f["name"] for f in summary["families"]] == list_families()
