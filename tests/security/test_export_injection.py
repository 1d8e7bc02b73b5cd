"""Text a person typed or imported never becomes a formula in an export (CSV or XLSX).

The hostile values come in through the ways a probe found: a failed sign-in's user name (no
account needed), a return reason, a transfer reason, a unit's name and a task's text. Each
export is read back as a spreadsheet program would: XLSX through openpyxl and its raw XML (no
``<f>`` formula element anywhere), CSV through ``csv.reader`` (no field that starts with a
character a spreadsheet runs).
"""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.approvals.test_api import api
from tests.approvals.test_dashboard import TODAY, client_for, pinned, spread  # noqa: F401 (fixture)
from tests.world import World, build_world
from workflows.models import Assignment, Task, Unit
from workflows.services import assignments as flow
from workflows.services import transfers
from workflows.spreadsheets import FORMULA_STARTS, CsvRows, csv_value, xlsx_append, xlsx_row
from workflows.unit_csv import parse_units_csv

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://e.vil","x")',
    "=cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C notepad'!A0",
    "+1+1",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
]


def _hostile_world() -> World:
    world = build_world(whole_plan=True)
    spread(world.plan)
    for name in HOSTILE[:3]:
        Client().post(reverse("login"), {"username": name, "password": "wrong"})
    flow.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    flow.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="=1+2",
                           no_file_statement="-无")
    flow.assignment_return(actor=world.reviewer, assignment_id=world.assignment.pk, reason=HOSTILE[1])
    other = Assignment.objects.filter(round__plan=world.plan, unit__short_name="市财政局", state="assigned").first()
    transfers.transfer_request(actor=world.submitter, assignment_id=other.pk, kind="not_applicable",
                               reason=HOSTILE[2])
    Unit.objects.filter(short_name="市民政局").update(short_name=HOSTILE[0])
    Task.objects.filter(plan=world.plan, number=2).update(text="=1+1 加强政府立法")
    return world


@pytest.fixture
def hostile(pinned):  # noqa: F811
    return _hostile_world()


def assert_no_formula(content: bytes) -> list[str]:
    """Every sheet's XML has no formula; return every string cell's text (for the caller's checks)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    book = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(cell.value)
                    if cell.value.startswith(FORMULA_STARTS):
                        assert cell.quotePrefix, (sheet.title, cell.coordinate, cell.value)
    return texts


def assert_csv_inert(text: str) -> list[str]:
    fields = [field for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for field in row]
    dangerous = [f for f in fields if f.startswith(FORMULA_STARTS)]
    assert not dangerous
    return fields


def test_the_audit_csv_quote_prefixes_names_and_reasons_typed_by_anyone(hostile):
    response = client_for(hostile.auditor).get(reverse("audit:export", args=["csv"]))
    fields = assert_csv_inert(b"".join(response.streaming_content).decode("utf-8"))
    for value in HOSTILE[:3]:
        assert "'" + value in fields  # the object (a failed sign-in's name) and the reasons


def test_the_audit_xlsx_holds_typed_text_as_text_cells(hostile):
    response = client_for(hostile.auditor).get(reverse("audit:export", args=["xlsx"]))
    texts = assert_no_formula(b"".join(response.streaming_content))
    for value in HOSTILE[:3]:
        assert value in texts  # shown as typed, never run


@pytest.mark.parametrize("via", ["screen", "api"])
def test_the_supervision_workbook_holds_unit_names_and_task_texts_as_text(hostile, via):
    if via == "screen":
        response = client_for(hostile.supervisor).get(reverse("approvals:dashboard_export", args=[hostile.plan.pk]))
    else:
        response = api(hostile.supervisor).get(f"/api/plans/{hostile.plan.pk}/export.xlsx")
    assert response.status_code == 200
    texts = assert_no_formula(response.content)
    assert HOSTILE[0] in texts and "=1+1 加强政府立法" in texts


def test_the_unit_directory_csv_is_inert_and_reads_back_the_same_names(db, tmp_path):
    Unit.objects.filter(short_name="市民政局").update(short_name=HOSTILE[0], full_name="=2+2 市民政局")
    call_command("export_units", str(tmp_path / "units.csv"))
    text = (tmp_path / "units.csv").read_text(encoding="utf-8")
    assert_csv_inert(text)
    rows = {row.short_name: row for row in parse_units_csv(text)}
    assert rows[HOSTILE[0]].full_name == "=2+2 市民政局"


def test_every_formula_start_is_neutralised_in_both_formats_and_other_values_keep_their_types():
    for start in FORMULA_STARTS:
        assert csv_value(start + "1") == "'" + start + "1"
    assert csv_value(-5) == "-5" and csv_value(None) == "" and csv_value("市财政局") == "市财政局"
    out = io.StringIO()
    CsvRows(out).writerow(["=1", 2, None])
    assert out.getvalue() == "'=1,2,\r\n"

    book = Workbook(write_only=True)
    sheet = book.create_sheet("x")
    sheet.append(xlsx_row(sheet, [*HOSTILE, "控制\x01字符", -5, TODAY]))
    streamed = _saved(book)
    texts = assert_no_formula(streamed)
    assert set(HOSTILE) <= set(texts) and "控制\\x01字符" in texts
    values = [c.value for c in next(load_workbook(io.BytesIO(streamed)).worksheets[0].iter_rows())]
    assert values[-2] == -5 and values[-1].date() == TODAY

    plain = Workbook()
    xlsx_append(plain.active, HOSTILE)
    assert set(HOSTILE) <= set(assert_no_formula(_saved(plain)))


def _saved(book) -> bytes:
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()
