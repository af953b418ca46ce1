"""The manifest builder behind `mirage data register`: canonical bytes, dedupe, content-hash splits, skips."""

import json
from pathlib import Path

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


def _register(root: Path, out: Path, *extra: str) -> None:
    args = ["--layout", "folder", "--root", str(root), "--option", "generator=g", "--out", str(out), *extra]
    assert main(args) == 0


def test_manifest_is_canonical_and_deterministic(tmp_path: Path, capsys) -> None:
    _tree(tmp_path / "data")
    _register(tmp_path / "data", tmp_path / "a.jsonl", "--split", "train=0.6,val=0.2,test=0.2")
    summary = json.loads(capsys.readouterr().out)
    _register(tmp_path / "data", tmp_path / "b.jsonl", "--split", "train=0.6,val=0.2,test=0.2")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    records = read_manifest(tmp_path / "a.jsonl")
    assert [r.uri for r in records] == sorted(r.uri for r in records)
    assert summary["n_images"] == 20 and summary["duplicates_dropped"] == 1
    assert [s["reason"] for s in summary["skipped"]] and "broken.png" in summary["skipped"][0]["uri"]
    assert sum(summary["counts"]["by_split"].values()) == 20
    first = (tmp_path / "a.jsonl").read_text().splitlines()[0]
    assert first == json.dumps(json.loads(first), sort_keys=True, separators=(",", ":"))


def test_empty_root_is_an_error_naming_it(tmp_path: Path, capsys) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "fake").mkdir()
    code = main(
        [
            "--layout",
            "folder",
            "--root",
            str(tmp_path),
            "--option",
            "generator=g",
            "--out",
            str(tmp_path / "m.jsonl"),
        ]
    )
    assert code == 2
    assert str(tmp_path) in capsys.readouterr().err
