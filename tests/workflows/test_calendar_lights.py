"""The working-day calendar (holidays and 调休) and the traffic lights it drives, everywhere a list shows them."""
import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from tests.approvals.test_api import api
from tests.world import build_world
from workflows import calendar
from workflows.lights import (
    DONE,
    GREEN,
    RED,
    YELLOW,
    filter_light,
    light_for_due,
    light_of,
    with_light,
)
from workflows.models import Assignment, CalendarDay
from workflows.services.inbox import refresh_inbox

D = dt.date


@pytest.mark.django_db
def test_national_day_2026_and_its_make_up_saturday():
    assert not calendar.is_working_day(D(2026, 10, 1)) and not calendar.is_working_day(D(2026, 10, 7))
    assert calendar.is_working_day(D(2026, 10, 10))  # a Saturday worked in exchange (调休)
    assert calendar.is_working_day(D(2026, 9, 20))  # a Sunday worked in exchange
    assert calendar.add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert calendar.add_working_days(D(2026, 10, 9), 1) == D(2026, 10, 10)
    assert calendar.add_working_days(D(2026, 10, 9), 0) == D(2026, 10, 9)
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 12)) == 4  # 8, 9, 10, 12
    assert calendar.working_days_between(D(2026, 10, 12), D(2026, 9, 30)) == -4


@pytest.mark.django_db
def test_an_administrators_correction_wins_and_covers_years_the_package_does_not_know():
    assert calendar.is_working_day(D(2026, 11, 30))  # a Monday
    CalendarDay.objects.create(date=D(2026, 11, 30), is_working_day=False, note="临时调整")
    assert not calendar.is_working_day(D(2026, 11, 30))
    assert calendar.calendar_gaps([2026, 2030]) == [2030]
    assert calendar.is_working_day(D(2030, 1, 1))  # unknown year: Monday to Friday assumed
    CalendarDay.objects.create(date=D(2030, 1, 1), is_working_day=False, note="元旦")
    assert not calendar.is_working_day(D(2030, 1, 1)) and calendar.calendar_gaps([2030]) == []
    CalendarDay.objects.filter(date=D(2030, 1, 1)).delete()
    assert calendar.is_working_day(D(2030, 1, 1))


@pytest.mark.django_db
def test_lights_at_their_boundaries_across_a_holiday(settings):
    settings.SUPERVISION_YELLOW_WORKING_DAYS = 5
    today = D(2026, 9, 29)  # Tuesday before National Day
    # Five working days: 9-30, 10-8, 10-9, 10-10 (the make-up Saturday), 10-12.
    assert calendar.add_working_days(today, 5) == D(2026, 10, 12)
    assert light_for_due(D(2026, 9, 28), today) == RED
    assert light_for_due(today, today) == YELLOW
    assert light_for_due(D(2026, 10, 12), today) == YELLOW
    assert light_for_due(D(2026, 10, 13), today) == GREEN


@pytest.fixture
def plan_world(db):
    return build_world(whole_plan=False)


def _spread(world, today):
    """Give task 1's assignments due dates around today: red, yellow and green ones."""
    rows = list(Assignment.objects.filter(task__plan=world.plan).order_by("id"))
    dues = [today - dt.timedelta(days=3), today, calendar.add_working_days(today, 5),
            calendar.add_working_days(today, 6), today + dt.timedelta(days=60)]
    for n, a in enumerate(rows):
        Assignment.objects.filter(pk=a.pk).update(due_date=dues[n % len(dues)])
    refresh_inbox(a.pk for a in rows)  # the arrangement skipped the services, which keep 我的待办's table in step
    return rows


def test_the_database_light_agrees_with_python_and_the_lights_partition_the_open_work(plan_world):
    today = D(2026, 11, 27)
    _spread(plan_world, today)
    annotated = {a.pk: a.light for a in with_light(Assignment.objects.all(), today)}
    assert annotated == {a.pk: light_of(a, today) for a in Assignment.objects.all()}
    assert {RED, YELLOW, GREEN} <= set(annotated.values())
    counts = {light: filter_light(Assignment.objects.all(), light, today).count() for light in (RED, YELLOW, GREEN, DONE)}
    assert sum(counts.values()) == Assignment.objects.count()


def test_lists_show_and_filter_by_light(plan_world):
    from django.utils import timezone

    today = timezone.localdate()
    _spread(plan_world, today)
    client = Client()
    client.force_login(plan_world.supervisor)
    page = client.get(reverse("approvals:assignment_list"), {"light": "red"})
    assert page.status_code == 200
    html = page.content.decode()
    red = filter_light(Assignment.objects.all(), RED, today).count()
    assert html.count('class="light light-red"') == red and 'class="light light-green"' not in html
    bad = client.get(reverse("approvals:assignment_list"), {"light": "purple"})
    assert bad.status_code == 400 and "灯号只能是" in bad.content.decode()
    body = api(plan_world.supervisor).get("/api/assignments/", {"light": "yellow"}).json()
    rows = body["results"] if isinstance(body, dict) else body
    assert rows and {r["light"] for r in rows} == {"yellow"}


def test_the_inbox_counts_by_light_and_filters(plan_world):
    from django.utils import timezone

    today = timezone.localdate()
    _spread(plan_world, today)
    client = Client()
    client.force_login(plan_world.submitter)
    mine = Assignment.objects.filter(unit__short_name="市财政局")
    expected = light_of(mine.get(), today)
    page = client.get(reverse("approvals:inbox"), {"light": expected}).content.decode()
    assert page.count(f'class="light light-{expected}"') >= 2  # the filter link and the row
    other = next(light for light in (RED, YELLOW, GREEN) if light != expected)
    empty = client.get(reverse("approvals:inbox"), {"light": other}).content.decode()
    assert "目前没有需要您处理的承办件" in empty


@pytest.mark.parametrize("days,on_time", [(30, True), (-30, False)])
def test_acceptance_records_whether_the_work_was_on_time(plan_world, django_capture_on_commit_callbacks,
                                                         days, on_time):
    from django.utils import timezone

    from tests.workflows.archive.conftest import walk_to_accepted

    due = timezone.localdate() + dt.timedelta(days=days)
    Assignment.objects.filter(pk=plan_world.assignment.pk).update(due_date=due, original_due_date=due)
    refresh_inbox([plan_world.assignment.pk])
    plan_world.reload()
    accepted = walk_to_accepted(plan_world, django_capture_on_commit_callbacks)
    assert accepted.on_time is on_time and light_of(accepted) == DONE
    client = Client()
    client.force_login(plan_world.submitter)
    html = client.get(reverse("approvals:assignment_list")).content.decode()
    assert ("按期办结" if on_time else "逾期办结") in html
