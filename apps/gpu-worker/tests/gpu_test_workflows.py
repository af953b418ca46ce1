"""A workflow the tests run on a workflow-only worker: it calls one activity on the GPU worker's queue.

Kept in its own module with only Temporal imports (and the worker's queue naming), so the workflow sandbox
does not re-import torch or pytest.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

from mirage_gpu_worker.payloads import JsonObject

with workflow.unsafe.imports_passed_through():
    from mirage_gpu_worker.contracts import versioned_task_queue


@workflow.defn(name="GpuWorkerTestCall")
class CallGpuActivity:
    """Runs `request["activity"]` with `request["input"]` on `request["task_queue"]` at
    `request["code_version"]`, routed as the run workflow routes it; returns its result."""

    @workflow.run
    async def run(self, request: JsonObject) -> JsonObject:
        return await workflow.execute_activity(
            request["activity"],
            request["input"],
            task_queue=versioned_task_queue(request["task_queue"], request["code_version"]),
            start_to_close_timeout=timedelta(minutes=10),
            heartbeat_timeout=timedelta(seconds=request["heartbeat_timeout_s"]),
            retry_policy=RetryPolicy(
                initial_interval=timedelta(seconds=1),
                backoff_coefficient=1.0,
                maximum_attempts=request["maximum_attempts"],
            ),
            result_type=dict,
        )
