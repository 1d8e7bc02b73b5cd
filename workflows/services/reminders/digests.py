"""The daily digest: on working days each person gets ONE mail of their red and yellow items (what
``assignments_awaiting`` says they must act on now)."""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record_event, user_label

from ...calendar import WorkingDays, cn_date
from ...lights import RED, YELLOW, light_q, with_light
from ...models import (
    Assignment,
    DigestSent,
)
from ...selectors.inbox import assignments_awaiting
from .mail import DailyRun, compose, grouped_by_plan, item_of, send_after_commit


def digest_items(user, today: dt.date) -> list[Assignment]:
    """The red and yellow assignments ``user`` must act on now (``light`` annotated), red first, by due date."""
    awaiting = with_light(assignments_awaiting(user).filter(light_q(RED, today) | light_q(YELLOW, today)), today)
    rows = list(awaiting)
    return [a for a in rows if a.light == RED] + [a for a in rows if a.light == YELLOW]


def _digest_mail(user, assignments: list[Assignment], today: dt.date, days: WorkingDays) -> EmailMultiAlternatives:
    with translation.override(settings.LANGUAGE_CODE):
        items = [item_of(a, a.light, today, days) for a in assignments]
        red = sum(1 for i in items if i["light"] == RED)
        yellow = len(items) - red
        subject = _("【督办提醒】%(date)s：您有 %(red)s 项逾期、%(yellow)s 项临近期限的待办") % {
            "date": cn_date(today), "red": red, "yellow": yellow}
        return compose("digest", subject, {
            "name": user.get_full_name() or user.get_username(), "groups": grouped_by_plan(items), "red": red,
            "yellow": yellow, "date": cn_date(today),
            "inbox_url": settings.SITE_URL.rstrip("/") + reverse("approvals:inbox"),
        }, to=[user.email])


def digests_send(today: dt.date, run: DailyRun, days: WorkingDays | None = None) -> None:
    """One digest per person with red or yellow items, at most once a day."""
    days = days or WorkingDays()
    people = (get_user_model().objects.filter(is_active=True, memberships__isnull=False)
              .distinct().order_by("username"))
    sent_today = set(DigestSent.objects.filter(sent_on=today).values_list("user_id", flat=True))
    for user in people:
        if user.pk in sent_today:
            run.already_sent.append(user.get_username())
            continue
        items = digest_items(user, today)
        if not items:
            continue
        red = sum(1 for a in items if a.light == RED)
        counts = {"red": red, "yellow": len(items) - red}
        if not user.email:
            run.no_email.append({"user": user.get_username(), **counts})
            continue
        if run.dry_run or _digest_record(user, items, counts, today, days, run):
            run.digests.append({"user": user.get_username(), "email": user.email, **counts})


def _digest_record(user, items: list[Assignment], counts: dict, today: dt.date, days: WorkingDays,
                   run: DailyRun) -> bool:
    """Record the digest and its audit event, and mail it after the commit; False if sent already."""
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, sent_on=today, sent_at=timezone.now(), **counts)
            record_event(action="reminders.digest_sent", actor=None, role="system", target=user,
                         target_label=user_label(user),
                         details={"date": today.isoformat(), **counts, "assignments": [a.pk for a in items]})
            send_after_commit([_digest_mail(user, items, today, days)], run.failures)
    except IntegrityError:  # a concurrent run sent it
        run.already_sent.append(user.get_username())
        return False
    return True
