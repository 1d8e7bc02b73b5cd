"""The period's 通报: who reported on time, late, not at all, and which tasks are behind, counted from
the stored reports; issued once as Word (GB/T 9704 parts) and PDF with their SHA-256, audited,
mailed to the units' people; refused as a whole on a bad field; never changed afterwards."""
import datetime as dt
import hashlib
import io
import json
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone
from docx import Document

from audit.models import AuditEvent
from tests.workflows.archive.test_archive import pdftotext
from tests.world import build_world
from workflows.models import Assignment, BulletinOverwriteError, PeriodBulletin, PeriodReport
from workflows.services import bulletins as svc
from workflows.services import periods as period_services
from workflows.services.dispatch import assignment_set_due_date
from workflows.services.errors import Invalid, NotAllowed
from workflows.supervision import bulletins as documents

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def monthly_world(days_ago: int):
    """Task 1 dispatched ``days_ago`` days back, due in 150 days, reported monthly by the 5th."""
    world = build_world()
    Assignment.objects.filter(task__plan=world.plan).update(created_at=timezone.now() - dt.timedelta(days=days_ago))
    for a in Assignment.objects.filter(task__plan=world.plan):
        assignment_set_due_date(actor=world.supervisor, assignment_id=a.pk, due_date=TODAY + dt.timedelta(days=150))
    period_services.plan_set_cadence(actor=world.supervisor, plan_id=world.plan.pk, cadence="monthly", day=5)
    return world


@pytest.fixture
def world():
    world = monthly_world(95)
    for user, address in ((world.submitter, "finance@example.gov.cn"), (world.other_submitter, "mz@example.gov.cn")):
        user.email = address
        user.save()
    return world


def last_due_period(world) -> documents.PeriodKey:
    report = (PeriodReport.objects.filter(assignment=world.assignment, due_on__lt=TODAY).order_by("-starts_on").first())
    return documents.PeriodKey(report.starts_on, report.ends_on, report.label)


def file(world, user, unit, key, *, on_time: bool):
    a = Assignment.objects.get(task__plan=world.plan, task__number=1, unit__short_name=unit)
    report = PeriodReport.objects.get(assignment=a, starts_on=key.starts_on)
    moment = (timezone.make_aware(dt.datetime.combine(report.due_on, dt.time(9))) if on_time
              else timezone.now())
    with mock.patch("workflows.services.periods.timezone.now", return_value=moment):
        period_services.period_report_file(actor=user, assignment_id=a.pk, report_id=report.pk, text="按计划推进。")


FIELDS = {"masthead": "市人民政府法制办公室文件", "number": "督查通报〔2026〕7号", "title": "关于进展情况的通报",
          "addressees": "各责任单位", "requirements": "请按期补报。", "issuer": "市人民政府法制办公室",
          "issued_on": TODAY}


def test_the_summary_counts_each_units_reports_of_the_period_and_names_the_tasks_behind(world):
    key = last_due_period(world)
    for earlier in PeriodReport.objects.filter(assignment__unit__short_name="市民政局", due_on__lt=TODAY):
        file(world, world.other_submitter, "市民政局",
             documents.PeriodKey(earlier.starts_on, earlier.ends_on, earlier.label), on_time=True)
    file(world, world.submitter, "市财政局", key, on_time=False)
    summary = documents.period_summary(world.plan, key, TODAY)
    units = {u.name: u for u in summary.units}
    assert (units["市民政局"].on_time, units["市民政局"].standing) == (1, "on_time")
    assert (units["市财政局"].late, units["市财政局"].standing) == (1, "late")
    others = [u for u in summary.units if u.name not in ("市民政局", "市财政局")]
    assert others and all(u.missing == 1 and u.standing == "missing" for u in others)
    assert summary.expected == len(summary.units) and summary.missing == len(others)
    assert summary.rate == pytest.approx(1 / len(summary.units))
    behind = {b.unit for b in summary.behind}
    assert {u.name for u in others} <= behind and "市民政局" not in behind
    assert any("进展报告逾期未报" in r for b in summary.behind for r in b.reasons)


def test_issuing_stores_both_files_with_their_hashes_audits_and_mails_the_units_people(world):
    key = last_due_period(world)
    file(world, world.other_submitter, "市民政局", key, on_time=True)
    file(world, world.submitter, "市财政局", key, on_time=False)
    mail.outbox.clear()
    with mock.patch("django.db.transaction.on_commit", side_effect=lambda f, **_: f()):
        bulletin = svc.bulletin_issue(actor=world.supervisor, plan_id=world.plan.pk, period=key.value, fields=FIELDS)
    docx, pdf = bytes(bulletin.docx), bytes(bulletin.pdf)
    assert bulletin.docx_sha256 == hashlib.sha256(docx).hexdigest()
    assert bulletin.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    for part in ("市人民政府法制办公室文件", "督查通报〔2026〕7号", "关于进展情况的通报", "各责任单位：", "按时报送的单位",
                 "逾期报送的单位", "未报送的单位", "市民政局", "市财政局（1份）", "请按期补报。", "印发"):
        assert part in text, part
    assert "予以通报批评" in text and "予以通报表扬" in text
    pdf_text = pdftotext(pdf)
    assert "督查通报〔2026〕7号" in pdf_text.replace(" ", "") and "市财政局" in pdf_text
    event = AuditEvent.objects.get(action="plan.bulletin_issued")
    details = json.loads(event.details)
    assert details["docx_sha256"] == bulletin.docx_sha256 and details["pdf_sha256"] == bulletin.pdf_sha256
    assert "市财政局" in details["units"]["late"] and "市民政局" in details["units"]["on_time"]
    assert sorted(m.to[0] for m in mail.outbox) == ["finance@example.gov.cn", "mz@example.gov.cn"]
    finance = next(m for m in mail.outbox if m.to == ["finance@example.gov.cn"])
    assert "逾期报送" in finance.body and "督查通报〔2026〕7号" in finance.subject
    assert sorted(name.rsplit(".", 1)[1] for name, _c, _t in finance.attachments) == ["docx", "pdf"]
    with pytest.raises(BulletinOverwriteError):
        bulletin.title = "改过的"
        bulletin.save()
    with pytest.raises(BulletinOverwriteError):
        bulletin.delete()


def test_a_used_or_malformed_number_or_an_empty_field_is_refused_and_nothing_is_written(world):
    key = last_due_period(world)
    svc.bulletin_issue(actor=world.supervisor, plan_id=world.plan.pk, period=key.value, fields=FIELDS)
    events = AuditEvent.objects.count()
    with pytest.raises(Invalid) as used:
        svc.bulletin_issue(actor=world.supervisor, plan_id=world.plan.pk, period=key.value, fields=FIELDS)
    assert "已经用过" in used.value.fields["number"][0]
    with pytest.raises(Invalid) as malformed:
        svc.bulletin_issue(actor=world.supervisor, plan_id=world.plan.pk, period=key.value,
                           fields={**FIELDS, "number": "第七期", "title": " "})
    assert "number" in malformed.value.fields and "title" in malformed.value.fields
    assert PeriodBulletin.objects.count() == 1 and AuditEvent.objects.count() == events


def test_only_the_supervising_office_issues_and_the_next_number_follows_the_last(world):
    key = last_due_period(world)
    with pytest.raises(NotAllowed):
        svc.bulletin_issue(actor=world.reviewer, plan_id=world.plan.pk, period=key.value, fields=FIELDS)
    assert documents.next_number(TODAY) == f"督查通报〔{TODAY.year}〕1号"
    svc.bulletin_issue(actor=world.supervisor, plan_id=world.plan.pk, period=key.value,
                       fields={**FIELDS, "number": f"法督通〔{TODAY.year}〕4号"})
    assert documents.next_number(TODAY) == f"法督通〔{TODAY.year}〕5号"
