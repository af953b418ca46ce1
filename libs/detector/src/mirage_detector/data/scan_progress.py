"""Progress of a long scan for the register command: `scanned N/M files (R files/s, ETA mm:ss)` on stderr.

The total M is counted first without reading any file (count_files_to_scan); ScanProgress.update is the
callback the scan calls with N after each file (layouts.scanning.reporting_progress), so layouts never print.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from mirage_detector.data.layouts.folder import TwoFolderOptions
from mirage_detector.data.layouts.registry import Layout
from mirage_detector.data.layouts.scanning import count_scannable_files

REDRAW_EVERY_S = 0.1
"""On a terminal the line is redrawn at most this often."""

LINE_EVERY_S = 5.0
"""Elsewhere (a pipe, CI logs) one line this often, and none for a scan that ends sooner."""


def count_files_to_scan(layout: Layout, root: str | Path) -> int:
    """The files a scan of `root` will go through: a manifest's lines (a CSV's less its header), else the
    files under the folders the layout walks (hidden and OS files left out), by a walk that reads none."""
    root = Path(root)
    if root.is_file():
        return max(_count_lines(root) - (1 if root.suffix.lower() == ".csv" else 0), 0)
    if isinstance(layout, TwoFolderOptions):
        folders = [root / name for name in (layout.real_dir, layout.fake_dir) if name is not None]
    else:
        folders = [root]
    # A missing folder counts nothing here; the scan itself raises naming its option.
    return sum(count_scannable_files(folder) for folder in folders if folder.is_dir())


def _count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(1 for line in handle if line.strip())


def progress_line(scanned: int, total: int, elapsed_s: float) -> str:
    """`scanned 120/5000 files (40.0 files/s, ETA 02:02)`: the rate is the average since the scan began."""
    if scanned <= 0 or elapsed_s <= 0:
        return f"scanned {scanned}/{total} files (-- files/s, ETA --:--)"
    rate = scanned / elapsed_s
    eta = max(total - scanned, 0) / rate
    return f"scanned {scanned}/{total} files ({rate:.1f} files/s, ETA {clock_time(eta)})"


def clock_time(seconds: float) -> str:
    """mm:ss, or h:mm:ss from an hour on; rounded up, so a last second left shows 00:01, not 00:00."""
    whole = int(-(-seconds // 1))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class ScanProgress:
    """Shows a scan's progress on `stream`: on a terminal one line redrawn in place ('\\r') at most every
    REDRAW_EVERY_S, elsewhere one line every LINE_EVERY_S from the first interval on, so a scan that ends
    within it prints nothing. `redraw` (default: stream.isatty()), `every_s` and `clock` (read once when
    created and once per update) can be given, so that a test drives it with a fake clock."""

    def __init__(
        self,
        total: int,
        stream: TextIO,
        *,
        redraw: bool | None = None,
        every_s: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self._stream = stream
        self._redraw = stream.isatty() if redraw is None else redraw
        self._every = every_s if every_s is not None else REDRAW_EVERY_S if self._redraw else LINE_EVERY_S
        self._clock = clock
        self._start = clock()
        # A terminal shows the first file at once; a log waits one interval.
        self._due = self._start if self._redraw else self._start + self._every
        self._drawn = False

    def update(self, scanned: int) -> None:
        """`scanned` files are done: show it if a line is due."""
        now = self._clock()
        if now < self._due:
            return
        # Keep to the interval's grid (a line at 5, 10, 15 s), unless one file took longer than an interval.
        self._due += self._every
        if self._due <= now:
            self._due = now + self._every
        line = progress_line(scanned, self.total, now - self._start)
        self._stream.write(f"\r{line}\x1b[K" if self._redraw else f"{line}\n")
        self._stream.flush()
        self._drawn = True

    def close(self) -> None:
        """The scan is over: clear a redrawn line, so what follows (the summary, an error) starts clean."""
        if self._redraw and self._drawn:
            self._stream.write("\r\x1b[K")
            self._stream.flush()
