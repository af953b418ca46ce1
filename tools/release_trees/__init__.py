"""Mini copies of public detection-benchmark release trees (GenImage, ForenSynths, UFD diffusion, Chameleon,
a COCO text-to-image set, a real/Sora video set) for tests.

Folder names are the releases' own; the images and clips are tiny seeded stand-ins (same bytes on every
run) plus the debris real downloads carry. `python -m release_trees --out DIR` (from tools/) writes them
and prints what a layout scan must find.
"""

from .build import TREES, build_release_trees
from .debris import DEBRIS_KINDS

__all__ = ["DEBRIS_KINDS", "TREES", "build_release_trees"]
