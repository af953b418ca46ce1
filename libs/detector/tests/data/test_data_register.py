"""The builder behind `mirage data register`: canonical bytes, relative uris, dedupe, summary, errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from data_fixtures import encode, noise_image

from mirage_detector.data.records import read_manifest
from mirage_detector.data.register import main


def _tree(root: Path) -> None:
    for label in ("real", "fake"):
        (root / label).mkdir(parents=True)
        for i in range(10):
            (root / label / f"{i}.png").write_bytes(
                encode(noise_image(16, 16, seed=i + (100 if label == "fake" else 0)), "PNG")
            )
    (root / "fake" / "copy.png").write_bytes((root / "fake" / "3.png").read_bytes())
    (root / "real" / "broken.png").write_bytes(b"not an image")


def _register(root: Path, out: Path, *extra: str, layout: str = "folder") -> int:
    options = ["--option", "generator=g"] if layout == "folder" else []
    return main(["--layout", layout, "--root", str(root), *options, "--out", str(out), *extra])


def test_manifest_is_canonical_and_deterministic(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(tmp_path / "data")
    assert _register(tmp_path / "data", tmp_path / "a.jsonl", "--split", "train=0.6,val=0.2,test=0.2") == 0
    summary = json.loads(capsys.readouterr().out)
    assert _register(tmp_path / "data", tmp_path / "b.jsonl", "--split", "train=0.6,val=0.2,test=0.2") == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    records = read_manifest(tmp_path / "a.jsonl")
    assert [r.uri for r in records] == sorted(r.uri for r in records)
    assert all(r.uri.startswith(("real/", "fake/")) for r in records)
    assert summary["n_images"] == 20 and summary["duplicates_dropped"] == 1
    assert summary["root"] == str(tmp_path / "data") and summary["ignored"] == {}
    assert summary["skipped"] == [{"uri": "real/broken.png", "reason": "not an image (unrecognised format)"}]
    assert sum(summary["counts"]["by_split"].values()) == 20
    assert "by_class" not in summary["counts"]
    first = (tmp_path / "a.jsonl").read_text().splitlines()[0]
    assert first == json.dumps(json.loads(first), sort_keys=True, separators=(",", ":"))
    assert json.loads(first)["object_class"] is None


def test_same_images_under_another_mount_give_the_same_bytes(
    release_trees: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = Path(release_trees["forensynths"]["root"])
    shutil.copytree(source, tmp_path / "elsewhere" / "ForenSynths")
    assert _register(source, tmp_path / "a.jsonl", layout="forensynths") == 0
    summary = json.loads(capsys.readouterr().out)
    assert _register(tmp_path / "elsewhere" / "ForenSynths", tmp_path / "b.jsonl", layout="forensynths") == 0
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    expected = release_trees["forensynths"]
    assert summary["counts"] == expected["counts"] and summary["n_images"] == expected["n_images"]
    assert summary["counts"]["by_class"]["car"] == 16
    assert summary["ignored"] == {"hidden or OS file": 8}
    assert {s["uri"] for s in summary["skipped"]} == {
        d["path"] for d in expected["debris"] if d["kind"] != "os-file"
    }


@pytest.mark.parametrize("name", ["genimage", "ufd-diffusion"])
def test_release_summaries_match_the_builder(
    name: str, release_trees: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    tree = release_trees[name]
    assert _register(Path(tree["root"]), tmp_path / "m.jsonl", "--option", "verify=false", layout=name) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["counts"] == tree["counts"] and "by_class" not in summary["counts"]
    assert [r.uri for r in read_manifest(tmp_path / "m.jsonl")] == [r["uri"] for r in tree["records"]]


def _error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as caught:
        code = main(argv)
        raise SystemExit(code)
    assert caught.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: ") and captured.err.count("\n") == 1
    return captured.err


def test_bad_input_is_one_error_line_and_status_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(tmp_path / "data")
    base = ["--root", str(tmp_path / "data"), "--out", str(tmp_path / "m.jsonl")]
    folder = ["--layout", "folder", *base]
    message = _error(folder, capsys)
    assert message.startswith(
        "error: layout 'folder': missing required option 'generator' (string); options:"
    )
    with_generator = [*folder, "--option", "generator=g"]
    assert "unknown option(s) 'colour'" in _error([*with_generator, "--option", "colour=red"], capsys)
    ill_typed = _error([*with_generator, "--option", "verify=maybe"], capsys)
    assert "option 'verify' expects bool" in ill_typed and "max_pixels (int" in ill_typed
    typed = _error([*with_generator, "--option", "max_pixels=lots"], capsys)
    assert typed.startswith("error: layout 'folder': option 'max_pixels' expects int")
    assert "expected key=value" in _error([*folder, "--option", "generator"], capsys)
    assert "given twice" in _error([*folder, "--option", "generator=a", "--option", "generator=b"], capsys)
    assert "unknown layout 'lsun'" in _error(["--layout", "lsun", *base], capsys)
    missing = tmp_path / "no-such-folder"
    assert str(missing) in _error(["--layout", "genimage", "--root", str(missing), "--out", "x"], capsys)
    assert "--out" in _error(["--layout", "genimage", "--root", str(tmp_path)], capsys)
    assert "expected e.g. train=0.8" in _error([*with_generator, "--split", "0.5"], capsys)


def test_empty_root_is_an_error_naming_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "fake").mkdir()
    assert str(tmp_path) in _error(
        ["--layout", "folder", "--root", str(tmp_path), "--option", "generator=g", "--out", "m.jsonl"], capsys
    )
