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


def unit_url(world, kind, fmt, unit=None):
    return reverse("approvals:unit_notice", args=[world.plan.pk, (unit or world.assignment.unit).pk, kind, fmt])


def test_a_units_form_lists_its_overdue_items_and_is_linked_where_the_overdue_units_are(world):
    import datetime as dt

    from workflows.models import Assignment
    from workflows.services.dispatch import assignment_set_due_date

    a = world.assignment
    mine = Assignment.objects.filter(task__plan=world.plan, unit=a.unit).order_by("id")
    late = list(mine[:2])
    for item in mine:  # through the service: 我的待办's rows carry the due date too
        assignment_set_due_date(actor=world.supervisor, assignment_id=item.pk,
                                due_date=dt.date(2020, 3, 2) if item in late else dt.date(2099, 1, 1))
    supervisor = signed_in(world.supervisor)

    text = squeeze(pdftotext(supervisor.get(unit_url(world, "supervise", "pdf")).content))
    assert "督字〔" in text and f"第{world.plan.pk}-{a.unit.pk}号" in text
    assert f"贵单位承办的{len(late)}项任务已超过办理时限（清单见附件）" in text and "最早2020年3月2日" in text
    assert "附件：逾期事项清单" in text
    for item in late:
        assert f"第{item.task.number}项" in text

    document = Document(io.BytesIO(supervisor.get(unit_url(world, "urge", "docx")).content))
    rows = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert rows["承办单位"] == "昆山市财政局" and "清单见附件" in rows["督办事项"]
    listed = [[cell.text for cell in row.cells] for row in document.tables[1].rows]
    assert listed[0] == ["序号", "事项", "办理时限", "逾期情况"] and len(listed) == 1 + len(late)
    assert all(row[2] == "2020年3月2日" and row[3].startswith("超期") for row in listed[1:])

    assert signed_in(world.auditor).get(unit_url(world, "urge", "pdf")).status_code == 200
    assert signed_in(world.submitter).get(unit_url(world, "urge", "pdf")).status_code == 403
    assert supervisor.get(unit_url(world, "other", "pdf")).status_code == 404
    dashboard = reverse("approvals:dashboard", args=[world.plan.pk])
    for who in (world.supervisor, world.auditor):
        page = signed_in(who).get(dashboard).content.decode()
        assert f'data-unit-notices="{a.unit.pk}"' in page and unit_url(world, "supervise", "docx") in page
    remind = supervisor.get(reverse("approvals:unit_remind_overdue", args=[world.plan.pk, a.unit.pk])).content.decode()
    assert unit_url(world, "urge", "pdf") in remind
