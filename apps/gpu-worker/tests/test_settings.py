"""Worker settings come from env once; missing or bad variables are named."""

from pathlib import Path

import pytest

from mirage_gpu_worker.contracts import constants, versioned_task_queue
from mirage_gpu_worker.settings import (
    DecodeCacheSettings,
    SettingsError,
    TemporalSecurity,
    load_settings,
    parse_temporal_security,
)

BASE = {
    "TEMPORAL_ADDRESS": "127.0.0.1:7233",
    "S3_ENDPOINT": "http://127.0.0.1:9000",
    "S3_ACCESS_KEY_ID": "key",
    "S3_SECRET_ACCESS_KEY": "secret",
}


def test_defaults_come_from_the_generated_constants(tmp_path: Path) -> None:
    settings = load_settings({**BASE, "MIRAGE_WORKER_CACHE": str(tmp_path)})
    assert settings.task_queue == constants()["task_queues"]["gpu"]
    assert settings.temporal_namespace == "default"
    assert settings.s3.region == "us-east-1"
    assert settings.cache_dir == tmp_path
    assert settings.max_concurrent_activities == 1
    assert settings.torch_threads is None
    assert settings.stall_timeout_seconds == 1800


def test_overrides(tmp_path: Path) -> None:
    settings = load_settings(
        {
            **BASE,
            "TEMPORAL_NAMESPACE": "lab",
            "MIRAGE_GPU_TASK_QUEUE": "gpu-h100",
            "S3_REGION": "eu-west-1",
            "MIRAGE_WORKER_CACHE": str(tmp_path),
            "MIRAGE_WORKER_MAX_CONCURRENT_ACTIVITIES": "2",
            "MIRAGE_TORCH_THREADS": "4",
            "MIRAGE_STALL_TIMEOUT_SECONDS": "600",
        }
    )
    assert (settings.temporal_namespace, settings.task_queue, settings.s3.region) == (
        "lab",
        "gpu-h100",
        "eu-west-1",
    )
    assert (settings.max_concurrent_activities, settings.torch_threads) == (2, 4)
    assert settings.stall_timeout_seconds == 600


def test_missing_variables_are_all_named() -> None:
    with pytest.raises(SettingsError, match="TEMPORAL_ADDRESS, S3_SECRET_ACCESS_KEY"):
        load_settings(
            {k: v for k, v in BASE.items() if k not in ("TEMPORAL_ADDRESS", "S3_SECRET_ACCESS_KEY")}
        )


def test_bad_concurrency_is_named() -> None:
    with pytest.raises(SettingsError, match=r"MIRAGE_WORKER_MAX_CONCURRENT_ACTIVITIES.*'zero'"):
        load_settings({**BASE, "MIRAGE_WORKER_MAX_CONCURRENT_ACTIVITIES": "zero"})


def test_cache_dir_defaults_to_a_fresh_temporary_dir() -> None:
    settings = load_settings(BASE)
    assert settings.cache_dir.is_dir()
    settings.cache_dir.rmdir()


def test_bad_stall_timeout_is_named() -> None:
    with pytest.raises(SettingsError, match=r"MIRAGE_STALL_TIMEOUT_SECONDS.*'-5'"):
        load_settings({**BASE, "MIRAGE_STALL_TIMEOUT_SECONDS": "-5"})


def test_versioned_task_queue_is_the_rule_the_workflows_route_by() -> None:
    # the same value libs/contracts' versionedTaskQueue gives
    assert (
        versioned_task_queue("gpu-h100", "detector-0123456789abcdef") == "gpu-h100@detector-0123456789abcdef"
    )


def test_data_roots_map_dataset_names_to_this_machines_folders(tmp_path: Path) -> None:
    settings = load_settings(
        {
            **BASE,
            "MIRAGE_WORKER_CACHE": str(tmp_path),
            "MIRAGE_DATA_ROOTS": " genimage=/mnt/GenImage, ufd=/d/UFD ",
        }
    )
    assert settings.data_roots == {"genimage": "/mnt/GenImage", "ufd": "/d/UFD"}
    assert load_settings({**BASE, "MIRAGE_WORKER_CACHE": str(tmp_path)}).data_roots == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("genimage", r"'genimage' is not name=/absolute/folder"),
        ("genimage=relative/dir", r"the folder of 'genimage' must be absolute, got 'relative/dir'"),
        ("a=/x,a=/y", r"dataset 'a' is given twice"),
    ],
)
def test_bad_data_roots_are_named(text: str, message: str) -> None:
    with pytest.raises(SettingsError, match=rf"^MIRAGE_DATA_ROOTS: {message}$"):
        load_settings({**BASE, "MIRAGE_DATA_ROOTS": text})


def test_temporal_tls_reads_the_pem_files_the_variables_name(tmp_path: Path) -> None:
    for name in ("ca.pem", "client.pem", "client.key"):
        (tmp_path / name).write_bytes(f"pem of {name}".encode())
    assert load_settings(BASE).temporal_security == TemporalSecurity()
    security = parse_temporal_security(
        {
            "TEMPORAL_TLS_SERVER_CA_CERT_PATH": str(tmp_path / "ca.pem"),
            "TEMPORAL_TLS_CLIENT_CERT_PATH": str(tmp_path / "client.pem"),
            "TEMPORAL_TLS_CLIENT_KEY_PATH": str(tmp_path / "client.key"),
            "TEMPORAL_TLS_SERVER_NAME": "temporal.lab",
        }
    )
    assert security == TemporalSecurity(
        tls=True,
        client_cert=b"pem of client.pem",
        client_key=b"pem of client.key",
        server_ca=b"pem of ca.pem",
        server_name="temporal.lab",
    )
    assert parse_temporal_security({"TEMPORAL_API_KEY": "k"}) == TemporalSecurity(tls=True, api_key="k")
    assert parse_temporal_security({"TEMPORAL_TLS": "true"}) == TemporalSecurity(tls=True)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"TEMPORAL_TLS_CLIENT_CERT_PATH": "/c.pem"}, "must be set together"),
        ({"TEMPORAL_TLS": "yes"}, "TEMPORAL_TLS must be true or false"),
        ({"TEMPORAL_TLS": "false", "TEMPORAL_API_KEY": "k"}, "TEMPORAL_TLS=false, but"),
        ({"TEMPORAL_TLS_SERVER_CA_CERT_PATH": "/nowhere/ca.pem"}, "/nowhere/ca.pem: cannot read the file"),
    ],
)
def test_bad_temporal_tls_settings_are_named(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        parse_temporal_security(env)


def test_blob_cache_size_defaults_to_20_gib_and_may_be_zero() -> None:
    assert load_settings(BASE).blob_cache_bytes == 20 * 1024**3
    assert load_settings({**BASE, "MIRAGE_BLOB_CACHE_BYTES": "0"}).blob_cache_bytes == 0
    with pytest.raises(SettingsError, match="MIRAGE_BLOB_CACHE_BYTES must be a number of bytes"):
        load_settings({**BASE, "MIRAGE_BLOB_CACHE_BYTES": "20G"})


def test_decode_cache_defaults_to_the_worker_cache_and_20_gib(tmp_path: Path) -> None:
    settings = load_settings({**BASE, "MIRAGE_WORKER_CACHE": str(tmp_path)})
    assert settings.decode_cache == DecodeCacheSettings(tmp_path / "decoded", 20 * 1024**3)
    moved = load_settings(
        {**BASE, "MIRAGE_DECODE_CACHE_DIR": str(tmp_path / "fast-ssd"), "MIRAGE_DECODE_CACHE_BYTES": "0"}
    )
    assert moved.decode_cache == DecodeCacheSettings(tmp_path / "fast-ssd", 0)
    with pytest.raises(SettingsError, match="MIRAGE_DECODE_CACHE_BYTES must be a number of bytes"):
        load_settings({**BASE, "MIRAGE_DECODE_CACHE_BYTES": "-1"})
