"""Write-once storage for archives, behind one small interface with two backends.

:func:`store` returns the backend the settings choose:

- :class:`FileArchiveStore` (default): files under ``ARCHIVE_ROOT`` (default
  ``MEDIA_ROOT/archives``), outside any served folder. A temporary file is written and
  ``fsync``-ed, then published under a server-chosen name with ``os.link``, which refuses an
  existing name, and made read-only. Temporary files left by a killed job are removed by
  :func:`sweep`.
- ``workflows.archive.s3.S3ArchiveStore`` when ``ARCHIVE_S3_BUCKET`` is set: objects in an
  S3-compatible bucket through django-storages, published by a conditional PUT
  (``If-None-Match: *``) that the store refuses when the name exists.

Every backend offers the same operations: ``prepare`` (stage the bytes; its result
``publish``-es them under a new name or is ``discard``-ed), ``open`` (a binary stream of a
published archive; ``FileNotFoundError`` when it is absent), ``remove`` (take back a file that
was published but never recorded), ``sweep`` and ``describe``.
"""
from __future__ import annotations

import hashlib
import os
import secrets
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings

from .names import new_name

TEMP_DIR = "tmp"
SUFFIX = ".part"
CHUNK_BYTES = 1024 * 1024


class Prepared(Protocol):
    """Bytes ready to publish: ``publish`` gives them their final name once, else ``discard``."""

    def publish(self, *, assignment_id: int) -> str: ...

    def discard(self) -> None: ...


class ArchiveStore(Protocol):
    def prepare(self, data: bytes, *, label: str) -> Prepared: ...

    def open(self, name: str) -> BinaryIO: ...

    def remove(self, name: str) -> None: ...

    def sweep(self, *, referenced: set[str], max_age_seconds: int) -> list[str]: ...

    def describe(self) -> str: ...


def store() -> ArchiveStore:
    """The archive store the settings choose: the S3 bucket if one is named, else ``ARCHIVE_ROOT``."""
    bucket = getattr(settings, "ARCHIVE_S3_BUCKET", "")
    if bucket:
        from .s3 import s3_store  # here: botocore loads only where a bucket is configured

        return s3_store(bucket, getattr(settings, "ARCHIVE_S3_PREFIX", ""))
    return FileArchiveStore()


def read_into(name: str, target) -> tuple[str, int]:
    """Copy a stored archive into ``target`` chunk by chunk; return its SHA-256 (hex) and size.

    Raises ``FileNotFoundError`` when the store has no such archive.
    """
    digest, size = hashlib.sha256(), 0
    with closing(store().open(name)) as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return digest.hexdigest(), size


def root() -> Path:
    return Path(settings.ARCHIVE_ROOT or Path(settings.MEDIA_ROOT) / "archives")


def path_of(name: str) -> Path:
    """The absolute path of a stored archive; refuses names that would leave the root."""
    base = root().resolve()
    path = (base / name).resolve()
    if base not in path.parents:
        raise ValueError(f"archive name outside the archive root: {name!r}")
    return path


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_temp(data: bytes, *, label: str) -> Path:
    directory = root() / TEMP_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{label}-{secrets.token_hex(8)}{SUFFIX}"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    return path


def publish(temp: Path, *, assignment_id: int) -> str:
    """Give the temporary file its final server-chosen name; return that name (relative)."""
    relative = new_name(assignment_id)
    final = root() / relative
    final.parent.mkdir(parents=True, exist_ok=True)
    os.link(temp, final)  # atomic; fails if the name exists, so nothing is ever overwritten
    os.chmod(final, 0o444)
    os.unlink(temp)
    _fsync_dir(final.parent)
    return relative


def discard(path: Path) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def sweep(*, referenced: set[str], max_age_seconds: int) -> list[str]:
    """Remove temporary files and unreferenced published files older than ``max_age_seconds``.

    An unreferenced published file is one whose job was killed between publishing it and
    committing its record. Return the removed names (relative to the root).
    """
    base = root()
    if not base.is_dir():
        return []
    cutoff = time.time() - max_age_seconds
    removed = []
    for path in sorted(base.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(base).as_posix()
        is_temp = relative.startswith(f"{TEMP_DIR}/") and relative.endswith(SUFFIX)
        is_orphan = not relative.startswith(f"{TEMP_DIR}/") and relative not in referenced
        if (is_temp or is_orphan) and path.stat().st_mtime < cutoff:
            discard(path)
            removed.append(relative)
    return removed


@dataclass
class _TempFile:
    path: Path

    def publish(self, *, assignment_id: int) -> str:
        return publish(self.path, assignment_id=assignment_id)

    def discard(self) -> None:
        discard(self.path)


class FileArchiveStore:
    """Archives as read-only files under ``ARCHIVE_ROOT`` on a POSIX filesystem."""

    def prepare(self, data: bytes, *, label: str) -> _TempFile:
        return _TempFile(write_temp(data, label=label))

    def open(self, name: str) -> BinaryIO:
        return path_of(name).open("rb")

    def remove(self, name: str) -> None:
        discard(path_of(name))

    def sweep(self, *, referenced: set[str], max_age_seconds: int) -> list[str]:
        return sweep(referenced=referenced, max_age_seconds=max_age_seconds)

    def describe(self) -> str:
        return str(root())
