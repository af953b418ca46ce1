"""GenImage: `<root>/<subset>/<archive dir>/{train,val}/{ai,nature}/*` with the release's folder names."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mirage_detector.data.layouts.registry import ScanResult, register_layout
from mirage_detector.data.layouts.scanning import ScanOptions, TreeScan, check_split, require_dir

GENIMAGE_CLASS_LABELS: dict[str, int] = {"nature": 0, "ai": 1}
"""GenImage class folder -> label."""

GENIMAGE_SUBSETS: dict[str, tuple[str, str]] = {
    "sdv14": ("stable_diffusion_v_1_4", "imagenet_ai_0419_sdv4"),
    "sdv15": ("stable_diffusion_v_1_5", "imagenet_ai_0424_sdv5"),
    "midjourney": ("Midjourney", "imagenet_midjourney"),
    "adm": ("ADM", "imagenet_ai_0508_adm"),
    "glide": ("glide", "imagenet_glide"),
    "wukong": ("wukong", "imagenet_ai_0424_wukong"),
    "vqdm": ("VQDM", "imagenet_ai_0419_vqdm"),
    "biggan": ("BigGAN", "imagenet_ai_0419_biggan"),
}
"""Canonical generator -> (subset folder, archive dir) as released."""

_KNOWN_FOLDERS: dict[str, str] = {
    folder.lower(): generator
    for generator, folders in GENIMAGE_SUBSETS.items()
    for folder in (generator, *folders)
}


def genimage_slug(name: str) -> str:
    """Generator name for a subset folder the release does not have: lower-case, runs of other
    characters as "_" ("SDXL 1.0" -> "sdxl_1_0")."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "unnamed"


@register_layout("genimage")
@dataclass(frozen=True, kw_only=True)
class GenImageLayout(ScanOptions):
    """GenImage tree, any of three roots: the release root (`<subset>/<archive dir>/{train,val}/...`), one
    subset folder (`<archive dir>/{train,val}/...`) or one archive dir (`{train,val}/...`). Each file is
    placed by the folders above its `{train,val}/{ai,nature}/` pair (at most two, names compared
    case-insensitively), so a flattened `<subset>/{train,val}` copy reads too.

    Generator: the canonical name (sdv14, sdv15, midjourney, adm, glide, wukong, vqdm, biggan) of the
    subset folder, else of the archive dir, looked up in `generator_names` first (folder name ->
    generator) and then in GENIMAGE_SUBSETS; for the archive-dir root, its parent folder counts as the
    subset folder. A folder known to neither names its generator by genimage_slug of the top folder
    under root (of root itself for an archive-dir root): a new subset registers rather than vanishing.

    Splits: `train/` -> "train", `val/` -> "val" (split_names, folder -> split, changes that). GenImage
    has no test folder and papers report on val, so evaluations select split "val" by name.
    generators keeps only those canonical generators; each must be present.
    """

    split_names: Mapping[str, str] = field(default_factory=lambda: {"train": "train", "val": "val"})
    generator_names: Mapping[str, str] = field(default_factory=dict)
    generators: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for folder, split in self.split_names.items():
            check_split(split, f"split_names[{folder!r}]")

    def scan(self, root: str | Path) -> ScanResult:
        root = Path(root)
        require_dir(root, "genimage layout root")
        scan = TreeScan(root, self)
        splits = {folder.lower(): split for folder, split in self.split_names.items()}
        misplaced = f"not under <subset>/<archive dir>/{{{','.join(self.split_names)}}}/{{ai,nature}}/"
        found: set[str] = set()
        for path, parts in scan.files():
            # parts: up to two naming folders, then split folder, class folder, file name.
            if not 3 <= len(parts) <= 5 or parts[-3].lower() not in splits:
                scan.skip(path, misplaced)
                continue
            label = GENIMAGE_CLASS_LABELS.get(parts[-2].lower())
            if label is None:
                scan.skip(path, "not under an ai/ or nature/ folder")
                continue
            generator = self._generator(scan.root, parts[:-3])
            found.add(generator)
            if self.generators is None or generator in self.generators:
                scan.probe(path, label=label, generator=generator, split=splits[parts[-3].lower()])
        missing = sorted(set(self.generators or ()) - found)
        if missing:
            listed = ", ".join(sorted(found)) or "none"
            raise FileNotFoundError(
                f"genimage generator(s) {', '.join(missing)} not under {root}; found {listed}"
            )
        return scan.result()

    def _generator(self, root: Path, prefix: tuple[str, ...]) -> str:
        subset, archive = (root.parent.name, root.name, *prefix)[-2:]
        renames = {name.lower(): generator for name, generator in self.generator_names.items()}
        for table in (renames, _KNOWN_FOLDERS):
            for folder in (subset, archive):
                if folder.lower() in table:
                    return table[folder.lower()]
        return genimage_slug(prefix[0] if prefix else root.name)
