"""我的待办's hand-written SQL (workflows.selectors.inbox) against the ORM as its oracle: the counts per
state and light, the pages of ids by due date and id (with and without a light), and the table rows
in the order asked, on SQLite and on PostgreSQL alike.

The arrangement writes due dates and states directly and refreshes 我的待办's table (``InboxItem``)
after them, as the services would; the oracle reads the same table and the assignments with the ORM.
"""
import datetime as dt
import random

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Count, Q

from tests.factories import UserFactory
from tests.world import build_world, person
from workflows.lights import GREEN, RED, YELLOW
from workflows.models import Assignment, InboxItem, Unit
from workflows.selectors.inbox import (
    ROW_FIELDS,
    InboxIds,
    assignments_awaiting,
    inbox_counts,
    inbox_rows,
)
from workflows.services import assignments as services
from workflows.services.dispatch import assignment_set_due_date
from workflows.services.inbox import refresh_inbox
from workflows.services.memberships import membership_grant

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 9, 29)
LAST_YELLOW = dt.date(2026, 10, 12)  # the last due date that is still yellow on TODAY
LIGHTS = {RED: Q(due_date__lt=TODAY), YELLOW: Q(due_date__gte=TODAY, due_date__lte=LAST_YELLOW),
          GREEN: Q(due_date__gt=LAST_YELLOW)}
PEOPLE = ("submitter", "colleague", "reviewer", "second_reviewer", "supervisor", "auditor", "other_submitter")


def waiting(user):
    """The ORM's 我的待办: assignments with a row of one of the user's groups in ``InboxItem``."""
    return Assignment.objects.filter(pk__in=InboxItem.objects.filter(group__user=user).values("assignment_id"))


def orm_counts(user) -> dict[str, int]:
    counts = {row["state"]: row["n"] for row in waiting(user).order_by().values("state").annotate(n=Count("id"))}
    counts.update({light: waiting(user).filter(q).count() for light, q in LIGHTS.items()})
    return {key: n for key, n in counts.items() if n}


def orm_ids(user, light: str = "") -> list[int]:
    found = waiting(user).filter(LIGHTS[light]) if light else waiting(user)
    return list(found.order_by("due_date", "id").values_list("id", flat=True))


@pytest.fixture
def arranged():
    """The whole plan, due dates on and beside each light's boundaries (many alike, so the id breaks the
    ties), every waiting state, some accepted work, and a reviewer of both lead departments of task 1."""
    world = build_world(whole_plan=True)
    ids = list(Assignment.objects.order_by("id").values_list("id", flat=True))
    dues = [TODAY - dt.timedelta(days=30), TODAY - dt.timedelta(days=1), TODAY, TODAY + dt.timedelta(days=1),
            LAST_YELLOW, LAST_YELLOW + dt.timedelta(days=1), TODAY + dt.timedelta(days=90)]
    for n, due in enumerate(dues):
        Assignment.objects.filter(pk__in=ids[n::len(dues)]).update(due_date=due)
    for n, state in enumerate(["in_progress", "submitted", "lead_reviewed", "accepted"]):
        Assignment.objects.filter(pk__in=ids[n::5]).update(state=state)
    refresh_inbox(ids)
    world.both = person("both-leads", "市编办", "reviewer")
    membership_grant(actor=None, user=world.both, unit=Unit.objects.get(short_name="市政府法制办"), role="reviewer")
    return world


def people(world) -> list:
    return [getattr(world, name) for name in PEOPLE] + [world.both]


def test_the_arrangement_gives_every_person_work_of_every_light_and_an_item_twice_for_one(arranged):
    for user in people(arranged):
        if user is arranged.auditor:
            continue
        assert {light for light in LIGHTS if waiting(user).filter(LIGHTS[light]).exists()} == set(LIGHTS), user
    both = arranged.both
    assert InboxItem.objects.filter(group__user=both).count() > waiting(both).count() > 0


def test_the_counts_per_state_and_light_are_the_orms(arranged):
    for user in people(arranged):
        counted = {key: n for key, n in inbox_counts(user, TODAY, LAST_YELLOW).items() if n}
        assert counted == orm_counts(user), user.username
    assert inbox_counts(arranged.auditor, TODAY, LAST_YELLOW) == {}  # reads everything, waits for nothing


@pytest.mark.parametrize("light", ["", RED, YELLOW, GREEN])
def test_every_page_of_ids_is_the_orms_page_by_due_date_then_id(arranged, light):
    for user in people(arranged):
        expected = orm_ids(user, light)
        pages = Paginator(InboxIds(user, len(expected), light, TODAY, LAST_YELLOW), 7)
        for number in pages.page_range:
            assert list(pages.page(number).object_list) == expected[(number - 1) * 7:number * 7], (
                user.username, number)


def test_a_slice_past_the_end_or_of_no_length_is_empty(arranged):
    expected = orm_ids(arranged.reviewer)
    ids = InboxIds(arranged.reviewer, len(expected))
    assert ids[0:len(expected) + 50] == expected
    assert ids[len(expected):len(expected) + 10] == [] and ids[3:3] == [] and ids[5:2] == []
    assert len(ids) == len(expected)


def test_nothing_waits_for_the_signed_out_the_inactive_or_someone_without_a_role(arranged):
    User = get_user_model()
    gone = User.objects.get(pk=arranged.submitter.pk)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    gone = User.objects.get(pk=gone.pk)
    assert orm_ids(gone)  # the table still holds the groups' work; the person may not read it
    for user in (AnonymousUser(), gone, UserFactory(username="nobody")):
        assert inbox_counts(user, TODAY, LAST_YELLOW) == {}
        assert InboxIds(user, 10)[0:10] == []
        assert InboxIds(user, 10, RED, TODAY, LAST_YELLOW)[0:10] == []


def test_the_rows_are_the_orms_values_in_the_order_asked_with_dates_and_booleans(arranged):
    accepted = list(Assignment.objects.filter(state="accepted").order_by("id").values_list("id", flat=True))
    Assignment.objects.filter(pk__in=accepted[::2]).update(on_time=True)
    Assignment.objects.filter(pk__in=accepted[1::2]).update(on_time=False)
    ids = list(Assignment.objects.values_list("id", flat=True))
    random.Random(169).shuffle(ids)
    asked = ids[:60]
    by_orm = {row["pk"]: row for row in Assignment.objects.filter(pk__in=asked).values(*ROW_FIELDS)}
    rows = inbox_rows([*asked[:30], 10**9, *asked[30:]])  # an absent id is left out
    assert rows == [by_orm[pk] for pk in asked]
    assert all(list(row) == list(ROW_FIELDS) for row in rows)
    assert all(type(row["due_date"]) is dt.date for row in rows)
    assert {row["on_time"] for row in rows} == {True, False, None}
    assert all(row["on_time"] is None or type(row["on_time"]) is bool for row in rows)
    assert inbox_rows(list(reversed(asked))) == [by_orm[pk] for pk in reversed(asked)]


def test_the_counts_per_state_and_light_agree_with_each_assignment_counted_in_python():
    from django.utils import timezone

    from workflows.lights import horizon, light_for_due
    from workflows.selectors.inbox import InboxIds, inbox_counts

    world = build_world(whole_plan=True)
    today, last_yellow = horizon(timezone.localdate())
    both = person("both-leads", "市编办", "reviewer")
    membership_grant(actor=None, user=both, unit=Unit.objects.get(short_name="市政府法制办"), role="reviewer")
    mine = list(assignments_awaiting(world.submitter).exclude(pk=world.assignment.pk).order_by("id"))[:5]
    mine.append(world.assignment)
    for n, a in enumerate(mine):  # red, yellow and green due dates, then some submitted for the leads
        due = [today - dt.timedelta(days=2), today, last_yellow, last_yellow + dt.timedelta(days=1)][n % 4]
        assignment_set_due_date(actor=world.supervisor, assignment_id=a.pk, due_date=due)
        if n >= 3:
            services.assignment_start(actor=world.submitter, assignment_id=a.pk)
            services.assignment_submit(actor=world.submitter, assignment_id=a.pk, report="已完成",
                                       no_file_statement="无")
    # Task 1 is led by both departments: its submitted work waits twice for ``both``, counted once.
    assert InboxItem.objects.filter(group__user=both).count() > assignments_awaiting(both).count() > 0
    for user in (world.submitter, world.reviewer, both, world.supervisor, world.auditor):
        waiting = list(assignments_awaiting(user))
        expected = {}
        for a in waiting:
            for key in (a.state, light_for_due(a.due_date, today)):
                expected[key] = expected.get(key, 0) + 1
        counted = {key: n for key, n in inbox_counts(user, today, last_yellow).items() if n}
        assert counted == expected, user.username
        ids = InboxIds(user, len(waiting), "", today, last_yellow)
        assert ids[0:len(waiting) + 5] == [a.pk for a in waiting]  # by due date, then id; each once
        for light in ("red", "yellow", "green"):
            of_light = [a.pk for a in waiting if light_for_due(a.due_date, today) == light]
            assert InboxIds(user, len(of_light), light, today, last_yellow)[0:100] == of_light


def test_the_inbox_rows_are_the_orms_values_in_the_order_asked():
    from workflows.models import Assignment
    from workflows.selectors.inbox import ROW_FIELDS, inbox_rows

    world = build_world(whole_plan=True)
    services.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    services.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="已完成",
                               no_file_statement="无")
    services.assignment_approve(actor=world.reviewer, assignment_id=world.assignment.pk)
    services.assignment_accept(actor=world.supervisor, assignment_id=world.assignment.pk)  # on_time set
    ids = list(Assignment.objects.order_by("-id").values_list("id", flat=True)[:40]) + [world.assignment.pk]
    by_orm = {row["pk"]: row for row in Assignment.objects.filter(pk__in=ids).values(*ROW_FIELDS)}
    assert inbox_rows(ids) == [by_orm[pk] for pk in ids]
    assert inbox_rows([]) == [] and inbox_rows([10**9]) == []
    accepted = inbox_rows([world.assignment.pk])[0]["on_time"]
    assert isinstance(accepted, bool) and accepted is by_orm[world.assignment.pk]["on_time"]
