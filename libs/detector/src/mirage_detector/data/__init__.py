"""Data: records and manifests, dataset layouts, image loading, transforms, perturbations, dataset."""

from __future__ import annotations

from typing import TYPE_CHECKING

from mirage_detector.lazy_exports import lazy_getattr

# Names are imported on first use (PEP 562), so scanning a dataset (layouts, records, headers) never imports
# torch through the dataset and transform modules.
_EXPORTS: dict[str, str] = {
    "RecordDataset": "mirage_detector.data.dataset",
    "collate_batch": "mirage_detector.data.dataset",
    "item_seed": "mirage_detector.data.dataset",
    "DedupeResult": "mirage_detector.data.dedupe",
    "DuplicateGroup": "mirage_detector.data.dedupe",
    "dedupe_records": "mirage_detector.data.dedupe",
    "find_split_leaks": "mirage_detector.data.dedupe",
    "split_records": "mirage_detector.data.dedupe",
    "ImageHeader": "mirage_detector.data.image_header",
    "read_image_header": "mirage_detector.data.image_header",
    "sha256_hex": "mirage_detector.data.image_header",
    "estimate_jpeg_quality": "mirage_detector.data.jpeg_quality",
    "LayoutOptionError": "mirage_detector.data.layouts",
    "ScanResult": "mirage_detector.data.layouts",
    "SkippedFile": "mirage_detector.data.layouts",
    "create_layout": "mirage_detector.data.layouts",
    "list_layouts": "mirage_detector.data.layouts",
    "parse_layout_options": "mirage_detector.data.layouts",
    "register_layout": "mirage_detector.data.layouts",
    "DEFAULT_MAX_PIXELS": "mirage_detector.data.loading",
    "BadImageError": "mirage_detector.data.loading",
    "MissingOpenerError": "mirage_detector.data.loading",
    "Opener": "mirage_detector.data.loading",
    "decode_image": "mirage_detector.data.loading",
    "load_image": "mirage_detector.data.loading",
    "read_uri_bytes": "mirage_detector.data.loading",
    "register_opener": "mirage_detector.data.loading",
    "unregister_opener": "mirage_detector.data.loading",
    "Perturbation": "mirage_detector.data.perturbations",
    "PerturbationSpecError": "mirage_detector.data.perturbations",
    "create_perturbation": "mirage_detector.data.perturbations",
    "list_perturbations": "mirage_detector.data.perturbations",
    "perturbation_id": "mirage_detector.data.perturbations",
    "register_perturbation": "mirage_detector.data.perturbations",
    "LABEL_INDEX": "mirage_detector.data.records",
    "LABEL_NAMES": "mirage_detector.data.records",
    "SPLITS": "mirage_detector.data.records",
    "ImageRecord": "mirage_detector.data.records",
    "ManifestError": "mirage_detector.data.records",
    "read_manifest": "mirage_detector.data.records",
    "read_manifest_csv": "mirage_detector.data.records",
    "write_manifest": "mirage_detector.data.records",
    "CLIP_MEAN": "mirage_detector.data.transforms",
    "CLIP_STD": "mirage_detector.data.transforms",
    "POLICIES": "mirage_detector.data.transforms",
    "ImageTransform": "mirage_detector.data.transforms",
    "build_transform": "mirage_detector.data.transforms",
    "relative_uri": "mirage_detector.data.uris",
    "resolve_uri": "mirage_detector.data.uris",
}

if TYPE_CHECKING:
    from mirage_detector.data.dataset import RecordDataset, collate_batch, item_seed
    from mirage_detector.data.dedupe import (
        DedupeResult,
        DuplicateGroup,
        dedupe_records,
        find_split_leaks,
        split_records,
    )
    from mirage_detector.data.image_header import ImageHeader, read_image_header, sha256_hex
    from mirage_detector.data.jpeg_quality import estimate_jpeg_quality
    from mirage_detector.data.layouts import (
        LayoutOptionError,
        ScanResult,
        SkippedFile,
        create_layout,
        list_layouts,
        parse_layout_options,
        register_layout,
    )
    from mirage_detector.data.loading import (
        DEFAULT_MAX_PIXELS,
        BadImageError,
        MissingOpenerError,
        Opener,
        decode_image,
        load_image,
        read_uri_bytes,
        register_opener,
        unregister_opener,
    )
    from mirage_detector.data.perturbations import (
        Perturbation,
        PerturbationSpecError,
        create_perturbation,
        list_perturbations,
        perturbation_id,
        register_perturbation,
    )
    from mirage_detector.data.records import (
        LABEL_INDEX,
        LABEL_NAMES,
        SPLITS,
        ImageRecord,
        ManifestError,
        read_manifest,
        read_manifest_csv,
        write_manifest,
    )
    from mirage_detector.data.transforms import CLIP_MEAN, CLIP_STD, POLICIES, ImageTransform, build_transform
    from mirage_detector.data.uris import relative_uri, resolve_uri


__getattr__ = lazy_getattr(__name__, _EXPORTS)

__all__ = [
    "CLIP_MEAN",
    "CLIP_STD",
    "DEFAULT_MAX_PIXELS",
    "LABEL_INDEX",
    "LABEL_NAMES",
    "POLICIES",
    "SPLITS",
    "BadImageError",
    "DedupeResult",
    "DuplicateGroup",
    "ImageHeader",
    "ImageRecord",
    "ImageTransform",
    "LayoutOptionError",
    "ManifestError",
    "MissingOpenerError",
    "Opener",
    "Perturbation",
    "PerturbationSpecError",
    "RecordDataset",
    "ScanResult",
    "SkippedFile",
    "build_transform",
    "collate_batch",
    "create_layout",
    "create_perturbation",
    "decode_image",
    "dedupe_records",
    "estimate_jpeg_quality",
    "find_split_leaks",
    "item_seed",
    "list_layouts",
    "list_perturbations",
    "load_image",
    "parse_layout_options",
    "perturbation_id",
    "read_image_header",
    "read_manifest",
    "read_manifest_csv",
    "read_uri_bytes",
    "register_layout",
    "register_opener",
    "register_perturbation",
    "relative_uri",
    "resolve_uri",
    "sha256_hex",
    "split_records",
    "unregister_opener",
    "write_manifest",
]
