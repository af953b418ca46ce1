"""Learning-rate schedule: linear warmup then cosine decay to zero, a pure function of the step."""

from __future__ import annotations

import math

from mirage_detector.config import ScheduleConfig

SCHEDULE_NAME = "warmup_cosine"


def lr_factor(step: int, schedule: ScheduleConfig) -> float:
    """Multiplier of the base lr for optimizer step ``step`` (0-based)."""
    warmup = schedule.warmup_steps
    if step < warmup:
        return (step + 1) / warmup
    decay_steps = max(1, schedule.steps - warmup)
    progress = min(1.0, (step - warmup) / decay_steps)
    return 0.5 * (1.0 + math.cos(math.pi * progress))


def scheduler_state(step: int, schedule: ScheduleConfig, base_lr: float) -> dict[str, object]:
    """The scheduler's description stored in a checkpoint (it has no hidden state: lr is f(step))."""
    return {
        "name": SCHEDULE_NAME,
        "step": step,
        "total_steps": schedule.steps,
        "warmup_steps": schedule.warmup_steps,
        "base_lr": base_lr,
        "next_lr": base_lr * lr_factor(step, schedule),
    }
