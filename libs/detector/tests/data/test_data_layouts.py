"""Every registered layout on a small hand-made tree: root-relative uris, header facts, skips, errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from data_fixtures import encode, noise_image

from mirage_detector.data.layouts import (
    LayoutOptionError,
    ScanResult,
    create_layout,
    label_from_folder_name,
    list_layouts,
)
from mirage_detector.data.records import ImageRecord, write_manifest


def put(path: Path, seed: int, fmt: str = "JPEG", size: tuple[int, int] = (12, 10)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"quality": 80} if fmt == "JPEG" else {}
    path.write_bytes(encode(noise_image(*size, seed=seed), fmt, **options))
    return path


def summary(result: ScanResult) -> list[tuple[str, str, int, str]]:
    return [(r.uri, r.generator, r.label, r.split) for r in result.records]


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
    put(root / "Guided" / "0_real" / "c.png", 3, "PNG")
    put(root / "Guided" / "1_fake" / "d.png", 4, "PNG")
    put(root / "Guided" / "misc" / "e.png", 5, "PNG")


def build_ufd_diffusion(root: Path) -> None:
    put(root / "guided" / "1_fake" / "a.png", 1, "PNG")
    put(root / "imagenet" / "0_real" / "b.jpg", 2)
    put(root / "laion" / "0_real" / "c.png", 3, "PNG")
    put(root / "laion" / "d.png", 4, "PNG")


def build_folder(root: Path) -> None:
    put(root / "REAL" / "a.jpg", 1)
    put(root / "FAKE" / "nested" / "b.jpg", 2)
    (root / "FAKE" / "broken.jpg").write_bytes(b"")


def build_manifest(root: Path) -> Path:
    write_manifest(
        [
            ImageRecord("imgs/a.jpg", 0, "real-x", "train", object_class="dog"),
            ImageRecord("imgs/b.png", 1, "gen", "test", sha256="00" * 32),
            ImageRecord("s3://bucket/c.png", 1, "gen", "test"),
            ImageRecord("imgs/missing.png", 1, "gen", "test"),
            ImageRecord("../outside.png", 1, "gen", "test"),
        ],
        root / "set" / "manifest.jsonl",
    )
    put(root / "set" / "imgs" / "a.jpg", 1)
    put(root / "set" / "imgs" / "b.png", 2, "PNG")
    put(root / "outside.png", 3, "PNG")
    return root / "set" / "manifest.jsonl"


def scan_example(name: str, root: Path) -> ScanResult:
    if name == "genimage":
        build_genimage(root)
        return create_layout("genimage").scan(root)
    if name == "forensynths":
        build_forensynths(root)
        return create_layout("forensynths").scan(root)
    if name == "ufd-diffusion":
        build_ufd_diffusion(root)
        return create_layout("ufd-diffusion").scan(root)
    if name == "folder":
        build_folder(root)
        return create_layout("folder", generator="sdv14", real_dir="REAL", fake_dir="FAKE").scan(root)
    return create_layout("manifest").scan(build_manifest(root))


@pytest.mark.parametrize("name", list_layouts())
def test_every_layout_scans_real_files_with_header_facts(name: str, tmp_path: Path) -> None:
    result = scan_example(name, tmp_path)
    assert result.records and result.skipped and result.root.is_absolute()
    for record in result.records:
        if record.uri.startswith("s3://"):
            continue
        # POSIX, relative to the root, so the same tree under another mount gives the same manifest.
        assert not Path(record.uri).is_absolute() and "\\" not in record.uri
        assert (result.root / record.uri).is_file()
        assert (record.width, record.height) == (12, 10)
        assert record.format in ("JPEG", "PNG")
        assert record.jpeg_quality == (80 if record.format == "JPEG" else None)
        assert record.sha256 is not None and len(record.sha256) == 64


def test_genimage_flattened_subsets(tmp_path: Path) -> None:
    result = scan_example("genimage", tmp_path)
    assert summary(result) == [
        ("adm/val/nature/d.jpg", "adm", 0, "val"),
        ("sdv14/train/ai/a.png", "sdv14", 1, "train"),
        ("sdv14/train/nature/b.JPEG", "sdv14", 0, "train"),
        ("sdv14/val/ai/c.png", "sdv14", 1, "val"),
    ]
    assert sorted(Path(s.path).name for s in result.skipped) == ["e.png", "notes.txt"]
    renamed = create_layout(
        "genimage",
        generator_names={"sdv14": "SDv1.4"},
        split_names={"train": "train", "val": "test"},
        generators=("SDv1.4",),
    ).scan(tmp_path)
    assert {(r.generator, r.split) for r in renamed.records} == {("SDv1.4", "train"), ("SDv1.4", "test")}
    single = create_layout("genimage").scan(tmp_path / "sdv14")
    assert [r.generator for r in single.records] == ["sdv14"] * 3
    assert single.records[0].uri == "train/ai/a.png"


def test_forensynths_labels_from_folder_names(tmp_path: Path) -> None:
    result = scan_example("forensynths", tmp_path)
    assert summary(result) == [
        ("Guided/0_real/c.png", "guided", 0, "test"),
        ("Guided/1_fake/d.png", "guided", 1, "test"),
        ("progan/car/0_fake/a.png", "progan", 1, "test"),
        ("progan/car/1_real/b.png", "progan", 0, "test"),
    ]
    assert [r.object_class for r in result.records] == [None, None, "car", "car"]
    assert [Path(s.path).name for s in result.skipped] == ["e.png"]
    assert [label_from_folder_name(n) for n in ("0_real", "1_fake", "REAL", "fake", "2_other")] == [
        0,
        1,
        0,
        1,
        None,
    ]
    generator_root = create_layout("forensynths").scan(tmp_path / "Guided")
    assert {r.generator for r in generator_root.records} == {"guided"}
    progan_train = create_layout("forensynths", split="train").scan(tmp_path / "progan")
    assert [(r.generator, r.label, r.split, r.object_class) for r in progan_train.records] == [
        ("progan", 1, "train", "car"),
        ("progan", 0, "train", "car"),
    ]


def test_ufd_diffusion_generators_are_folder_names(tmp_path: Path) -> None:
    result = scan_example("ufd-diffusion", tmp_path)
    assert summary(result) == [
        ("guided/1_fake/a.png", "guided", 1, "test"),
        ("imagenet/0_real/b.jpg", "imagenet", 0, "test"),
        ("laion/0_real/c.png", "laion", 0, "test"),
    ]
    assert [(s.path, s.reason) for s in result.skipped] == [
        ("laion/d.png", "not under <generator>/{0_real,1_fake}/")
    ]


def test_folder_with_configurable_names(tmp_path: Path) -> None:
    result = scan_example("folder", tmp_path)
    assert summary(result) == [
        ("REAL/a.jpg", "sdv14", 0, "test"),
        ("FAKE/nested/b.jpg", "sdv14", 1, "test"),
    ]
    assert [(s.path, s.reason) for s in result.skipped] == [("FAKE/broken.jpg", "empty file (0 bytes)")]
    reals = create_layout(
        "folder", generator="g", real_generator="cifar", real_dir="REAL", fake_dir=None
    ).scan(tmp_path)
    assert [(r.generator, r.label) for r in reals.records] == [("cifar", 0)]
    with pytest.raises(FileNotFoundError, match="real_dir='real'"):
        create_layout("folder", generator="g").scan(tmp_path)


def test_manifest_keeps_uris_relative_to_its_root_and_checks_hashes(tmp_path: Path) -> None:
    result = scan_example("manifest", tmp_path)
    [local, remote] = result.records
    assert result.root == tmp_path / "set"
    assert (local.uri, local.label, local.generator, local.split) == ("imgs/a.jpg", 0, "real-x", "train")
    assert local.object_class == "dog" and local.sha256 is not None
    assert remote.uri == "s3://bucket/c.png" and remote.sha256 is None
    reasons = {Path(s.path).name: s.reason for s in result.skipped}
    assert "sha256 differs" in reasons["b.png"]
    assert "unreadable" in reasons["missing.png"]
    assert "outside the dataset root" in reasons["outside.png"]
    # base: the dataset root is a folder above the manifest; relative uris are relative to it.
    write_manifest([ImageRecord("outside.png", 1, "gen", "test")], tmp_path / "lists" / "m.csv")
    rebased = create_layout("manifest", base=str(tmp_path)).scan(tmp_path / "lists" / "m.csv")
    assert rebased.root == tmp_path and [r.uri for r in rebased.records] == ["outside.png"]


def test_layout_errors_name_the_option(tmp_path: Path) -> None:
    with pytest.raises(LayoutOptionError, match="unknown layout 'imagenet'"):
        create_layout("imagenet")
    with pytest.raises(LayoutOptionError, match="unknown option"):
        create_layout("folder", generator="g", realdir="x")
    with pytest.raises(LayoutOptionError, match="option 'split'"):
        create_layout("forensynths", split="eval")
    with pytest.raises(FileNotFoundError, match="genimage layout root"):
        create_layout("genimage").scan(tmp_path / "nowhere")
    build_genimage(tmp_path)
    with pytest.raises(
        FileNotFoundError, match=r"genimage generator\(s\) vqdm not under .*; found adm, sdv14"
    ):
        create_layout("genimage", generators=("vqdm",)).scan(tmp_path)


def test_verify_catches_corrupt_pixels_the_end_marker_misses(tmp_path: Path) -> None:
    path = put(tmp_path / "real" / "a.png", 1, "PNG", size=(64, 64))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + data[-12:])  # cut short, IEND chunk kept
    put(tmp_path / "fake" / "b.png", 2, "PNG")
    assert len(create_layout("folder", generator="g").scan(tmp_path).records) == 2
    verified = create_layout("folder", generator="g", verify=True).scan(tmp_path)
    assert len(verified.records) == 1
    assert "truncated" in verified.skipped[0].reason
    assert json.dumps([s.reason for s in verified.skipped])
