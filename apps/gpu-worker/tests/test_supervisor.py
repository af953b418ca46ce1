"""`python -m mirage_gpu_worker --gpus ...`: one worker process per GPU.

The flag's parsing and the restart/stop machinery run on small fake children; the acceptance test runs two
REAL workers (fake GPU ids on CPU: a child only sees CUDA_VISIBLE_DEVICES) against the real Temporal and S3.
"""

from __future__ import annotations

import io
import logging
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import unique

from mirage_gpu_worker import supervisor
from mirage_gpu_worker.main import main
from mirage_gpu_worker.settings import S3Settings
from mirage_gpu_worker.supervisor import (
    STOP_TIMEOUT_SECONDS,
    Backoff,
    GpuListError,
    Supervisor,
    child_environments,
    parse_gpus,
    visible_devices,
)

SERVICES = {
    "TEMPORAL_ADDRESS": "localhost:1",
    "S3_ENDPOINT": "http://localhost:1",
    "S3_ACCESS_KEY_ID": "k",
    "S3_SECRET_ACCESS_KEY": "s",
}


def no_devices() -> int:
    raise AssertionError("an explicit --gpus list must not enumerate devices")


def test_explicit_gpu_list_is_taken_as_given() -> None:
    assert parse_gpus("0,3", no_devices) == [0, 3]
    assert parse_gpus(" 5 , 2 ", no_devices) == [5, 2]


def test_gpus_all_enumerates_the_visible_devices() -> None:
    assert parse_gpus("all", lambda: 3) == [0, 1, 2]


def test_gpus_all_without_a_device_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(supervisor, "cuda_device_count", lambda: 0)
    assert main(["--gpus", "all"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "--gpus all: no CUDA device is visible" in err
    assert "--gpus 0,1" in err and "without --gpus" in err


def test_gpus_all_with_no_device_visible_to_torch_exits_2(tmp_path: Path) -> None:
    env = {**os.environ, **SERVICES, "CUDA_VISIBLE_DEVICES": "", "MIRAGE_WORKER_CACHE": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-m", "mirage_gpu_worker", "--gpus", "all"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("mirage-gpu-worker: --gpus all: no CUDA device is visible")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []  # nothing started


@pytest.mark.parametrize("value", ["0,0", "x", "0,", "1,-1", "", "0;1", "all,1"])
def test_bad_gpus_value_exits_2_naming_the_flag(value: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--gpus", value]) == 2
    err = capsys.readouterr().err
    assert err.startswith("mirage-gpu-worker: --gpus: ") and err.count("\n") == 1
    assert "Traceback" not in err
    with pytest.raises(GpuListError, match="--gpus"):
        parse_gpus(value, no_devices)


def test_gpu_ids_index_the_devices_the_supervisor_was_given() -> None:
    assert visible_devices([0, 3], None) == {0: "0", 3: "3"}
    assert visible_devices([1, 0], "4,6") == {1: "6", 0: "4"}
    with pytest.raises(GpuListError, match=r"--gpus: GPU 2 is not visible: CUDA_VISIBLE_DEVICES='4,6'"):
        visible_devices([2], "4,6")


def test_children_get_one_gpu_one_activity_and_share_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    base = {**SERVICES, "MIRAGE_WORKER_MAX_CONCURRENT_ACTIVITIES": "4", "OTHER": "kept"}
    envs = child_environments("0,3", {**base, "MIRAGE_WORKER_CACHE": str(tmp_path)}, no_devices)
    assert list(envs) == [0, 3]
    for gpu, env in envs.items():
        assert env["CUDA_VISIBLE_DEVICES"] == str(gpu)
        assert env["MIRAGE_WORKER_MAX_CONCURRENT_ACTIVITIES"] == "1"
        assert env["MIRAGE_WORKER_CACHE"] == str(tmp_path) and env["OTHER"] == "kept"
    # no cache configured: one temporary folder for all children (and their restarts)
    shared = {env["MIRAGE_WORKER_CACHE"] for env in child_environments("0,1", base, no_devices).values()}
    assert len(shared) == 1 and Path(shared.pop()).is_dir()


def test_a_bad_environment_is_reported_once_before_any_child_starts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("TEMPORAL_ADDRESS", raising=False)
    assert main(["--gpus", "0"]) == 2
    err = capsys.readouterr().err
    assert "TEMPORAL_ADDRESS" in err and err.count("\n") == 1


def test_backoff_doubles_to_30s_and_resets_after_a_long_run() -> None:
    backoff = Backoff()
    assert [backoff.delay(0.5) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.delay(61) == 1
    assert backoff.delay(59) == 2


class FakeRun:
    """A Supervisor over fake children (`python -c code`), running in a thread until `stop`."""

    def __init__(self, code: str, gpus: list[int], **options: float | Callable[[], Backoff]) -> None:
        self.stdout, self.stderr = io.StringIO(), io.StringIO()
        self.supervisor = Supervisor(
            {gpu: {**os.environ, "CUDA_VISIBLE_DEVICES": str(gpu)} for gpu in gpus},
            command=[sys.executable, "-c", code],
            stdout=self.stdout,
            stderr=self.stderr,
            **options,  # type: ignore[arg-type]
        )
        self.status: int | None = None
        self.thread = threading.Thread(target=self._run)
        self.thread.start()

    def _run(self) -> None:
        self.status = self.supervisor.run()

    def stop(self, timeout: float = 30) -> int | None:
        self.supervisor.request_stop()
        self.thread.join(timeout)
        assert not self.thread.is_alive()
        return self.status


def wait_for(condition: Callable[[], bool], timeout: float, what: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting: {what()}")
        time.sleep(0.05)


def messages(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.name == "mirage_gpu_worker.supervisor"]


def test_a_dead_child_is_restarted_after_a_growing_delay(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "mirage_gpu_worker.supervisor")
    code = (
        "import os, sys\n"
        "print('hello', os.environ['CUDA_VISIBLE_DEVICES'])\n"
        "sys.stderr.write('oops\\n')\n"
        "sys.exit(3)"
    )
    run = FakeRun(code, [7], backoff=lambda: Backoff(initial=0.05, maximum=0.2))
    try:
        exits = lambda: [m for m in messages(caplog) if "exited with" in m]  # noqa: E731
        wait_for(lambda: len(exits()) >= 4, 30, lambda: "\n".join(messages(caplog)))
    finally:
        assert run.stop() == 0
    exited = r"gpu 7 worker pid=\d+ exited with exit code 3 after [0-9.]+s; restarting in [0-9.]+s"
    assert all(re.fullmatch(exited, m) for m in exits()), exits()
    assert [m.rsplit(" ", 1)[1] for m in exits()[:4]] == ["0.05s", "0.1s", "0.2s", "0.2s"]
    started = [m for m in messages(caplog) if "started pid=" in m]
    assert len({m.split("pid=")[1] for m in started}) == len(started) >= 4
    assert "[gpu 7] hello 7\n" in run.stdout.getvalue()
    assert "[gpu 7] oops\n" in run.stderr.getvalue()


def test_stop_forwards_sigterm_and_kills_a_child_that_ignores_it(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "mirage_gpu_worker.supervisor")
    # gpu 0 stops on SIGTERM, gpu 1 ignores it
    code = (
        "import os, signal, sys, time\n"
        "polite = os.environ['CUDA_VISIBLE_DEVICES'] == '0'\n"
        "signal.signal(signal.SIGTERM, (lambda *_: sys.exit(0)) if polite else signal.SIG_IGN)\n"
        "print('up', flush=True)\n"
        "time.sleep(60)"
    )
    run = FakeRun(code, [0, 1], stop_timeout=1.0)
    wait_for(lambda: run.stdout.getvalue().count("up") == 2, 30, run.stdout.getvalue)
    began = time.monotonic()
    assert run.stop() == 0
    assert time.monotonic() - began < 10
    log = messages(caplog)
    assert any(re.fullmatch(r"gpu 0 worker pid=\d+ stopped \(exit code 0\)", m) for m in log), log
    assert any(re.fullmatch(r"gpu 1 worker pid=\d+ still running after 1s; SIGKILL", m) for m in log), log
    assert any(re.fullmatch(r"gpu 1 worker pid=\d+ stopped \(signal SIGKILL\)", m) for m in log), log
    assert not any("exited with" in m or "restarting" in m for m in log), log


# --- the real worker ------------------------------------------------------------------------------------


class SupervisorProcess:
    """`python -m mirage_gpu_worker --gpus ...` as a subprocess, its stdout and stderr in one log file."""

    def __init__(self, gpus: str, env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mirage_gpu_worker", "--gpus", gpus],
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        self.child_pids: set[int] = set()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_for(self, pattern: str, count: int = 1, timeout: float = 180) -> list[re.Match[str]]:
        """The first `count` matches of `pattern` (multiline) in the log, waiting for them."""
        deadline = time.monotonic() + timeout
        while True:
            found = list(re.finditer(pattern, self.log(), re.MULTILINE))
            if len(found) >= count:
                return found
            if self.process.poll() is not None:
                pytest.fail(f"supervisor exited with {self.process.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {count} x {pattern!r} after {timeout}s:\n{self.log()}")
            time.sleep(0.2)

    def started(self, gpu: int, count: int = 1) -> int:
        """The pid of the `count`-th start of the worker of `gpu`."""
        found = self.wait_for(rf"gpu {gpu} worker started pid=(\d+) CUDA_VISIBLE_DEVICES={gpu}$", count)
        pid = int(found[count - 1].group(1))
        self.child_pids.add(pid)
        return pid

    def wait_ready(self, gpu: int, count: int = 1) -> None:
        self.wait_for(rf"^\[gpu {gpu}\] .* worker ready task_queue=", count)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for pid in self.child_pids:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
        self._log.close()


def environ_of(pid: int) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(entry.decode().split("=", 1) for entry in entries if b"=" in entry)


def parent_of(pid: int) -> int:
    # /proc/<pid>/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after its ")"
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


@pytest.fixture
def supervised(
    tmp_path: Path, temporal_address: str, s3_settings: S3Settings
) -> Iterator[tuple[SupervisorProcess, Path]]:
    cache = tmp_path / "cache"
    env = {
        **os.environ,
        "MIRAGE_GPU_TASK_QUEUE": unique("gpu-supervised"),
        "MIRAGE_WORKER_CACHE": str(cache),
        "MIRAGE_WORKER_MAX_CONCURRENT_ACTIVITIES": "3",  # each child gets 1
        "MIRAGE_TORCH_THREADS": "1",
        "OMP_NUM_THREADS": "1",
    }
    env.pop("CUDA_VISIBLE_DEVICES", None)
    process = SupervisorProcess("0,1", env, tmp_path / "supervisor.log")
    try:
        yield process, cache
    finally:
        process.close()


def test_one_real_worker_per_gpu_restarted_when_killed_and_stopped_by_sigterm(
    supervised: tuple[SupervisorProcess, Path],
) -> None:
    run, cache = supervised
    first = {gpu: run.started(gpu) for gpu in (0, 1)}
    for gpu, pid in first.items():
        run.wait_ready(gpu)
        assert parent_of(pid) == run.process.pid
        env = environ_of(pid)
        assert env["CUDA_VISIBLE_DEVICES"] == str(gpu)
        assert env["MIRAGE_WORKER_MAX_CONCURRENT_ACTIVITIES"] == "1"
        assert env["MIRAGE_WORKER_CACHE"] == str(cache)

    os.kill(first[1], signal.SIGKILL)
    run.wait_for(rf"gpu 1 worker pid={first[1]} exited with signal SIGKILL after [0-9.]+s; restarting in 1s$")
    restarted = run.started(1, count=2)
    assert restarted != first[1]
    run.wait_ready(1, count=2)
    assert parent_of(restarted) == run.process.pid
    assert environ_of(restarted)["CUDA_VISIBLE_DEVICES"] == "1"
    assert alive(first[0]) and "gpu 0 worker pid" not in run.log()  # the other worker ran on untouched

    began = time.monotonic()
    run.process.send_signal(signal.SIGTERM)
    assert run.process.wait(timeout=STOP_TIMEOUT_SECONDS + 30) == 0
    assert time.monotonic() - began < STOP_TIMEOUT_SECONDS + 30
    log = run.log()
    for gpu, pid in ((0, first[0]), (1, restarted)):
        assert not alive(pid), f"gpu {gpu} worker {pid} outlived the supervisor"
        assert re.search(rf"gpu {gpu} worker pid={pid} stopped \(exit code 0\)$", log, re.MULTILINE), log
        assert re.search(rf"^\[gpu {gpu}\] .* worker stopped$", log, re.MULTILINE), log
    assert not alive(first[1])
    after_stop = log.split("stopping: SIGTERM to 2 worker(s)", 1)[1]
    assert "started pid=" not in after_stop and "restarting" not in after_stop, log
    assert "supervisor stopped" in after_stop
