"""Reads a W&B offline run's transaction log (`run-<id>.wandb`) into wandb's own protobuf Records.

wandb 0.31 no longer ships a Python reader of this file (the old `wandb.sdk.internal.datastore` is gone; only
the Go wandb-core reads it, for `wandb sync`). The framing is LevelDB's log format with a W&B header, so this
small reader decodes it and wandb's own `wandb_internal_pb2.Record` schema parses each record.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

# wandb's generated protobuf module ships no type stubs: pyright cannot see its message classes.
from wandb.proto.wandb_internal_pb2 import Record  # pyright: ignore[reportAttributeAccessIssue]

_FILE_HEADER = struct.Struct("<4sHB")  # ident ":W&B", magic 0xBEE1, version 0
_RECORD_HEADER = struct.Struct("<IHB")  # crc32 of (type byte + data), data length, type
_BLOCK = 32768
_FULL, _FIRST, _MIDDLE, _LAST = 1, 2, 3, 4


def _chunks(data: bytes) -> Iterator[tuple[int, bytes]]:
    ident, magic, version = _FILE_HEADER.unpack_from(data, 0)
    if (ident, magic, version) != (b":W&B", 0xBEE1, 0):
        raise ValueError(f"not a W&B transaction log (header {ident!r} {magic:#x} {version})")
    pos = _FILE_HEADER.size
    while pos + _RECORD_HEADER.size <= len(data):
        left_in_block = _BLOCK - pos % _BLOCK
        if left_in_block < _RECORD_HEADER.size:
            pos += left_in_block
            continue
        crc, length, kind = _RECORD_HEADER.unpack_from(data, pos)
        if kind == 0 and length == 0:
            pos += left_in_block  # zero padding up to the next block
            continue
        chunk = data[pos + _RECORD_HEADER.size : pos + _RECORD_HEADER.size + length]
        if zlib.crc32(chunk, zlib.crc32(bytes([kind]))) & 0xFFFFFFFF != crc:
            raise ValueError(f"checksum mismatch at byte {pos}")
        yield kind, chunk
        pos += _RECORD_HEADER.size + length


def read_records(path: Path) -> Iterator[Record]:
    """Every record of the log, in order."""
    pending = b""
    for kind, chunk in _chunks(path.read_bytes()):
        if kind == _FULL:
            payload = chunk
        elif kind in (_FIRST, _MIDDLE):
            pending = chunk if kind == _FIRST else pending + chunk
            continue
        else:
            payload, pending = pending + chunk, b""
        record = Record()
        record.ParseFromString(payload)
        yield record
