"""Two-folder video layout: `<root>/<real_dir>/**` and `<root>/<fake_dir>/**` videos of one generator."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mirage_detector.data.layouts.debris import video_name_skip_reason
from mirage_detector.data.layouts.folder import TwoFolderOptions
from mirage_detector.data.layouts.registry import ScanResult, register_layout
from mirage_detector.data.layouts.scanning import TreeScan, require_dir
from mirage_detector.data.layouts.video_scanning import VideoScanOptions, default_video_ids, scan_video


@register_layout("video-folder")
@dataclass(frozen=True, kw_only=True)
class VideoFolderLayout(TwoFolderOptions, VideoScanOptions):
    """Real videos under `real_dir`, fakes under `fake_dir` (recursively; .mp4 .webm .mov .mkv .avi in any
    case), each sampled into frame records (options sample, max_frames: see VideoScanOptions).

    generator names the fakes' generator (e.g. sora), real_generator the reals' source (default
    generator). Other files (thumbnails, .json/.txt sidecars) are skipped with their reason, hidden and OS
    files ignored, a video that cannot be used skipped once with its reason. video_id is the uri without
    its suffix (see default_video_ids); width, height and format (the codec) are the video's.
    """

    def scan(self, root: str | Path) -> ScanResult:
        root = Path(root)
        require_dir(root, "video-folder layout root")
        scan = TreeScan(root, self)
        videos: list[tuple[Path, str, int, str]] = []
        for directory, label, generator in self.class_folders(root, "video-folder"):
            for path, parts in scan.files(directory):
                reason = video_name_skip_reason(path)
                if reason is not None:
                    scan.skip(path, reason)
                else:
                    videos.append((path, "/".join(parts), label, generator))
        ids = default_video_ids([uri for _, uri, _, _ in videos])
        for path, uri, label, generator in videos:
            outcome = scan_video(path, uri, ids[uri], label, generator, self.split, self)
            if isinstance(outcome, list):
                scan.records.extend(outcome)
            else:
                scan.skipped.append(outcome)
        return scan.result()
