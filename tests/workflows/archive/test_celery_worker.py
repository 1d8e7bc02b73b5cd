"""The archive job in a real Celery worker on Redis: a worker killed mid-render loses nothing,
leaves no stray file, and the retried job makes exactly one archive.

Needs a Redis server (127.0.0.1:6379, or REDIS_URL); skipped with a reason when there is none,
except when REQUIRE_REDIS=1 (CI), where a missing server is a failure.
"""
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection

from audit.models import AuditEvent
from tests.workflows.archive.conftest import REPORT
from tests.workflows.services.test_evidence import MINIMAL_PDF, PNG, raw_upload
from tests.world import build_world
from workflows.archive import storage
from workflows.models import Archive, ArchiveStatus
from workflows.services import assignments as flow
from workflows.services import evidence as ev

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
ROOT = Path(__file__).resolve().parents[3]


def _redis_reachable() -> bool:
    parsed = urlparse(REDIS_URL)
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_broker():
    if not _redis_reachable():
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis is required (REQUIRE_REDIS=1) but not reachable at {REDIS_URL}")
        pytest.skip(f"needs a Redis server for the Celery broker; none reachable at {REDIS_URL}")
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()
    yield REDIS_URL
    redis.Redis.from_url(REDIS_URL).flushdb()


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db["USER"] or "postgres"
    return f"postgres://{user}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    """A real ``celery -A config worker`` process with one pool child, on the test's database."""

    def __init__(self, broker: str, log: Path):
        self.log = log
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _database_url(),
            "CELERY_BROKER_URL": broker,
            "ARCHIVE_ROOT": str(storage.root().resolve()),
            "ARCHIVE_SIGNING_KEY": settings.ARCHIVE_SIGNING_KEY,
            "ARCHIVE_SIGNING_CERT": settings.ARCHIVE_SIGNING_CERT,
            "ARCHIVE_SIGNING_CHAIN": ",".join(settings.ARCHIVE_SIGNING_CHAIN),
            "ARCHIVE_TRUST_ROOTS": ",".join(settings.ARCHIVE_TRUST_ROOTS),
        }
        self.handle = log.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", "--concurrency=1",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=self.handle, stderr=subprocess.STDOUT)
        self.wait_for("ready.", timeout=60)

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for(self, text: str, *, timeout: float, count: int = 1) -> None:
        deadline = time.monotonic() + timeout
        while self.output().count(text) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"worker never printed {text!r}:\n{self.output()[-4000:]}")
            time.sleep(0.1)

    def pool_children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.handle.close()


def _published_and_temporary() -> tuple[list[str], list[str]]:
    root = storage.root()
    files = [p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()] if root.exists() else []
    temporary = [f for f in files if f.startswith(f"{storage.TEMP_DIR}/")]
    return sorted(set(files) - set(temporary)), temporary


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_render_is_retried_and_leaves_one_archive_and_no_stray_file(
        redis_broker, settings, tmp_path):
    from config.celery import app

    settings.CELERY_BROKER_URL = redis_broker
    app.conf.broker_url = redis_broker
    world = build_world()
    a = world.assignment
    flow.assignment_start(actor=world.submitter, assignment_id=a.pk)
    # Enough files that rendering takes long enough to be caught in the middle of it.
    for n in range(40):
        data = (MINIMAL_PDF + f"%{n}\n".encode()) if n % 2 else PNG + bytes([n])
        ev.evidence_upload(actor=world.submitter, assignment_id=a.pk,
                           upload=raw_upload(data, f"佐证材料{n:02d}.{'pdf' if n % 2 else 'png'}"))
    flow.assignment_submit(actor=world.submitter, assignment_id=a.pk, report=REPORT)
    flow.assignment_approve(actor=world.reviewer, assignment_id=a.pk, opinion="同意")

    worker = Worker(redis_broker, tmp_path / "worker.log")
    try:
        flow.assignment_accept(actor=world.supervisor, assignment_id=a.pk, opinion="同意办结")
        # The job has started once its first attempt is counted; it is then rendering.
        deadline = time.monotonic() + 60
        while not Archive.objects.filter(assignment=a, attempts__gte=1).exists():
            assert time.monotonic() < deadline, worker.output()[-4000:]
            time.sleep(0.01)
        [child] = worker.pool_children()
        os.kill(child, signal.SIGKILL)
        killed = Archive.objects.get(assignment=a)
        assert killed.status != ArchiveStatus.DONE, "the render finished before the kill; make it slower"
        assert _published_and_temporary() == ([], []), "the kill came after a file was written"

        # acks_late + reject_on_worker_lost: the message goes back to the queue and runs again.
        deadline = time.monotonic() + 120
        while not Archive.objects.filter(assignment=a, status=ArchiveStatus.DONE).exists():
            assert time.monotonic() < deadline, worker.output()[-4000:]
            time.sleep(0.2)
        worker.wait_for("succeeded", timeout=30)
    finally:
        worker.stop()
    archive = Archive.objects.get(assignment=a)
    assert archive.attempts == 2, worker.output()[-4000:]
    assert "WorkerLostError" in worker.output() or "SIGKILL" in worker.output()
    published, temporary = _published_and_temporary()
    assert published == [archive.file_name] and temporary == []
    assert AuditEvent.objects.filter(action="assignment.archived", assignment_id=a.pk).count() == 1
    from django.core.management import call_command

    call_command("verify_archive")
