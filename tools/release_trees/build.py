"""Build the selected trees under one folder; each tree lands in `<out>/<tree name>/`."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from .chameleon import build_chameleon
from .coco_t2i import build_coco_t2i
from .forensynths import build_forensynths
from .genimage import build_genimage
from .ufd_diffusion import build_ufd_diffusion
from .video import build_video
from .writer import TreeWriter

TREES: dict[str, Callable[[TreeWriter], None]] = {
    "genimage": build_genimage,
    "forensynths": build_forensynths,
    "ufd-diffusion": build_ufd_diffusion,
    "chameleon": build_chameleon,
    "coco-t2i": build_coco_t2i,
    "video": build_video,
}
"""Tree name -> builder. The first three are read by the detector layout of the same name; chameleon and
coco-t2i by the `folder` layout, video by a video folder layout (options in the README)."""


class OutputExistsError(FileExistsError):
    """A tree folder already holds files; the builder never overwrites or wipes one."""


def build_release_trees(out: str | Path, which: Iterable[str] = tuple(TREES)) -> dict[str, object]:
    """Write each tree of `which` under `out` (each folder absent or empty); returns the summary per tree."""
    names = list(which)
    unknown = [name for name in names if name not in TREES]
    if unknown:
        raise ValueError(f"unknown tree(s) {', '.join(unknown)}; choose from {', '.join(TREES)}")
    out = Path(out).absolute()
    for name in names:
        target = out / name
        if target.exists() and (not target.is_dir() or any(target.iterdir())):
            raise OutputExistsError(f"{target} exists and is not an empty folder; choose a new --out")
    trees: dict[str, object] = {}
    for name in names:
        writer = TreeWriter(name, out / name)
        TREES[name](writer)
        trees[name] = writer.summary()
    return {"out": str(out), "trees": trees}
