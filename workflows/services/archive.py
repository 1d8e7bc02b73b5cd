"""The PDF archive of accepted work: request, build (the job), download, verification, sweep.

- ``archive_request`` runs inside the acceptance transaction: it creates the one ``pending``
  archive row of the assignment (a database constraint allows one) and schedules the job for
  after the commit.
- ``archive_build`` is the job. It is idempotent: an archive that is done is never rendered,
  written or changed again. It renders outside any transaction, writes a temporary file, then in
  one transaction publishes the file under a server-chosen name, fills in the record and writes
  one audit event. A failure is recorded on the row (visible to the supervisor) and re-raised
  so that Celery retries it.
- With ``CELERY_BROKER_URL`` set the job runs in a Celery worker; without it, after the commit in
  a background thread of the process (``ARCHIVE_IN_BACKGROUND``, on by default), so the
  acceptance answers at once. Either way the PDF is rendered in a child process bounded by
  ``ARCHIVE_RENDER_TIMEOUT_SECONDS`` (``workflows.archive.isolated``); the time it took is kept on
  the row and in the audit event.
- ``archive_sweep`` re-runs jobs that were lost (pending past ``ARCHIVE_STALE_PENDING_SECONDS``)
  and failed renders after a short back-off (``ARCHIVE_RETRY_SECONDS``, doubling per attempt, up
  to ``ARCHIVE_MAX_ATTEMPTS``), and removes orphaned files.
"""
from __future__ import annotations

import hashlib
import io
import logging
import tempfile
from dataclasses import dataclass

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event

from .. import background
from ..access.policies import assignment_permissions
from ..archive import report as report_module
from ..archive import storage
from ..archive.isolated import render_bounded
from ..archive.render import RenderError
from ..archive.signing import sign_pdf, validate_pdf
from ..models import Archive, ArchiveStatus, Assignment, Submission
from ..uploads import clean_upload_temp, process_dir
from .common import assignment_label, viewer_of
from .errors import Missing, NotFound, Tampered, WrongState
from .evidence import content_disposition
from .reports import report_sweep

logger = logging.getLogger(__name__)

# A download is verified before it is served: up to this much is held in memory, the rest spills
# to a local temporary file.
SPOOL_IN_MEMORY_BYTES = 4 * 1024 * 1024

ARCHIVE_TASK = "workflows.tasks.archive_assignment"


def archive_request(*, assignment: Assignment, submission: Submission) -> Archive:
    """Create the pending archive in the caller's (acceptance) transaction; build it after commit."""
    archive = Archive.objects.create(assignment=assignment, submission=submission)
    transaction.on_commit(lambda pk=assignment.pk: schedule(pk))
    return archive


def schedule(assignment_id: int, *, in_background: bool = True) -> None:
    """Hand the job to Celery when a broker is configured; else run it in a background thread
    (after the acceptance commits, so the request answers at once) or, with ``in_background``
    False (the sweep, a command that must not exit under a running job), now."""
    if settings.CELERY_BROKER_URL:
        try:
            # Queued by name: the job (workflows.tasks) calls this module, never the other way round.
            current_app.send_task(ARCHIVE_TASK, args=[assignment_id])
        except Exception:  # the broker is down: the row stays pending and the sweep re-sends it
            logger.exception("archive %s: could not queue the job; archive_sweep will retry", assignment_id)
        return
    if in_background and getattr(settings, "ARCHIVE_IN_BACKGROUND", True):
        background.start(f"archive-{assignment_id}", archive_build, assignment_id)  # it logs a failure
        return
    _build_logged(assignment_id)


def _build_logged(assignment_id: int) -> None:
    try:
        archive_build(assignment_id)
    except Exception:  # recorded on the archive row; shown to the supervisor; the sweep retries
        logger.exception("archive %s: the job failed", assignment_id)


def archive_build(assignment_id: int) -> Archive | None:
    """Build the archive of an accepted assignment, once. Safe to run any number of times."""
    archive = Archive.objects.filter(assignment_id=assignment_id).first()
    if archive is None or archive.status == ArchiveStatus.DONE:
        return archive
    Archive.objects.filter(pk=archive.pk).exclude(status=ArchiveStatus.DONE).update(
        attempts=F("attempts") + 1, last_attempt_at=timezone.now())
    temp = published = None
    try:
        store = storage.store()
        report = report_module.build(assignment_id, archive.submission_id)
        rendered = render_bounded(report)
        pdf = rendered.pdf
        logger.info("archive %s: rendered in %.2f s", assignment_id, rendered.seconds)
        signed, signed_at, signer = sign_pdf(
            pdf, reason=_("验收办结归档"), location=report["plan"]["supervising_unit"])
        temp = store.prepare(signed, label=str(assignment_id))
        # Not durable: the job's body, which the archive bench runs inside a transaction it rolls back.
        with transaction.atomic():
            locked = Archive.objects.select_for_update().select_related(
                "assignment__task__plan", "assignment__unit").get(pk=archive.pk)
            if locked.status == ArchiveStatus.DONE:  # another run finished first
                return locked
            published = temp.publish(assignment_id=assignment_id)
            temp = None
            now = timezone.now()
            digest = hashlib.sha256(signed).hexdigest()
            Archive.objects.filter(pk=locked.pk).exclude(status=ArchiveStatus.DONE).update(
                status=ArchiveStatus.DONE, file_name=published, sha256=digest, size=len(signed),
                signed_at=signed_at, signer=signer[:300], created_at=now, last_error="",
                render_seconds=round(rendered.seconds, 3),
                audit_seq=report["audit"]["seq"], audit_hash=report["audit"]["hash"])
            assignment = locked.assignment
            record_event(
                action="assignment.archived", role="system", target=assignment,
                target_label=assignment_label(assignment), plan_id=assignment.task.plan_id,
                task_id=assignment.task_id, assignment_id=assignment.pk,
                details={"archive": locked.pk, "sha256": digest, "size": len(signed),
                         "submission": report["final"]["number"], "signer": signer,
                         "signed_at": signed_at.isoformat(), "audit_seq": report["audit"]["seq"],
                         "render_ms": int(rendered.seconds * 1000)},
            )
    except Exception as exc:
        if published is not None:  # published but not recorded: take the file back
            store.remove(published)
        Archive.objects.filter(pk=archive.pk).exclude(status=ArchiveStatus.DONE).update(
            status=ArchiveStatus.FAILED, last_error=_failure_text(exc)[:2000])
        raise
    finally:
        if temp is not None:
            temp.discard()
    return Archive.objects.get(pk=archive.pk)


def _failure_text(exc: BaseException) -> str:
    if isinstance(exc, SoftTimeLimitExceeded):  # the Celery task's time limit, in a worker
        return (_("归档文件生成超时（超过 %(seconds)s 秒），已中止，将自动重试")
                % {"seconds": settings.ARCHIVE_RENDER_TIMEOUT_SECONDS})
    if isinstance(exc, RenderError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def _readable(actor, assignment_id: int) -> tuple[Assignment, set[str]]:
    assignment = (Assignment.objects.select_related("task__plan", "unit").filter(pk=assignment_id).first())
    if assignment is None:
        raise NotFound(_("承办件不存在"))
    perms = assignment_permissions(actor, assignment)
    if "view_assignment" not in perms:
        raise NotFound(_("承办件不存在"))
    return assignment, perms


def archive_open(*, actor, assignment_id: int):
    """Open the archived PDF for someone who can see the assignment; record the download.

    Return (archive, binary file object); the caller closes the file. The stored file is read
    from the archive store in chunks into a local spooled copy (memory up to a few MB, then a
    temporary file) while its SHA-256 is computed, and handed out only if it matches the record:
    an altered or missing file is an integrity failure, never served as if it were the archive.
    """
    assignment, perms = _readable(actor, assignment_id)
    archive = Archive.objects.filter(assignment=assignment).first()
    if archive is None:
        raise NotFound(_("该承办件尚未验收办结，没有归档文件"))
    if archive.status != ArchiveStatus.DONE:
        raise WrongState(_("归档文件生成中，请稍后再试"))
    handle = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES, dir=process_dir())
    try:
        unit, role = viewer_of(actor, assignment, perms)
        try:
            digest, _size = storage.read_into(archive.file_name, handle)
        except FileNotFoundError:
            logger.error("archive %s: stored file %s is missing", archive.pk, archive.file_name)
            _integrity_failed(actor, unit, role, assignment, archive, "missing", "")
            raise Missing(_("归档文件缺失（完整性校验失败），已记录，请联系系统管理员")) from None
        if digest != archive.sha256:
            logger.error("archive %s: stored file %s does not match its SHA-256", archive.pk, archive.file_name)
            _integrity_failed(actor, unit, role, assignment, archive, "altered", digest)
            raise Tampered(_("归档文件与登记的哈希值不符（完整性校验失败），已拒绝提供并记录，请联系系统管理员"))
        handle.seek(0)
        with transaction.atomic(durable=True):
            record_event(
                action="assignment.archive_downloaded", actor=actor, unit=unit, role=role, target=assignment,
                target_label=assignment_label(assignment), plan_id=assignment.task.plan_id,
                task_id=assignment.task_id, assignment_id=assignment.pk,
                details={"archive": archive.pk, "sha256": archive.sha256},
            )
    except BaseException:
        handle.close()
        raise
    return archive, handle


def _integrity_failed(actor, unit, role, assignment, archive, problem: str, digest: str) -> None:
    """Record, in a transaction of its own, that a download found the stored archive missing or altered."""
    with transaction.atomic():
        record_event(
            action="assignment.archive_integrity_failed", actor=actor, unit=unit, role=role, target=assignment,
            target_label=assignment_label(assignment), plan_id=assignment.task.plan_id, task_id=assignment.task_id,
            assignment_id=assignment.pk, reason=problem,
            details={"archive": archive.pk, "file": archive.file_name, "problem": problem,
                     "expected_sha256": archive.sha256, "found_sha256": digest},
        )


def download_name(archive: Archive) -> str:
    assignment = archive.assignment
    return f"归档-第{assignment.task.number}项-{assignment.unit.short_name}-{archive.sha256[:8]}.pdf"


def archive_response(actor, assignment_id: int):
    """The download as an HTTP response (the same for the screens and the API); raises ActionError."""
    from django.http import FileResponse

    archive, handle = archive_open(actor=actor, assignment_id=assignment_id)
    response = FileResponse(handle, content_type="application/pdf")  # streamed; closes the file
    response["Content-Disposition"] = content_disposition(download_name(archive))
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Archive-SHA256"] = archive.sha256
    return response


@dataclass(frozen=True)
class ArchiveProblem:
    assignment_id: int
    archive_id: int
    problem: str  # missing | altered | unsigned | not_done
    message: str

    def as_dict(self) -> dict:
        return {"assignment": self.assignment_id, "archive": self.archive_id, "problem": self.problem,
                "message": self.message}


def verify_archives() -> tuple[int, list[ArchiveProblem]]:
    """Recompute every archive's hash and signature. Return (archives checked, problems)."""
    checked, problems = 0, []
    for archive in Archive.objects.order_by("id").iterator():
        checked += 1
        if archive.status != ArchiveStatus.DONE:
            values = {"status": archive.get_status_display(), "attempts": archive.attempts,
                      "error": archive.last_error}
            problems.append(ArchiveProblem(
                archive.assignment_id, archive.pk, "not_done",
                _("归档尚未生成（%(status)s，已尝试 %(attempts)s 次）：%(error)s") % values if archive.last_error
                else _("归档尚未生成（%(status)s，已尝试 %(attempts)s 次）") % values))
            continue
        buffer = io.BytesIO()
        try:
            digest, size = storage.read_into(archive.file_name, buffer)
        except FileNotFoundError:
            problems.append(ArchiveProblem(archive.assignment_id, archive.pk, "missing",
                                           _("归档文件缺失：%(file)s") % {"file": archive.file_name}))
            continue
        data = buffer.getvalue()  # the signature check needs the whole file
        if digest != archive.sha256 or size != archive.size:
            problems.append(ArchiveProblem(archive.assignment_id, archive.pk, "altered",
                                           _("文件已被改动：SHA-256 应为 %(expected)s，实为 %(found)s")
                                           % {"expected": archive.sha256, "found": digest}))
            continue
        check = validate_pdf(data)
        if not check.ok:
            problems.append(ArchiveProblem(archive.assignment_id, archive.pk, "unsigned", check.message))
    return checked, problems


def _retry_due(archive: Archive, now) -> bool:
    """When the sweep runs a failed render again: ARCHIVE_RETRY_SECONDS after the first attempt,
    doubling after each one up to the stale period, and then every stale period, never giving up.

    With a broker, Celery's own retries come first (up to ARCHIVE_MAX_ATTEMPTS, within minutes);
    the sweep then waits the stale period, so it does not queue a render Celery is about to retry.
    """
    if archive.last_attempt_at is None:
        return True
    stale = settings.ARCHIVE_STALE_PENDING_SECONDS
    backoff = settings.ARCHIVE_RETRY_SECONDS * 2 ** min(max(archive.attempts - 1, 0), 30)
    wait = stale if settings.CELERY_BROKER_URL else min(backoff, stale)
    return archive.last_attempt_at <= now - timezone.timedelta(seconds=wait)


def archive_sweep(*, now=None) -> dict:
    """Remove orphaned temporary and unrecorded files, what killed workers left of uploads and the
    generated reports past their keeping time; re-run archives whose job was lost or whose render failed."""
    now = now or timezone.now()
    referenced = set(Archive.objects.exclude(file_name="").values_list("file_name", flat=True))
    removed = storage.store().sweep(referenced=referenced, max_age_seconds=settings.ARCHIVE_TEMP_MAX_AGE_SECONDS)
    stale = now - timezone.timedelta(seconds=settings.ARCHIVE_STALE_PENDING_SECONDS)
    lost = list(Archive.objects.filter(status=ArchiveStatus.PENDING)
                .filter(Q(last_attempt_at__isnull=True, requested_at__lt=stale) | Q(last_attempt_at__lt=stale))
                .values_list("assignment_id", flat=True))
    lost += [a.assignment_id for a in Archive.objects.filter(status=ArchiveStatus.FAILED).order_by("id")
             if _retry_due(a, now)]
    for assignment_id in lost:
        schedule(assignment_id, in_background=False)
    return {"removed_files": removed, "rescheduled": lost, "removed_uploads": clean_upload_temp(),
            "removed_reports": report_sweep(now=now)}
