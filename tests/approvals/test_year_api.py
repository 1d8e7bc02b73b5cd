"""The year of an assignment through the API: its dates, period reports, milestones and extension
requests in the detail; filing, 已阅, milestones and the extension's request and approval by token."""
import datetime as dt

import pytest
from django.utils import timezone

from tests.approvals.test_changes_api import client, post
from tests.world import build_world
from workflows.models import PeriodReport
from workflows.services import assignments as flow
from workflows.services.dispatch import assignment_set_due_date
from workflows.services.periods import plan_set_cadence

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DUE = TODAY + dt.timedelta(days=90)


@pytest.fixture
def world():
    world = build_world()
    assignment_set_due_date(actor=world.supervisor, assignment_id=world.assignment.pk, due_date=DUE)
    flow.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    plan_set_cadence(actor=world.supervisor, plan_id=world.plan.pk, cadence="monthly", day=5)
    return world


def test_the_detail_carries_the_dates_periods_milestones_and_extensions(world):
    pk = world.assignment.pk
    body = client(world.submitter).get(f"/api/assignments/{pk}/").json()
    assert (body["original_due_date"], body["extended_due_date"], body["standing"]) == (DUE.isoformat(), None, False)
    assert body["light_due"] and body["period_reports"] and body["milestones"] == []
    report = body["period_reports"][0]
    assert report["status"] == "pending" and report["status_label"] == "待报送"

    added = post(world.submitter, f"/api/assignments/{pk}/milestones/",
                 {"title": "完成方案起草", "due_on": (TODAY + dt.timedelta(days=10)).isoformat()})
    assert added.status_code == 200, added.json()
    milestone = added.json()["milestones"][0]
    filed = post(world.submitter, f"/api/assignments/{pk}/period_reports/{report['id']}/file/",
                 {"text": "方案已起草", "percent": 30, "milestones_done": [milestone["id"]]})
    assert filed.status_code == 200, filed.json()
    assert filed.json()["milestones"][0]["done_in"] == report["id"]
    assert post(world.submitter, f"/api/assignments/{pk}/period_reports/{report['id']}/read/").status_code == 403
    read = post(world.reviewer, f"/api/assignments/{pk}/period_reports/{report['id']}/read/")
    assert read.status_code == 200 and PeriodReport.objects.get(pk=report["id"]).status == "read"


def test_an_extension_is_asked_and_approved_through_the_api_and_refusals_are_told(world):
    pk = world.assignment.pk
    later = DUE + dt.timedelta(days=30)
    wrong = post(world.submitter, f"/api/assignments/{pk}/extension_requests/",
                 {"requested_due": DUE.isoformat(), "reason": "需顺延"})
    assert wrong.status_code == 400 and "requested_due" in str(wrong.json())
    asked = post(world.submitter, f"/api/assignments/{pk}/extension_requests/",
                 {"requested_due": later.isoformat(), "reason": "需顺延"})
    assert asked.status_code == 200
    request_id = asked.json()["extension_requests"][0]["id"]
    assert post(world.other_submitter, f"/api/extension_requests/{request_id}/approve/").status_code == 404
    assert post(world.reviewer, f"/api/extension_requests/{request_id}/approve/").status_code == 403
    approved = post(world.supervisor, f"/api/extension_requests/{request_id}/approve/", {"opinion": "同意"})
    assert approved.status_code == 200
    body = approved.json()
    assert (body["due_date"], body["original_due_date"], body["extended_due_date"]) == (
        later.isoformat(), DUE.isoformat(), later.isoformat())
    assert body["extension_requests"][0]["status"] == "approved"
