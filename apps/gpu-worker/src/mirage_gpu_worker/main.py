"""Entry point: `python -m mirage_gpu_worker` runs a Temporal worker serving train and evaluate.

SIGTERM or SIGINT starts a graceful shutdown: a running train sees it between steps, saves and uploads a
checkpoint, and fails retryably so another worker resumes it. `--gpus all|0,3,...` instead runs one such
worker process per GPU (supervisor.py).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import torch
from mirage_detector.data.decode_cache import DecodeCache
from temporalio.client import Client, TLSConfig
from temporalio.worker import Worker

from mirage_gpu_worker.activities import GpuActivities
from mirage_gpu_worker.cache import ArtifactCache, BlobCache
from mirage_gpu_worker.code_version import detector_code_version
from mirage_gpu_worker.contracts import versioned_task_queue
from mirage_gpu_worker.environment import CHECKOUT_LOCK, describe_environment
from mirage_gpu_worker.image_opener import register_s3_image_opener
from mirage_gpu_worker.s3 import ArtifactStore, create_s3_client
from mirage_gpu_worker.settings import SettingsError, TemporalSecurity, WorkerSettings, load_settings
from mirage_gpu_worker.supervisor import supervise
from mirage_gpu_worker.worker_context import WorkerContext

logger = logging.getLogger("mirage_gpu_worker")
GRACEFUL_SHUTDOWN = timedelta(seconds=60)
# Heartbeats are tiny and carry the resume point: let a new checkpoint reach the server within seconds
# rather than the SDK's default of 80% of the heartbeat timeout.
HEARTBEAT_THROTTLE = timedelta(seconds=2)


def build_context(settings: WorkerSettings) -> WorkerContext:
    """Storage, cache and code version for the activities; registers the s3:// image opener."""
    store = ArtifactStore(create_s3_client(settings.s3))
    # images of uploaded datasets (s3:// blobs) stay on local disk up to the cap, least recently used first
    register_s3_image_opener(store, BlobCache(store, settings.cache_dir / "blobs", settings.blob_cache_bytes))
    return WorkerContext(
        store=store,
        cache=ArtifactCache(store, settings.cache_dir / "artifacts"),
        work_root=settings.cache_dir / "work",
        code_version=detector_code_version(),
        stall_timeout_seconds=settings.stall_timeout_seconds,
        environment=describe_environment(settings.lock_file or CHECKOUT_LOCK),
        data_roots=settings.data_roots,
        decode_cache=_decode_cache(settings),
    )


def _decode_cache(settings: WorkerSettings) -> DecodeCache | None:
    wanted = settings.decode_cache
    return DecodeCache(wanted.directory, wanted.max_bytes) if wanted and wanted.max_bytes > 0 else None


class TemporalUnreachableError(RuntimeError):
    """The worker cannot connect to Temporal (address, TLS, certificates); the message says which server."""


def _tls_config(security: TemporalSecurity) -> TLSConfig | bool:
    """temporalio's TLS setting: off, the system roots, or the given CA / client certificate / server name."""
    if not security.tls:
        return False
    return TLSConfig(
        server_root_ca_cert=security.server_ca,
        domain=security.server_name,
        client_cert=security.client_cert,
        client_private_key=security.client_key,
    )


async def run_worker(settings: WorkerSettings, stop: asyncio.Event) -> None:
    """Serve activities until `stop` is set, then shut down gracefully.

    The worker polls its configured queue at its own code version: the workflows send a run's activities to
    the queue of the code version it was planned at, so a worker of other code never sees them.
    """
    try:
        client = await Client.connect(
            settings.temporal_address,
            namespace=settings.temporal_namespace,
            tls=_tls_config(settings.temporal_security),
            api_key=settings.temporal_security.api_key,
        )
    except RuntimeError as error:  # the SDK's bridge reports every connection failure as a RuntimeError
        where = settings.temporal_address
        raise TemporalUnreachableError(f"cannot reach Temporal at {where}: {error}") from None
    activities = GpuActivities(build_context(settings))
    task_queue = versioned_task_queue(settings.task_queue, activities.context.code_version)
    with ThreadPoolExecutor(
        max_workers=settings.max_concurrent_activities,
        thread_name_prefix="activity",
        initializer=_limit_torch_threads,
        initargs=(settings.torch_threads,),
    ) as executor:
        worker = Worker(
            client,
            task_queue=task_queue,
            activities=[activities.train, activities.evaluate, activities.environment],
            activity_executor=executor,
            max_concurrent_activities=settings.max_concurrent_activities,
            graceful_shutdown_timeout=GRACEFUL_SHUTDOWN,
            max_heartbeat_throttle_interval=HEARTBEAT_THROTTLE,
            default_heartbeat_throttle_interval=HEARTBEAT_THROTTLE,
        )
        async with worker:
            logger.info(
                "worker ready task_queue=%s namespace=%s temporal=%s code_version=%s",
                task_queue,
                settings.temporal_namespace,
                settings.temporal_address,
                activities.context.code_version,
            )
            for name, folder in sorted(settings.data_roots.items()):
                logger.info("data root: dataset %s is read from %s on this machine", name, folder)
            await stop.wait()
            logger.info("worker stopping")
    logger.info("worker stopped")


def _limit_torch_threads(threads: int | None) -> None:
    # CPU workers sharing a machine: oversubscribed intra-op threads slow torch down tenfold. OpenMP keeps the
    # thread count per calling thread, so this runs in the main thread and in every activity thread.
    if threads is not None:
        torch.set_num_threads(threads)


async def _serve(settings: WorkerSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await run_worker(settings, stop)


def _parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="mirage-gpu-worker",
        description="Temporal worker serving train and evaluate; settings come from the environment.",
    )
    parser.add_argument(
        "--gpus",
        metavar="all|ID,...",
        help="run one worker process per GPU (all: every device torch sees), each with CUDA_VISIBLE_DEVICES "
        "set to its GPU and one activity at a time, restarted when it dies",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse flags and settings, run the worker (or one per GPU with --gpus), return the exit status."""
    arguments = _parse_arguments(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s", stream=sys.stderr
    )
    if arguments.gpus is not None:
        return supervise(arguments.gpus)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(f"mirage-gpu-worker: {error}", file=sys.stderr)
        return 2
    _limit_torch_threads(settings.torch_threads)
    try:
        asyncio.run(_serve(settings))
    except TemporalUnreachableError as error:
        print(f"mirage-gpu-worker: {error}", file=sys.stderr)
        return 1
    return 0
