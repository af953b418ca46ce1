"""Liveness for long synchronous activities: a helper thread heartbeats the latest details every few seconds.

Work such as loading a large backbone or scoring a big dataset has no natural callback to heartbeat from;
the helper thread keeps the activity alive through it. It runs in a copy of the activity thread's context,
which is where the Temporal SDK keeps the heartbeat function (thread-safe for thread-pool activities).

A thread that beats whatever the work does would also keep a hung training alive forever (a stuck data
loader, a wedged GPU). So once a training loop has started, the pulse watches its step progress: when no
step has started for `stall_timeout` seconds it stops beating, Temporal's heartbeat timeout fails the
attempt retryably, and the retry resumes from the checkpoint of the last heartbeat. Preparation (manifests,
the resume checkpoint, the backbone) and the work after the loop are not watched.
"""

from __future__ import annotations

import contextvars
import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

from temporalio import activity

logger = logging.getLogger("mirage_gpu_worker")


def _activity_heartbeat(details: Any) -> None:
    if details is None:
        activity.heartbeat()
    else:
        activity.heartbeat(details)


class HeartbeatPulse:
    """Sends `details` now when asked and otherwise every `interval` seconds until closed.

    With a `stall_timeout`, the pulse lapses while a watched training loop makes no step progress for that
    long (see the module doc); `clock` and `send` are seams for tests.
    """

    def __init__(
        self,
        details: Any = None,
        interval: float = 2.0,
        *,
        stall_timeout: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        send: Callable[[Any], None] = _activity_heartbeat,
    ) -> None:
        self.interval = interval
        self.stall_timeout = stall_timeout
        self._clock = clock
        self._send_details = send
        self._details = details
        self._lock = threading.Lock()
        # step progress: None until the training loop starts and again once it ends
        self._last_progress: float | None = None
        self._step = 0
        self._resume_step = 0
        self._lapsed = False
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
            self.beat()

    def step_started(self, step: int, resume_step: int) -> None:
        """The training loop starts its next step after `step` done; a stall from now on is retried from
        the checkpoint of `resume_step`. The first call starts the stall watch."""
        with self._lock:
            self._last_progress = self._clock()
            self._step = step
            self._resume_step = resume_step
            lapsed, self._lapsed = self._lapsed, False
        if lapsed:
            logger.info("step progress resumed at step %d; heartbeating again", step)

    def training_ended(self) -> None:
        """The training loop is over: what follows (calibration, upload) is not watched for stalls."""
        with self._lock:
            self._last_progress = None

    def beat(self) -> bool:
        """One pulse: heartbeat the details unless the watched training has stalled; True when it sent."""
        with self._lock:
            details = self._details
            stalled_for = self._stalled_for()
            first_lapse = stalled_for is not None and not self._lapsed
            if stalled_for is not None:
                self._lapsed = True
            step, resume_step = self._step, self._resume_step
        if stalled_for is None:
            self._send_details(details)
            return True
        if first_lapse:
            logger.warning(
                "no step progress for %d s; letting the heartbeat lapse so Temporal retries from step %d "
                "(the run is stuck after step %d)",
                int(stalled_for),
                resume_step,
                step,
            )
        return False

    def _stalled_for(self) -> float | None:
        """Seconds since the last step progress when that exceeds the stall timeout, else None."""
        if self.stall_timeout is None or self._last_progress is None:
            return None
        waited = self._clock() - self._last_progress
        return waited if waited > self.stall_timeout else None

    def _loop(self) -> None:
        while not self._stopped.wait(self.interval):
            self.beat()
