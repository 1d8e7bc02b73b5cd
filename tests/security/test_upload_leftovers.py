"""A worker killed mid-upload leaves nothing behind for long: uploads wait in the project's own
folder, one sub-folder per process, and a new worker (or the sweep) removes what dead ones left.

Before: every kill left an 8 MB ``/tmp/tmp*.upload.*``.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.security.servers import gunicorn
from tests.security.uploads_in_flight import SlowUpload
from workflows import uploads


def _wait_for(condition, seconds: float = 30, step: float = 0.1):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def _partial_uploads(root: Path) -> list[Path]:
    return [p for p in root.rglob("*.upload*") if p.is_file()] if root.exists() else []


def test_killing_a_worker_mid_upload_leaves_nothing_once_its_successor_starts(tmp_path):
    root = tmp_path / "uploads"
    with gunicorn(tmp_path, workers=1) as (port, _server):
        client = SlowUpload(port, size=8 * 1024 * 1024, chunk=256 * 1024, pause=0, upto=3 * 1024 * 1024)
        client.start()
        try:
            partial = _wait_for(lambda: [p for p in _partial_uploads(root) if p.stat().st_size > 1024 * 1024])
            assert partial, "the upload never reached the project's upload folder"
            worker = int(partial[0].parent.name.rpartition("-")[2])
            os.kill(worker, signal.SIGKILL)
            assert _wait_for(lambda: not partial[0].parent.exists()), "the dead worker's upload is still there"
            assert not _partial_uploads(root)
        finally:
            client.stop.set()
            client.join(10)


def test_the_sweep_removes_what_dead_processes_left_and_keeps_live_uploads(settings, tmp_path):
    settings.UPLOAD_TEMP_ROOT = tmp_path
    settings.UPLOAD_TEMP_MAX_AGE_SECONDS = 3600
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = tmp_path / f"{uploads.HOST}-{finished.stdout.strip()}"
    dead.mkdir()
    elsewhere = tmp_path / f"other-host-{finished.stdout.strip()}"  # another machine sharing the folder
    elsewhere.mkdir()
    (elsewhere / "tmpxyz.upload.pdf").write_bytes(b"w")
    (dead / "tmpabc.upload.pdf").write_bytes(b"x" * 1000)
    mine = uploads.process_dir()
    fresh = mine / "tmpdef.upload.pdf"
    fresh.write_bytes(b"y")
    stale = mine / "tmpold.upload.pdf"
    stale.write_bytes(b"z")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    removed = uploads.clean_upload_temp()
    assert sorted(removed) == sorted([f"{dead.name}/tmpabc.upload.pdf", f"{mine.name}/tmpold.upload.pdf"])
    assert not dead.exists() and fresh.exists() and (elsewhere / "tmpxyz.upload.pdf").exists()


@pytest.mark.django_db
def test_archive_sweep_cleans_the_upload_folder_too(settings, tmp_path):
    from django.core.management import call_command

    settings.UPLOAD_TEMP_ROOT = tmp_path
    dead = tmp_path / f"{uploads.HOST}-999999999"
    dead.mkdir()
    (dead / "tmp.upload").write_bytes(b"x")
    from io import StringIO

    out = StringIO()
    call_command("archive_sweep", stdout=out)
    assert "清理中断上传遗留的文件 1 个" in out.getvalue()
    assert not dead.exists()
