from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from mirage_detector.data.records import (
    ImageRecord,
    ManifestError,
    read_manifest,
    read_manifest_csv,
    write_manifest,
)

DIGEST = "ab" * 32


def sample_records() -> list[ImageRecord]:
    return [
        ImageRecord("/data/a.jpg", 0, "real-cifar10", "train", 32, 32, "JPEG", 75, DIGEST),
        ImageRecord("s3://bucket/b.png", 1, "sdv14", "test", 512, 384, "PNG", None, "cd" * 32),
        ImageRecord("train/car/1_fake/d.png", 1, "progan", "train", object_class="car"),
        ImageRecord("rel/c.webp", 1, "ddpm", "val"),
    ]


def test_json_round_trip_uses_manifest_shape() -> None:
    record = sample_records()[0]
    data = record.to_json()
    assert data == {
        "uri": "/data/a.jpg",
        "label": "real",
        "generator": "real-cifar10",
        "object_class": None,
        "split": "train",
        "width": 32,
        "height": 32,
        "format": "JPEG",
        "jpeg_quality": 75,
        "sha256": DIGEST,
    }
    assert ImageRecord.from_json(data) == record


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_write_then_read_manifest(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / "sub" / f"manifest{suffix}"
    write_manifest(sample_records(), path)
    assert read_manifest(path) == sample_records()
    assert [p.name for p in path.parent.iterdir()] == [path.name]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"label": "FAKE"}, "field 'label'"),
        ({"label": 1}, "field 'label'"),
        ({"split": "holdout"}, "field 'split'"),
        ({"width": 0}, "field 'width'"),
        ({"height": "32"}, "field 'height'"),
        ({"jpeg_quality": 101}, "field 'jpeg_quality'"),
        ({"sha256": "AB" * 32}, "field 'sha256'"),
        ({"uri": ""}, "field 'uri'"),
        ({"object_class": ""}, "field 'object_class'"),
        ({"object_class": 3}, "field 'object_class'"),
        ({"colour": "red"}, "unknown field(s) 'colour'"),
    ],
)
def test_bad_jsonl_line_names_field_and_line(change: dict[str, object], message: str) -> None:
    good = json.dumps(sample_records()[0].to_json())
    bad = json.dumps({**sample_records()[0].to_json(), **change})
    with pytest.raises(ManifestError) as caught:
        read_manifest([good, "", bad])
    assert "manifest line 3:" in str(caught.value)
    assert message in str(caught.value)


def test_missing_required_field_and_bad_json(tmp_path: Path) -> None:
    data = sample_records()[0].to_json()
    del data["generator"]
    with pytest.raises(ManifestError, match="line 1: missing required field 'generator'"):
        read_manifest([json.dumps(data)])
    path = tmp_path / "broken.jsonl"
    path.write_text('{"uri": \n')
    with pytest.raises(ManifestError, match=r"broken\.jsonl line 1: invalid JSON"):
        read_manifest(path)


def test_optional_fields_may_be_absent_in_json() -> None:
    # Manifests written before object_class existed read as object_class None.
    [record] = read_manifest(['{"uri": "x.png", "label": "fake", "generator": "g", "split": "test"}'])
    assert record == ImageRecord("x.png", 1, "g", "test") and record.object_class is None


def test_object_class_in_csv_columns() -> None:
    header = "uri,label,generator,object_class,split"
    records = read_manifest_csv([header, "a.png,real,progan,car,train", "b.png,fake,biggan,,test"])
    assert [r.object_class for r in records] == ["car", None]


def test_csv_reader_minimal_columns_and_errors() -> None:
    records = read_manifest_csv(["uri,label,generator,split", "a.png,real,r,train", "b.png,fake,g,test"])
    assert [(r.uri, r.label, r.split) for r in records] == [("a.png", 0, "train"), ("b.png", 1, "test")]
    with pytest.raises(ManifestError, match="line 1: missing required column"):
        read_manifest_csv(["uri,label,split", "a.png,real,train"])
    with pytest.raises(ManifestError, match="line 3: field 'width' must be an integer"):
        read_manifest_csv(
            ["uri,label,generator,split,width", "a.png,real,r,train,4", "b.png,fake,g,test,wide"]
        )
    with pytest.raises(ManifestError, match="line 2: field 'label'"):
        read_manifest_csv(["uri,label,generator,split", "a.png,REAL,r,train"])


def test_record_is_frozen_and_validated() -> None:
    record = sample_records()[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.label = 1  # type: ignore[misc]
    with pytest.raises(ManifestError, match="field 'label'"):
        dataclasses.replace(record, label=2)
    assert record.label_name == "real"
