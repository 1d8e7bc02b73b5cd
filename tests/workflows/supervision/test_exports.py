"""The XLSX export and the progress report PDF: the page's numbers, the API's numbers, the database's counts."""
import io
import re
import subprocess
from urllib.parse import unquote

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.approvals.test_api import api
from tests.approvals.test_dashboard import TODAY, client_for, pinned, spread  # noqa: F401 (fixture)
from tests.approvals.test_generated_report import generated_pdf
from tests.world import build_world
from workflows.lights import DONE, GREEN, RED, YELLOW, filter_light
from workflows.models import Archive, Assignment, Reminder
from workflows.services.dispatch import plan_dispatch
from workflows.supervision.exports import OVERDUE_COLUMNS, XLSX_TYPE, overdue_rows
from workflows.supervision.progress import LIGHT_ORDER, STATES, plan_progress
from workflows.supervision.scorecard import LEAD_COLUMNS, UNIT_COLUMNS, scorecard

STATE_LABELS = ["已交办", "办理中", "已报送", "牵头审核通过", "已验收办结"]
LIGHT_LABELS = ["红灯", "黄灯", "绿灯", "已办结"]


@pytest.fixture
def world(db, pinned):  # noqa: F811
    world = build_world(whole_plan=True)
    spread(world.plan)
    late = Assignment.objects.filter(round__plan=world.plan, due_date__lt=TODAY).exclude(state="accepted").first()
    Reminder.objects.create(assignment=late, unit=late.unit, sent_by=world.supervisor, sent_on=TODAY,
                            sent_at="2026-09-29T09:00:00+08:00", message="请抓紧办理")
    return world


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_TYPE
    return load_workbook(io.BytesIO(response.content))


def test_the_workbook_has_the_four_sheets_with_chinese_headers_frozen_and_sized(world):
    book = workbook(client_for(world.supervisor).get(reverse("approvals:dashboard_export", args=[world.plan.pk])))
    assert book.sheetnames == ["汇总", "矩阵", "逾期清单", "考核"]
    matrix, overdue, scores = book["矩阵"], book["逾期清单"], book["考核"]
    assert [c.value for c in matrix[1][:3]] == ["任务编号", "工作任务", "市编办"]
    assert [c.value for c in overdue[1]] == OVERDUE_COLUMNS
    assert [c.value for c in scores[1]] == UNIT_COLUMNS
    assert matrix.freeze_panes == "C2" and overdue.freeze_panes == "A2" and scores.freeze_panes == "A2"
    assert book["汇总"].freeze_panes == "A5"
    assert matrix.column_dimensions["B"].width == 40 and overdue.column_dimensions["C"].width == 50
    assert all(matrix.column_dimensions[c].width >= 9 for c in "ABCDE")
    assert all(cell.font.bold for cell in overdue[1])


def test_the_workbook_numbers_equal_the_page_the_api_and_the_database(world):
    client = client_for(world.supervisor)
    book = workbook(client.get(reverse("approvals:dashboard_export", args=[world.plan.pk])))
    page = client.get(reverse("approvals:dashboard", args=[world.plan.pk])).content.decode()
    data = api(world.supervisor).get(f"/api/plans/{world.plan.pk}/progress/").json()
    progress = plan_progress(world.plan, today=TODAY)
    everything = Assignment.objects.filter(round__plan=world.plan)

    summary = {row[0]: row[1] for row in book["汇总"].iter_rows(min_row=1, max_row=20, max_col=2, values_only=True)
               if row[0]}
    assert summary["承办件总数"] == data["totals"]["assignments"] == everything.count() == progress.total
    assert f'<strong data-total="all">{everything.count()}</strong>' in page
    for state, label in zip(STATES, STATE_LABELS, strict=True):
        assert summary[label] == data["totals"]["by_state"][state] == everything.filter(state=state).count()
    for light, label in zip(LIGHT_ORDER, LIGHT_LABELS, strict=True):
        count = filter_light(everything, light, TODAY).count()
        assert summary[label] == data["totals"]["by_light"][light] == count
        assert f'<strong data-light="{light}">{count}</strong>' in page
    assert summary["办结率（%）"] == data["totals"]["percent"] == progress.percent
    assert f"（{progress.percent}%）" in page

    # Per section: the table below the section header row, as the page's section table shows it.
    rows = list(book["汇总"].iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if r[0] == "部分") + 1
    for section, row, api_section in zip(progress.sections, rows[start:], data["sections"], strict=True):
        assert row[0] == section.label and row[1] == section.tasks == api_section["tasks"]
        assert row[2] == section.assignments == api_section["assignments"]
        assert list(row[3:8]) == [section.by_state[s] for s in STATES] == [api_section["by_state"][s] for s in STATES]
        assert row[-1] == section.percent == api_section["percent"]
        assert (f'<tr data-section="{section.id}"><td>{section.label}</td><td class="num">{section.tasks}</td>'
                f'<td class="num">{section.assignments}</td><td class="num">{section.accepted}</td>'
                f'<td class="num">{section.percent}%</td>') in page

    # The matrix: one row per task, one column per unit, the state and light of each cell.
    matrix = list(book["矩阵"].iter_rows(values_only=True))
    assert list(matrix[0][2:]) == [u["short_name"] for u in data["units"]]
    cells = {(c["assignment"]): c for t in data["tasks"] for c in t["cells"]}
    labels = dict(zip(STATES, STATE_LABELS, strict=True))
    lights = {RED: "红灯", YELLOW: "黄灯", GREEN: "绿灯"}
    filled = 0
    for task, row in zip(progress.tasks, matrix[1:], strict=True):
        assert row[0] == task.number
        for cell, value in zip(task.cells, row[2:], strict=True):
            if cell is None:
                assert value is None
                continue
            filled += 1
            light = cells[cell.assignment_id]["light"]
            expected = {True: "按期办结", False: "逾期办结"}[cell.on_time] if light == DONE else lights[light]
            assert value == f"{labels[cell.state]}·{expected}"
    assert filled == everything.count()

    # The overdue list: every red assignment, most overdue first, as the page lists them.
    overdue = list(book["逾期清单"].iter_rows(min_row=2, values_only=True))
    assert len(overdue) == len(data["overdue"]) == filter_light(everything, RED, TODAY).count()
    expected = overdue_rows(progress)
    as_read = [[v.date() if hasattr(v, "date") else v for v in row] for row in overdue]
    assert as_read == expected
    for got, want, answer in zip(overdue, expected, data["overdue"], strict=True):
        assert got[1] == want[1] == answer["task"] and got[3] == want[3] == answer["unit_name"]
        assert got[4].date() == want[4] and got[4].date().isoformat() == answer["due_date"]
        assert got[5] == want[5] == answer["overdue_working_days"] and got[7] == answer["reminders"]
    assert any(r[7] == 1 and r[8].date() == TODAY for r in overdue)
    shown = re.findall(r'<td class="num overdue"><strong>(\d+)</strong></td>', page)
    assert [int(n) for n in shown] == [o["overdue_working_days"] for o in data["overdue"][:len(shown)]]


def test_the_scorecard_sheet_is_the_scorecard(world):
    book = workbook(api(world.auditor).get(f"/api/plans/{world.plan.pk}/export.xlsx"))
    card = scorecard(world.plan, None, TODAY)
    rows = list(book["考核"].iter_rows(values_only=True))
    assert [list(r) for r in rows[1:1 + len(card.units)]] == [s.as_row() for s in card.units]
    lead_header = 1 + len(card.units) + 1  # after a blank row
    assert list(rows[lead_header][:len(LEAD_COLUMNS)]) == LEAD_COLUMNS
    assert [list(r[:len(LEAD_COLUMNS)]) for r in rows[lead_header + 1:]] == [s.as_row() for s in card.leads]


def test_cells_are_filled_by_light(world):
    book = workbook(client_for(world.auditor).get(reverse("approvals:dashboard_export", args=[world.plan.pk])))
    fills = {}
    for row in book["矩阵"].iter_rows(min_row=2, min_col=3):
        for cell in row:
            if cell.value:
                fills.setdefault(cell.value.split("·")[1], set()).add(cell.fill.fgColor.rgb)
    assert fills["红灯"] == {"FFFFD8D3"} and fills["黄灯"] == {"FFFFF3B0"} and fills["绿灯"] == {"FFDAFBE1"}
    assert len({next(iter(v)) for v in fills.values()}) == len(fills)


def test_the_api_export_is_named_in_chinese_and_honours_an_xlsx_accept_header(world):
    answer = api(world.supervisor).get(f"/api/plans/{world.plan.pk}/export.xlsx", HTTP_ACCEPT=XLSX_TYPE)
    book = workbook(answer)
    disposition = answer["Content-Disposition"]
    assert disposition.startswith("attachment;")
    name = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert name == "昆政办发〔2017〕169号-首轮-督办进度-20260929.xlsx"
    assert book["汇总"]["B1"].value == world.plan.title


def test_the_progress_report_is_a_marked_pdf_that_is_not_archived(world, settings, tmp_path,
                                                                  django_capture_on_commit_callbacks):
    before = sorted(p for p in settings.MEDIA_ROOT.rglob("*")) if settings.MEDIA_ROOT.exists() else []
    response = generated_pdf(client_for(world.auditor), world.plan, django_capture_on_commit_callbacks)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "进度报告" in unquote(response["Content-Disposition"])
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout
    flat = re.sub(r"\s+", "", text)
    assert "进度报告（非归档文件）" in flat and "计划执行进度报告" in flat
    assert re.sub(r"\s+", "", world.plan.title) in flat
    progress = plan_progress(world.plan, today=TODAY)
    assert f"承办件{progress.total}件" in flat and "逾期清单（共" in flat
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True, text=True).stdout
    assert "进度报告（非归档文件）" in info
    assert not Archive.objects.exists()
    after = sorted(p for p in settings.MEDIA_ROOT.rglob("*")) if settings.MEDIA_ROOT.exists() else []
    assert after == before


def test_an_export_of_a_round_without_assignments_is_still_a_valid_workbook(db, pinned):  # noqa: F811
    world = build_world()
    from workflows.models import ReportingRound

    second = ReportingRound.objects.create(plan=world.plan, name="2027年度", position=2)
    book = workbook(client_for(world.supervisor).get(
        reverse("approvals:dashboard_export", args=[world.plan.pk]) + f"?round={second.pk}"))
    assert book["汇总"]["B3"].value == "2027年度"
    assert book["矩阵"].max_column == 2 and book["矩阵"].max_row == 32
    assert book["逾期清单"].max_row == 1
    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk, task_id=None, round_id=second.pk)
    book = workbook(client_for(world.supervisor).get(
        reverse("approvals:dashboard_export", args=[world.plan.pk]) + f"?round={second.pk}"))
    assert book["汇总"]["B7"].value == Assignment.objects.filter(round=second).count() > 800
