"""Dataset layouts: scan a root into ImageRecords (register_layout / create_layout / list_layouts)."""

from mirage_detector.data.layouts.debris import IMAGE_SUFFIXES, OS_FILE_REASON, VIDEO_SUFFIXES
from mirage_detector.data.layouts.folder import FolderLayout
from mirage_detector.data.layouts.forensynths import (
    FORENSYNTHS_CLASSES,
    ForenSynthsLayout,
    label_from_folder_name,
)
from mirage_detector.data.layouts.genimage import GENIMAGE_SUBSETS, GenImageLayout, genimage_slug
from mirage_detector.data.layouts.manifest import ManifestLayout
from mirage_detector.data.layouts.options import LayoutOptionError, OptionSpec
from mirage_detector.data.layouts.registry import (
    Layout,
    ScanResult,
    SkippedFile,
    create_layout,
    describe_options,
    layout_options,
    list_layouts,
    parse_layout_options,
    register_layout,
)
from mirage_detector.data.layouts.scanning import ScanOptions
from mirage_detector.data.layouts.ufd_diffusion import UFD_DIFFUSION_REAL_SOURCE, UfdDiffusionLayout
from mirage_detector.data.layouts.video_folder import VideoFolderLayout
from mirage_detector.data.layouts.video_manifest import VideoManifestLayout, read_video_list
from mirage_detector.data.layouts.video_scanning import VideoScanOptions

__all__ = [
    "FORENSYNTHS_CLASSES",
    "GENIMAGE_SUBSETS",
    "IMAGE_SUFFIXES",
    "OS_FILE_REASON",
    "UFD_DIFFUSION_REAL_SOURCE",
    "VIDEO_SUFFIXES",
    "FolderLayout",
    "ForenSynthsLayout",
    "GenImageLayout",
    "Layout",
    "LayoutOptionError",
    "ManifestLayout",
    "OptionSpec",
    "ScanOptions",
    "ScanResult",
    "SkippedFile",
    "UfdDiffusionLayout",
    "VideoFolderLayout",
    "VideoManifestLayout",
    "VideoScanOptions",
    "create_layout",
    "describe_options",
    "genimage_slug",
    "label_from_folder_name",
    "layout_options",
    "list_layouts",
    "parse_layout_options",
    "read_video_list",
    "register_layout",
]
