"""报送草稿: what a clerk types is kept on the server, restored on the page, dropped on submit; an
upload from the 报送 form keeps the text; after 退回 the form opens with the returned report."""
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.world import build_world, signed_in
from workflows.models import Evidence, ReportDraft
from workflows.services.assignments import assignment_return, assignment_start, assignment_submit
from workflows.services.drafts import draft_save
from workflows.services.errors import NotAllowed, WrongState

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
XHR = {"X-Requested-With": "XMLHttpRequest"}


@pytest.fixture
def world():
    world = build_world()
    assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    return world


def page_of(client, world) -> str:
    return client.get(world.assignment.get_absolute_url()).content.decode()


def test_a_draft_is_saved_per_person_restored_on_the_page_and_dropped_on_submit(world):
    clerk, colleague = signed_in(world.submitter), signed_in(world.colleague)
    url = reverse("approvals:assignment_draft", args=[world.assignment.pk])

    answer = clerk.post(url, {"report": "一、基本情况\n已完成自查。", "no_file_statement": ""}, headers=XHR)

    assert answer.status_code == 200 and answer.json()["message"].startswith("草稿已于")
    page = page_of(clerk, world)
    assert "一、基本情况\n已完成自查。</textarea>" in page and "已恢复您" in page
    assert "已完成自查" not in page_of(colleague, world)  # a draft is its author's alone
    assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="一、基本情况\n已完成自查。",
                      no_file_statement="无纸质材料")
    assert not ReportDraft.objects.exists()


def test_only_the_units_clerks_may_keep_a_draft_and_only_while_it_is_theirs_to_submit(world):
    with pytest.raises(NotAllowed):
        draft_save(actor=world.reviewer, assignment_id=world.assignment.pk, report="x")
    assert signed_in(world.other_submitter).post(
        reverse("approvals:assignment_draft", args=[world.assignment.pk]), {"report": "x"}, headers=XHR).status_code == 404
    assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="r", no_file_statement="无")
    with pytest.raises(WrongState):
        draft_save(actor=world.submitter, assignment_id=world.assignment.pk, report="x")
    assert not ReportDraft.objects.exists()


def test_uploading_from_the_report_form_keeps_the_text_and_takes_several_files(world):
    clerk = signed_in(world.submitter)
    answer = clerk.post(reverse("approvals:evidence_upload", args=[world.assignment.pk]), {
        "report": "正在整理的报告", "no_file_statement": "",
        "file": [SimpleUploadedFile("方案.pdf", PDF), SimpleUploadedFile("台账.pdf", PDF + b"%")]})

    assert answer.status_code == 302
    assert sorted(Evidence.objects.values_list("original_name", flat=True)) == ["台账.pdf", "方案.pdf"]
    page = page_of(clerk, world)
    assert "正在整理的报告</textarea>" in page and "方案.pdf" in page and "台账.pdf" in page

    xhr = clerk.post(reverse("approvals:evidence_upload", args=[world.assignment.pk]),
                     {"report": "报告又写了一段", "file": SimpleUploadedFile("照片.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64)},
                     headers=XHR)
    body = xhr.json()
    assert xhr.status_code == 200 and [f["name"] for f in body["files"]] == ["照片.png"]
    assert ReportDraft.objects.get().report == "报告又写了一段"


def test_after_a_return_the_form_opens_with_the_returned_report(world):
    assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="第一稿：已完成。",
                      no_file_statement="无纸质材料")
    assignment_return(actor=world.reviewer, assignment_id=world.assignment.pk, reason="请补充数据")

    page = page_of(signed_in(world.submitter), world)

    assert "第一稿：已完成。</textarea>" in page and "已填入被退回的报告" in page
    assert "无纸质材料</textarea>" in page
