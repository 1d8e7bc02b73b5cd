"""The plan dashboard (督办看板) and the progress API: lights, matrix, overdue list, who may see them."""
import datetime as dt
import re

import pytest
import yaml
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from approvals.api.supervision import ProgressSerializer
from tests.approvals.test_api import api
from tests.world import build_world
from workflows import calendar
from workflows.lights import DONE, GREEN, RED, YELLOW, filter_light, light_of
from workflows.models import Assignment, EscalationNotice, Reminder, ReportingRound
from workflows.services.dispatch import plan_dispatch
from workflows.services.inbox import refresh_inbox
from workflows.supervision.progress import plan_progress

D = dt.date
TODAY = D(2026, 9, 29)  # the Tuesday before National Day: five working days reach 10-12 (调休 10-10)


@pytest.fixture
def pinned(monkeypatch):
    """Freeze the date the views read (the lights' default "today" too)."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    return TODAY


@pytest.fixture
def world(db, pinned):
    world = build_world()
    spread(world.plan)
    return world


def spread(plan, today=TODAY):
    """Due dates around today and a few finished ones: every light and state appears."""
    dues = [D(2026, 9, 28), D(2026, 9, 1), today, D(2026, 10, 12), D(2026, 10, 13), D(2026, 12, 31)]
    ids = list(Assignment.objects.filter(round__plan=plan).order_by("id").values_list("id", flat=True))
    for n, pk in enumerate(ids):
        Assignment.objects.filter(pk=pk).update(due_date=dues[n % len(dues)])
    Assignment.objects.filter(pk__in=ids[6:8]).update(state="accepted", on_time=True)
    Assignment.objects.filter(pk=ids[8]).update(state="accepted", on_time=False)
    Assignment.objects.filter(pk=ids[9]).update(state="in_progress")
    Assignment.objects.filter(pk=ids[10]).update(state="submitted")
    refresh_inbox(ids)  # the arrangement skipped the services, which keep 我的待办's table in step
    return ids


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def dashboard_url(plan, **query) -> str:
    url = reverse("approvals:dashboard", args=[plan.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_supervisor_sees_the_lights_the_database_counts(world):
    html = client_for(world.supervisor).get(dashboard_url(world.plan)).content.decode()
    everything = Assignment.objects.filter(round__plan=world.plan)
    for light in (RED, YELLOW, GREEN, DONE):
        count = filter_light(everything, light, TODAY).count()
        assert f'<strong data-light="{light}">{count}</strong>' in html
    assert f'<strong data-total="all">{everything.count()}</strong>' in html
    assert '<strong data-total="accepted">3</strong>' in html
    # The boundaries across the holiday: due today and on 10-12 are yellow, 10-13 green, 9-28 red.
    by_due = {D(2026, 9, 28): RED, TODAY: YELLOW, D(2026, 10, 12): YELLOW, D(2026, 10, 13): GREEN}
    for a in everything.exclude(state="accepted").filter(due_date__in=by_due):
        assert light_of(a, TODAY) == by_due[a.due_date]
        url = reverse("approvals:assignment_detail", args=[a.pk])
        assert f'<a class="mc mc-{by_due[a.due_date]}" href="{url}"' in html


def test_each_matrix_cell_links_to_its_assignment_and_says_what_it_is(world):
    html = client_for(world.supervisor).get(dashboard_url(world.plan)).content.decode()
    cells = re.findall(r'<td class="state-(\w+)[^"]*"><a class="mc mc-(\w+)" href="([^"]+)" title="([^"]+)"', html)
    assignments = {a.pk: a for a in Assignment.objects.filter(round__plan=world.plan).select_related("unit")}
    assert len(cells) == len(assignments)
    for state, mark, href, title in cells:
        assert href.startswith("/") and href.endswith("/")
        a = assignments[int(href.rstrip("/").rsplit("/", 1)[1])]
        assert href == reverse("approvals:assignment_detail", args=[a.pk])
        assert state == a.state and a.unit.short_name in title and "第1项" in title
        assert mark == ({True: "ontime", False: "late"}[a.on_time] if a.state == "accepted" else light_of(a, TODAY))
    # Columns are the units of the round in directory order; 30 tasks without assignments stay empty rows.
    progress = plan_progress(world.plan, today=TODAY)
    orders = [u.order for u in progress.units]
    assert orders == sorted(orders) and len(progress.tasks) == 31
    assert sum(1 for t in progress.tasks if t.assigned) == 1


def test_the_overdue_list_puts_the_most_overdue_first_with_its_reminders_and_notices(world):
    late = list(Assignment.objects.filter(due_date=D(2026, 9, 1)).exclude(state="accepted").order_by("id"))
    now = timezone.now()
    Reminder.objects.create(assignment=late[0], unit=late[0].unit, sent_by=world.supervisor, sent_on=D(2026, 9, 20),
                            sent_at=now, message="请抓紧办理")
    EscalationNotice.objects.create(assignment=late[0], level=2, issued_on=D(2026, 9, 25), issued_at=now,
                                    overdue_working_days=18)
    EscalationNotice.objects.create(assignment=late[0], level=1, issued_on=D(2026, 9, 10), issued_at=now,
                                    overdue_working_days=6)
    progress = plan_progress(world.plan, today=TODAY)
    red = filter_light(Assignment.objects.filter(round__plan=world.plan), RED, TODAY)
    assert {o.assignment_id for o in progress.overdue} == set(red.values_list("id", flat=True))
    days = [o.overdue_working_days for o in progress.overdue]
    assert days == sorted(days, reverse=True)
    first = next(o for o in progress.overdue if o.assignment_id == late[0].pk)
    assert first.overdue_working_days == calendar.working_days_between(D(2026, 9, 1), TODAY) == 20
    assert (first.reminders, first.last_reminded_on, first.escalation_label) == (1, D(2026, 9, 20), "再次督办通知")
    html = client_for(world.supervisor).get(dashboard_url(world.plan)).content.decode()
    assert "再次督办通知" in html and "1 次，最近 2026年9月20日" in html
    assert f"逾期清单（{red.count()} 件）" in html


def test_only_the_supervisor_gets_remind_forms_for_units_with_overdue_work(world):
    progress = plan_progress(world.plan, today=TODAY)
    assert progress.overdue_units
    html = client_for(world.supervisor).get(dashboard_url(world.plan)).content.decode()
    for unit in progress.overdue_units:
        url = reverse("approvals:unit_remind_overdue", args=[world.plan.pk, unit.id])
        assert f'action="{url}"' in html
    assert html.count('name="message"') == len(progress.overdue_units)
    audited = client_for(world.auditor).get(dashboard_url(world.plan))
    assert audited.status_code == 200
    body = audited.content.decode()
    assert "unit_remind_overdue" not in body and 'name="message"' not in body and "/remind/" not in body
    assert 'data-total="all"' in body


@pytest.mark.parametrize("who", ["submitter", "reviewer", "other_submitter", "second_reviewer"])
def test_people_without_supervision_rights_get_not_found_everywhere(world, who):
    user = getattr(world, who)
    client = client_for(user)
    for name in ("approvals:dashboard", "approvals:dashboard_export", "approvals:dashboard_report"):
        url = reverse(name, args=[world.plan.pk])
        response = client.post(url) if name == "approvals:dashboard_report" else client.get(url)
        assert response.status_code == 404, name
        assert "您无权查看其督办情况" in response.content.decode()
    for path in ("progress/", "export.xlsx"):
        answer = api(user).get(f"/api/plans/{world.plan.pk}/{path}")
        assert answer.status_code == 404 and answer.json() == {"detail": "计划不存在"}


def test_an_absent_plan_and_the_signed_out_are_refused(world):
    assert client_for(world.supervisor).get(reverse("approvals:dashboard", args=[999999])).status_code == 404
    anonymous = Client().get(dashboard_url(world.plan))
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
    assert api().get(f"/api/plans/{world.plan.pk}/progress/").status_code == 401


def test_the_round_parameter_selects_another_round_and_an_unknown_one_is_not_found(world):
    second = ReportingRound.objects.create(plan=world.plan, name="2027年度", position=2)
    client = client_for(world.supervisor)
    page = client.get(dashboard_url(world.plan, round=second.pk)).content.decode()
    assert f'<option value="{second.pk}" selected>' in page and '<strong data-total="all">0</strong>' in page
    assert f"{reverse('approvals:dashboard_export', args=[world.plan.pk])}?round={second.pk}" in page
    assert client.get(dashboard_url(world.plan, round=999999)).status_code == 404
    assert client.get(dashboard_url(world.plan, round="abc")).status_code == 404
    answer = api(world.supervisor).get(f"/api/plans/{world.plan.pk}/progress/", {"round": second.pk}).json()
    assert answer["round"] == {"id": second.pk, "name": "2027年度"} and answer["totals"]["assignments"] == 0
    assert api(world.supervisor).get(f"/api/plans/{world.plan.pk}/progress/", {"round": 999999}).status_code == 404


def test_a_light_filter_keeps_the_matrix_to_that_light_and_dims_the_rest(world):
    client = client_for(world.supervisor)
    html = client.get(dashboard_url(world.plan, light="green")).content.decode()
    green = filter_light(Assignment.objects.filter(round__plan=world.plan), GREEN, TODAY)
    assert html.count("mc mc-green\" href") == green.count()
    assert 'aria-current="true"' in html and "其他格子变淡" in html
    matrix = html[html.index('<table class="matrix">'):html.index("</table>", html.index('<table class="matrix">'))]
    # One task row (only task 1 is dispatched), and only the units with a green assignment.
    assert matrix.count('<th scope="row"') == 1
    assert matrix.count('<th scope="col" title=') == len(set(green.values_list("unit_id", flat=True)))
    assert matrix.count("<a ") == green.count() and " dim" not in matrix
    red = client.get(dashboard_url(world.plan, light="red")).content.decode()
    assert red.count('mc mc-red" href') == filter_light(Assignment.objects.all(), RED, TODAY).count()


def test_a_plan_not_yet_dispatched_shows_an_empty_dashboard(db, pinned):
    world = build_world()
    Assignment.objects.all().delete()
    ReportingRound.objects.all().delete()
    html = client_for(world.supervisor).get(dashboard_url(world.plan)).content.decode()
    assert "该计划尚未交办" in html
    answer = api(world.supervisor).get(f"/api/plans/{world.plan.pk}/progress/").json()
    assert answer["round"] is None and answer["totals"]["assignments"] == 0 and len(answer["tasks"]) == 31


def test_the_progress_api_answers_in_its_documented_shape_with_the_database_counts(world):
    answer = api(world.auditor).get(f"/api/plans/{world.plan.pk}/progress/")
    assert answer.status_code == 200
    data = answer.json()
    assert ProgressSerializer(data=data).is_valid(), ProgressSerializer(data=data).errors
    everything = Assignment.objects.filter(round__plan=world.plan)
    totals = data["totals"]
    assert totals["assignments"] == everything.count()
    for state in ("assigned", "in_progress", "submitted", "lead_reviewed", "accepted"):
        assert totals["by_state"][state] == everything.filter(state=state).count()
    for light in (RED, YELLOW, GREEN, DONE):
        assert totals["by_light"][light] == filter_light(everything, light, TODAY).count()
    assert totals["percent"] == round(3 * 100 / everything.count(), 1)
    assert sum(s["assignments"] for s in data["sections"]) == everything.count()
    assert [s["tasks"] for s in data["sections"]] == [8, 3, 3, 5, 3, 3, 6]
    cells = [c for t in data["tasks"] for c in t["cells"]]
    assert sorted(c["assignment"] for c in cells) == sorted(everything.values_list("id", flat=True))
    one = next(c for c in cells if c["assignment"] == world.assignment.pk)
    world.reload()
    assert one == {"unit": world.assignment.unit_id, "assignment": world.assignment.pk, "state": world.assignment.state,
                   "light": light_of(world.assignment, TODAY), "due_date": world.assignment.due_date.isoformat(),
                   "on_time": world.assignment.on_time}
    assert [u["id"] for u in data["units"]] == sorted({c["unit"] for c in cells},
                                                       key=[u["id"] for u in data["units"]].index)
    assert len(data["overdue"]) == totals["by_light"][RED]


def test_the_schema_documents_the_progress_and_export_endpoints(world):
    document = yaml.safe_load(api(world.supervisor).get("/api/schema/").content)
    progress = document["paths"]["/api/plans/{id}/progress/"]["get"]
    assert progress["tags"] == ["督办"] and {p["name"] for p in progress["parameters"]} >= {"id", "round"}
    assert "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" in \
        document["paths"]["/api/plans/{id}/export.xlsx"]["get"]["responses"]["200"]["content"]


def _queries(client, url) -> int:
    client.get(url)  # warm the per-process caches (calendar corrections, content types)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_dashboard_and_the_api_cost_the_same_queries_for_one_task_and_for_the_whole_plan(world):
    client = client_for(world.supervisor)
    urls = [dashboard_url(world.plan), f"/api/plans/{world.plan.pk}/progress/"]
    token_api = api(world.supervisor)
    small = [_queries(client, urls[0]), _queries(token_api, urls[1])]
    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk, task_id=None)
    spread(world.plan)
    assert Assignment.objects.filter(round__plan=world.plan).count() > 800
    large = [_queries(client, urls[0]), _queries(token_api, urls[1])]
    assert small == large
    assert large[0] <= 15


def test_the_plan_page_links_the_supervisor_to_the_dashboard_and_the_scorecard(world):
    dashboard = reverse("approvals:dashboard", args=[world.plan.pk])
    scorecard = reverse("approvals:scorecard", args=[world.plan.pk])
    page = client_for(world.supervisor).get(world.plan.get_absolute_url()).content.decode()
    assert f'href="{dashboard}"' in page and f'href="{scorecard}"' in page
    other = client_for(world.submitter).get(world.plan.get_absolute_url()).content.decode()
    assert dashboard not in other and scorecard not in other


def test_the_supervisor_reminds_a_late_unit_from_the_dashboard_and_sees_it_in_the_overdue_list(world):
    client = client_for(world.supervisor)
    url = dashboard_url(world.plan)
    html = client.get(url).content.decode()
    unit = plan_progress(world.plan, today=TODAY).overdue_units[0]
    action = reverse("approvals:unit_remind_overdue", args=[world.plan.pk, unit.id])
    form = html[html.index(f'action="{action}"'):]
    message = re.search(r'<textarea[^>]*name="message"[^>]*>([^<]+)</textarea>', form).group(1)
    back = re.search(r'name="next" value="([^"]+)"', form).group(1)
    answer = client.post(action, {"message": message, "next": back})
    assert answer.status_code == 302 and answer["Location"] == f"{url}#overdue"
    reminders = Reminder.objects.filter(unit_id=unit.id, sent_on=TODAY)
    assert reminders.count() == unit.count
    after = plan_progress(world.plan, today=TODAY)
    assert all(o.reminders == 1 and o.last_reminded_on == TODAY for o in after.overdue if o.unit_id == unit.id)
    assert "1 次，最近 2026年9月29日" in client.get(url).content.decode()
