"""The printable 催办通知单 and 督办单 of one assignment, as PDF (text read back) and Word."""
from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document

from tests.workflows.archive.test_archive import pdftotext
from tests.world import build_world, signed_in
from workflows.services.reminders.urging import assignment_remind

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def url(a, kind, fmt):
    return reverse("approvals:assignment_notice", args=[a.pk, kind, fmt])


def squeeze(text: str) -> str:
    return "".join(text.split())


def test_the_urge_notice_carries_the_forms_fields_and_the_latest_reminder_in_pdf_and_word(world):
    a = world.assignment
    assignment_remind(actor=world.supervisor, assignment_id=a.pk, message="请于本周五前报送自查报告")
    supervisor = signed_in(world.supervisor)

    pdf = supervisor.get(url(a, "urge", "pdf"))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert "attachment;" in pdf["Content-Disposition"]
    text = squeeze(pdftotext(pdf.content))
    for expected in ("催办通知单", "催字〔", f"第{a.pk}号", "承办单位", "昆山市财政局", "督办事项", "第1项",
                     "办理时限", "督办要求", "请于本周五前报送自查报告", "昆山市人民政府法制办公室"):
        assert squeeze(expected) in text, expected

    word = supervisor.get(url(a, "urge", "docx"))
    assert word.status_code == 200
    document = Document(io.BytesIO(word.content))
    assert document.paragraphs[0].text == "催办通知单"
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert list(rows) == ["承办单位", "督办事项", "办理时限", "督办要求"]
    assert rows["承办单位"] == "昆山市财政局" and rows["督办要求"] == "请于本周五前报送自查报告"
    assert squeeze(a.task.text) in squeeze(rows["督办事项"])
    assert document.paragraphs[-2].text == "昆山市人民政府法制办公室"


def test_the_supervise_notice_is_for_the_supervising_office_and_auditors_only(world):
    a = world.assignment
    text = pdftotext(signed_in(world.auditor).get(url(a, "supervise", "pdf")).content)
    assert "督 办 单" in text or "督办单" in squeeze(text)
    assert "督字〔" in text
    assert signed_in(world.submitter).get(url(a, "supervise", "pdf")).status_code == 403
    assert signed_in(world.other_submitter).get(url(a, "supervise", "pdf")).status_code == 404
    assert signed_in(world.supervisor).get(url(a, "other", "pdf")).status_code == 404
    assert signed_in(world.supervisor).get(url(a, "urge", "txt")).status_code == 404


def test_the_assignment_page_links_the_forms_for_those_who_may_print_them(world):
    a = world.assignment
    page = signed_in(world.supervisor).get(reverse("approvals:assignment_detail", args=[a.pk])).content.decode()
    assert url(a, "urge", "docx") in page and url(a, "supervise", "pdf") in page
    clerk = signed_in(world.submitter).get(reverse("approvals:assignment_detail", args=[a.pk])).content.decode()
    assert "data-notice-links" not in clerk
