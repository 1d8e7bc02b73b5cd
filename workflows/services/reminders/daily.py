"""The daily job (beat "send-reminders"): digests, then the ladder; a second run the same day sends nothing new."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from ...calendar import WorkingDays, cn_date, is_working_day
from ...models import Assignment
from ..periods import periods_generate
from .digests import digests_send
from .ladder import escalations_issue
from .mail import DailyRun


def reminders_daily(*, today: dt.date | None = None, force: bool = False, dry_run: bool = False) -> DailyRun:
    """The daily job: standing tasks' periods carried on, the 督办 ladder, then each person's digest.
    Working days only, unless forced.

    Nothing is sent on a day off: offices do not work then, and working days overdue do not grow
    on it, so the ladder waits for the next working day and loses nothing.
    """
    today = today or timezone.localdate()
    run = DailyRun(date=today.isoformat(), working_day=is_working_day(today), dry_run=dry_run)
    if not run.working_day and not force:
        run.skipped = _("%(date)s不是工作日，不发送催办摘要和督办通知") % {"date": cn_date(today)}
        return run
    days = WorkingDays()
    if not dry_run:  # standing tasks (长期坚持) report on into the new year without anyone asking
        periods_generate(Assignment.objects.filter(standing=True).values_list("pk", flat=True), today=today)
    escalations_issue(today, run, days)
    digests_send(today, run, days)
    return run
