"""报送草稿: what a clerk types into the 报送 form, kept on the server as they type.

A draft belongs to one person and one assignment. It may be saved while that person may still
upload evidence to the assignment (assigned or in progress, with the unit's work right), and is
deleted when the report is submitted. Drafts are not in the audit trail: they change nothing
anyone else sees (see ``workflows.models.ReportDraft``).
"""
from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access.policies import decide
from ..models import Assignment, AssignmentState, ReportDraft, Submission
from .common import plain_lines
from .errors import Invalid, NotFound, raise_for

REPORT_LIMIT, STATEMENT_LIMIT = 50000, 5000  # as the 报送 form


@dataclass(frozen=True)
class DraftText:
    report: str
    no_file_statement: str
    saved_at: object | None  # when it was saved, or None when it comes from the returned report
    from_returned: bool = False
    from_recalled: bool = False


def draft_save(*, actor, assignment_id: int, report: str, no_file_statement: str = "") -> ReportDraft:
    """Keep what ``actor`` has typed for this assignment (one row per person, overwritten)."""
    report, statement = plain_lines(report), plain_lines(no_file_statement)
    if len(report) > REPORT_LIMIT or len(statement) > STATEMENT_LIMIT:
        raise Invalid(_("草稿过长，未保存"), fields={"report": [_("书面报告不能超过 %(n)s 字") % {"n": REPORT_LIMIT}]})
    with transaction.atomic():
        assignment = Assignment.objects.filter(pk=assignment_id).first()
        if assignment is None:
            raise NotFound(_("承办件不存在"))
        raise_for(decide(actor, assignment, "upload_evidence"))
        draft, _created = ReportDraft.objects.update_or_create(
            assignment=assignment, user=actor,
            defaults={"report": report, "no_file_statement": statement, "updated_at": timezone.now()})
    return draft


def draft_discard(*, actor, assignment_id: int) -> None:
    ReportDraft.objects.filter(assignment_id=assignment_id, user=actor).delete()


def draft_for(user, assignment: Assignment, latest: Submission | None) -> DraftText | None:
    """What the 报送 form should open with: the person's draft, else the returned report (so a
    unit reworking a 退回 edits its last report instead of retyping it), else the report the unit
    recalled (撤回报送), else nothing."""
    draft = ReportDraft.objects.filter(assignment=assignment, user=user).first() if user.is_authenticated else None
    if draft is not None:
        return DraftText(draft.report, draft.no_file_statement, draft.updated_at)
    if latest is not None and latest.returned_at is not None and assignment.state == AssignmentState.IN_PROGRESS:
        return DraftText(latest.report, latest.no_file_statement, None, from_returned=True)
    if latest is not None and latest.recalled_at is not None and assignment.state == AssignmentState.IN_PROGRESS:
        return DraftText(latest.report, latest.no_file_statement, None, from_recalled=True)
    return None
