"""The assignment page and its actions (start, submit, approve, return, accept, due date).

The screens look each object up through a selector scoped to the user (hidden and absent both
give 404), call one service and map its refusal to a page with the same HTTP status
(403/404/409/400/413). Every state-changing view is POST-only and CSRF-protected.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditEvent
from workflows import filetypes
from workflows.access.policies import (
    ACTION_LABELS,
    assignment_permissions,
    available_actions,
    can_supervise,
    can_view_supervision,
    decide,
)
from workflows.access.scopes import assignments_visible_to
from workflows.archive.signing import subject_label
from workflows.models import (
    CLOSED_STATES,
    Archive,
    AssignmentState,
    Evidence,
    PartyRole,
    Submission,
    TaskParty,
)
from workflows.selectors import trail
from workflows.selectors.marks import countdown_label, row_marks
from workflows.selectors.periods import extension_panel, period_panel
from workflows.services import assignments as assignment_services
from workflows.services import dispatch as dispatch_services
from workflows.services import drafts as draft_services
from workflows.services.errors import ActionError

from ..forms import assignments as forms
from ..forms.periods import (
    ExtensionApproveForm,
    ExtensionRejectForm,
    ExtensionRequestForm,
    MilestoneForm,
    PeriodReportForm,
)

URL_NAMES = {"start": "approvals:assignment_start", "submit": "approvals:assignment_submit",
             "recall": "approvals:assignment_recall",
             "approve": "approvals:assignment_approve", "return": "approvals:assignment_return",
             "accept": "approvals:assignment_accept", "upload_evidence": "approvals:evidence_upload"}
# Service field names that the forms call differently.
FIELD_OF = {"files": "evidence_ids"}


def _not_found(request, message=""):
    return render(request, "approvals/not_found.html",
                  {"message": message or _("承办件不存在，或您无权查看。")}, status=404)


def _is_xhr(request) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


def _visible(request, pk: int):
    return assignments_visible_to(request.user).select_related("task__plan__supervising_unit").filter(pk=pk).first()


def _rounds(submissions: list[Submission]) -> list[Submission]:
    """Note on each submission what it changed against the one before it."""
    previous = None
    for submission in submissions:
        files = list(submission.files.all())
        submission.file_list = files
        if previous is not None:
            before = {f.pk: f for f in previous.file_list}
            after = {f.pk: f for f in files}
            submission.changes = {
                "report_changed": previous.report != submission.report,
                "added": [f for pk, f in after.items() if pk not in before],
                "removed": [f for pk, f in before.items() if pk not in after],
            }
        previous = submission
    return submissions


# A long life (many returns, many uploads) must not make the page grow without end: the timeline
# shows its latest events and each round its first files, with a link to show them all.
TIMELINE_SHOWN = 100
ROUND_FILES_SHOWN = 20
ROUNDS_SHOWN = 10


def _timeline(assignment_id: int, *, limit: int | None) -> tuple[list[AuditEvent], int]:
    """The assignment's events, oldest first: all of them, or the latest ``limit``; and how many were left out."""
    events = AuditEvent.objects.filter(assignment_id=assignment_id)
    if limit is None:
        events, hidden = list(events.order_by("seq")), 0
    else:
        latest = list(events.order_by("-seq")[: limit + 1])
        hidden = events.count() - limit if len(latest) > limit else 0
        events = latest[:limit][::-1]
    for event in events:
        event.from_label = trail.state_label(event.from_state)
        event.to_label = trail.state_label(event.to_state)
        event.role_label = trail.role_label(event.role)
        event.dates_label = trail.dates_changed(event)
    return events, hidden


def _action_form(action: str, current_files=(), data=None, files=None):
    auto_id = f"id_{action}_%s"
    if action == "submit":
        return forms.SubmitForm(data, files_available=current_files, auto_id=auto_id)
    if action == "upload_evidence":
        return forms.UploadForm(data, files, auto_id=auto_id)
    if action == "due_date":
        return forms.DueDateForm(data, auto_id=auto_id)
    form_class = {"start": forms.StartForm, "approve": forms.OpinionForm, "return": forms.ReturnForm,
                  "accept": forms.OpinionForm, "recall": forms.RecallForm}[action]
    return form_class(data, auto_id=auto_id)


def _page(request, assignment, *, bound=None, error="", status=200, period_form=None, period_report_id=None,
          extension_forms=None, milestone_form=None):
    """Render the assignment page: facts, timeline, rounds, current files and only my actions; with
    ``period_form`` (a refused 进展报告 of ``period_report_id``) or ``extension_forms`` (a refused
    延期申请 or decision), what was typed stays in its form."""
    user = request.user
    submissions = _rounds(list(
        assignment.submissions.select_related("submitted_by", "reviewed_by", "accepted_by", "returned_by",
                                              "opened_by", "recalled_by")
        .prefetch_related(Prefetch("files", queryset=Evidence.objects.order_by("id"))).order_by("number")))
    latest = submissions[-1] if submissions else None
    perms = assignment_permissions(user, assignment)
    actions = available_actions(user, assignment, perms=perms, submission=latest)
    if "approve" in actions:  # a reviewer has it before them: the unit can no longer recall it
        assignment_services.submission_mark_opened(actor=user, assignment=assignment, submission=latest)
    # The unit's submitter, once it was opened, is told why 撤回 is gone and what to do instead.
    recall = decide(user, assignment, "recall", perms=perms, submission=latest)
    recall_refused = recall.message if recall.status == 409 and recall.permission else ""
    current = list(assignment.evidence.filter(withdrawn_at__isnull=True).select_related("uploaded_by")
                   .annotate(rounds=Count("submissions")).order_by("id"))
    supervise = can_supervise(user, assignment.task.plan)
    action_forms = {a: _action_form(a, current) for a in actions}
    draft = draft_services.draft_for(user, assignment, latest) if "submit" in actions else None
    if draft is not None:
        action_forms["submit"].initial.update(report=draft.report, no_file_statement=draft.no_file_statement)
    if supervise:
        action_forms["due_date"] = forms.DueDateForm(initial={"due_date": assignment.due_date},
                                                     auto_id="id_due_date_%s")
    action_forms.update({a: f for a, f in (bound or {}).items() if a in action_forms})
    panels = [{"action": a, "label": ACTION_LABELS[a], "form": action_forms[a],
               "url": reverse(URL_NAMES[a], args=[assignment.pk])} for a in actions]
    returned = latest if latest and latest.return_reason and assignment.state == AssignmentState.IN_PROGRESS else None
    today = timezone.localdate()
    closed = assignment.state in CLOSED_STATES
    # What the summary bar says: the same marks as the work queue's row of this assignment.
    marks = row_marks([{"pk": assignment.pk, "state": assignment.state, "due_date": assignment.due_date}],
                      today)[assignment.pk]
    deciding = bool({"approve", "accept"} & set(actions))
    archive = Archive.objects.filter(assignment=assignment).first()
    shown_submissions = submissions if request.GET.get("rounds") == "all" else submissions[-ROUNDS_SHOWN:]
    whole_timeline = request.GET.get("timeline") == "all"
    timeline, timeline_hidden = _timeline(assignment.pk, limit=None if whole_timeline else TIMELINE_SHOWN)
    periods = period_panel(user, assignment, perms, today)
    if periods.due is not None and periods.may_file:
        periods.form = period_form if period_form is not None and period_report_id == periods.due.pk else \
            PeriodReportForm(initial={"text": periods.text, "percent": periods.due.percent}, auto_id="id_period_%s",
                             milestones=periods.open_milestones)
    if periods.may_edit_milestones:
        periods.milestone_form = milestone_form or MilestoneForm(auto_id="id_milestone_%s")
    extension = extension_panel(user, assignment, perms, today)
    typed = extension_forms or {}
    if extension.may_request:
        extension.form = typed.get("request") or ExtensionRequestForm(auto_id="id_extension_%s")
    if extension.may_decide:
        extension.approve_form = typed.get("approve") or ExtensionApproveForm(auto_id="id_extension_approve_%s")
        extension.reject_form = typed.get("reject") or ExtensionRejectForm(auto_id="id_extension_reject_%s")
    return render(request, "approvals/assignment_detail.html", {
        "assignment": assignment, "task": assignment.task, "plan": assignment.task.plan,
        "leads": TaskParty.objects.filter(task=assignment.task, role=PartyRole.LEAD).order_by("position"),
        "timeline": timeline, "timeline_hidden": timeline_hidden, "submissions": submissions,
        "shown_submissions": shown_submissions, "rounds_hidden": len(submissions) - len(shown_submissions),
        "round_files_shown": None if request.GET.get("files") == "all" else ROUND_FILES_SHOWN, "returned": returned,
        "current_files": current, "actions": actions, "panels": panels, "error": error,
        "due_form": None if closed else action_forms.get("due_date"), "may_withdraw": "upload_evidence" in actions,
        "overdue": assignment.due_date < today and not closed, "closed": closed, "marks": marks, "today": today,
        "deciding": deciding, "pending": latest if deciding else None, "previewable": filetypes.PREVIEWABLE,
        "days_over": (marks.working_days or 0) < 0, "countdown": countdown_label(marks.working_days),
        "archive": archive, "signer": subject_label(archive.signer) if archive else "", "supervise": supervise,
        "view_supervision": supervise or can_view_supervision(user, assignment.task.plan),
        "draft": draft, "recall_refused": recall_refused, "periods": periods, "extension": extension, "upload_errors": _upload_errors((bound or {}).get("upload_evidence")),
    }, status=status)


def _upload_errors(form) -> list[str]:
    """A refused upload's messages, for the 报送 form that holds the upload box."""
    if form is None or not form.is_bound:
        return []
    return [str(e) for e in form.non_field_errors()] + [str(e) for e in form.errors.get("file", [])]


@require_POST
@login_required
def assignment_draft(request, pk: int):
    """Keep what the clerk has typed in the 报送 form (the page's script posts it as they type)."""
    assignment = _visible(request, pk)
    if assignment is None:
        return JsonResponse({"ok": False, "message": _("承办件不存在")}, status=404) if _is_xhr(request) \
            else _not_found(request)
    try:
        draft = draft_services.draft_save(actor=request.user, assignment_id=assignment.pk,
                                          report=request.POST.get("report", ""),
                                          no_file_statement=request.POST.get("no_file_statement", ""))
    except ActionError as exc:
        if _is_xhr(request):
            return JsonResponse({"ok": False, "message": exc.message}, status=exc.status)
        return _refused(request, pk, exc, "submit", _action_form("submit", data=request.POST))
    saved = _("草稿已于 %(time)s 保存") % {"time": timezone.localtime(draft.updated_at).strftime("%H:%M:%S")}
    if _is_xhr(request):
        return JsonResponse({"ok": True, "message": saved})
    messages.success(request, saved)
    return redirect(assignment)


@require_GET
@login_required
def assignment_detail(request, pk: int):
    assignment = _visible(request, pk)
    if assignment is None:
        return _not_found(request)
    return _page(request, assignment)


def _refused(request, pk: int, exc: ActionError, action: str, form):
    """Answer a refused action with its message on the page and the same HTTP status."""
    if _is_xhr(request):
        return JsonResponse({"ok": False, "message": exc.message, "errors": exc.fields}, status=exc.status)
    assignment = _visible(request, pk)  # fresh: a 409 means the state moved under us
    if exc.status == 404 or assignment is None:
        return _not_found(request, exc.message)
    form.add_refusal(exc, FIELD_OF)
    return _page(request, assignment, bound={action: form}, error=exc.message, status=exc.status)


ACTIONS = {
    "start": (lambda user, pk, d: assignment_services.assignment_start(actor=user, assignment_id=pk),
              _l("已开始办理。")),
    "submit": (lambda user, pk, d: assignment_services.assignment_submit(
        actor=user, assignment_id=pk, report=d["report"], no_file_statement=d["no_file_statement"],
        evidence_ids=d["evidence_ids"]), _l("已报送，等待牵头部门审核。")),
    "recall": (lambda user, pk, d: assignment_services.assignment_recall(
        actor=user, assignment_id=pk, reason=d["reason"]), _l("已撤回报送，修改后可重新报送。")),
    "approve": (lambda user, pk, d: assignment_services.assignment_approve(
        actor=user, assignment_id=pk, opinion=d["opinion"]), _l("已审核通过，等待督办单位验收。")),
    "return": (lambda user, pk, d: assignment_services.assignment_return(
        actor=user, assignment_id=pk, reason=d["reason"]), _l("已退回，承办单位将看到退回理由。")),
    "accept": (lambda user, pk, d: assignment_services.assignment_accept(
        actor=user, assignment_id=pk, opinion=d["opinion"]), _l("已验收办结。")),
    "due_date": (lambda user, pk, d: dispatch_services.assignment_set_due_date(
        actor=user, assignment_id=pk, due_date=d["due_date"], reason=d["reason"]), _l("已调整办理期限。")),
}


@require_POST
@login_required
def assignment_action(request, pk: int, action: str):
    """Start, submit, approve, return, accept, or change the due date: one service call."""
    assignment = _visible(request, pk)
    if assignment is None:
        return _not_found(request)
    current = assignment.evidence.filter(withdrawn_at__isnull=True).order_by("id") if action == "submit" else ()
    form = _action_form(action, current, request.POST)
    if not form.is_valid():
        return _page(request, assignment, bound={action: form}, error=_("请检查填写的内容。"), status=400)
    call, done = ACTIONS[action]
    try:
        call(request.user, assignment.pk, form.cleaned_data)
    except ActionError as exc:
        return _refused(request, pk, exc, action, form)
    messages.success(request, done)
    return redirect(assignment)
