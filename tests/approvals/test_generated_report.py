"""The progress report PDF is made in the background: asked for by a form, waited for on a page that
looks again by itself, downloaded when ready, reused while nothing changed, failures told."""
import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.services import record_event
from tests.approvals.test_dashboard import TODAY, client_for, pinned  # noqa: F401 (fixture)
from tests.world import build_world
from workflows.archive.render import RenderError
from workflows.models import GeneratedReport
from workflows.services import reports


def request_report(client, plan, capture, **data):
    """POST the dashboard's form with the job run at commit (as the worker would); the answer."""
    with capture(execute=True):
        return client.post(reverse("approvals:dashboard_report", args=[plan.pk]), data)


def generated_pdf(client, plan, capture):
    """Ask for the report, follow to its page, and download it: the download's response."""
    asked = request_report(client, plan, capture)
    assert asked.status_code == 302
    page = client.get(asked["Location"])
    assert page.status_code == 200
    link = re.search(r'href="([^"]+/download/)"', page.content.decode())
    assert link, "the page of a made report links to its download"
    return client.get(link.group(1))


def status_of(page) -> str:
    return re.search(r'data-report-status="(\w+)"', page.content.decode()).group(1)


@pytest.fixture
def world(db, pinned):  # noqa: F811
    return build_world()


def test_the_dashboard_asks_by_a_form_and_the_request_answers_before_the_render(world, django_capture_on_commit_callbacks):
    client = client_for(world.supervisor)
    dashboard = client.get(reverse("approvals:dashboard", args=[world.plan.pk])).content.decode()
    action = reverse("approvals:dashboard_report", args=[world.plan.pk])
    assert f'<form method="post" action="{action}"' in dashboard
    assert client.get(action).status_code == 405  # a report is made on request, never by following a link
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        asked = client.post(action)
    report = GeneratedReport.objects.get()
    assert asked.status_code == 302 and asked["Location"] == reverse("approvals:generated_report", args=[report.pk])
    assert len(jobs) == 1 and report.status == "pending" and report.as_of == TODAY
    page = client.get(asked["Location"])
    body = page.content.decode()
    assert status_of(page) == "pending" and "生成中" in body
    assert '<meta http-equiv="refresh" content="3">' in body  # looks again by itself, without a script
    assert "/download/" not in body
    assert client.get(reverse("approvals:generated_report_download", args=[report.pk]))["Location"] == asked["Location"]
    jobs[0]()  # the worker
    done = client.get(asked["Location"])
    assert status_of(done) == "done" and 'http-equiv="refresh"' not in done.content.decode()
    report.refresh_from_db()
    assert report.size == len(report.content) > 10_000 and bytes(report.content).startswith(b"%PDF-")
    download = client.get(reverse("approvals:generated_report_download", args=[report.pk]))
    assert download.status_code == 200 and download.content == bytes(report.content)


def test_asking_again_gets_the_same_report_until_something_changes(world, django_capture_on_commit_callbacks):
    client = client_for(world.supervisor)
    first = request_report(client, world.plan, django_capture_on_commit_callbacks)["Location"]
    auditor = client_for(world.auditor)  # anyone who may view the plan's supervision shares it
    assert request_report(auditor, world.plan, django_capture_on_commit_callbacks)["Location"] == first
    record_event(action="assignment.reminded", role="supervisor", target=world.assignment,
                 plan_id=world.plan.pk, assignment_id=world.assignment.pk)
    second = request_report(client, world.plan, django_capture_on_commit_callbacks)["Location"]
    assert second != first and GeneratedReport.objects.filter(status="done").count() == 2
    page = client.get(second).content.decode()
    assert '<input type="hidden" name="fresh" value="1">' in page  # 重新生成 means a new render
    third = request_report(client, world.plan, django_capture_on_commit_callbacks, fresh="1")["Location"]
    assert third not in (first, second) and GeneratedReport.objects.filter(status="done").count() == 3


def test_a_report_in_the_making_is_shared_and_a_lost_one_is_told_and_made_again(world, django_capture_on_commit_callbacks):
    client = client_for(world.supervisor)
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post(reverse("approvals:dashboard_report", args=[world.plan.pk]))["Location"]
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post(reverse("approvals:dashboard_report", args=[world.plan.pk]))["Location"] == first
    GeneratedReport.objects.update(requested_at=timezone.now() - dt.timedelta(hours=1))  # its process died
    again = request_report(client, world.plan, django_capture_on_commit_callbacks)["Location"]
    assert again != first
    lost = client.get(first)
    assert status_of(lost) == "failed" and "生成过程中断" in lost.content.decode() and "重新生成" in lost.content.decode()
    assert status_of(client.get(again)) == "done"


def test_a_failed_render_is_told_on_the_page_with_a_way_to_try_again(world, monkeypatch, django_capture_on_commit_callbacks):
    def broken(*args, **kwargs):
        raise RenderError("进度报告生成超时（超过 120 秒），已中止")

    monkeypatch.setattr(reports, "render_bounded", broken)
    client = client_for(world.supervisor)
    page = client.get(request_report(client, world.plan, django_capture_on_commit_callbacks)["Location"])
    body = page.content.decode()
    assert status_of(page) == "failed" and "生成失败" in body and "进度报告生成超时（超过 120 秒），已中止" in body
    assert 'role="alert"' in body and "重新生成" in body
    monkeypatch.undo()
    retried = client.get(request_report(client, world.plan, django_capture_on_commit_callbacks)["Location"])
    assert status_of(retried) == "done"


@pytest.mark.parametrize("who", ["submitter", "reviewer"])
def test_others_can_neither_ask_for_nor_see_nor_download_a_report(world, who, django_capture_on_commit_callbacks):
    made = request_report(client_for(world.supervisor), world.plan, django_capture_on_commit_callbacks)["Location"]
    report = GeneratedReport.objects.get()
    other = client_for(getattr(world, who))
    assert request_report(other, world.plan, django_capture_on_commit_callbacks).status_code == 404
    for url in (made, reverse("approvals:generated_report_download", args=[report.pk])):
        answer = other.get(url)
        assert answer.status_code == 404 and "无权查看" in answer.content.decode()
    assert GeneratedReport.objects.count() == 1


def test_a_round_that_is_not_the_plans_is_refused(world, django_capture_on_commit_callbacks):
    answer = request_report(client_for(world.supervisor), world.plan, django_capture_on_commit_callbacks, round=999999)
    assert answer.status_code == 404 and "没有这个报送轮次" in answer.content.decode()
    assert not GeneratedReport.objects.exists()


def test_the_sweep_removes_reports_past_their_keeping_time(world, settings, django_capture_on_commit_callbacks):
    settings.GENERATED_REPORT_KEEP_HOURS = 24
    client = client_for(world.supervisor)
    request_report(client, world.plan, django_capture_on_commit_callbacks)
    now = timezone.now()
    assert reports.report_sweep(now=now + dt.timedelta(hours=23)) == 0
    assert reports.report_sweep(now=now + dt.timedelta(hours=25)) == 1
    assert not GeneratedReport.objects.exists()
