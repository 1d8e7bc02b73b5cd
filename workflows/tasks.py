"""Background jobs (Celery). Each is idempotent: running it twice does the work once."""
from celery import shared_task
from django.conf import settings

_RENDER_LIMIT = getattr(settings, "ARCHIVE_RENDER_TIMEOUT_SECONDS", 0) or None


# The soft limit raises inside the render, so the failure is recorded on the archive and retried;
# the hard one, a little later, kills a pool process that did not stop (the message is then re-run).
@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, autoretry_for=(Exception,),
             retry_backoff=5, retry_backoff_max=600, retry_jitter=True,
             max_retries=getattr(settings, "ARCHIVE_MAX_ATTEMPTS", 5),
             soft_time_limit=_RENDER_LIMIT, time_limit=_RENDER_LIMIT and _RENDER_LIMIT + 30)
def archive_assignment(self, assignment_id: int) -> str:
    """Render, sign and store the archive of an accepted assignment (once)."""
    from workflows.services.archive import archive_build

    archive = archive_build(assignment_id)
    return archive.status if archive else "none"


@shared_task(acks_late=True)
def archive_sweep() -> dict:
    from workflows.services.archive import archive_sweep as sweep

    return sweep()


@shared_task(acks_late=True)
def send_reminders() -> dict:
    """The daily 催办 digests and 督办 ladder (beat "send-reminders"); a second run the same day sends nothing new."""
    from workflows.services.reminders import reminders_daily

    return reminders_daily().as_dict()
