"""延期申请 on the pages: the clerk's form on the assignment page (what was typed kept when refused),
the request waiting in the supervisor's 我的待办 and on 调整与延期申请, approval and refusal there, and
the office's own change of a due date that needs a reason once the work began."""
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.world import build_world, signed_in
from workflows.models import Assignment, ExtensionRequest
from workflows.services import assignments as flow
from workflows.services.dispatch import assignment_set_due_date
from workflows.services.inbox import refresh_inbox

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
DUE = TODAY + dt.timedelta(days=20)
LATER = TODAY + dt.timedelta(days=60)


@pytest.fixture
def world():
    world = build_world()
    assignment_set_due_date(actor=world.supervisor, assignment_id=world.assignment.pk, due_date=DUE)
    flow.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    return world


def detail(client, world) -> str:
    return client.get(reverse("approvals:assignment_detail", args=[world.assignment.pk])).content.decode()


def ask(client, world, due, reason):
    return client.post(reverse("approvals:extension_request", args=[world.assignment.pk]),
                       {"requested_due": due, "reason": reason})


def test_the_clerk_asks_on_the_assignment_page_and_a_refused_form_keeps_what_was_typed(world):
    clerk = signed_in(world.submitter)
    page = detail(clerk, world)
    assert 'data-action="extension_request"' in page and "原定办理期限" in page
    wrong = ask(clerk, world, (DUE - dt.timedelta(days=3)).isoformat(), "省厅批复未下达，需顺延")
    body = wrong.content.decode()
    assert wrong.status_code == 400 and "延期后的日期须晚于现办理期限" in body and "省厅批复未下达，需顺延" in body
    assert not ExtensionRequest.objects.exists()
    done = ask(clerk, world, LATER.isoformat(), "省厅批复未下达，需顺延")
    assert done.status_code == 302 and done["Location"].endswith("#extension")
    page = detail(clerk, world)
    assert 'data-extension-status="pending"' in page and 'data-action="extension_withdraw"' in page
    assert 'data-action="extension_request"' not in page  # one request at a time
    assert signed_in(world.reviewer).post(reverse("approvals:extension_request", args=[world.assignment.pk]),
                                          {"requested_due": LATER.isoformat(), "reason": "x"}).status_code == 403


def test_the_supervisor_finds_it_in_the_inbox_and_approves_and_the_page_shows_both_dates(world):
    ask(signed_in(world.submitter), world, LATER.isoformat(), "需等待省厅批复")
    office = signed_in(world.supervisor)
    inbox = office.get(reverse("approvals:inbox")).content.decode()
    assert 'id="extensions-to-decide"' in inbox and "需等待省厅批复" in inbox
    listing = office.get(reverse("approvals:transfer_list")).content.decode()
    request = ExtensionRequest.objects.get()
    assert f'data-extension="{request.pk}"' in listing
    page = detail(office, world)
    assert 'data-action="extension_approve"' in page and 'data-action="extension_reject"' in page
    assert 'data-action="extension_approve"' not in detail(signed_in(world.reviewer), world)
    answer = office.post(reverse("approvals:extension_approve", args=[request.pk]), {"opinion": "同意延期"})
    assert answer.status_code == 302
    a = Assignment.objects.get(pk=world.assignment.pk)
    assert (a.due_date, a.original_due_date) == (LATER, DUE)
    page = detail(signed_in(world.submitter), world)
    assert "data-extended-due" in page and f"{LATER.year}年{LATER.month}月{LATER.day}日" in page
    assert 'id="extensions-to-decide"' not in office.get(reverse("approvals:inbox")).content.decode()


def test_a_refusal_needs_its_reason_on_the_page(world):
    ask(signed_in(world.submitter), world, LATER.isoformat(), "需等待省厅批复")
    request = ExtensionRequest.objects.get()
    office = signed_in(world.supervisor)
    empty = office.post(reverse("approvals:extension_reject", args=[request.pk]), {"reason": ""})
    assert empty.status_code == 400 and "不予批准须填写理由" in empty.content.decode()
    assert office.post(reverse("approvals:extension_reject", args=[request.pk]),
                       {"reason": "理由不充分"}).status_code == 302
    assert ExtensionRequest.objects.get().status == "rejected"
    assert signed_in(world.other_submitter).post(reverse("approvals:extension_approve", args=[request.pk]),
                                                 {}).status_code == 404


def test_the_office_changing_a_date_after_work_began_is_told_to_give_a_reason(world):
    office = signed_in(world.supervisor)
    url = reverse("approvals:assignment_due_date", args=[world.assignment.pk])
    assert 'name="reason"' in detail(office, world)
    refused = office.post(url, {"due_date": LATER.isoformat()})
    assert refused.status_code == 400 and "调整办理期限须填写理由" in refused.content.decode()
    assert Assignment.objects.get(pk=world.assignment.pk).due_date == DUE
    assert office.post(url, {"due_date": LATER.isoformat(), "reason": "市政府决定延后"}).status_code == 302
    assert ExtensionRequest.objects.get().status == "approved"


def test_the_unit_is_told_why_it_cannot_ask_only_while_the_work_is_still_its_own(world):
    clerk = signed_in(world.submitter)
    Assignment.objects.filter(pk=world.assignment.pk).update(due_date=TODAY - dt.timedelta(days=1))
    refresh_inbox([world.assignment.pk])
    assert "data-extension-refusal" in detail(clerk, world) and "已过" in detail(clerk, world)
    flow.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="报告",
                           no_file_statement="无")
    assert "data-extension-refusal" not in detail(clerk, world)
