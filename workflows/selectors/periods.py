"""What the assignment page shows of its year: the period reports with how each stands today, the
one the unit files next (prefilled), and what the deciders may do with the filed ones."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .. import periods
from ..access.policies import decide_period_filing, decide_period_review
from ..lights import light_rule
from ..models import CLOSED_STATES, Assignment, PeriodReport, Submission
from ..periods import FILED, FILED_LATE, MISSING, NOT_YET, RETURNED, STANDINGS, Cadence, standing_of


def cadence_of(assignment: Assignment) -> periods.Cadence:
    plan = assignment.task.plan
    return periods.effective(plan.report_cadence, plan.report_day, assignment.task.cadence)


def prefill(report: PeriodReport) -> str:
    """What the form starts with: the unit's last filed report of this assignment, else its last
    submission's written report, so nobody retypes what did not change."""
    if report.text:
        return report.text
    last = (PeriodReport.objects.filter(assignment_id=report.assignment_id).exclude(text="")
            .exclude(pk=report.pk).order_by("-submitted_at", "-starts_on").values_list("text", flat=True).first())
    if last:
        return last
    return (Submission.objects.filter(assignment_id=report.assignment_id).order_by("-number")
            .values_list("report", flat=True).first()) or ""


FUTURE_SHOWN = 1  # periods not yet open: the next one is shown, the rest counted


@dataclass
class PeriodPanel:
    cadence: Cadence
    rule: str
    rows: list[dict] = field(default_factory=list)
    later: int = 0  # periods further ahead, not listed
    due: PeriodReport | None = None  # the one the unit files next
    text: str = ""  # what its form starts with
    may_file: bool = False
    may_review: bool = False
    missing: int = 0
    form: object = None  # the view's form for ``due``

    @property
    def shown(self) -> bool:
        return bool(self.rows) or self.cadence.periodic


def period_panel(user, assignment, perms: set[str], today: dt.date) -> PeriodPanel:
    """Two queries (the reports; the prefill) however many periods the assignment has."""
    closed = assignment.state in CLOSED_STATES
    panel = PeriodPanel(cadence=cadence_of(assignment), rule=light_rule())
    reports = list(PeriodReport.objects.filter(assignment=assignment).select_related("submitted_by", "read_by",
                                                                                     "returned_by"))
    panel.may_file = decide_period_filing(user, assignment, perms=perms).allowed
    panel.may_review = decide_period_review(user, assignment, perms=perms).allowed
    future = 0
    for report in reports:
        standing = standing_of(report.status, report.due_on, report.ends_on, today, late=report.late, closed=closed)
        if standing == NOT_YET:
            future += 1
            if future > FUTURE_SHOWN:
                panel.later += 1
                continue
        panel.missing += standing in (MISSING, RETURNED) and report.due_on < today
        owed = report.status in ("pending", "returned") and not closed and report.starts_on <= today
        if owed and panel.due is None:
            panel.due = report
        panel.rows.append({"report": report, "standing": standing, "label": STANDINGS[standing],
                           "alert": standing in (MISSING, RETURNED, FILED_LATE),
                           "reviewable": panel.may_review and standing in (FILED, FILED_LATE)})
    if panel.due is not None and panel.may_file:
        panel.text = prefill(panel.due)
    return panel
