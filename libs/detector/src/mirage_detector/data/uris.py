"""Dataset-relative uris: manifests store POSIX paths relative to the dataset root; loading needs real paths.

Relative uris make a manifest independent of where the data is mounted: the same images under
/data/GenImage and /mnt/GenImage give byte-identical manifests, hence the same content hash.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from mirage_detector.data.loading import uri_scheme


def relative_uri(path: str | os.PathLike[str], root: str | os.PathLike[str]) -> str | None:
    """`path` as a POSIX path relative to `root`, or None when it lies outside root.

    Both are made absolute and normalised but symlinks are not resolved: a root reached through a
    link keeps its own names.
    """
    absolute = Path(os.path.normpath(os.path.abspath(path)))
    base = Path(os.path.normpath(os.path.abspath(root)))
    try:
        relative = absolute.relative_to(base)
    except ValueError:
        return None
    if not relative.parts:
        return None
    return PurePosixPath(*relative.parts).as_posix()


def resolve_uri(uri: str, root: str | os.PathLike[str]) -> str:
    """A loadable uri: a relative path joined onto root; absolute paths and scheme uris kept as written."""
    if uri_scheme(uri) or uri.startswith("file://") or os.path.isabs(uri):
        return uri
    return str(Path(root, *PurePosixPath(uri).parts))
