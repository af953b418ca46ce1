"""The heartbeat pulse and its stall watch, on a fake clock (no Temporal needed)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from mirage_gpu_worker.heartbeat import HeartbeatPulse

TIMEOUT = 1800.0


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def pulse_with(clock: FakeClock, stall_timeout: float | None = TIMEOUT) -> tuple[HeartbeatPulse, list[Any]]:
    sent: list[Any] = []
    pulse = HeartbeatPulse(
        {"step": 0}, interval=2.0, stall_timeout=stall_timeout, clock=clock, send=sent.append
    )
    return pulse, sent


def test_preparation_is_never_watched() -> None:
    # manifests and the resume checkpoint can take longer than the stall timeout: no step has started yet
    clock = FakeClock()
    pulse, sent = pulse_with(clock)
    clock.now += 10 * TIMEOUT
    assert pulse.beat() and sent == [{"step": 0}]


def test_the_pulse_lapses_once_steps_stop_and_logs_where_the_retry_resumes(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = FakeClock()
    pulse, sent = pulse_with(clock)
    pulse.step_started(340, resume_step=300)
    clock.now += TIMEOUT
    assert pulse.beat()  # exactly at the timeout: still alive
    clock.now += 1
    with caplog.at_level(logging.INFO, logger="mirage_gpu_worker"):
        assert not pulse.beat()
        clock.now += 2
        assert not pulse.beat()
        pulse.update({"step": 340}, send_now=True)  # a checkpoint heartbeat is held back too
    assert len(sent) == 1
    lapse = [r.getMessage() for r in caplog.records if "letting the heartbeat lapse" in r.getMessage()]
    assert lapse == [
        "no step progress for 1801 s; letting the heartbeat lapse so Temporal retries from step 300 "
        "(the run is stuck after step 340)"
    ]


def test_steady_steps_keep_the_pulse_alive() -> None:
    clock = FakeClock()
    pulse, sent = pulse_with(clock)
    for step in range(20):
        pulse.step_started(step, resume_step=0)
        clock.now += TIMEOUT * 0.9  # slow steps, each under the timeout
        assert pulse.beat()
    assert len(sent) == 20


def test_progress_after_a_lapse_heartbeats_again(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    pulse, sent = pulse_with(clock)
    pulse.step_started(10, resume_step=0)
    clock.now += TIMEOUT + 5
    assert not pulse.beat()
    with caplog.at_level(logging.INFO, logger="mirage_gpu_worker"):
        pulse.step_started(11, resume_step=0)
    assert pulse.beat() and len(sent) == 1
    assert "step progress resumed at step 11; heartbeating again" in caplog.text


def test_the_work_after_the_training_loop_is_not_watched() -> None:
    clock = FakeClock()
    pulse, sent = pulse_with(clock)
    pulse.step_started(599, resume_step=550)
    pulse.training_ended()  # calibration on a large validation split may take long
    clock.now += 10 * TIMEOUT
    assert pulse.beat() and len(sent) == 1


def test_without_a_stall_timeout_the_pulse_never_lapses() -> None:
    clock = FakeClock()
    pulse, sent = pulse_with(clock, stall_timeout=None)
    pulse.step_started(1, resume_step=0)
    clock.now += 100 * TIMEOUT
    assert pulse.beat() and len(sent) == 1


def test_the_thread_beats_the_latest_details_every_interval() -> None:
    beats = threading.Semaphore(0)
    sent: list[Any] = []

    def send(details: Any) -> None:
        sent.append(details)
        beats.release()

    with HeartbeatPulse({"step": 0}, interval=0.01, send=send) as pulse:
        assert beats.acquire(timeout=5)
        pulse.update({"step": 7})
        while sent[-1] != {"step": 7}:
            assert beats.acquire(timeout=5)
    assert sent[0] == {"step": 0}
