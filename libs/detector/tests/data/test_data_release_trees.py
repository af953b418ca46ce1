"""Release layouts on mini copies of the public trees: generators, splits, classes, debris, root shapes."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from mirage_detector.data.layouts import (
    OS_FILE_REASON,
    UFD_DIFFUSION_REAL_SOURCE,
    LayoutOptionError,
    ScanResult,
    create_layout,
)

TREES = ("genimage", "forensynths", "ufd-diffusion")
REASON_WORDS = {
    "partial-download": "partial download",
    "truncated": "truncated",
    "empty": "empty file",
    "not-an-image": "not an image",
}
"""The builder's debris kind -> a word the skip reason must hold."""


def rows(result: ScanResult) -> list[tuple[str, str, str, str, str | None]]:
    return sorted((r.uri, r.generator, r.split, r.label_name, r.object_class) for r in result.records)


def expected_rows(tree: dict[str, Any]) -> list[tuple[str, str, str, str, str | None]]:
    return sorted(
        (r["uri"], r["generator"], r["split"], r["label"], r["object_class"]) for r in tree["records"]
    )


@pytest.mark.parametrize("name", TREES)
def test_whole_release_root_gives_canonical_records(name: str, release_trees: dict[str, Any]) -> None:
    tree = release_trees[name]
    result = create_layout(name).scan(tree["root"])
    assert str(result.root) == tree["root"]
    assert rows(result) == expected_rows(tree)


@pytest.mark.parametrize("name", TREES)
def test_debris_is_skipped_with_reasons_never_a_crash(name: str, release_trees: dict[str, Any]) -> None:
    tree = release_trees[name]
    result = create_layout(name).scan(tree["root"])
    os_files = [d for d in tree["debris"] if d["kind"] == "os-file"]
    listed = {d["path"]: d["kind"] for d in tree["debris"] if d["kind"] != "os-file"}
    assert result.ignored == Counter({OS_FILE_REASON: len(os_files)})
    assert {s.path for s in result.skipped} == set(listed)
    for skipped in result.skipped:
        assert REASON_WORDS[listed[skipped.path]] in skipped.reason, skipped


def test_genimage_generators_and_splits(release_trees: dict[str, Any]) -> None:
    result = create_layout("genimage").scan(release_trees["genimage"]["root"])
    cells = Counter((r.generator, r.split) for r in result.records)
    generators = ["adm", "biggan", "glide", "midjourney", "sdv14", "sdv15", "vqdm", "wukong"]
    assert cells == {(g, s): 4 for g in generators for s in ("train", "val")}
    sizes = {r.generator: (r.width, r.height) for r in result.records if r.label == 1}
    assert sizes["midjourney"] == (1024, 1024) and sizes["biggan"] == (128, 128)
    assert {r.format for r in result.records if r.label == 0} == {"JPEG"}


def test_genimage_subset_and_archive_roots(release_trees: dict[str, Any]) -> None:
    root = Path(release_trees["genimage"]["root"])
    subset = create_layout("genimage").scan(root / "stable_diffusion_v_1_4")
    archive = create_layout("genimage").scan(root / "stable_diffusion_v_1_4" / "imagenet_ai_0419_sdv4")
    assert {r.generator for r in subset.records} == {r.generator for r in archive.records} == {"sdv14"}
    assert len(subset.records) == len(archive.records) == 8
    assert subset.records[0].uri == "imagenet_ai_0419_sdv4/" + archive.records[0].uri
    picked = create_layout("genimage", generators=("midjourney", "adm")).scan(root)
    assert {r.generator for r in picked.records} == {"midjourney", "adm"}


def test_genimage_unknown_subset_is_named_by_its_slug(release_trees: dict[str, Any], tmp_path: Path) -> None:
    source = Path(release_trees["genimage"]["root"]) / "ADM" / "imagenet_ai_0508_adm"
    shutil.copytree(source, tmp_path / "SDXL 1.0" / "imagenet_sdxl")
    result = create_layout("genimage").scan(tmp_path)
    assert {r.generator for r in result.records} == {"sdxl_1_0"}
    renamed = create_layout("genimage", generator_names={"imagenet_sdxl": "sdxl"}).scan(tmp_path)
    assert {r.generator for r in renamed.records} == {"sdxl"}


def test_forensynths_classes_and_test_generators(release_trees: dict[str, Any]) -> None:
    result = create_layout("forensynths").scan(release_trees["forensynths"]["root"])
    train = {(r.generator, r.split, r.object_class) for r in result.records if r.split != "test"}
    classes = ("bird", "car", "cat", "chair", "horse")
    assert train == {("progan", s, c) for s in ("train", "val") for c in classes}
    test = Counter((r.generator, r.object_class) for r in result.records if r.split == "test")
    assert test == {
        ("progan", "car"): 4,
        ("progan", "cat"): 4,
        ("stylegan", "car"): 4,
        ("stylegan", "cat"): 4,
        ("cyclegan", "horse"): 4,
        ("cyclegan", "zebra"): 4,
        **{(g, None): 4 for g in ("biggan", "gaugan", "stargan", "deepfake")},
        **{(g, None): 4 for g in ("seeingdark", "san", "crn", "imle")},
    }


def test_forensynths_one_split_folder_roots(release_trees: dict[str, Any]) -> None:
    root = Path(release_trees["forensynths"]["root"])
    whole = create_layout("forensynths").scan(root)
    test_only = create_layout("forensynths").scan(root / "test")
    expected = sorted(
        (r.uri.removeprefix("test/"), r.generator, r.split, r.label_name, r.object_class)
        for r in whole.records
        if r.split == "test"
    )
    assert rows(test_only) == expected
    train_only = create_layout("forensynths").scan(root / "train")
    val_only = create_layout("forensynths").scan(root / "val")
    assert {r.split for r in train_only.records} == {"train"}
    assert {r.split for r in val_only.records} == {"val"}
    assert len(train_only.records) == len(val_only.records) == 20
    assert train_only.records[0].uri.split("/")[0] == "bird"
    with pytest.raises(ValueError, match="option 'split' applies to one split folder"):
        create_layout("forensynths", split="train").scan(root)


def test_forensynths_split_option_names_an_unnamed_split_folder(
    release_trees: dict[str, Any], tmp_path: Path
) -> None:
    shutil.copytree(Path(release_trees["forensynths"]["root"]) / "train", tmp_path / "progan_trainset")
    as_train = create_layout("forensynths", split="train").scan(tmp_path / "progan_trainset")
    assert {(r.generator, r.split) for r in as_train.records} == {("progan", "train")}
    # Without it the folder name says nothing, so it reads as a test folder of generators.
    as_test = create_layout("forensynths").scan(tmp_path / "progan_trainset")
    assert {r.split for r in as_test.records} == {"test"} and "car" in {r.generator for r in as_test.records}


def test_ufd_diffusion_pairs_fakes_with_their_real_source(release_trees: dict[str, Any]) -> None:
    result = create_layout("ufd-diffusion").scan(release_trees["ufd-diffusion"]["root"])
    fakes = {r.generator for r in result.records if r.label == 1}
    reals = {r.generator for r in result.records if r.label == 0}
    assert fakes == set(UFD_DIFFUSION_REAL_SOURCE) and reals == {"imagenet", "laion"}
    assert set(UFD_DIFFUSION_REAL_SOURCE.values()) == reals
    for fake, real in UFD_DIFFUSION_REAL_SOURCE.items():
        column = [r for r in result.records if r.generator in (fake, real)]
        assert {r.label for r in column} == {0, 1}
    assert {r.split for r in result.records} == {"test"}
    assert UFD_DIFFUSION_REAL_SOURCE["guided"] == "imagenet"


def test_layout_options_are_typed(release_trees: dict[str, Any]) -> None:
    with pytest.raises(LayoutOptionError, match="option 'generators' must be optional list of strings"):
        create_layout("genimage", generators="sdv14")
