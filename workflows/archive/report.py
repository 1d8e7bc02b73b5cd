"""What an archived report says: everything read from the database into plain values, once.

The renderer only lays these values out; the JSON manifest attached to the PDF is built from
the same values, so the two cannot disagree.
"""
from __future__ import annotations

import json

from django.db.models import Q
from django.utils import timezone, translation

from audit.actions import action_label
from audit.models import AuditEvent, AuditHead

from ..calendar import cn_date, cn_datetime
from ..lights import submitted_on_time
from ..models import Assignment, Evidence, ExtensionRequest, Milestone, PeriodReport, Submission
from ..selectors.trail import dates_changed, state_label
from .seal import seal_data_uri
from .signing import organisation
from .typeset import title_parts

# Downloads are reads, not part of what happened to the work; everything else is the timeline.
NOT_IN_TIMELINE = {"assignment.evidence_downloaded", "assignment.evidence_previewed", "assignment.archive_downloaded"}


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def _person(user) -> str:
    if user is None:
        return ""
    full = user.get_full_name().strip()
    return f"{full}（{user.get_username()}）" if full else user.get_username()


def deadline_met(assignment: Assignment, submission: Submission) -> bool:
    """Met when the accepted work was submitted on or before the date lateness counts from (local
    calendar day): an approved extension's, else the original due date."""
    return submitted_on_time(submission.submitted_at, assignment.judged_due)


NUMERALS = "一二三四五六七八九十"
PARTS = ("basic", "report", "opinions", "files", "rounds", "periods", "timeline", "archive")


def numbering(present: dict[str, bool]) -> dict[str, str]:
    """The 一、二、三… of the report's parts, counting only those it holds."""
    shown = [part for part in PARTS if present.get(part, True)]
    return {part: NUMERALS[i] for i, part in enumerate(shown)}


def _year(assignment) -> dict:
    """What the assignment's year adds to its archive: period reports, milestones, extensions."""
    reports = PeriodReport.objects.filter(assignment=assignment).exclude(status="pending").select_related(
        "submitted_by", "read_by", "returned_by").order_by("starts_on")
    milestones = Milestone.objects.filter(assignment=assignment, removed_at__isnull=True).select_related("done_in")
    extensions = ExtensionRequest.objects.filter(assignment=assignment).select_related(
        "requested_by", "decided_by").order_by("requested_at", "id")
    return {
        "periods": [{"label": p.label, "due_on": cn_date(p.due_on), "status": str(p.get_status_display()),
                     "submitted_by": _person(p.submitted_by), "submitted_at": cn_datetime(p.submitted_at),
                     "late": bool(p.late), "percent": p.percent, "text": p.text,
                     "read_by": _person(p.read_by), "return_reason": p.return_reason} for p in reports],
        "milestones": [{"title": m.title, "target": m.target, "due_on": cn_date(m.due_on),
                        "done_on": cn_date(m.done_on) if m.done_on else "",
                        "done_in": m.done_in.label if m.done_in else ""} for m in milestones],
        "extensions": [{"requested_at": cn_datetime(e.requested_at), "requested_by": _person(e.requested_by),
                        "due_before": cn_date(e.due_before), "requested_due": cn_date(e.requested_due),
                        "reason": e.reason, "status": str(e.get_status_display()),
                        "decided_by": _person(e.decided_by), "decision_note": e.decision_note} for e in extensions],
    }


def build(assignment_id: int, submission_id: int) -> dict:
    """Read everything the archived report shows, as plain values. Raises Assignment.DoesNotExist.

    The archive is a Chinese document whoever triggers it: labels are resolved in Chinese.
    """
    with translation.override("zh-hans"):
        return _build(assignment_id, submission_id)


def _build(assignment_id: int, submission_id: int) -> dict:
    from ..models import ROLE_LABELS

    assignment = (Assignment.objects.select_related("task__plan__supervising_unit", "task__section", "unit",
                                                    "round").prefetch_related("task__party_set")
                  .get(pk=assignment_id))
    task, plan = assignment.task, assignment.task.plan
    submissions = list(Submission.objects.filter(assignment=assignment).order_by("number")
                       .select_related("submitted_by", "reviewed_by", "accepted_by", "returned_by")
                       .prefetch_related("files"))
    final = next(s for s in submissions if s.pk == submission_id)
    rounds_of: dict[int, list[int]] = {}
    for s in submissions:
        for f in s.files.all():
            rounds_of.setdefault(f.pk, []).append(s.number)
    files = (Evidence.objects.filter(pk__in=rounds_of).select_related("uploaded_by").order_by("uploaded_at", "id"))
    roles = {k: str(v) for k, v in ROLE_LABELS.items()}
    events = (AuditEvent.objects.filter(assignment_id=assignment.pk).exclude(action__in=NOT_IN_TIMELINE)
              .order_by("seq"))
    head = AuditHead.objects.filter(pk=1).first()
    met = deadline_met(assignment, final)
    year = _year(assignment)
    return {
        **year,
        "numbers": numbering({"rounds": len(submissions) > 1,
                              "periods": bool(year["periods"] or year["milestones"] or year["extensions"])}),
        "plan": {"title": plan.title, **title_parts(plan.title), "doc_number": plan.doc_number, "issuer": plan.issuer,
                 "issued_on": cn_date(plan.issued_on),
                 "supervising_unit": plan.supervising_unit.short_name if plan.supervising_unit else ""},
        "section": {"numeral": task.section.numeral, "title": task.section.title},
        "task": {"number": task.number, "text": task.text, "leads": task.lead_names,
                 "responsible_terms": task.responsible_names},
        "assignment": {"id": assignment.pk, "unit": assignment.unit.short_name,
                       "unit_full_name": assignment.unit.full_name or "", "round": assignment.round.name,
                       "state": state_label(assignment.state), "due_date": cn_date(assignment.due_date),
                       "due_date_iso": assignment.due_date.isoformat(), "deadline_met": met,
                       "original_due_date": cn_date(assignment.original_due_date or assignment.due_date),
                       "extended_due_date": cn_date(assignment.extended_due_date)
                       if assignment.extended_due_date else "",
                       "submitted_on": cn_date(timezone.localtime(final.submitted_at).date())},
        "final": {
            "number": final.number, "report": final.report, "no_file_statement": final.no_file_statement,
            "submitted_by": _person(final.submitted_by), "submitted_at": cn_datetime(final.submitted_at),
            "reviewed_by": _person(final.reviewed_by), "reviewed_at": cn_datetime(final.reviewed_at),
            "review_opinion": final.review_opinion,
            "accepted_by": _person(final.accepted_by), "accepted_at": cn_datetime(final.accepted_at),
            "acceptance_opinion": final.acceptance_opinion,
        },
        "rounds": [
            {"number": s.number, "report": s.report, "no_file_statement": s.no_file_statement,
             "submitted_by": _person(s.submitted_by), "submitted_at": cn_datetime(s.submitted_at),
             "files": [f.original_name for f in s.files.all()],
             "returned_by": _person(s.returned_by), "returned_at": cn_datetime(s.returned_at),
             "returned_from": state_label(s.returned_from), "return_reason": s.return_reason}
            for s in submissions if s.pk != final.pk
        ],
        "files": [
            {"name": f.original_name, "type": f.content_type, "kind": f.kind, "size": f.size,
             "size_label": human_size(f.size), "sha256": f.sha256, "uploaded_by": _person(f.uploaded_by),
             "uploaded_at": cn_datetime(f.uploaded_at), "uploaded_at_iso": f.uploaded_at.isoformat(),
             "rounds": rounds_of[f.pk]}
            for f in files
        ],
        "timeline": [
            {"seq": e.seq, "at": cn_datetime(e.occurred_at), "action": action_label(e.action),
             "actor": e.actor_label, "unit": e.unit_label, "role": roles.get(e.role, e.role),
             "from_state": state_label(e.from_state),
             # The 交办 event is the plan's; for this assignment it is the step into 已交办.
             "to_state": state_label("assigned" if e.action == "plan.dispatched" else e.to_state),
             "reason": e.reason, "dates": dates_changed(e)}
            for e in [*_dispatch_event(assignment), *events]
        ],
        "audit": {"seq": head.seq if head else 0, "hash": head.hash if head else ""},
        "seal": _seal(plan, final),
        "generated_at": cn_datetime(timezone.now()),
    }


def _dispatch_event(assignment) -> list:
    """The 交办 that made the assignment: its plan's dispatch event of the assignment's round, written
    in the same transaction just after the assignment (the event names the plan, not each assignment).
    An assignment made otherwise (a transfer) has its own first event, and none is added."""
    dispatched = (AuditEvent.objects.filter(action="plan.dispatched", plan_id=assignment.task.plan_id,
                                            occurred_at__gte=assignment.created_at)
                  .filter(Q(task_id__isnull=True) | Q(task_id=assignment.task_id)).order_by("seq")[:1])
    for event in dispatched:
        if json.loads(event.details or "{}").get("round") == assignment.round.name:
            return [event]
    return []


def _seal(plan, final) -> dict:
    """The signature block: the signing organisation (else the supervising unit), the acceptance
    date and the seal picture of that organisation."""
    name = organisation() or (plan.supervising_unit.full_name or plan.supervising_unit.short_name
                              if plan.supervising_unit else "")
    return {"name": name, "date": cn_date(timezone.localtime(final.accepted_at).date()) if final.accepted_at else "",
            "image": seal_data_uri(name)}


def manifest(report: dict) -> dict:
    """The machine-readable evidence manifest attached to the PDF (PDF/A-3 associated file)."""
    return {
        "plan": {"title": report["plan"]["title"], "doc_number": report["plan"]["doc_number"]},
        "task": report["task"]["number"],
        "assignment": report["assignment"]["id"],
        "unit": report["assignment"]["unit"],
        "round": report["assignment"]["round"],
        "accepted_submission": report["final"]["number"],
        "files": [{"name": f["name"], "type": f["type"], "size": f["size"], "sha256": f["sha256"],
                   "uploaded_by": f["uploaded_by"], "uploaded_at": f["uploaded_at_iso"],
                   "submissions": f["rounds"]} for f in report["files"]],
        "audit_head": report["audit"],
    }
