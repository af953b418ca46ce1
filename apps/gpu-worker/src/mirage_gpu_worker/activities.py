"""The Temporal activities this worker serves, registered under the names in the generated constants.

Both are synchronous (torch compute) and run on the worker's thread pool; each takes ONE dict argument that
must satisfy its contract and returns a dict that satisfies the output contract. This is the Temporal edge:
the payload is parsed into its contract model at the start of the work, and the output model is dumped back
to JSON here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from mirage_detector.generated.contracts_models import EvaluateOutput, TrainOutput
from temporalio import activity

from mirage_gpu_worker.contracts import constants
from mirage_gpu_worker.evaluate_activity import run_evaluate
from mirage_gpu_worker.outcome import ActivityOutcome
from mirage_gpu_worker.payloads import JsonObject, to_json_payload
from mirage_gpu_worker.train_activity import run_train
from mirage_gpu_worker.worker_context import WorkerContext

ACTIVITY_NAMES = constants()["activity_names"]
logger = logging.getLogger("mirage_gpu_worker")
_Outcome = ActivityOutcome[TrainOutput] | ActivityOutcome[EvaluateOutput]


class GpuActivities:
    """`train` and `evaluate` bound to the worker's storage, cache and code version."""

    def __init__(self, context: WorkerContext) -> None:
        self.context = context

    # Cancellation is checked between training steps so the run can save a checkpoint first; an exception
    # thrown into the thread mid-step would lose that work.
    @activity.defn(name=ACTIVITY_NAMES["train"], no_thread_cancel_exception=True)
    def train(self, payload: JsonObject) -> JsonObject:
        """Train (or resume) one run; see train_activity."""
        return _logged("train", payload, lambda: run_train(self.context, payload))

    @activity.defn(name=ACTIVITY_NAMES["environment"])
    def environment(self, payload: JsonObject) -> JsonObject:
        """The RunEnvironment of this worker: a run that reuses its training asks it before reusing cells."""
        return to_json_payload(self.context.environment)

    @activity.defn(name=ACTIVITY_NAMES["evaluate"])
    def evaluate(self, payload: JsonObject) -> JsonObject:
        """Evaluate one cell; see evaluate_activity."""
        cache = self.context.decode_cache
        return _logged("evaluate", payload, lambda: run_evaluate(self.context, payload, decode_cache=cache))


def _describe(payload: Any) -> str:
    if not isinstance(payload, dict):
        return "payload=<not an object>"
    fields = [
        f"{name}={payload[name]}" for name in ("run_id", "eval_id") if isinstance(payload.get(name), str)
    ]
    return " ".join(fields)


def _logged(name: str, payload: Any, work: Callable[[], _Outcome]) -> JsonObject:
    info = activity.info()
    started = time.monotonic()
    logger.info("activity %s start %s attempt=%d", name, _describe(payload), info.attempt)
    outcome = "failed"
    try:
        result = work()
        listed = len(result.output.skipped)
        outcome = f"completed skipped={result.skipped_total}" + (
            f" (the output lists the first {listed})" if listed < result.skipped_total else ""
        )
        return to_json_payload(result.output)
    except BaseException as error:
        outcome = f"failed {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        raise
    finally:
        logger.info(
            "activity %s end %s attempt=%d %s in %.1fs",
            name,
            _describe(payload),
            info.attempt,
            outcome,
            time.monotonic() - started,
        )
