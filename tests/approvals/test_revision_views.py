"""Plan revisions in the browser (upload, diff, confirm) and through the API, with refusals."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.revised import narrowed_16_plus_32
from tests.world import build_world
from workflows.models import Assignment, PlanRevision, TaskChange

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()  # task 1 dispatched: one round


def upload(data=None, name="169号修订.txt"):
    return SimpleUploadedFile(name, data or narrowed_16_plus_32(), content_type="text/plain")


def test_revise_in_the_browser_shows_the_diff_then_applies_on_confirmation(world):
    c = Client()
    c.force_login(world.supervisor)
    assert "data-plan-revise" in c.get(f"/plans/{world.plan.pk}/").content.decode()
    answer = c.post(f"/plans/{world.plan.pk}/revise/", {"file": upload()})
    assert answer.status_code == 302
    page = c.get(answer.url).content.decode()
    assert 'data-diff="added"' in page and 'data-diff="changed"' in page and "昆山开发区、昆山高新区" in page
    assert not PlanRevision.objects.exists()
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    assert c.post(answer.url, {"confirm": "1", "fingerprint": "stale"}).status_code == 409
    done = c.post(answer.url, {"confirm": "1", "fingerprint": fingerprint})
    assert done.status_code == 302
    assert PlanRevision.objects.get().diff["added"][0]["number"] == 32
    assert "data-revisions" in c.get(f"/plans/{world.plan.pk}/").content.decode()
    # The new task's units see it in their lists; a changed task shows its change on the page.
    assert Assignment.objects.filter(task__number=32, unit__short_name="市财政局").exists()
    assert TaskChange.objects.filter(task__number=16).exists()


def test_a_changed_task_shows_the_change_on_its_assignment_page(world):
    from workflows.services import revisions

    text = narrowed_16_plus_32().decode().replace("依法界定政府职责边界", "依法界定并公布政府职责边界", 1).encode()
    revisions.plan_revise(actor=world.supervisor, data=text, filename="r.txt")
    c = Client()
    c.force_login(world.submitter)
    page = c.get(f"/assignments/{world.assignment.pk}/").content.decode()
    assert 'data-task-change="changed"' in page and "依法界定并公布政府职责边界" in page
    assert world.reload().state == "assigned"


def test_browser_refusals(world):
    c = Client()
    c.force_login(world.submitter)
    assert c.get(f"/plans/{world.plan.pk}/revise/").status_code == 403
    assert c.post(f"/plans/{world.plan.pk}/revise/", {"file": upload()}).status_code == 403
    c.force_login(world.supervisor)
    assert c.get("/plans/999999/revise/").status_code == 404
    bad = c.post(f"/plans/{world.plan.pk}/revise/", {"file": upload(b"\x00\x01garbage", "x.txt")})
    assert bad.status_code == 400
    assert not PlanRevision.objects.exists()


def test_revise_through_the_api_dry_run_then_apply(world):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=world.supervisor)[0].key}")
    url = f"/api/plans/{world.plan.pk}/revise/"
    before = AuditEvent.objects.count()
    dry = api.post(url, {"file": upload(), "dry_run": "true"}, format="multipart")
    assert dry.status_code == 200, dry.json()
    body = dry.json()
    assert body["applied"] is False and [t["number"] for t in body["added"]] == [32]
    assert AuditEvent.objects.count() == before and not PlanRevision.objects.exists()
    done = api.post(url, {"file": upload(), "fingerprint": body["fingerprint"]}, format="multipart")
    assert done.status_code == 200 and done.json()["applied"] is True and done.json()["revision"] == 1
    assert api.post(url, {"file": upload()}, format="multipart").status_code == 409  # the same file again
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=world.submitter)[0].key}")
    assert other.post(url, {"file": upload(b"x" * 10)}, format="multipart").status_code == 403


def test_a_revision_is_read_through_the_layout_profile_chosen_on_the_upload_page(world):
    from workflows.importers import LayoutMapping
    from workflows.models import Plan
    from workflows.services import layout_profile_save, plan_import

    table = ("某市2026年重点工作任务分解表\n序号\t工作任务\t责任单位\t统筹单位\t完成时限\n"
             "1\t完成社会信用平台建设\t市财政局\t市编办\t2026年底\n")
    layout_profile_save(actor=None, name="统筹表", mapping=LayoutMapping(columns={"统筹单位": "lead"}))
    plan = plan_import(actor=None, data=table.encode(), filename="t.txt", supervising_unit=world.plan.supervising_unit,
                       mapping=LayoutMapping(columns={"统筹单位": "lead"}))
    c = Client()
    c.force_login(world.supervisor)
    assert "版式方案" in c.get(f"/plans/{plan.pk}/revise/").content.decode()
    revised = upload(table.replace("市编办", "市审计局").encode(), "t2.txt")
    answer = c.post(f"/plans/{plan.pk}/revise/", {"file": revised, "profile": "统筹表"})
    assert answer.status_code == 302
    page = c.get(answer.url).content.decode()
    assert 'data-diff="changed"' in page and "市审计局" in page
    fingerprint = page.split('name="fingerprint" value="')[1].split('"')[0]
    assert c.post(answer.url, {"confirm": "1", "fingerprint": fingerprint}).status_code == 302
    assert Plan.objects.get(pk=plan.pk).tasks.get(number=1).lead_names == ["市审计局"]
