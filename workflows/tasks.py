"""Background jobs (Celery). Each is idempotent: running it twice does the work once."""
import logging

from celery import shared_task
from django.conf import settings

from audit.services import write_checkpoint

from .services.archive import ARCHIVE_TASK, archive_build
from .services.archive import archive_sweep as sweep
from .services.reminders import reminders_daily
from .services.reports import REPORT_TASK, report_build

logger = logging.getLogger(__name__)

_RENDER_LIMIT = getattr(settings, "ARCHIVE_RENDER_TIMEOUT_SECONDS", 0) or None


# The soft limit raises inside the job (report, render, signing, storage), so the failure is recorded
# on the archive and retried; the hard one, 30 s later, kills a pool process that did not stop, and
# Celery then acknowledges the message: the row stays pending and archive_sweep runs it again after
# ARCHIVE_STALE_PENDING_SECONDS. In a pool process the render has no child of its own (a daemonic
# process may not start one), so its memory is bounded by the worker's --max-memory-per-child.
@shared_task(name=ARCHIVE_TASK, bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(Exception,),
             retry_backoff=5, retry_backoff_max=600, retry_jitter=True,
             max_retries=getattr(settings, "ARCHIVE_MAX_ATTEMPTS", 5),
             soft_time_limit=_RENDER_LIMIT, time_limit=_RENDER_LIMIT and _RENDER_LIMIT + 30)
def archive_assignment(self, assignment_id: int) -> str:
    """Render, sign and store the archive of an accepted assignment (once)."""
    archive = archive_build(assignment_id)
    return archive.status if archive else "none"


@shared_task(name=REPORT_TASK, acks_late=True, soft_time_limit=_RENDER_LIMIT, time_limit=_RENDER_LIMIT and _RENDER_LIMIT + 30)
def generate_report(report_id: int) -> str:
    """Make a requested 进度报告 PDF (once; a failure is kept on the row for the person waiting)."""
    report = report_build(report_id)
    return report.status if report else "none"


@shared_task(acks_late=True)
def archive_sweep() -> dict:
    return sweep()


@shared_task(acks_late=True)
def send_reminders() -> dict:
    """The daily 催办 digests and 督办 ladder (beat "send-reminders"); a second run the same day sends nothing new."""
    return reminders_daily().as_dict()


@shared_task(acks_late=True)
def audit_checkpoint() -> dict | None:
    """Pin the audit chain's head outside the database (beat "audit-checkpoint", every five minutes):
    the window in which a direct edit of the database goes unnoticed is the time between two."""
    if not settings.AUDIT_CHECKPOINT_KEY:
        logger.warning("audit checkpoint skipped: AUDIT_CHECKPOINT_KEY is not set")
        return None
    return write_checkpoint()
