"""Dataset layouts: scan a root into ImageRecords (register_layout / create_layout / list_layouts)."""

from mirage_detector.data.layouts.folder import FolderLayout
from mirage_detector.data.layouts.forensynths import ForenSynthsLayout, label_from_folder_name
from mirage_detector.data.layouts.genimage import GenImageLayout
from mirage_detector.data.layouts.manifest import ManifestLayout
from mirage_detector.data.layouts.registry import (
    Layout,
    ScanResult,
    SkippedFile,
    create_layout,
    list_layouts,
    register_layout,
)
from mirage_detector.data.layouts.scanning import IMAGE_SUFFIXES, ScanOptions

__all__ = [
    "IMAGE_SUFFIXES",
    "FolderLayout",
    "ForenSynthsLayout",
    "GenImageLayout",
    "Layout",
    "ManifestLayout",
    "ScanOptions",
    "ScanResult",
    "SkippedFile",
    "create_layout",
    "label_from_folder_name",
    "list_layouts",
    "register_layout",
]
