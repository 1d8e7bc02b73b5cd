"""批量操作 on the 承办件 list: each ticked assignment goes through its own service; refusals are listed."""
from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from tests.world import build_world, signed_in
from workflows.models import Assignment, Reminder
from workflows.services import assignments as services
from workflows.services.batch import BATCH_LIMIT
from workflows.services.dispatch import plan_dispatch

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk, task_id=world.plan.tasks.get(number=2).pk)
    return world


def reviewed(world, assignment):
    services.assignment_start(actor=world.submitter, assignment_id=assignment.pk)
    services.assignment_submit(actor=world.submitter, assignment_id=assignment.pk, report="已完成。",
                               no_file_statement="无纸质材料")
    services.assignment_approve(actor=world.reviewer, assignment_id=assignment.pk)


def post(client, **data):
    return client.post(reverse("approvals:assignment_batch"), {"back": "/assignments/?state=lead_reviewed", **data})


def test_batch_accept_closes_what_waits_for_acceptance_and_lists_the_rest_with_the_reason(world):
    a = world.assignment
    reviewed(world, a)
    other = Assignment.objects.filter(task__plan=world.plan).exclude(pk=a.pk).first()  # still 已交办

    response = post(signed_in(world.supervisor), action="accept", ids=[a.pk, other.pk], opinion="同意验收")

    assert response.status_code == 200
    html = response.content.decode()
    assert "已办理 1 件，未办理 1 件。" in html
    assert f'data-outcome="{a.pk}" data-done="1"' in html and f'data-outcome="{other.pk}" data-done="0"' in html
    assert Assignment.objects.get(pk=a.pk).state == "accepted"
    assert Assignment.objects.get(pk=other.pk).state == "assigned"
    assert AuditEvent.objects.filter(action="assignment.accepted", assignment_id=a.pk).count() == 1
    assert 'href="/assignments/?state=lead_reviewed"' in html  # the way back keeps the filters


def test_batch_remind_and_due_date_go_through_the_same_rules_as_one_item(world):
    ids = list(Assignment.objects.filter(task__plan=world.plan).values_list("pk", flat=True))
    supervisor = signed_in(world.supervisor)

    response = post(supervisor, action="remind", ids=ids, message="请于本周内报送进展")
    assert f"已办理 {len(ids)} 件，未办理 0 件。" in response.content.decode()
    assert Reminder.objects.filter(assignment_id__in=ids).count() == len(ids)
    assert AuditEvent.objects.filter(action="assignment.reminded", assignment_id__in=ids).count() == len(ids)
    again = post(supervisor, action="remind", ids=ids[:1], message="再催")  # once a day per item
    assert "已办理 0 件，未办理 1 件。" in again.content.decode() and "今天" in again.content.decode()

    new_date = dt.date(2027, 6, 30)
    post(supervisor, action="due_date", ids=ids, due_date="2027-06-30")
    assert set(Assignment.objects.filter(pk__in=ids).values_list("due_date", flat=True)) == {new_date}
    assert AuditEvent.objects.filter(action="assignment.due_date_changed", assignment_id__in=ids).count() == len(ids)


def test_a_batch_by_someone_who_does_not_supervise_changes_nothing_and_names_nothing_hidden(world):
    ids = list(Assignment.objects.filter(task__plan=world.plan).values_list("pk", flat=True))
    response = post(signed_in(world.other_submitter), action="due_date", ids=ids, due_date="2027-06-30")
    html = response.content.decode()
    assert "已办理 0 件" in html
    assert "市财政局" not in html  # another unit's assignment reads as absent, not by its name
    assert not Assignment.objects.filter(pk__in=ids, due_date=dt.date(2027, 6, 30)).exists()


def test_bad_batch_input_is_refused_before_anything_is_done(world):
    supervisor = signed_in(world.supervisor)
    a = world.assignment
    cases = [({"action": "remind", "ids": [a.pk], "message": ""}, "请填写催办内容"),
             ({"action": "due_date", "ids": [a.pk]}, "请填写新的办理期限"),
             ({"action": "accept"}, "请先勾选要处理的承办件"),
             ({"action": "", "ids": [a.pk]}, "请选择批量操作"),
             ({"action": "remind", "ids": list(range(1, BATCH_LIMIT + 2)), "message": "催"}, f"一次最多处理 {BATCH_LIMIT} 件"),
             ({"action": "due_date", "ids": [a.pk], "due_date": "明天"}, "请按“2026-11-28”的格式填写日期")]
    for data, message in cases:
        response = post(supervisor, **data)
        assert response.status_code == 400, data
        assert message in response.content.decode(), data
    assert not Reminder.objects.exists()
    assert Assignment.objects.get(pk=a.pk).due_date == world.assignment.due_date


def test_the_list_offers_ticks_only_to_a_supervising_office(world):
    supervisor_page = signed_in(world.supervisor).get(reverse("approvals:assignment_list")).content.decode()
    assert 'id="batch"' in supervisor_page and 'name="ids" value=' in supervisor_page
    clerk_page = signed_in(world.submitter).get(reverse("approvals:assignment_list")).content.decode()
    assert 'id="batch"' not in clerk_page and 'name="ids"' not in clerk_page
