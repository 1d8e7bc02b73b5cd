"""Reads for the auditors' screens: filtered timelines with keyset pages, histories, replays."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from audit.actions import ACTIONS, ANONYMOUS_ACTIONS
from audit.models import AuditEvent, AuditVerification

from ..models import Unit


@dataclass(frozen=True)
class TimelineFilter:
    """What an auditor asked for. Unknown names match nothing rather than everything."""

    since: dt.date | None = None
    until: dt.date | None = None
    actor: str = ""
    unit: str = ""
    action: str = ""
    plan: int | None = None
    task: int | None = None
    assignment: int | None = None
    target_type: str = ""
    target_id: str = ""
    user: int | None = None  # events by or about this user
    hide_anonymous: bool = False  # leave out what sources that had not signed in wrote

    def queryset(self) -> QuerySet[AuditEvent]:
        events = AuditEvent.objects.all()
        if self.since:
            events = events.filter(occurred_at__gte=_start_of(self.since))
        if self.until:
            events = events.filter(occurred_at__lt=_start_of(self.until + dt.timedelta(days=1)))
        if self.actor:
            actor_id = get_user_model().objects.filter(username=self.actor).values_list("pk", flat=True).first()
            events = events.filter(actor_id=actor_id) if actor_id else events.none()
        if self.unit:
            unit_id = Unit.objects.filter(short_name=self.unit).values_list("pk", flat=True).first()
            events = events.filter(unit_id=unit_id) if unit_id else events.none()
        if self.action:
            events = events.filter(action=self.action) if self.action in ACTIONS else events.none()
        for field in ("plan", "task", "assignment"):
            value = getattr(self, field)
            if value is not None:
                events = events.filter(**{f"{field}_id": value})
        if self.target_type:
            events = events.filter(target_type=self.target_type, target_id=self.target_id)
        if self.hide_anonymous:
            events = events.exclude(actor__isnull=True, action__in=ANONYMOUS_ACTIONS)
        if self.user is not None:
            events = events.filter(Q(actor_id=self.user) | Q(target_type="auth.user", target_id=str(self.user)))
        return events


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class TimelinePage:
    events: list[AuditEvent]
    next_before: int | None  # the keyset cursor of the following (older) page


def timeline_page(flt: TimelineFilter, *, before: int | None, size: int) -> TimelinePage:
    """Return one page, newest first, starting below sequence number ``before`` (one query)."""
    events = flt.queryset()
    if before is not None:
        events = events.filter(seq__lt=before)
    rows = list(events.order_by("-seq")[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    return TimelinePage(events=rows, next_before=rows[-1].seq if has_more and rows else None)


def events_for_export(flt: TimelineFilter):
    """Stream every matching event, oldest first, without loading them all into memory."""
    return flt.queryset().order_by("seq").iterator(chunk_size=5000)


def latest_verification() -> AuditVerification | None:
    return AuditVerification.objects.order_by("-checked_at", "-id").first()


@dataclass(frozen=True)
class AssignmentStateAt:
    assignment_id: int
    state: str
    seq: int
    occurred_at: dt.datetime
    label: str


def plan_state_as_of(plan_id: int, at: dt.datetime) -> list[AssignmentStateAt]:
    """Replay the trail: each assignment's state after its last transition at or before ``at``."""
    last = (
        AuditEvent.objects.filter(plan_id=plan_id, assignment_id__isnull=False, occurred_at__lte=at)
        .exclude(to_state="")
        .values("assignment_id")
        .annotate(last_seq=Max("seq"))
        .values_list("last_seq", flat=True)
    )
    rows = AuditEvent.objects.filter(seq__in=list(last)).order_by("assignment_id")
    return [AssignmentStateAt(e.assignment_id, e.to_state, e.seq, e.occurred_at, e.target_label) for e in rows]
