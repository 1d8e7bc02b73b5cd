"""Reads for the auditors' screens: filtered timelines with keyset pages, histories, replays."""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.actions import ACTIONS, ANONYMOUS_ACTIONS, action_label
from audit.models import AuditEvent, AuditVerification

from ..calendar import cn_date
from ..models import ROLE_LABELS, Assignment, AssignmentState, Unit

# What an event's stored codes read as. The trail keeps the codes (they are hashed); every screen
# and export shows these labels instead.
STATE_LABELS = dict(AssignmentState.choices)
TARGET_TYPE_LABELS = {"ip": _("IP 地址"), "url": _("网址")}


def state_label(code: str) -> str:
    return str(STATE_LABELS.get(code, code)) if code else ""


def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code)) if code else ""


def target_type_label(code: str) -> str:
    """``workflows.assignment`` → 承办件: the model's own name, or a label for the non-model targets."""
    if not code:
        return ""
    if code in TARGET_TYPE_LABELS:
        return str(TARGET_TYPE_LABELS[code])
    try:
        return str(apps.get_model(code)._meta.verbose_name)
    except (LookupError, ValueError):
        return code


DATED_ACTIONS = ("assignment.due_date_changed", "assignment.extension_requested", "assignment.extension_approved",
                 "assignment.extension_rejected", "assignment.extension_withdrawn")


def dates_changed(event: AuditEvent) -> str:
    """“2026年12月9日 → 2027年1月8日” for a change of due date or an extension request, else ""."""
    if event.action not in DATED_ACTIONS:
        return ""
    try:
        details = json.loads(event.details or "{}")
        before, after = (dt.date.fromisoformat(details[k]) for k in ("from", "to"))
    except (ValueError, KeyError, TypeError):
        return ""
    return f"{cn_date(before)} → {cn_date(after)}"


def readable(event: AuditEvent, field: str):
    """One field of an event as an auditor reads it: labels for the codes, the stored value otherwise."""
    value = getattr(event, field)
    if field in ("from_state", "to_state"):
        return state_label(value)
    if field == "role":
        return role_label(value)
    if field == "action":
        return str(action_label(value))
    if field == "target_type":
        return target_type_label(value)
    return value


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
    label: str  # 任务编号．单位
    round_name: str
    state: str
    seq: int | None  # the event that put it in this state; None while it had not moved since 交办
    occurred_at: dt.datetime

    @property
    def state_label(self) -> str:
        return state_label(self.state)


def plan_assignments_at(plan_id: int, at: dt.datetime) -> QuerySet[Assignment]:
    """Every assignment of the plan that existed at ``at``: made by then, or already in the trail by then
    (a data load may date its events before the rows were written)."""
    in_trail = AuditEvent.objects.filter(plan_id=plan_id, assignment_id__isnull=False,
                                         occurred_at__lte=at).values("assignment_id")
    return (Assignment.objects.filter(task__plan_id=plan_id)
            .filter(Q(created_at__lte=at) | Q(pk__in=in_trail))
            .select_related("task", "unit", "round")
            .order_by("round__position", "task__number", "unit__short_name", "pk"))


def states_at(assignments, at: dt.datetime) -> list[AssignmentStateAt]:
    """Replay the trail for these assignments: each one's state after its last transition at or before
    ``at``; one that had not moved by then is in the state it was dispatched in (已交办). Two queries."""
    assignments = list(assignments)
    last = (
        AuditEvent.objects.filter(assignment_id__in=[a.pk for a in assignments], occurred_at__lte=at)
        .exclude(to_state="")
        .values("assignment_id")
        .annotate(last_seq=Max("seq"))
        .values_list("last_seq", flat=True)
    )
    moved = {e.assignment_id: e for e in AuditEvent.objects.filter(seq__in=list(last))
             .only("seq", "assignment_id", "to_state", "occurred_at")}
    rows = []
    for a in assignments:
        event = moved.get(a.pk)
        rows.append(AssignmentStateAt(
            a.pk, f"{a.task.number}．{a.unit.short_name}", a.round.name,
            event.to_state if event else AssignmentState.ASSIGNED,
            event.seq if event else None, event.occurred_at if event else a.created_at))
    return rows
