"""Where uploads wait while they arrive: a folder of this project's, one sub-folder per process.

Django writes an upload larger than ``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file while it
arrives and deletes it when the request ends; a worker killed mid-upload never deletes it (8 MB
left in /tmp each time). Here each process writes into ``UPLOAD_TEMP_ROOT/<host>-<pid>/``, so what
a dead process left behind is known to be garbage: ``clean_upload_temp`` (run when a web worker
starts and by ``archive_sweep``) removes the folders of this machine's processes that no longer
run, and elsewhere (live processes, other machines sharing the folder) only files untouched for
``UPLOAD_TEMP_MAX_AGE_SECONDS``.
"""
from __future__ import annotations

import os
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import TemporaryFileUploadHandler

_prepared: dict[str, int] = {}  # the folder this process has made ready (a fork gets its own)
_lock = threading.Lock()
HOST = "".join(ch if ch.isalnum() or ch in "._" else "_" for ch in socket.gethostname()) or "host"


def root() -> Path:
    return Path(settings.UPLOAD_TEMP_ROOT)


def process_dir() -> Path:
    """This process's folder, emptied the first time: a process that had this pid before is gone."""
    pid = os.getpid()
    folder = root() / f"{HOST}-{pid}"
    with _lock:  # two threads' first uploads must not empty the folder under each other
        if _prepared.get(str(folder)) != pid:
            shutil.rmtree(folder, ignore_errors=True)
            _prepared[str(folder)] = pid
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def _dead_here(name: str) -> bool:
    """Whether the folder ``name`` belongs to a process of this machine that no longer runs."""
    host, _sep, pid = name.rpartition("-")
    return host == HOST and pid.isdigit() and not _alive(int(pid))


class ProcessTemporaryUploadedFile(TemporaryUploadedFile):
    """Django's TemporaryUploadedFile, written in this process's own folder."""

    def __init__(self, name, content_type, size, charset, content_type_extra=None):
        _, ext = os.path.splitext(name)
        file = tempfile.NamedTemporaryFile(suffix=".upload" + ext, dir=process_dir())
        UploadedFile.__init__(self, file, name, content_type, size, charset, content_type_extra)


class ProcessTemporaryFileUploadHandler(TemporaryFileUploadHandler):
    def new_file(self, *args, **kwargs):
        super(TemporaryFileUploadHandler, self).new_file(*args, **kwargs)
        self.file = ProcessTemporaryUploadedFile(self.file_name, self.content_type, 0, self.charset,
                                                 self.content_type_extra)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def clean_upload_temp(*, now: float | None = None) -> list[str]:
    """Remove what dead processes left in the upload folder, and stale files of live ones.

    Return the paths removed (relative to the folder).
    """
    base = root()
    if not base.is_dir():
        return []
    now = time.time() if now is None else now
    limit = now - settings.UPLOAD_TEMP_MAX_AGE_SECONDS
    removed = []
    for entry in sorted(base.iterdir()):
        if entry.is_dir() and _dead_here(entry.name):
            removed += [p.relative_to(base).as_posix() for p in entry.rglob("*") if p.is_file()]
            shutil.rmtree(entry, ignore_errors=True)
            continue
        files = entry.rglob("*") if entry.is_dir() else [entry]
        for path in files:
            try:
                if path.is_file() and path.stat().st_mtime < limit:
                    path.unlink()
                    removed.append(path.relative_to(base).as_posix())
            except FileNotFoundError:  # its request ended meanwhile
                continue
    return removed
