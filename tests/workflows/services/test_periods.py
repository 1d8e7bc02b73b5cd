"""Period reports through an assignment's year: the periods a cadence cuts from 交办 to the due date,
filing (late or not), prefill, 已阅 and 退回补报, the light that follows them, a cadence changed later,
standing tasks, and who may do what."""
import datetime as dt
import json

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from tests.world import build_world
from workflows import periods
from workflows.lights import GREEN, RED, light_for_due, light_of
from workflows.models import Assignment, InboxItem, PeriodReport
from workflows.services import assignments as flow
from workflows.services import periods as svc
from workflows.services.dispatch import assignment_set_due_date
from workflows.services.errors import Invalid, NotAllowed, NotFound, WrongState

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world():
    world = build_world()
    a = world.assignment
    Assignment.objects.filter(pk=a.pk).update(created_at=timezone.now() - dt.timedelta(days=95))
    assignment_set_due_date(actor=world.supervisor, assignment_id=a.pk, due_date=TODAY + dt.timedelta(days=150))
    return world


def monthly(world, day=5):
    return svc.plan_set_cadence(actor=world.supervisor, plan_id=world.plan.pk, cadence="monthly", day=day)


def expected(world, cadence):
    a = Assignment.objects.get(pk=world.assignment.pk)
    first = timezone.localtime(a.created_at).date()
    return [(p.label, p.due_on) for p in periods.periods_between(cadence, first, a.due_date)]


def reports(world):
    return list(PeriodReport.objects.filter(assignment=world.assignment).order_by("starts_on"))


def fresh(world):
    return Assignment.objects.get(pk=world.assignment.pk)


def test_the_cadence_makes_one_period_a_month_from_dispatch_to_the_due_date_and_is_audited(world):
    result = monthly(world)
    want = expected(world, periods.effective("monthly", 5))
    assert [(r.label, r.due_on) for r in reports(world)] == want and result["created"] >= len(want)
    event = AuditEvent.objects.get(action="plan.cadence_changed")
    details = json.loads(event.details)
    assert details["from"]["cadence"] == "none" and details["to"] == {"cadence": "monthly", "day": 5, "ends_on": None}
    assert monthly(world)["created"] == 0  # again: nothing new


def test_a_missing_report_lights_red_and_filing_it_late_brings_the_light_back(world):
    monthly(world)
    owed = [r for r in reports(world) if r.due_on < TODAY]
    assert len(owed) >= 2  # 95 days back: at least two months are past their due date
    a = fresh(world)
    assert a.obligation_due == owed[0].due_on and light_of(a) == RED
    assert InboxItem.objects.filter(assignment=a).values_list("due_date", flat=True).distinct().get() == owed[0].due_on
    for report in owed:
        filed = svc.period_report_file(actor=world.submitter, assignment_id=a.pk, report_id=report.pk,
                                       text=f"{report.label}：按计划推进。", percent=30)
        assert filed.late is True and filed.status == "submitted"
    a = fresh(world)
    upcoming = [r for r in reports(world) if r.status == "pending"]
    assert a.obligation_due == upcoming[0].due_on
    assert light_of(a) == light_for_due(min(a.due_date, upcoming[0].due_on)) != RED
    events = AuditEvent.objects.filter(action="period_report.submitted", assignment_id=a.pk)
    assert events.count() == len(owed) and json.loads(events.first().details)["late"] is True


def test_the_form_starts_from_the_last_report_or_else_the_last_submission(world):
    from workflows.selectors.periods import prefill

    monthly(world)
    first, second = reports(world)[:2]
    assert prefill(first) == ""
    flow.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    flow.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="首轮书面报告",
                           no_file_statement="无纸质材料")
    assert prefill(first) == "首轮书面报告"
    svc.period_report_file(actor=world.submitter, assignment_id=world.assignment.pk, report_id=first.pk,
                           text="一、已完成清单梳理。\n二、下一步公开。")
    assert prefill(second) == "一、已完成清单梳理。\n二、下一步公开。"


def test_the_lead_or_the_supervisor_reads_or_returns_a_report_and_a_returned_one_is_owed_again(world):
    monthly(world)
    a, first, second = world.assignment, *reports(world)[:2]
    for report in (first, second):
        svc.period_report_file(actor=world.submitter, assignment_id=a.pk, report_id=report.pk, text="进展")
    assert svc.period_report_read(actor=world.reviewer, assignment_id=a.pk, report_id=first.pk).status == "read"
    with pytest.raises(Invalid):
        svc.period_report_return(actor=world.supervisor, assignment_id=a.pk, report_id=second.pk, reason="  ")
    returned = svc.period_report_return(actor=world.supervisor, assignment_id=a.pk, report_id=second.pk,
                                        reason="请补充量化数据")
    assert returned.status == "returned" and returned.return_reason == "请补充量化数据"
    assert fresh(world).obligation_due == second.due_on  # owed again: red while it is past due
    assert light_of(fresh(world)) == (RED if second.due_on < TODAY else light_of(fresh(world)))
    again = svc.period_report_file(actor=world.submitter, assignment_id=a.pk, report_id=second.pk, text="补报：已补充数据")
    assert again.status == "submitted" and again.text == "补报：已补充数据"
    with pytest.raises(WrongState):
        svc.period_report_read(actor=world.reviewer, assignment_id=a.pk, report_id=first.pk)  # already read
    assert [e.action for e in AuditEvent.objects.filter(assignment_id=a.pk, action__startswith="period_report.")
            .order_by("seq")][-3:] == ["period_report.read", "period_report.returned", "period_report.submitted"]


def test_who_may_do_what(world):
    monthly(world)
    a, first = world.assignment, reports(world)[0]
    with pytest.raises(NotAllowed):
        svc.period_report_file(actor=world.reviewer, assignment_id=a.pk, report_id=first.pk, text="x")
    with pytest.raises(NotFound):
        svc.period_report_file(actor=world.other_submitter, assignment_id=a.pk, report_id=first.pk, text="x")
    with pytest.raises(Invalid):
        svc.period_report_file(actor=world.submitter, assignment_id=a.pk, report_id=first.pk, text="   ")
    svc.period_report_file(actor=world.submitter, assignment_id=a.pk, report_id=first.pk, text="进展")
    with pytest.raises(WrongState):
        svc.period_report_file(actor=world.submitter, assignment_id=a.pk, report_id=first.pk, text="再报")
    with pytest.raises(NotAllowed):
        svc.period_report_read(actor=world.submitter, assignment_id=a.pk, report_id=first.pk)
    with pytest.raises(NotAllowed):
        svc.plan_set_cadence(actor=world.reviewer, plan_id=world.plan.pk, cadence="monthly", day=5)
    with pytest.raises(Invalid):
        svc.plan_set_cadence(actor=world.supervisor, plan_id=world.plan.pk, cadence="daily", day=5)
    with pytest.raises(Invalid):
        svc.plan_set_cadence(actor=world.supervisor, plan_id=world.plan.pk, cadence="monthly", day=31)


def test_changing_the_cadence_later_keeps_what_was_filed(world):
    monthly(world)
    a, first = world.assignment, reports(world)[0]
    svc.period_report_file(actor=world.submitter, assignment_id=a.pk, report_id=first.pk, text="一月进展")
    svc.plan_set_cadence(actor=world.supervisor, plan_id=world.plan.pk, cadence="quarterly", day=0)
    kept = reports(world)
    assert first.pk in [r.pk for r in kept] and PeriodReport.objects.get(pk=first.pk).text == "一月进展"
    quarterly = expected(world, periods.effective("quarterly", 0))
    assert {(r.label, r.due_on) for r in kept if r.pk != first.pk} == set(quarterly) - {(first.label, first.due_on)}
    svc.plan_set_cadence(actor=world.supervisor, plan_id=world.plan.pk, cadence="none", day=0)
    assert [r.pk for r in reports(world)] == [first.pk]  # only the filed one is left
    assert fresh(world).obligation_due is None and light_of(fresh(world)) == light_for_due(fresh(world).due_date)


def test_a_standing_task_is_never_late_as_a_whole_only_for_its_missing_reports(world):
    a = world.assignment
    assignment_set_due_date(actor=world.supervisor, assignment_id=a.pk, due_date=TODAY - dt.timedelta(days=400))
    assert light_of(fresh(world)) == RED
    Assignment.objects.filter(pk=a.pk).update(standing=True)
    assert light_of(fresh(world)) == GREEN  # nothing owed: never overdue as a whole
    monthly(world)  # standing: it reports to the end of this year, whatever its due date
    owed = [r for r in reports(world) if r.due_on < TODAY]
    assert reports(world)[-1].ends_on >= dt.date(TODAY.year, 12, 1)
    assert light_of(fresh(world)) == (RED if owed else GREEN)


def test_the_daily_job_carries_a_standing_task_into_the_next_year(world):
    from workflows.services.reminders.daily import reminders_daily

    Assignment.objects.filter(pk=world.assignment.pk).update(standing=True)
    monthly(world)
    last = reports(world)[-1].starts_on
    reminders_daily(today=dt.date(TODAY.year + 1, 1, 4), force=True)
    assert reports(world)[-1].starts_on > last and reports(world)[-1].starts_on.year == TODAY.year + 1
