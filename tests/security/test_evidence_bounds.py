"""One assignment cannot collect files without end, and its page stays small when its life is long.

Before: 3,000 uploads to one assignment were accepted, and its page became 3.3 MB and 7.1 s.
"""
from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from audit.services import record_event
from tests.workflows.services.test_evidence import MINIMAL_PDF, raw_upload
from tests.world import build_world
from workflows.models import Evidence
from workflows.services import assignments as flow
from workflows.services import evidence as ev
from workflows.services.errors import TooLarge

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world()
    flow.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    return world


def upload(world, n: int):
    return ev.evidence_upload(actor=world.submitter, assignment_id=world.assignment.pk,
                              upload=raw_upload(MINIMAL_PDF + f"%{n}\n".encode(), f"材料{n}.pdf"))


def test_the_round_takes_at_most_the_configured_number_of_files_with_a_clear_message(world, settings):
    settings.EVIDENCE_MAX_ROUND_FILES = 3
    for n in range(3):
        upload(world, n)
    with pytest.raises(TooLarge) as refused:
        upload(world, 3)
    assert refused.value.status == 413 and "最多 3 个文件" in refused.value.message
    assert Evidence.objects.filter(assignment=world.assignment).count() == 3
    ev.evidence_withdraw(actor=world.submitter, evidence_id=Evidence.objects.first().pk)
    upload(world, 4)  # a withdrawn file frees its place


def test_the_screen_and_the_api_say_why_the_fourth_file_is_refused(world, settings):
    from tests.approvals.test_api import api

    settings.EVIDENCE_MAX_ROUND_FILES = 1
    upload(world, 0)
    client = Client()
    client.force_login(world.submitter)
    page = client.post(reverse("approvals:evidence_upload", args=[world.assignment.pk]),
                       {"file": raw_upload(MINIMAL_PDF, "再一个.pdf")})
    assert page.status_code == 413 and "本轮佐证材料最多 1 个文件" in page.content.decode()
    answer = api(world.submitter).post(f"/api/assignments/{world.assignment.pk}/evidence/",
                                       {"file": raw_upload(MINIMAL_PDF, "再一个.pdf")}, format="multipart")
    assert answer.status_code == 413 and "最多 1 个文件" in answer.json()["detail"]
    assert Evidence.objects.filter(assignment=world.assignment).count() == 1


ACTION_CELL = '<td data-label="操作">催办</td>'  # a timeline row's action cell


def test_a_long_timeline_and_a_long_round_are_shown_in_part_with_a_way_to_see_all(world, settings):
    settings.EVIDENCE_MAX_ROUND_FILES = 30
    for n in range(25):
        upload(world, n)
    flow.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="已完成",
                           evidence_ids=list(Evidence.objects.values_list("pk", flat=True)))
    with transaction.atomic():
        for _ in range(150):
            record_event(action="assignment.reminded", actor=world.supervisor, target=world.assignment,
                         assignment_id=world.assignment.pk)
    client = Client()
    client.force_login(world.submitter)
    url = reverse("approvals:assignment_detail", args=[world.assignment.pk])
    page = client.get(url).content.decode()
    events = AuditEvent.objects.filter(assignment_id=world.assignment.pk).count()
    assert events == 25 + 2 + 150  # the uploads, start and submit, the reminders
    assert page.count(ACTION_CELL) == 100
    assert f"较早的 {events - 100} 条记录未显示" in page and "显示全部记录" in page
    assert page.count("材料") < 80 and "共 25 个文件，以上为前 20 个" in page
    whole = client.get(url, {"timeline": "all", "files": "all"}).content.decode()
    assert "较早的" not in whole and "以上为前 20 个" not in whole and whole.count(ACTION_CELL) == 150
    assert all(f"材料{n}.pdf" in whole for n in range(25))


def test_many_returns_show_the_latest_ten_rounds_with_a_way_to_see_all(world):
    for n in range(12):
        flow.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report=f"第{n + 1}稿",
                               no_file_statement="无")
        flow.assignment_return(actor=world.reviewer, assignment_id=world.assignment.pk, reason=f"第{n + 1}次退回")
    client = Client()
    client.force_login(world.submitter)
    url = reverse("approvals:assignment_detail", args=[world.assignment.pk])
    page = client.get(url).content.decode()
    assert page.count('class="card submission"') == 10 and "较早的 2 次未显示" in page
    assert "第12稿" in page and "第3稿" in page and ">第1稿<" not in page and "第2稿" not in page
    whole = client.get(url, {"rounds": "all"}).content.decode()
    assert whole.count('class="card submission"') == 12 and "较早的 2 次未显示" not in whole
