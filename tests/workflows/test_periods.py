"""Reporting cadences across a year on the working calendar: periods, due dates moved off weekends
and holidays (调休 included), an administrator's correction, task overrides and how a report stands."""
import datetime as dt

import pytest

from workflows import periods
from workflows.models import CalendarDay
from workflows.periods import effective, periods_between, standing_of

D = dt.date


def dues(cadence, first, last):
    return [(p.label, p.due_on) for p in periods_between(cadence, first, last)]


@pytest.mark.django_db
def test_monthly_by_the_5th_moves_off_weekends_and_the_state_councils_holidays():
    got = dues(effective("monthly", 5), D(2026, 1, 1), D(2026, 12, 31))
    assert [label for label, _ in got] == [f"2026年{m}月" for m in range(1, 13)]
    assert dict(got) == {
        "2026年1月": D(2026, 2, 5), "2026年2月": D(2026, 3, 5),
        "2026年3月": D(2026, 4, 7),  # 4-5 is a Sunday inside 清明 (4-4 to 4-6)
        "2026年4月": D(2026, 5, 6),  # 劳动节 5-1 to 5-5
        "2026年5月": D(2026, 6, 5), "2026年6月": D(2026, 7, 6),  # 7-5 a Sunday
        "2026年7月": D(2026, 8, 5), "2026年8月": D(2026, 9, 7),  # 9-5 a Saturday
        "2026年9月": D(2026, 10, 8),  # 国庆 10-1 to 10-7
        "2026年10月": D(2026, 11, 5), "2026年11月": D(2026, 12, 7), "2026年12月": D(2027, 1, 5)}


@pytest.mark.django_db
def test_period_ends_quarters_half_years_and_years():
    assert dues(effective("quarterly", 0), D(2026, 2, 1), D(2026, 11, 1)) == [
        ("2026年第一季度", D(2026, 3, 31)), ("2026年第二季度", D(2026, 6, 30)),
        ("2026年第三季度", D(2026, 9, 30)), ("2026年第四季度", D(2026, 12, 31))]
    assert dues(effective("monthly", 0), D(2025, 5, 10), D(2025, 5, 20)) == [("2025年5月", D(2025, 6, 3))]  # 端午
    assert dues(effective("half-yearly", 10), D(2026, 1, 1), D(2026, 12, 31)) == [
        ("2026年上半年", D(2026, 7, 10)), ("2026年下半年", D(2027, 1, 11))]  # 1-10 a Sunday
    assert dues(effective("yearly", 15), D(2026, 3, 1), D(2027, 2, 1)) == [
        ("2026年度", D(2027, 1, 15)), ("2027年度", D(2028, 1, 17))]
    assert dues(effective("none", 0), D(2026, 1, 1), D(2026, 12, 31)) == []
    assert dues(effective("monthly", 5), D(2026, 6, 1), D(2026, 5, 1)) == []  # already past its due date


@pytest.mark.django_db
def test_an_administrators_correction_of_the_calendar_moves_a_due_date():
    CalendarDay.objects.create(date=D(2026, 11, 5), is_working_day=False, note="临时调整")
    assert dues(effective("monthly", 5), D(2026, 10, 1), D(2026, 10, 31)) == [("2026年10月", D(2026, 11, 6))]
    CalendarDay.objects.create(date=D(2026, 9, 5), is_working_day=True, note="调休上班")
    assert dues(effective("monthly", 5), D(2026, 8, 1), D(2026, 8, 31)) == [("2026年8月", D(2026, 9, 5))]


def test_a_task_reports_on_its_own_cadence_where_its_deadline_column_gave_one():
    assert effective("quarterly", 0, "monthly:10") == periods.Cadence("monthly", 10, False)
    assert effective("quarterly", 10, "quarterly") == periods.Cadence("quarterly", 10, False)  # the plan's day
    assert effective("monthly", 5, "quarterly") == periods.Cadence("quarterly", 0, False)
    assert effective("monthly", 5, "ongoing") == periods.Cadence("monthly", 5, True)  # 长期坚持: the plan's
    assert effective("none", 0, "weekly") == periods.Cadence("monthly", 0, False)
    assert effective("monthly", 5, "") == periods.Cadence("monthly", 5, False)
    assert effective("monthly", 40, "monthly:31").day == 28  # every month has a 28th
    assert effective("quarterly", 0, "monthly:10").label() == "每月报送（次月10日前）"
    assert effective("quarterly", 0, "ongoing").label() == "每季度报送（期末），长期坚持"


def test_how_a_report_stands_on_a_day():
    due, end = D(2026, 11, 5), D(2026, 10, 31)
    assert standing_of("pending", due, end, D(2026, 10, 10)) == periods.NOT_YET
    assert standing_of("pending", due, end, D(2026, 10, 24)) == periods.DUE  # the period's last week
    assert standing_of("pending", due, end, D(2026, 11, 5)) == periods.DUE
    assert standing_of("pending", due, end, D(2026, 11, 6)) == periods.MISSING
    assert standing_of("pending", due, end, D(2026, 11, 6), closed=True) == periods.NOT_NEEDED
    assert standing_of("submitted", due, end, D(2026, 11, 6), late=True) == periods.FILED_LATE
    assert standing_of("submitted", due, end, D(2026, 11, 6), late=False) == periods.FILED
    assert standing_of("returned", due, end, D(2026, 11, 6)) == periods.RETURNED
    assert standing_of("read", due, end, D(2026, 11, 6)) == periods.READ
