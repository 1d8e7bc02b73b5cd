"""Reads scoped to the person asking: what they may see, and what waits for them."""
from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import Permission, User
from django.db import connection
from django.db.models import Q, QuerySet

from workflows.lights import GREEN, RED, YELLOW
from workflows.models import Assignment, AssignmentGroupObjectPermission, InboxItem

from .policies import sees_all_assignments
from .templatetags.assignment_rows import ROW_FIELDS


def _groups_of(user) -> QuerySet:
    return User.groups.through.objects.filter(user_id=user.pk).values("group_id")


def _held(user, codename: str) -> Q:
    """Assignments on which the user's groups hold ``codename``.

    Written as ``pk IN (…)`` from the permission table, whose (group, permission, object) index
    answers it directly; an EXISTS per assignment row would scan every assignment. The group and
    permission ids come from their own small subqueries (no join), so the database looks up
    (group, permission) in that index instead of reading every permission row of the group.
    """
    groups = _groups_of(user)
    permissions = Permission.objects.filter(codename=codename).values("pk")
    ids = AssignmentGroupObjectPermission.objects.filter(
        group_id__in=groups, permission_id__in=permissions).values("content_object_id")
    return Q(pk__in=ids)


def assignments_visible_to(user) -> QuerySet[Assignment]:
    """Every assignment ``user`` may see: their units' ones, or all of them for auditors.

    Absent and invisible assignments are alike to the caller: both are simply not here (404).
    """
    base = Assignment.objects.select_related("task__plan", "task__section", "unit", "round")
    if not (user.is_authenticated and user.is_active):
        return base.none()
    if sees_all_assignments(user):
        return base
    return base.filter(_held(user, "view_assignment"))


def inbox_items(user) -> QuerySet[InboxItem]:
    """The user's rows of 我的待办 (``InboxItem``): one per group of theirs that has work on an assignment.

    An assignment may come twice when two of the person's groups hold the waiting right (say two
    lead departments of one task); count and page it with ``distinct``.
    """
    if not _signed_in(user):
        return InboxItem.objects.none()
    return InboxItem.objects.filter(group_id__in=_groups_of(user))


# 我的待办 is read in SQL written here: every page of it asks these two questions, and the ORM spent
# longer building them than the database spent answering (for a person with 472 items among
# 124,000 assignments: the count 1.1 ms against 0.3 ms on SQLite, 1.6 against 0.6 on PostgreSQL;
# the page of ids 0.55 against 0.07, and 1.2 against 0.5). The statements are fixed; only the user
# id, dates and the page's bounds are parameters.
_LIGHT_SQL = {RED: ("due_date < %s", lambda today, last: [today]),
              YELLOW: ("due_date >= %s AND due_date <= %s", lambda today, last: [today, last]),
              GREEN: ("due_date > %s", lambda today, last: [last])}


def _waiting_rows(columns: str, condition: str = "") -> str:
    """SELECT DISTINCT ``columns`` of the user's InboxItem rows: each assignment once per user."""
    quote = connection.ops.quote_name
    return (f"SELECT DISTINCT {columns} FROM {quote(InboxItem._meta.db_table)} "
            f"WHERE group_id IN (SELECT group_id FROM {quote(User.groups.through._meta.db_table)} "
            f"WHERE user_id = %s){' AND ' + condition if condition else ''}")


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _signed_in(user) -> bool:
    return bool(user.is_authenticated and user.is_active)


def inbox_counts(user, today: dt.date, last_yellow: dt.date) -> dict[str, int]:
    """How many assignments wait for ``user``, per state and per light (red before ``today``, yellow
    up to ``last_yellow``, green after), each once however many of the user's groups it waits for."""
    counts: dict[str, int] = {}
    if not _signed_in(user):
        return counts
    adapt = connection.ops.adapt_datefield_value
    sql = (f"SELECT state, COUNT(*), SUM(CASE WHEN due_date < %s THEN 1 ELSE 0 END), "
           f"SUM(CASE WHEN due_date <= %s THEN 1 ELSE 0 END) "
           f"FROM ({_waiting_rows('assignment_id, state, due_date')}) waiting GROUP BY state")
    for state, n, red, up_to_yellow in _fetch(sql, [adapt(today), adapt(last_yellow), user.pk]):
        counts[state] = n
        for light, k in ((RED, red), (YELLOW, up_to_yellow - red), (GREEN, n - up_to_yellow)):
            counts[light] = counts.get(light, 0) + k
    return counts


class InboxIds:
    """The ids of what waits for ``user`` (of one light, if given), by due date and id, of a known
    length (``inbox_counts``): the paginator slices it, and each slice is one LIMIT/OFFSET query."""

    def __init__(self, user, length: int, light: str = "", today: dt.date | None = None,
                 last_yellow: dt.date | None = None):
        self.user, self.length = user, length
        condition, values = _LIGHT_SQL[light] if light else ("", lambda today, last: [])
        adapt = connection.ops.adapt_datefield_value
        self.sql = (_waiting_rows("assignment_id, due_date", condition)
                    + " ORDER BY due_date, assignment_id LIMIT %s OFFSET %s")
        self.params = [user.pk, *(adapt(d) for d in values(today, last_yellow))]

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: slice) -> list[int]:
        if not _signed_in(self.user) or index.stop <= index.start:
            return []
        return [pk for pk, _due in _fetch(self.sql, [*self.params, index.stop - index.start, index.start])]


def inbox_rows(ids: list[int]) -> list[dict]:
    """The rows of these assignments as ``ROW_FIELDS`` dicts, in the order of ``ids``.

    The same columns as ``Assignment.objects.filter(pk__in=ids).values(*ROW_FIELDS)``, in fixed SQL
    for the same reason as above (0.7 ms against 0.2 on SQLite, 1.9 against 1.1 on PostgreSQL).
    """
    from workflows.models import Plan, ReportingRound, Task, Unit

    if not ids:
        return []
    quote = connection.ops.quote_name
    a, t, p, u, r = (quote(m._meta.db_table) for m in (Assignment, Task, Plan, Unit, ReportingRound))
    sql = (f"SELECT a.id, a.state, a.due_date, a.on_time, t.number, t.text, t.plan_id, p.title, u.short_name, "
           f"r.name FROM {a} a JOIN {t} t ON t.id = a.task_id JOIN {p} p ON p.id = t.plan_id "
           f"JOIN {u} u ON u.id = a.unit_id JOIN {r} r ON r.id = a.round_id "
           f"WHERE a.id IN ({', '.join(['%s'] * len(ids))})")
    rows = {}
    for values in _fetch(sql, list(ids)):
        row = dict(zip(ROW_FIELDS, values, strict=True))  # the SELECT lists them in this order
        if isinstance(row["due_date"], str):  # SQLite hands dates back as text
            row["due_date"] = dt.date.fromisoformat(row["due_date"])
        row["on_time"] = None if row["on_time"] is None else bool(row["on_time"])
        rows[row["pk"]] = row
    return [rows[pk] for pk in ids if pk in rows]


def assignments_awaiting(user) -> QuerySet[Assignment]:
    """我的待办: assignments in a state where one of the user's rights has work to do, by due date.

    Read from ``InboxItem``, which ``workflows.services.inbox`` keeps equal to the rule: the state
    asks for a right (``WAITING_STATES``) that one of the user's unit-role groups holds on it.
    Separation of duties is applied when a person acts (and in the buttons shown); an item the
    person submitted still shows here for their colleagues in the same role.
    """
    return (Assignment.objects.select_related("task__plan", "unit", "round")
            .filter(pk__in=inbox_items(user).values("assignment_id")).order_by("due_date", "id"))


def transfer_requests_visible_to(user):
    """Transfer requests of the assignments ``user`` may see (the same 404 rule as the assignments)."""
    from workflows.models import TransferRequest

    return (TransferRequest.objects.select_related("assignment__task__plan", "assignment__unit", "target_unit",
                                                   "requested_by", "decided_by")
            .filter(assignment__in=assignments_visible_to(user).values("pk")))


def transfer_requests_to_decide(user):
    """Pending requests this person may decide: the plans they supervise, the tasks they lead where allowed."""
    from workflows.models import PartyRole, TransferRequest

    from .models import Membership

    supervised = Membership.objects.filter(user=user, role="supervisor").values("unit_id")
    led = Membership.objects.filter(user=user, role="reviewer").values("unit_id")
    if not (user.is_authenticated and user.is_active):
        return TransferRequest.objects.none()
    return (transfer_requests_visible_to(user).filter(status="pending")
            .filter(Q(assignment__task__plan__supervising_unit__in=supervised)
                    | Q(assignment__task__plan__lead_may_decide_transfers=True,
                        assignment__task__party_set__role=PartyRole.LEAD,
                        assignment__task__party_set__unit__in=led))
            .distinct().order_by("requested_at", "id"))
