"""UniversalFakeDetect's diffusion test set: `<generator>/1_fake/*`, reals in `{imagenet,laion}/0_real/*`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mirage_detector.data.layouts.forensynths import label_from_folder_name
from mirage_detector.data.layouts.registry import ScanResult, register_layout
from mirage_detector.data.layouts.scanning import ScanOptions, TreeScan, require_dir

UFD_DIFFUSION_REAL_SOURCE: dict[str, str] = {
    "guided": "imagenet",
    "ldm_200": "laion",
    "ldm_200_cfg": "laion",
    "ldm_100": "laion",
    "glide_100_27": "laion",
    "glide_50_27": "laion",
    "glide_100_10": "laion",
    "dalle": "laion",
}
"""Fake generator -> the real source it is evaluated against, as in UnivFD's own dataset list."""


@register_layout("ufd-diffusion")
@dataclass(frozen=True, kw_only=True)
class UfdDiffusionLayout(ScanOptions):
    """The diffusion set of UniversalFakeDetect (Ojha et al.), every record split "test".

    `<root>/<generator>/1_fake/*` for guided, ldm_200, ldm_200_cfg, ldm_100, glide_100_27, glide_50_27,
    glide_100_10 and dalle; reals in `<root>/imagenet/0_real/*` and `<root>/laion/0_real/*`. Every record's
    generator is its top folder's name lower-cased, so reals are "imagenet" or "laion" and an evaluation
    column selects a pair, e.g. generators [guided, imagenet] or [ldm_200, laion]: UFD_DIFFUSION_REAL_SOURCE
    gives the pairing (guided with ImageNet reals, all others with LAION). A folder not in that table is
    recorded the same way. root may also be one of those folders (holding the label folder directly).
    """

    def scan(self, root: str | Path) -> ScanResult:
        root = Path(root)
        require_dir(root, "ufd-diffusion layout root")
        scan = TreeScan(root, self)
        for path, parts in scan.files():
            label = label_from_folder_name(parts[-2]) if 2 <= len(parts) <= 3 else None
            if label is None:
                scan.skip(path, "not under <generator>/{0_real,1_fake}/")
                continue
            generator = (parts[0] if len(parts) == 3 else scan.root.name).lower()
            scan.probe(path, label, generator, "test")
        return scan.result()
