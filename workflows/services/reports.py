"""Long reports made off the request: a plan's 进度报告 PDF (30 pages and more for a large plan).

- ``report_request`` answers at once with the report to wait for: one already being made for the
  same plan, round and day (whoever asked), or one made with nothing changed since (the same head
  of the audit trail, which every change moves); otherwise a new ``pending`` row, whose job is
  scheduled after the commit.
- ``report_build`` is the job: it reads the plan's progress as of the requested day, renders it
  in a child process bounded like an archive's (``workflows.archive.isolated``) and stores the
  bytes on the row (``done``), or the reason on the row (``failed``). It runs once per row.
- The job runs in the Celery worker when a broker is configured; without one, in a thread of the
  web process after the commit (``ARCHIVE_IN_BACKGROUND``), or at once when that is off (tests,
  commands). A row left ``pending`` by a process that died is reported lost on the next request.
- ``report_sweep`` deletes reports older than ``GENERATED_REPORT_KEEP_HOURS`` (the archive sweep's
  beat runs it); a report is a snapshot for download, never a record: the archive is that.
"""
from __future__ import annotations

import datetime as dt
import logging

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import head_seq

from .. import background
from ..access.policies import can_view_supervision
from ..archive.isolated import Messages, render_bounded
from ..models import GeneratedReport, GeneratedReportStatus, Plan, ReportingRound
from ..supervision import exports
from ..supervision.progress import plan_progress
from .errors import NotFound

logger = logging.getLogger(__name__)

REPORT_TASK = "workflows.tasks.generate_report"
PENDING, DONE, FAILED = GeneratedReportStatus.PENDING, GeneratedReportStatus.DONE, GeneratedReportStatus.FAILED
REUSABLE = (PENDING, DONE)


def _messages() -> Messages:
    return Messages(
        timeout=_("进度报告生成超时（超过 %(seconds)s 秒），已中止"),
        exited=_("进度报告生成进程意外退出（可能超出内存上限）"),
        memory=_("进度报告生成超出内存上限（%(limit)s MB）"),
        failed=_("进度报告生成失败：%(error)s"))


def _lost_after() -> dt.timedelta:
    """A pending report older than this was lost with its process (the render's own bound, and a minute)."""
    return dt.timedelta(seconds=(getattr(settings, "ARCHIVE_RENDER_TIMEOUT_SECONDS", 0) or 600) + 60)


def report_request(*, actor, plan: Plan, round_: ReportingRound | None, today: dt.date,
                   fresh: bool = False) -> GeneratedReport:
    """The progress report of ``plan`` in ``round_`` as of ``today`` for ``actor`` to wait for;
    ``fresh`` (重新生成) makes a new one even when nothing changed (one being made is still shared)."""
    if not can_view_supervision(actor, plan):
        raise NotFound(_("计划不存在，或您无权查看其督办情况。"))
    now = timezone.now()
    seq = head_seq()
    with transaction.atomic():
        same = GeneratedReport.objects.select_for_update().filter(plan=plan, round=round_, as_of=today,
                                                                 status__in=REUSABLE).defer("content")
        lost = [r.pk for r in same if r.status == PENDING and r.requested_at < now - _lost_after()]
        if lost:
            GeneratedReport.objects.filter(pk__in=lost, status=PENDING).update(
                status=FAILED, finished_at=now, error=_("生成过程中断（服务进程已退出），请重新生成"))
        for report in same:
            if report.pk in lost:
                continue
            if report.status == PENDING or (report.audit_seq == seq and not fresh):
                return report
        report = GeneratedReport.objects.create(plan=plan, round=round_, as_of=today, audit_seq=seq,
                                                requested_by=actor, requested_at=now)
        transaction.on_commit(lambda pk=report.pk: schedule(pk))
    return report


def schedule(report_id: int) -> None:
    """Queue the job in Celery, or run it in a thread of this process, or (neither) now."""
    if settings.CELERY_BROKER_URL:
        try:
            current_app.send_task(REPORT_TASK, args=[report_id])
            return
        except Exception:  # the broker is down: make it here rather than leave the clerk waiting
            logger.exception("report %s: could not queue the job; making it in this process", report_id)
    if getattr(settings, "ARCHIVE_IN_BACKGROUND", True):
        background.start(f"report-{report_id}", report_build, report_id)
        return
    report_build(report_id)


def report_build(report_id: int) -> GeneratedReport | None:
    """Make a pending report (once); a failure is kept on the row for the person waiting."""
    report = GeneratedReport.objects.select_related("plan", "round").defer("content").filter(
        pk=report_id, status=PENDING).first()
    if report is None:
        return None
    try:
        progress = plan_progress(report.plan, report.round, report.as_of)
        context, options = exports.progress_report_parts(progress)
        rendered = render_bounded(context, options=options, messages=_messages())
    except Exception as exc:  # noqa: BLE001 - told to the person waiting, and logged
        logger.exception("report %s: the render failed", report_id)
        if isinstance(exc, SoftTimeLimitExceeded):  # the Celery task's time limit, in a worker
            error = _messages().timeout % {"seconds": settings.ARCHIVE_RENDER_TIMEOUT_SECONDS}
        else:
            error = str(exc)[:2000] or type(exc).__name__
        GeneratedReport.objects.filter(pk=report_id, status=PENDING).update(
            status=FAILED, finished_at=timezone.now(), error=error)
        return GeneratedReport.objects.defer("content").get(pk=report_id)
    GeneratedReport.objects.filter(pk=report_id, status=PENDING).update(
        status=DONE, finished_at=timezone.now(), seconds=round(rendered.seconds, 3), content=rendered.pdf,
        size=len(rendered.pdf), file_name=exports.export_name(progress, "进度报告", ".pdf"), error="")
    logger.info("report %s: rendered in %.2f s, %d bytes", report_id, rendered.seconds, len(rendered.pdf))
    return GeneratedReport.objects.defer("content").get(pk=report_id)


def report_for(*, actor, report_id: int, content: bool = False) -> GeneratedReport:
    """One report for someone who may view its plan's supervision (NotFound for anyone else)."""
    rows = GeneratedReport.objects.select_related("plan__supervising_unit", "round", "requested_by")
    report = (rows if content else rows.defer("content")).filter(pk=report_id).first()
    if report is None or not can_view_supervision(actor, report.plan):
        raise NotFound(_("报告不存在、已过期清理，或您无权查看。"))
    return report


def report_sweep(*, now: dt.datetime | None = None) -> int:
    """Delete the reports made longer ago than ``GENERATED_REPORT_KEEP_HOURS``; return how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=getattr(settings, "GENERATED_REPORT_KEEP_HOURS", 24))
    deleted, _rows = GeneratedReport.objects.filter(requested_at__lt=cutoff).delete()
    return deleted
