from __future__ import annotations

import json
from pathlib import Path

import pytest
from data_fixtures import encode, noise_image

from mirage_detector.data.layouts import ScanResult, create_layout, label_from_folder_name, list_layouts
from mirage_detector.data.records import ImageRecord, write_manifest


def put(path: Path, seed: int, fmt: str = "JPEG", size: tuple[int, int] = (12, 10)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"quality": 80} if fmt == "JPEG" else {}
    path.write_bytes(encode(noise_image(*size, seed=seed), fmt, **options))
    return path


def summary(result: ScanResult, root: Path) -> list[tuple[str, str, int, str]]:
    return [(str(Path(r.uri).relative_to(root)), r.generator, r.label, r.split) for r in result.records]


def build_genimage(root: Path) -> None:
    put(root / "sdv14" / "train" / "ai" / "a.png", 1, "PNG")
    put(root / "sdv14" / "train" / "nature" / "b.JPEG", 2)
    put(root / "sdv14" / "val" / "ai" / "c.png", 3, "PNG")
    put(root / "adm" / "val" / "nature" / "d.jpg", 4)
    put(root / "adm" / "test" / "ai" / "e.png", 5, "PNG")
    (root / "adm" / "val" / "ai").mkdir(parents=True)
    (root / "adm" / "val" / "ai" / "notes.txt").write_text("hi")


def build_forensynths(root: Path) -> None:
    # "1_real" sorts after "0_fake": a label taken from sort order would be wrong for both.
    put(root / "progan" / "car" / "0_fake" / "a.png", 1, "PNG")
    put(root / "progan" / "car" / "1_real" / "b.png", 2, "PNG")
    put(root / "guided" / "0_real" / "c.png", 3, "PNG")
    put(root / "guided" / "1_fake" / "d.png", 4, "PNG")
    put(root / "guided" / "misc" / "e.png", 5, "PNG")


def build_folder(root: Path) -> None:
    put(root / "REAL" / "a.jpg", 1)
    put(root / "FAKE" / "nested" / "b.jpg", 2)
    (root / "FAKE" / "broken.jpg").write_bytes(b"")


def build_manifest(root: Path) -> Path:
    put(root / "imgs" / "a.jpg", 1)
    put(root / "imgs" / "b.png", 2, "PNG")
    write_manifest(
        [
            ImageRecord("imgs/a.jpg", 0, "real-x", "train"),
            ImageRecord("imgs/b.png", 1, "gen", "test", sha256="00" * 32),
            ImageRecord("s3://bucket/c.png", 1, "gen", "test"),
            ImageRecord("imgs/missing.png", 1, "gen", "test"),
        ],
        root / "set" / "manifest.jsonl",
    )
    (root / "set" / "imgs").mkdir(parents=True)
    put(root / "set" / "imgs" / "a.jpg", 1)
    put(root / "set" / "imgs" / "b.png", 2, "PNG")
    return root / "set" / "manifest.jsonl"


def scan_example(name: str, root: Path) -> ScanResult:
    if name == "genimage":
        build_genimage(root)
        return create_layout("genimage").scan(root)
    if name == "forensynths":
        build_forensynths(root)
        return create_layout("forensynths", split="test").scan(root)
    if name == "folder":
        build_folder(root)
        return create_layout("folder", generator="sdv14", real_dir="REAL", fake_dir="FAKE").scan(root)
    return create_layout("manifest").scan(build_manifest(root))


@pytest.mark.parametrize("name", list_layouts())
def test_every_layout_scans_real_files_with_header_facts(name: str, tmp_path: Path) -> None:
    result = scan_example(name, tmp_path)
    assert result.records and result.skipped
    for record in result.records:
        if record.uri.startswith("s3://"):
            continue
        assert Path(record.uri).is_absolute() and Path(record.uri).is_file()
        assert (record.width, record.height) == (12, 10)
        assert record.format in ("JPEG", "PNG")
        assert record.jpeg_quality == (80 if record.format == "JPEG" else None)
        assert record.sha256 is not None and len(record.sha256) == 64


def test_genimage(tmp_path: Path) -> None:
    result = scan_example("genimage", tmp_path)
    assert summary(result, tmp_path) == [
        ("adm/val/nature/d.jpg", "adm", 0, "test"),
        ("sdv14/train/ai/a.png", "sdv14", 1, "train"),
        ("sdv14/train/nature/b.JPEG", "sdv14", 0, "train"),
        ("sdv14/val/ai/c.png", "sdv14", 1, "test"),
    ]
    assert sorted(Path(s.path).name for s in result.skipped) == ["e.png", "notes.txt"]
    renamed = create_layout(
        "genimage",
        generator_names={"sdv14": "SDv1.4"},
        split_names={"train": "train", "val": "val"},
        subsets=("sdv14",),
    ).scan(tmp_path)
    assert {(r.generator, r.split) for r in renamed.records} == {("SDv1.4", "train"), ("SDv1.4", "val")}
    single = create_layout("genimage").scan(tmp_path / "sdv14")
    assert [r.generator for r in single.records] == ["sdv14"] * 3


def test_forensynths_labels_from_folder_names(tmp_path: Path) -> None:
    result = scan_example("forensynths", tmp_path)
    assert summary(result, tmp_path) == [
        ("guided/0_real/c.png", "guided", 0, "test"),
        ("guided/1_fake/d.png", "guided", 1, "test"),
        ("progan/car/0_fake/a.png", "progan", 1, "test"),
        ("progan/car/1_real/b.png", "progan", 0, "test"),
    ]
    assert [Path(s.path).name for s in result.skipped] == ["e.png"]
    assert [label_from_folder_name(n) for n in ("0_real", "1_fake", "REAL", "fake", "2_other")] == [
        0,
        1,
        0,
        1,
        None,
    ]
    generator_root = create_layout("forensynths").scan(tmp_path / "guided")
    assert {r.generator for r in generator_root.records} == {"guided"}
    progan_train = create_layout("forensynths", split="train", generator="progan").scan(tmp_path / "progan")
    assert [(r.generator, r.label, r.split) for r in progan_train.records] == [
        ("progan", 1, "train"),
        ("progan", 0, "train"),
    ]


def test_folder_with_configurable_names(tmp_path: Path) -> None:
    result = scan_example("folder", tmp_path)
    assert summary(result, tmp_path) == [
        ("REAL/a.jpg", "sdv14", 0, "test"),
        ("FAKE/nested/b.jpg", "sdv14", 1, "test"),
    ]
    assert [(Path(s.path).name, s.reason) for s in result.skipped] == [("broken.jpg", "empty file (0 bytes)")]
    reals = create_layout(
        "folder", generator="g", real_generator="cifar", real_dir="REAL", fake_dir=None
    ).scan(tmp_path)
    assert [(r.generator, r.label) for r in reals.records] == [("cifar", 0)]
    with pytest.raises(FileNotFoundError, match="real_dir='real'"):
        create_layout("folder", generator="g").scan(tmp_path)


def test_manifest_resolves_relative_uris_and_checks_hashes(tmp_path: Path) -> None:
    result = scan_example("manifest", tmp_path)
    [local, remote] = result.records
    assert local.uri == str(tmp_path / "set" / "imgs" / "a.jpg")
    assert (local.label, local.generator, local.split) == (0, "real-x", "train")
    assert remote.uri == "s3://bucket/c.png" and remote.sha256 is None
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    assert "sha256 differs" in reasons["b.png"]
    assert "unreadable" in reasons["missing.png"]


def test_layout_errors_name_the_option(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown layout 'imagenet'"):
        create_layout("imagenet")
    with pytest.raises(ValueError, match="unknown option"):
        create_layout("folder", generator="g", realdir="x")
    with pytest.raises(ValueError, match="option 'split'"):
        create_layout("forensynths", split="eval")
    with pytest.raises(FileNotFoundError, match="genimage layout root"):
        create_layout("genimage").scan(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="genimage subset 'vqdm'"):
        build_genimage(tmp_path)
        create_layout("genimage", subsets=("vqdm",)).scan(tmp_path)


def test_verify_catches_truncated_pixels(tmp_path: Path) -> None:
    path = put(tmp_path / "real" / "a.jpg", 1, size=(64, 64))
    path.write_bytes(path.read_bytes()[:-300])
    put(tmp_path / "fake" / "b.jpg", 2)
    assert len(create_layout("folder", generator="g").scan(tmp_path).records) == 2
    verified = create_layout("folder", generator="g", verify=True).scan(tmp_path)
    assert len(verified.records) == 1
    assert "truncated" in verified.skipped[0].reason
    assert json.dumps([s.reason for s in verified.skipped])
