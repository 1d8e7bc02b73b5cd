"""What the assignment page shows of its year: the period reports with how each stands today, the
one the unit files next (prefilled), and what the deciders may do with the filed ones; its due
dates and extension requests (延期申请)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .. import periods
from ..access.policies import (
    TRANSFER_REQUEST_STATES,
    decide_extension_decision,
    decide_extension_request,
    decide_extension_withdrawal,
    decide_milestone_edit,
    decide_period_filing,
    decide_period_review,
)
from ..lights import light_rule
from ..models import (
    CLOSED_STATES,
    Assignment,
    ExtensionRequest,
    Milestone,
    PeriodReport,
    Submission,
)
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
    milestones: list[dict] = field(default_factory=list)  # the 节点计划, each with how it stands
    open_milestones: list[Milestone] = field(default_factory=list)  # what a report may mark done
    milestones_late: int = 0
    may_edit_milestones: bool = False
    milestone_form: object = None

    @property
    def shown(self) -> bool:
        return bool(self.rows) or self.cadence.periodic or bool(self.milestones) or self.may_edit_milestones


def period_panel(user, assignment, perms: set[str], today: dt.date) -> PeriodPanel:
    """Three queries (the reports; the milestones; the prefill) however many periods the assignment has."""
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
    panel.may_edit_milestones = decide_milestone_edit(user, assignment, perms=perms).allowed
    for milestone in Milestone.objects.filter(assignment=assignment, removed_at__isnull=True).select_related("done_in"):
        late = milestone.done_on is None and milestone.due_on < today and not closed
        panel.milestones_late += late
        label = (_("已完成") if milestone.done_on is not None else _("逾期未完成") if late
                 else _("未到期") if not closed else _("未完成"))
        panel.milestones.append({"milestone": milestone, "late": late, "label": label,
                                 "removable": panel.may_edit_milestones and milestone.done_on is None,
                                 "completable": panel.may_file and milestone.done_on is None})
        if milestone.done_on is None:
            panel.open_milestones.append(milestone)
    return panel


@dataclass
class ExtensionPanel:
    original: dt.date
    extended: dt.date | None
    requests: list[ExtensionRequest] = field(default_factory=list)
    pending: ExtensionRequest | None = None
    may_request: bool = False
    refusal: str = ""  # why the unit may not ask now (past the due date, 长期坚持), told to its 承办人
    may_decide: bool = False
    may_withdraw: bool = False
    form: object = None  # the view's forms
    approve_form: object = None
    reject_form: object = None

    @property
    def shown(self) -> bool:
        return bool(self.requests) or self.may_request or bool(self.refusal) or self.extended is not None


def extension_panel(user, assignment, perms: set[str], today: dt.date) -> ExtensionPanel:
    """The assignment's dates and its extension requests (one query), and what ``user`` may do."""
    panel = ExtensionPanel(original=assignment.original_due_date or assignment.due_date,
                           extended=assignment.extended_due_date)
    panel.requests = list(ExtensionRequest.objects.filter(assignment=assignment).select_related(
        "requested_by", "decided_by"))
    panel.pending = next((r for r in panel.requests if r.status == "pending"), None)
    asked = decide_extension_request(user, assignment, today=today, perms=perms, pending=panel.pending)
    panel.may_request = asked.allowed
    # Told to the unit only while the work is still its to do (past the due date, a standing task);
    # once it has been submitted or closed there is nothing to ask for.
    if (not asked.allowed and asked.status == 409 and "work_assignment" in perms and panel.pending is None
            and assignment.state in TRANSFER_REQUEST_STATES):
        panel.refusal = asked.message
    if panel.pending is not None:
        panel.pending.assignment = assignment
        panel.may_decide = decide_extension_decision(user, panel.pending, perms=perms).allowed
        panel.may_withdraw = decide_extension_withdrawal(user, panel.pending, perms=perms).allowed
    return panel
