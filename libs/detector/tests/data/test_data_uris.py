"""Root-relative uris: POSIX paths under the root out, loadable paths back; remote uris untouched."""

from __future__ import annotations

from pathlib import Path

from mirage_detector.data.uris import relative_uri, resolve_uri


def test_relative_uri_is_posix_and_refuses_outside_paths(tmp_path: Path) -> None:
    assert relative_uri(tmp_path / "a" / "b.png", tmp_path) == "a/b.png"
    assert relative_uri(tmp_path / "a" / ".." / "c.png", tmp_path) == "c.png"
    assert relative_uri(tmp_path.parent / "x.png", tmp_path) is None
    assert relative_uri(tmp_path, tmp_path) is None


def test_relative_uri_keeps_the_names_of_a_linked_root(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    assert relative_uri(tmp_path / "link" / "a.png", tmp_path / "link") == "a.png"


def test_resolve_uri_joins_relative_paths_only(tmp_path: Path) -> None:
    assert resolve_uri("a/b.png", tmp_path) == str(tmp_path / "a" / "b.png")
    assert resolve_uri("s3://bucket/k.png", tmp_path) == "s3://bucket/k.png"
    assert resolve_uri("/abs/x.png", tmp_path) == "/abs/x.png"
    assert resolve_uri("file:///abs/x.png", tmp_path) == "file:///abs/x.png"
