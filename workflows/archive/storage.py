"""Write-once files for archives: a temporary file, then an atomic link under a server-chosen name.

Files live under ``ARCHIVE_ROOT`` (default ``MEDIA_ROOT/archives``), outside any served folder.
A published file is never replaced: ``os.link`` refuses an existing name, and the file is
made read-only. Temporary files left by a killed job are removed by :func:`sweep`.
"""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

TEMP_DIR = "tmp"
SUFFIX = ".part"


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
    now = timezone.localtime()
    relative = f"{now:%Y}/{now:%m}/{assignment_id}-{secrets.token_hex(12)}.pdf"
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
