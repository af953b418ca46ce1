"""Worker settings, parsed once from the environment; the only module of the worker that reads env."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mirage_gpu_worker.contracts import constants

REQUIRED_VARIABLES = ("TEMPORAL_ADDRESS", "S3_ENDPOINT", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY")
DEFAULT_STALL_TIMEOUT_SECONDS = 1800
DEFAULT_BLOB_CACHE_BYTES = 20 * 1024**3
DEFAULT_DECODE_CACHE_BYTES = 20 * 1024**3


class SettingsError(ValueError):
    """The environment is missing or mis-sets variables; the message names each of them."""


@dataclass(frozen=True)
class S3Settings:
    """How to reach the S3 server (path-style addressing, so any S3 API works: SeaweedFS, MinIO, AWS)."""

    endpoint: str
    region: str
    access_key_id: str
    secret_access_key: str


@dataclass(frozen=True)
class TemporalSecurity:
    """TLS and API key of a secured Temporal server, as Temporal's own environment variables name them.

    TEMPORAL_API_KEY, TEMPORAL_TLS (true/false), TEMPORAL_TLS_CLIENT_CERT_PATH + _CLIENT_KEY_PATH,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH, TEMPORAL_TLS_SERVER_NAME: the same variables the CLI and the
    orchestrator read. The PEM files are read here, once; all None / False is a plaintext connection
    (the local stack).
    """

    tls: bool = False
    client_cert: bytes | None = None
    client_key: bytes | None = None
    server_ca: bytes | None = None
    server_name: str | None = None
    api_key: str | None = None


@dataclass(frozen=True)
class DecodeCacheSettings:
    """Where decoded evaluation crops are kept (mirage_detector DecodeCache) and how many bytes at most.

    MIRAGE_DECODE_CACHE_DIR (default: the worker cache's ``decoded`` folder) and MIRAGE_DECODE_CACHE_BYTES
    (default 20 GiB; 0 keeps none). Local disk: the entries are read by every loader worker of the machine.
    """

    directory: Path
    max_bytes: int = DEFAULT_DECODE_CACHE_BYTES


@dataclass(frozen=True)
class WorkerSettings:
    """Everything the worker process needs to know about its surroundings."""

    temporal_address: str
    temporal_namespace: str
    task_queue: str
    s3: S3Settings
    cache_dir: Path
    max_concurrent_activities: int
    torch_threads: int | None
    # a training whose step does not advance for this long lets its heartbeat lapse, so Temporal retries it
    stall_timeout_seconds: int = DEFAULT_STALL_TIMEOUT_SECONDS
    # the Python lock file whose sha256 the environment records (MIRAGE_PYTHON_LOCK; default: the checkout's)
    lock_file: Path | None = None
    # where this machine mounts each dataset (MIRAGE_DATA_ROOTS), instead of the root it was registered under
    data_roots: Mapping[str, str] = field(default_factory=dict)
    temporal_security: TemporalSecurity = field(default_factory=TemporalSecurity)
    # most bytes of uploaded images (s3:// blobs) kept on local disk (MIRAGE_BLOB_CACHE_BYTES; 0 keeps none)
    blob_cache_bytes: int = DEFAULT_BLOB_CACHE_BYTES
    # decoded evaluation crops, so a second checkpoint scored on the same set skips decoding (None: none)
    decode_cache: DecodeCacheSettings | None = None


def load_settings(environ: Mapping[str, str] | None = None) -> WorkerSettings:
    """Parse settings from `environ` (default: the process env); SettingsError names every bad variable."""
    env = dict(os.environ if environ is None else environ)
    missing = [name for name in REQUIRED_VARIABLES if not env.get(name)]
    if missing:
        raise SettingsError(f"missing required environment variable(s): {', '.join(missing)}")
    concurrency = _positive_int(env, "MIRAGE_WORKER_MAX_CONCURRENT_ACTIVITIES", "1")
    threads_text = env.get("MIRAGE_TORCH_THREADS")
    torch_threads = _positive_int(env, "MIRAGE_TORCH_THREADS", "1") if threads_text else None
    stall_timeout = _positive_int(env, "MIRAGE_STALL_TIMEOUT_SECONDS", str(DEFAULT_STALL_TIMEOUT_SECONDS))
    cache_text = env.get("MIRAGE_WORKER_CACHE")
    cache_dir = Path(cache_text) if cache_text else Path(tempfile.mkdtemp(prefix="mirage-gpu-worker-"))
    return WorkerSettings(
        temporal_address=env["TEMPORAL_ADDRESS"],
        temporal_namespace=env.get("TEMPORAL_NAMESPACE") or "default",
        task_queue=env.get("MIRAGE_GPU_TASK_QUEUE") or constants()["task_queues"]["gpu"],
        s3=S3Settings(
            endpoint=env["S3_ENDPOINT"],
            region=env.get("S3_REGION") or "us-east-1",
            access_key_id=env["S3_ACCESS_KEY_ID"],
            secret_access_key=env["S3_SECRET_ACCESS_KEY"],
        ),
        cache_dir=cache_dir,
        max_concurrent_activities=concurrency,
        torch_threads=torch_threads,
        stall_timeout_seconds=stall_timeout,
        lock_file=Path(env["MIRAGE_PYTHON_LOCK"]) if env.get("MIRAGE_PYTHON_LOCK") else None,
        data_roots=parse_data_roots(env.get("MIRAGE_DATA_ROOTS", "")),
        temporal_security=parse_temporal_security(env),
        blob_cache_bytes=_byte_count(env, "MIRAGE_BLOB_CACHE_BYTES", DEFAULT_BLOB_CACHE_BYTES),
        decode_cache=DecodeCacheSettings(
            directory=Path(env.get("MIRAGE_DECODE_CACHE_DIR") or cache_dir / "decoded"),
            max_bytes=_byte_count(env, "MIRAGE_DECODE_CACHE_BYTES", DEFAULT_DECODE_CACHE_BYTES),
        ),
    )


def parse_temporal_security(env: Mapping[str, str]) -> TemporalSecurity:
    """The TLS / API-key settings `env` asks for (see TemporalSecurity), with the PEM files read."""
    cert = env.get("TEMPORAL_TLS_CLIENT_CERT_PATH") or None
    key = env.get("TEMPORAL_TLS_CLIENT_KEY_PATH") or None
    if (cert is None) != (key is None):
        raise SettingsError(
            "TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH must be set together "
            "(a client certificate and its key)"
        )
    ca = env.get("TEMPORAL_TLS_SERVER_CA_CERT_PATH") or None
    name = env.get("TEMPORAL_TLS_SERVER_NAME") or None
    api_key = env.get("TEMPORAL_API_KEY") or None
    flag = env.get("TEMPORAL_TLS") or None
    if flag not in (None, "true", "false"):
        raise SettingsError(f"TEMPORAL_TLS must be true or false, got {flag!r}")
    implied = any(value is not None for value in (cert, ca, name, api_key))
    if flag == "false":
        if implied:
            raise SettingsError(
                "TEMPORAL_TLS=false, but TLS settings or an API key are set too: remove one or the other"
            )
        return TemporalSecurity()
    if flag != "true" and not implied:
        return TemporalSecurity()
    return TemporalSecurity(
        tls=True,
        client_cert=_read_pem("TEMPORAL_TLS_CLIENT_CERT_PATH", cert),
        client_key=_read_pem("TEMPORAL_TLS_CLIENT_KEY_PATH", key),
        server_ca=_read_pem("TEMPORAL_TLS_SERVER_CA_CERT_PATH", ca),
        server_name=name,
        api_key=api_key,
    )


def _read_pem(variable: str, path: str | None) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise SettingsError(f"{variable}={path}: cannot read the file ({error.strerror})") from None


def parse_data_roots(text: str) -> dict[str, str]:
    """`genimage=/mnt/GenImage,forensynths=/data/CNNDetection`: dataset name -> this machine's folder.

    Manifests keep image paths relative to the dataset's root; a worker that mounts a dataset elsewhere than
    the machine that registered it names the folder here. Each folder must be an absolute path.
    """
    roots: dict[str, str] = {}
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        name, sep, folder = (piece.strip() for piece in entry.partition("="))
        if not sep or not name or not folder:
            raise SettingsError(f"MIRAGE_DATA_ROOTS: {entry!r} is not name=/absolute/folder")
        if not Path(folder).is_absolute():
            raise SettingsError(f"MIRAGE_DATA_ROOTS: the folder of {name!r} must be absolute, got {folder!r}")
        if name in roots:
            raise SettingsError(f"MIRAGE_DATA_ROOTS: dataset {name!r} is given twice")
        roots[name] = folder
    return roots


def _positive_int(env: Mapping[str, str], name: str, default: str) -> int:
    text = env.get(name) or default
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise SettingsError(f"{name} must be a positive integer, got {text!r}")
    return value


def _byte_count(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name)
    if not text:
        return default
    if not text.isdigit():
        raise SettingsError(f"{name} must be a number of bytes (0 or more), got {text!r}")
    return int(text)
