"""`python -m mirage_gpu_worker --gpus all|0,3,...`: one worker process per GPU, restarted when one dies.

Each child is `python -m mirage_gpu_worker` with CUDA_VISIBLE_DEVICES naming its one GPU (so its cuda:0 is
that GPU) and MIRAGE_WORKER_MAX_CONCURRENT_ACTIVITIES=1; its stdout and stderr lines come out of the
supervisor's own, prefixed `[gpu <id>]`. The children share MIRAGE_WORKER_CACHE (a temporary folder when it
is unset, kept across restarts): the artifact cache is content-addressed and a download lands by atomic rename
of a temp file named by the downloading process's pid, and each activity works in a fresh mkdtemp folder
under it, so no process ever sees another's partial file or removes another's work.

SIGTERM or SIGINT forwards SIGTERM to every child (a running train saves a checkpoint), waits for them (at
most STOP_TIMEOUT_SECONDS, then SIGKILL) and exits 0; nothing is restarted once the stop began.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TextIO

from mirage_gpu_worker.settings import SettingsError, load_settings

logger = logging.getLogger("mirage_gpu_worker.supervisor")

WORKER_COMMAND = (sys.executable, "-m", "mirage_gpu_worker")
STOP_TIMEOUT_SECONDS = 90.0
# what every child gets on top of the supervisor's environment (and its own CUDA_VISIBLE_DEVICES)
CHILD_SETTINGS = {"MIRAGE_WORKER_MAX_CONCURRENT_ACTIVITIES": "1", "PYTHONUNBUFFERED": "1"}
_POLL_SECONDS = 0.2


class GpuListError(ValueError):
    """A bad --gpus value; the message names the flag and is printed as one line."""


def cuda_device_count() -> int:
    import torch  # lazily: only `--gpus all` needs it

    return int(torch.cuda.device_count())


def parse_gpus(value: str, count_devices: Callable[[], int] | None = None) -> list[int]:
    """The GPU ids of `--gpus`: `all` (every device torch sees) or distinct non-negative ints, as given."""
    if value.strip() == "all":
        count = (count_devices or cuda_device_count)()
        if count < 1:
            raise GpuListError(
                "--gpus all: no CUDA device is visible (torch.cuda.device_count() is 0); "
                "name the GPUs explicitly (e.g. --gpus 0,1) or run without --gpus for a single worker"
            )
        return list(range(count))
    gpus: list[int] = []
    for part in (text.strip() for text in value.split(",")):
        if not re.fullmatch(r"[0-9]+", part):
            raise GpuListError(
                f"--gpus: {part!r} is not a GPU id in {value!r}; "
                "expected `all` or distinct non-negative integers such as 0,3"
            )
        if int(part) in gpus:
            raise GpuListError(f"--gpus: GPU {int(part)} is listed twice in {value!r}; ids must be distinct")
        gpus.append(int(part))
    return gpus


def visible_devices(gpus: Sequence[int], inherited: str | None) -> dict[int, str]:
    """Each child's CUDA_VISIBLE_DEVICES: its GPU id, or, when the supervisor itself sees only some devices
    (CUDA_VISIBLE_DEVICES set), the entry of that list the id indexes (the device torch numbers so)."""
    if inherited is None:
        return {gpu: str(gpu) for gpu in gpus}
    entries = [entry.strip() for entry in inherited.split(",") if entry.strip()]
    for gpu in gpus:
        if gpu >= len(entries):
            raise GpuListError(
                f"--gpus: GPU {gpu} is not visible: CUDA_VISIBLE_DEVICES={inherited!r} "
                f"names {len(entries)} device(s), numbered from 0"
            )
    return {gpu: entries[gpu] for gpu in gpus}


def child_environments(
    value: str, environ: Mapping[str, str], count_devices: Callable[[], int] | None = None
) -> dict[int, dict[str, str]]:
    """The environment of each child by GPU id; GpuListError or SettingsError before anything is created."""
    gpus = parse_gpus(value, count_devices)
    devices = visible_devices(gpus, environ.get("CUDA_VISIBLE_DEVICES"))
    cache = environ.get("MIRAGE_WORKER_CACHE")
    # checked once here: a bad environment is one message, not children failing and restarting forever
    load_settings({**environ, **CHILD_SETTINGS, "MIRAGE_WORKER_CACHE": cache or tempfile.gettempdir()})
    cache = cache or tempfile.mkdtemp(prefix="mirage-gpu-worker-")
    return {
        gpu: {**environ, **CHILD_SETTINGS, "MIRAGE_WORKER_CACHE": cache, "CUDA_VISIBLE_DEVICES": devices[gpu]}
        for gpu in gpus
    }


@dataclass
class Backoff:
    """Restart delays: `initial`, doubling up to `maximum`; `initial` again after a run > `reset_after`."""

    initial: float = 1.0
    maximum: float = 30.0
    reset_after: float = 60.0
    _next: float | None = None

    def delay(self, ran_for: float) -> float:
        if self._next is None or ran_for > self.reset_after:
            self._next = self.initial
        delay = self._next
        self._next = min(delay * 2, self.maximum)
        return delay


@dataclass
class _Child:
    gpu: int
    env: dict[str, str]
    backoff: Backoff
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restart_at: float = 0.0
    relays: list[threading.Thread] = field(default_factory=list)


def describe_exit(returncode: int) -> str:
    if returncode >= 0:
        return f"exit code {returncode}"
    try:
        return f"signal {signal.Signals(-returncode).name}"
    except ValueError:
        return f"signal {-returncode}"


class Supervisor:
    """Runs and restarts one child per GPU until `request_stop`; `run` then stops them all and returns 0."""

    def __init__(
        self,
        environments: Mapping[int, Mapping[str, str]],
        command: Sequence[str] = WORKER_COMMAND,
        backoff: Callable[[], Backoff] = Backoff,
        stop_timeout: float = STOP_TIMEOUT_SECONDS,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
    ) -> None:
        self._children = [_Child(gpu, dict(env), backoff()) for gpu, env in environments.items()]
        self._command = list(command)
        self._stop_timeout = stop_timeout
        self._stdout = stdout
        self._stderr = stderr
        self._stop = threading.Event()
        self._write_lock = threading.Lock()

    def request_stop(self) -> None:
        self._stop.set()

    def run(self) -> int:
        logger.info("supervising %d worker(s): gpus %s", len(self._children), [c.gpu for c in self._children])
        while not self._stop.is_set():
            now = time.monotonic()
            for child in self._children:
                if child.process is None:
                    if now >= child.restart_at and not self._stop.is_set():
                        self._start(child)
                elif (returncode := child.process.poll()) is not None:
                    self._exited(child, returncode, now)
            self._stop.wait(_POLL_SECONDS)
        self._shutdown()
        return 0

    def _start(self, child: _Child) -> None:
        try:
            process = subprocess.Popen(
                self._command,
                env=child.env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
        except OSError as error:
            delay = child.backoff.delay(0.0)
            child.restart_at = time.monotonic() + delay
            logger.error("gpu %d worker could not start (%s); retrying in %gs", child.gpu, error, delay)
            return
        child.process, child.started_at = process, time.monotonic()
        assert process.stdout is not None and process.stderr is not None
        child.relays = [
            self._relay(process.stdout, child.gpu, lambda: self._stdout or sys.stdout),
            self._relay(process.stderr, child.gpu, lambda: self._stderr or sys.stderr),
        ]
        logger.info(
            "gpu %d worker started pid=%d CUDA_VISIBLE_DEVICES=%s",
            child.gpu,
            process.pid,
            child.env["CUDA_VISIBLE_DEVICES"],
        )

    def _relay(self, pipe: IO[bytes], gpu: int, stream: Callable[[], TextIO]) -> threading.Thread:
        def pump() -> None:
            with pipe:
                for raw in pipe:
                    line = raw.decode(errors="replace").rstrip("\r\n")
                    with self._write_lock:
                        try:
                            out = stream()
                            out.write(f"[gpu {gpu}] {line}\n")
                            out.flush()
                        except (OSError, ValueError):
                            pass  # our output is gone: keep draining so the child never blocks on a full pipe

        thread = threading.Thread(target=pump, name=f"gpu-{gpu}-output", daemon=True)
        thread.start()
        return thread

    def _exited(self, child: _Child, returncode: int, now: float) -> None:
        assert child.process is not None
        ran_for = now - child.started_at
        delay = child.backoff.delay(ran_for)
        logger.warning(
            "gpu %d worker pid=%d exited with %s after %.1fs; restarting in %gs",
            child.gpu,
            child.process.pid,
            describe_exit(returncode),
            ran_for,
            delay,
        )
        child.process, child.restart_at = None, now + delay

    def _shutdown(self) -> None:
        running = [c for c in self._children if c.process is not None and c.process.poll() is None]
        logger.info("stopping: SIGTERM to %d worker(s), waiting up to %gs", len(running), self._stop_timeout)
        for child in running:
            assert child.process is not None
            child.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self._stop_timeout
        for child in running:
            assert child.process is not None
            try:
                child.process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning(
                    "gpu %d worker pid=%d still running after %gs; SIGKILL",
                    child.gpu,
                    child.process.pid,
                    self._stop_timeout,
                )
                child.process.kill()
                child.process.wait()
            logger.info(
                "gpu %d worker pid=%d stopped (%s)",
                child.gpu,
                child.process.pid,
                describe_exit(child.process.returncode),
            )
        for child in self._children:
            for relay in child.relays:
                relay.join(timeout=5)
        logger.info("supervisor stopped")


def supervise(value: str) -> int:
    """The `--gpus` entry point: 2 on a bad value or environment (one line, no traceback), else 0 once a
    SIGTERM or SIGINT has stopped every child."""
    try:
        environments = child_environments(value, os.environ)
    except (GpuListError, SettingsError) as error:
        print(f"mirage-gpu-worker: {error}", file=sys.stderr)
        return 2
    supervisor = Supervisor(environments)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: supervisor.request_stop())
    return supervisor.run()
