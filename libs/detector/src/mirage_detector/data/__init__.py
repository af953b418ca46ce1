"""Data: records and manifests, dataset layouts, image loading, transforms, perturbations, dataset."""

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
