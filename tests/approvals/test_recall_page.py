"""撤回报送 on the assignment page: offered until a reviewer opens the submission, then explained."""
import pytest
from django.urls import reverse

from tests.workflows.services.test_recall import submitted_world
from tests.world import signed_in
from workflows.services.assignments import assignment_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return submitted_world(report="第一稿。", no_file_statement="暂无文件。")


def test_the_submitter_recalls_from_the_page_and_finds_the_report_in_the_form(world):
    client = signed_in(world.submitter)
    page = client.get(world.assignment.get_absolute_url()).content.decode()
    assert 'data-action="recall"' in page and "撤回报送" in page
    response = client.post(reverse("approvals:assignment_recall", args=[world.assignment.pk]),
                           {"reason": "数据有误"}, follow=True)
    page = response.content.decode()
    assert world.reload().state == "in_progress"
    assert "已撤回报送，修改后可重新报送。" in page and "已填入撤回的报告" in page
    assert 'data-action="submit"' in page and "第一稿。</textarea>" in page
    assert "已撤回" in page  # the first submission, in the history


def test_a_reviewer_opening_the_page_ends_the_recall_and_the_submitter_is_told_why(world):
    submitter = signed_in(world.submitter)
    submitter.get(world.assignment.get_absolute_url())  # the unit looking does not count
    signed_in(world.reviewer).get(world.assignment.get_absolute_url())
    page = submitter.get(world.assignment.get_absolute_url()).content.decode()
    assert 'data-action="recall"' not in page
    assert "data-recall-refused" in page and "不能再撤回" in page and "联系审核人退回" in page
    assert "已于" in page and "查阅" in page
    refused = submitter.post(reverse("approvals:assignment_recall", args=[world.assignment.pk]))
    assert refused.status_code == 409 and world.reload().state == "submitted"


def test_the_api_recalls_and_a_reviewer_reading_it_there_opens_it(world):
    api = signed_in(world.submitter)
    answer = api.post(reverse("api:assignment_recall", args=[world.assignment.pk]), {"reason": ""},
                      content_type="application/json")
    assert answer.status_code == 200 and answer.json()["state"] == "in_progress"
    assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="第二稿。",
                      no_file_statement="暂无文件。")
    assert signed_in(world.reviewer).get(reverse("api:assignment_detail", args=[world.assignment.pk])).status_code == 200
    again = api.post(reverse("api:assignment_recall", args=[world.assignment.pk]), {}, content_type="application/json")
    assert again.status_code == 409 and world.reload().state == "submitted"
