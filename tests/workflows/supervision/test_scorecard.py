"""The scorecard (考核): each figure for a crafted history across National Day 2026, ranks with ties,
who may see it, its API, and a query count that does not grow with the plan."""
import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.approvals.test_api import api
from tests.world import build_world, person
from workflows.models import Assignment, Submission
from workflows.services.assignments import (
    assignment_accept,
    assignment_approve,
    assignment_return,
    assignment_start,
    assignment_submit,
)
from workflows.services.dispatch import plan_dispatch, round_open
from workflows.services.inbox import refresh_inbox
from workflows.supervision import scorecard as sc

D = dt.date
TODAY = D(2026, 10, 20)  # a Tuesday, after National Day (10-01..10-07 off, Saturday 10-10 worked)
DISPATCHED = D(2026, 9, 24)  # a Thursday, before the Mid-Autumn holiday (09-25..09-27)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware moment on ``day`` in local (Beijing) time."""
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour, minute))


def _submit(user, assignment, on: dt.datetime) -> Submission:
    submission = assignment_submit(actor=user, assignment_id=assignment.pk, report="已完成", no_file_statement="无")
    Submission.objects.filter(pk=submission.pk).update(submitted_at=on)
    return submission


def _unit(world, name: str) -> Assignment:
    return Assignment.objects.get(round__plan=world.plan, task__number=1, unit__short_name=name)


@pytest.fixture
def history(db):
    """Task 1 dispatched on 2026-09-24, due at year end, and four units with known histories.

    - 市财政局, due 10-09: first submitted 09-30 at 00:30 (3 working days: 28, 29, 30), returned by the
      lead 10-09 (2 working days: 10-08, 10-09), resubmitted 10-12, approved 10-19 (5 working days),
      accepted 10-20. On time, one return, accepted.
    - 市民政局, due 09-30: first submitted 10-08 (4 working days: 28, 29, 30, 10-08), late, still
      awaiting review on 10-20: 9 working days later, so overdue for the lead.
    - 市发改委, due 10-09: never submitted, overdue: counts as not on time.
    - 市人社局, due 10-30: submitted 10-09 (5 working days), approved by the second lead department's
      reviewer on Saturday 10-10 (a make-up working day: 1), returned at acceptance 10-12.
    """
    world = build_world()
    world.renshe = person("renshe", "市人社局", "submitter")
    Assignment.objects.filter(round__plan=world.plan).update(created_at=at(DISPATCHED, 9), due_date=D(2026, 12, 31),
                                                                     original_due_date=D(2026, 12, 31))
    for name, due in (("市财政局", D(2026, 10, 9)), ("市民政局", D(2026, 9, 30)), ("市发改委", D(2026, 10, 9)),
                      ("市人社局", D(2026, 10, 30))):
        Assignment.objects.filter(pk=_unit(world, name).pk).update(due_date=due, original_due_date=due)
    refresh_inbox()  # the arrangement skipped the services, which keep 我的待办's table in step

    finance = _unit(world, "市财政局")
    assignment_start(actor=world.submitter, assignment_id=finance.pk)
    first = _submit(world.submitter, finance, at(D(2026, 9, 30), 0, 30))
    assignment_return(actor=world.reviewer, assignment_id=finance.pk, reason="材料不全")
    Submission.objects.filter(pk=first.pk).update(returned_at=at(D(2026, 10, 9), 16))
    second = _submit(world.submitter, finance, at(D(2026, 10, 12)))
    assignment_approve(actor=world.reviewer, assignment_id=finance.pk)
    assignment_accept(actor=world.supervisor, assignment_id=finance.pk)
    Submission.objects.filter(pk=second.pk).update(reviewed_at=at(D(2026, 10, 19)), accepted_at=at(TODAY))

    civil = _unit(world, "市民政局")
    assignment_start(actor=world.other_submitter, assignment_id=civil.pk)
    _submit(world.other_submitter, civil, at(D(2026, 10, 8), 23, 50))

    labour = _unit(world, "市人社局")
    assignment_start(actor=world.renshe, assignment_id=labour.pk)
    only = _submit(world.renshe, labour, at(D(2026, 10, 9)))
    assignment_approve(actor=world.second_reviewer, assignment_id=labour.pk)
    assignment_return(actor=world.supervisor, assignment_id=labour.pk, reason="验收未通过")
    Submission.objects.filter(pk=only.pk).update(reviewed_at=at(D(2026, 10, 10)), returned_at=at(D(2026, 10, 12)))
    return world


@pytest.fixture
def pinned_today(monkeypatch):
    """Views ask ``timezone.localdate()`` for today: pin it to TODAY."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def _by_unit(rows) -> dict:
    return {row.unit: row for row in rows}


def test_each_unit_figure_matches_the_hand_computed_history(history):
    units = _by_unit(sc.unit_scores(history.plan, today=TODAY))
    assert len(units) == Assignment.objects.filter(round__plan=history.plan).count() == 21

    finance = units["市财政局"]
    assert (finance.assignments, finance.due_for_judgement, finance.on_time, finance.submitted) == (1, 1, 1, 1)
    assert finance.on_time_rate == 100.0
    assert finance.average_days_to_submit == 3.0  # local date 09-30, not the UTC date 09-29
    assert (finance.returns, finance.returns_per_assignment) == (1, 1.0)
    assert (finance.accepted, finance.acceptance_rate) == (1, 100.0)
    assert finance.score == 40 * 1 + 40 * 1 + 20 * 0 == 80.0

    civil = units["市民政局"]
    assert (civil.due_for_judgement, civil.on_time, civil.on_time_rate) == (1, 0, 0.0)
    assert civil.average_days_to_submit == 4.0  # 09-28, 09-29, 09-30, then 10-08 after the holiday
    assert (civil.returns, civil.accepted, civil.acceptance_rate, civil.score) == (0, 0, 0.0, 20.0)

    never = units["市发改委"]  # overdue and never submitted: judged, and not on time
    assert (never.due_for_judgement, never.on_time, never.on_time_rate, never.submitted) == (1, 0, 0.0, 0)
    assert never.average_days_to_submit is None and never.score == 20.0

    labour = units["市人社局"]
    assert (labour.on_time_rate, labour.average_days_to_submit) == (100.0, 5.0)
    assert (labour.returns, labour.returns_per_assignment, labour.acceptance_rate) == (1, 1.0, 0.0)
    assert labour.score == 40 * 1 + 0 + 0 == 40.0

    waiting = units["市审计局"]  # not submitted, not yet due: nothing to judge, counted as 100%
    assert (waiting.due_for_judgement, waiting.on_time_rate, waiting.score) == (0, None, 60.0)


def test_units_are_ranked_by_score_and_ties_share_a_rank(history):
    rows = sc.unit_scores(history.plan, today=TODAY)
    ranks = {row.unit: row.rank for row in rows}
    assert ranks["市财政局"] == 1
    assert {ranks[u] for u in rows_named(rows, 60.0)} == {2}
    assert len(rows_named(rows, 60.0)) == 17
    assert ranks["市人社局"] == 19
    assert ranks["市民政局"] == ranks["市发改委"] == 20  # 1, 2 × 17, 19, 20, 20
    assert [row.rank for row in rows] == sorted(row.rank for row in rows)
    assert rows[-1].as_row()[0] == 20


def rows_named(rows, score):
    return [row.unit for row in rows if row.score == score]


def test_the_lead_departments_review_turnaround(history):
    leads = sc.lead_scores(history.plan, today=TODAY)
    assert [lead.unit for lead in leads] == ["市编办"]  # task 1's first lead answers for its reviews
    lead = leads[0]
    # Decisions: finance returned 09-30 → 10-09 (2), finance approved 10-12 → 10-19 (5),
    # 人社 approved 10-09 → Saturday 10-10 (1). The return at acceptance is not a lead decision.
    assert (lead.reviewed, lead.reviewed_in_time) == (3, 3)
    assert lead.average_review_days == round((2 + 5 + 1) / 3, 1) == 2.7
    assert (lead.pending, lead.pending_overdue) == (1, 1)  # 民政 waits 9 working days since 10-08
    assert lead.timely_rate == 75.0  # 3 ÷ (3 + 1)
    assert lead.rank == 1
    assert lead.as_row() == [1, "市编办", 3, 3, 2.7, 1, 1, 75.0]
    assert lead.display_row() == ["1", "市编办", "3", "3", "2.7", "1", "1", "75.0%"]


def test_a_pending_review_is_overdue_only_after_the_review_limit(history, settings):
    settings.SUPERVISION_REVIEW_WORKING_DAYS = 9
    lead = sc.lead_scores(history.plan, today=TODAY)[0]
    assert (lead.pending, lead.pending_overdue, lead.timely_rate) == (1, 0, 100.0)
    assert "9 个工作日" in sc.formulas()["超期待审"]


def test_on_time_submission_is_judged_on_the_first_submission_only(history):
    finance = _unit(history, "市财政局")
    # A first submission a day late makes the assignment late, whatever came after.
    Submission.objects.filter(assignment=finance, number=1).update(submitted_at=at(D(2026, 10, 10)))
    row = _by_unit(sc.unit_scores(history.plan, today=TODAY))["市财政局"]
    assert (row.on_time, row.on_time_rate) == (0, 0.0)
    # 09-28, 09-29, 09-30, 10-08, 10-09 and the make-up Saturday 10-10.
    assert row.average_days_to_submit == 6.0


def test_rank_gives_ties_one_rank_and_leaves_the_unjudged_unranked():
    class Row:
        def __init__(self, name, value):
            self.name, self.value, self.rank = name, value, None

    rows = sc.rank([Row("c", 2), Row("a", 1), Row("d", None), Row("b", 1), Row("e", 3)],
                   key=lambda r: r.value, tiebreak=lambda r: r.name)
    assert [(r.name, r.rank) for r in rows] == [("a", 1), ("b", 1), ("c", 3), ("e", 4), ("d", None)]


def test_numbers_are_rounded_half_up_and_formatted_as_shown():
    score = sc.UnitScore(unit_id=1, unit="甲", assignments=8, due_for_judgement=8, on_time=7, submitted=8,
                         returns=1, accepted=3, days_to_submit=[1, 2, 2, 2, 2, 2, 2, 2])
    assert score.on_time_rate == 87.5 and score.acceptance_rate == 37.5
    assert score.average_days_to_submit == 1.9  # 15 ÷ 8 = 1.875
    assert score.returns_per_assignment == 0.13  # 0.125, half up
    assert score.score == 35.0 + 15.0 + 17.5
    cells = score.display_row()
    assert cells[5] == "87.5%" and cells[7] == "1.9" and cells[9] == "0.13" and cells[11] == "37.5%"
    assert len(score.as_row()) == len(sc.UNIT_COLUMNS) and len(cells) == len(sc.UNIT_COLUMNS)
    assert len(sc.LeadScore(unit_id=1, unit="乙").as_row()) == len(sc.LEAD_COLUMNS)
    assert sc.fmt_percent(None) == "—" and sc.fmt_percent(12.25) == "12.2%"  # formatting never re-rounds


def test_the_formulas_name_every_figure():
    assert {"按期报送率", "平均报送用时", "退回次数/件", "验收办结率", "综合得分", "平均审核用时", "超期待审",
            "审核及时率"} <= set(sc.FORMULAS)
    assert "首次报送" in sc.FORMULAS["按期报送率"] and "40 × 按期报送率" in sc.FORMULAS["综合得分"]


def test_the_query_count_does_not_grow_with_the_plan(history):
    sc.scorecard(history.plan, today=TODAY)  # the calendar corrections are read once per process

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            card = sc.scorecard(history.plan, today=TODAY)
        assert card.units and card.leads
        return len(queries)

    def served(get) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert get().status_code == 200
        return len(queries)

    client, token = Client(), api(history.supervisor)
    client.force_login(history.supervisor)
    url = reverse("approvals:scorecard", args=[history.plan.pk])
    api_url = f"/api/plans/{history.plan.pk}/scorecard/"
    client.get(url), token.get(api_url)  # the first request of a session does some once-only work
    task_one = (count(), served(lambda: client.get(url)), served(lambda: token.get(api_url)))
    plan_dispatch(actor=history.supervisor, plan_id=history.plan.pk)  # the other 30 tasks
    assert Assignment.objects.filter(round__plan=history.plan).count() > 800
    whole_plan = (count(), served(lambda: client.get(url)), served(lambda: token.get(api_url)))
    assert whole_plan == task_one and task_one[0] <= 4


def test_a_later_round_is_scored_on_its_own(history):
    later = round_open(actor=history.supervisor, plan_id=history.plan.pk, name="第二轮")
    assert sc.unit_scores(history.plan, round=later, today=TODAY) == []
    assert sc.scorecard(history.plan, today=TODAY).round.name == "首轮"
    plan_dispatch(actor=history.supervisor, plan_id=history.plan.pk, round_id=later.pk,
                  task_id=history.plan.tasks.get(number=1).pk)
    rows = sc.unit_scores(history.plan, round=later.pk, today=TODAY)
    assert len(rows) == 21 and all(row.submitted == 0 and row.returns == 0 for row in rows)


# ----- the page ------------------------------------------------------------------------------

def page(user, plan, **query):
    client = Client()
    client.force_login(user)
    return client.get(reverse("approvals:scorecard", args=[plan.pk]), query)


@pytest.mark.parametrize("who,status", [("supervisor", 200), ("auditor", 200), ("submitter", 404),
                                        ("reviewer", 404)])
def test_who_may_see_the_scorecard_page(history, who, status):
    response = page(getattr(history, who), history.plan)
    assert response.status_code == status
    if status == 404:
        assert "市财政局" not in response.content.decode()


def test_the_page_shows_both_tables_ranked_the_formulas_and_its_links(history, pinned_today):
    body = page(history.supervisor, history.plan).content.decode()
    assert "统计截至 2026年10月20日" in body
    assert "责任单位考核" in body and "牵头部门审核时效" in body and "计算方法" in body
    assert sc.FORMULAS["综合得分"] in body
    assert reverse("approvals:dashboard", args=[history.plan.pk]) in body
    assert reverse("approvals:dashboard_export", args=[history.plan.pk]) in body
    finance_row = body.split(f'data-unit="{_unit(history, "市财政局").unit_id}"')[1].split("</tr>")[0]
    assert "100.0%" in finance_row and "80.0" in finance_row and "1.00" in finance_row
    assert "75.0%" in body  # the lead department's timely rate


def test_the_page_selects_a_round_and_refuses_one_of_another_plan(history):
    later = round_open(actor=history.supervisor, plan_id=history.plan.pk, name="第二轮")
    body = page(history.supervisor, history.plan, round=later.pk).content.decode()
    assert f'<option value="{later.pk}" selected>' in body and "本轮没有承办件" in body
    assert page(history.supervisor, history.plan, round=999999).status_code == 404
    assert page(history.supervisor, history.plan, round="x").status_code == 404


# ----- the API -------------------------------------------------------------------------------

def test_the_api_gives_units_leads_ranks_and_formulas(history, pinned_today):
    response = api(history.auditor).get(f"/api/plans/{history.plan.pk}/scorecard/")
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"plan", "round", "today", "review_working_days", "weights", "units", "leads", "formulas"}
    assert data["round"]["name"] == "首轮" and data["today"] == "2026-10-20"
    assert data["weights"] == {"on_time_rate": 40, "acceptance_rate": 40, "returns": 20}
    finance = next(u for u in data["units"] if u["unit"] == "市财政局")
    assert finance == {
        "rank": 1, "unit_id": finance["unit_id"], "unit": "市财政局", "assignments": 1, "due_for_judgement": 1,
        "on_time": 1, "on_time_rate": 100.0, "submitted": 1, "average_days_to_submit": 3.0, "returns": 1,
        "returns_per_assignment": 1.0, "accepted": 1, "acceptance_rate": 100.0, "score": 80.0,
    }
    assert data["leads"] == [{"rank": 1, "unit_id": data["leads"][0]["unit_id"], "unit": "市编办", "reviewed": 3,
                              "reviewed_in_time": 3, "average_review_days": 2.7, "pending": 1,
                              "pending_overdue": 1, "timely_rate": 75.0}]
    assert data["formulas"] == sc.formulas()
    # The API and the page agree with the module, unit by unit.
    module = {row.unit: row.as_dict() for row in sc.unit_scores(history.plan, today=TODAY)}
    assert {u["unit"]: u for u in data["units"]} == module


def test_the_api_refuses_callers_who_may_not_view_supervision(history):
    for user in (history.submitter, history.reviewer):
        response = api(user).get(f"/api/plans/{history.plan.pk}/scorecard/")
        assert response.status_code == 404 and response.json() == {"detail": "计划不存在"}
    assert api(history.supervisor).get(f"/api/plans/{history.plan.pk}/scorecard/?round=999999").status_code == 404
    assert api(history.supervisor).get("/api/plans/999999/scorecard/").status_code == 404
    assert api().get(f"/api/plans/{history.plan.pk}/scorecard/").status_code == 401


def test_the_schema_describes_the_scorecard(history):
    response = api(history.supervisor).get("/api/schema/", HTTP_ACCEPT="application/json")
    schema = response.json() if response["Content-Type"].startswith("application/json") else None
    if schema is None:
        import yaml

        schema = yaml.safe_load(response.content)
    operation = schema["paths"]["/api/plans/{id}/scorecard/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"id", "round"}
    assert set(operation["responses"]) >= {"200", "401", "404"}
