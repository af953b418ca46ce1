"""Liveness for long synchronous activities: a helper thread heartbeats the latest details every few seconds.

Work such as loading a large backbone or scoring a big dataset has no natural callback to heartbeat from;
the helper thread keeps the activity alive through it. It runs in a copy of the activity thread's context,
which is where the Temporal SDK keeps the heartbeat function (thread-safe for thread-pool activities).
"""

from __future__ import annotations

import contextvars
import threading
from types import TracebackType
from typing import Any

from temporalio import activity


class HeartbeatPulse:
    """Sends `details` now when asked and otherwise every `interval` seconds until closed."""

    def __init__(self, details: Any = None, interval: float = 2.0) -> None:
        self.interval = interval
        self._details = details
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        context = contextvars.copy_context()
        self._thread = threading.Thread(target=context.run, args=(self._loop,), name="heartbeat", daemon=True)

    def __enter__(self) -> HeartbeatPulse:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._stopped.set()
        self._thread.join()

    def update(self, details: Any, send_now: bool = False) -> None:
        """Replace the details the next pulse sends; `send_now` sends them at once (e.g. a checkpoint)."""
        with self._lock:
            self._details = details
        if send_now:
            self._send()

    def _send(self) -> None:
        with self._lock:
            details = self._details
        if details is None:
            activity.heartbeat()
        else:
            activity.heartbeat(details)

    def _loop(self) -> None:
        while not self._stopped.wait(self.interval):
            self._send()
