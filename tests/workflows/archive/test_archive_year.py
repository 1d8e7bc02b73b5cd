"""An accepted assignment's archive carries its year: the extension granted (with the original
date), the milestones and every filed period report; the parts are numbered as they appear."""
import datetime as dt

import pytest
from django.utils import timezone

from tests.workflows.archive.conftest import walk_to_accepted
from tests.workflows.archive.test_archive import pdf_of, pdftotext, squeeze
from workflows.archive import report as report_module
from workflows.calendar import cn_date
from workflows.models import Assignment, PeriodReport
from workflows.services import extensions, periods
from workflows.services.dispatch import assignment_set_due_date

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def test_the_archive_holds_the_period_reports_milestones_and_the_extension(world, django_capture_on_commit_callbacks):
    a = world.assignment
    Assignment.objects.filter(pk=a.pk).update(created_at=timezone.now() - dt.timedelta(days=40))
    due = TODAY + dt.timedelta(days=30)
    assignment_set_due_date(actor=world.supervisor, assignment_id=a.pk, due_date=due)
    periods.plan_set_cadence(actor=world.supervisor, plan_id=world.plan.pk, cadence="monthly", day=5)
    milestone = periods.milestone_add(actor=world.submitter, assignment_id=a.pk, title="完成清单梳理",
                                      due_on=TODAY + dt.timedelta(days=5))
    first = PeriodReport.objects.filter(assignment=a).order_by("starts_on").first()
    periods.period_report_file(actor=world.submitter, assignment_id=a.pk, report_id=first.pk,
                               text="清单梳理完毕，进入审核。", percent=40, milestones_done=[milestone.pk])
    later = due + dt.timedelta(days=20)
    asked = extensions.extension_request(actor=world.submitter, assignment_id=a.pk, requested_due=later,
                                         reason="等待省级清单目录下发")
    extensions.extension_approve(actor=world.supervisor, request_id=asked.pk, opinion="同意")
    walk_to_accepted(world, django_capture_on_commit_callbacks)
    built = report_module.build(a.pk, world.assignment.archive.submission_id)
    assert built["numbers"] == {"basic": "一", "report": "二", "opinions": "三", "files": "四", "rounds": "五",
                                "periods": "六", "timeline": "七", "archive": "八"}
    text = squeeze(pdftotext(pdf_of(world)))
    assert "六、进展报告、节点与延期" in text and "七、办理过程" in text and "八、归档信息" in text
    assert first.label in text and "清单梳理完毕，进入审核。" in text and "完成进度40%" in text
    assert "完成清单梳理" in text and "等待省级清单目录下发" in text
    assert squeeze(f"原定{cn_date(due)}，经批准延期") in text and squeeze(cn_date(later)) in text


def test_without_a_year_the_parts_keep_their_numbers(accepted):
    built = report_module.build(accepted.assignment.pk, accepted.assignment.archive.submission_id)
    assert "periods" not in built["numbers"] and built["numbers"]["timeline"] == "六"
