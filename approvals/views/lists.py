"""The lists of assignments: 我的待办 (what waits for me) and everything I may see, filtered."""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_GET, require_POST

from workflows.access.policies import supervised_unit_ids
from workflows.access.scopes import (
    assignments_visible_to,
    extension_requests_to_decide,
    transfer_requests_to_decide,
)
from workflows.lights import LIGHTS, horizon, lights_for_dues, with_light
from workflows.models import AssignmentState
from workflows.selectors.inbox import InboxIds, inbox_counts, inbox_rows
from workflows.selectors.marks import row_marks
from workflows.services import batch as batch_services
from workflows.services.errors import ActionError
from workflows.services.evidence import content_disposition
from workflows.supervision import exports

from ..forms import assignments as forms

PAGE_SIZE = 50
TRANSFERS_SHOWN = 5
# What each waiting state asks of the person who has it in 我的待办.
WAITING_LABELS = {"assigned": _l("待开始办理"), "in_progress": _l("待报送"), "submitted": _l("待审核"),
                  "lead_reviewed": _l("待验收")}


@require_GET
@login_required
def inbox(request):
    """我的待办: what waits for me, by due date, with counts per state and per light; three queries.

    From the person's rows of ``InboxItem`` (an index range per group, the index covering what is
    read): one counts them per state and per light (``inbox_counts``); one reads the page's ids in
    order (``InboxIds``); one reads those 50 assignments as plain values (no model instances). The
    joins are made for the 50 rows shown only, however long the list.
    """
    today = timezone.localdate()
    light = request.GET.get("light")
    light = light if light in LIGHTS else ""
    light_of_due = lights_for_dues(today)
    today, last_yellow = horizon(today)
    counts = dict.fromkeys([*WAITING_LABELS, *LIGHTS], 0) | inbox_counts(request.user, today, last_yellow)
    total = sum(counts[state] for state in WAITING_LABELS)
    ids = InboxIds(request.user, counts[light] if light else total, light, today, last_yellow)
    page = Paginator(ids, PAGE_SIZE, allow_empty_first_page=True).get_page(request.GET.get("page"))
    page.object_list = [row | {"light": light_of_due(row["light_due"])} for row in inbox_rows(page.object_list)]
    marks = row_marks(page.object_list, today)
    summary = [{"state": state, "label": WAITING_LABELS[state], "state_label": label,
                "count": counts[state]}
               for state, label in AssignmentState.choices if state in WAITING_LABELS]
    lights = [{"light": k, "label": label, "count": counts[k], "chosen": k == light}
              for k, label in LIGHTS.items()]
    # The 调整申请 this person decides wait here too (the first few; the rest on 调整申请).
    transfers = list(transfer_requests_to_decide(request.user)[:TRANSFERS_SHOWN + 1])
    extensions = list(extension_requests_to_decide(request.user)[:TRANSFERS_SHOWN + 1])
    request.menu_counts = {"inbox": total}
    return render(request, "approvals/inbox.html", {
        "page": page, "summary": summary, "total": total, "lights": lights, "light": light,
        "today": today, "marks": marks, "transfers": transfers[:TRANSFERS_SHOWN],
        "more_transfers": len(transfers) > TRANSFERS_SHOWN, "extensions": extensions[:TRANSFERS_SHOWN],
        "more_extensions": len(extensions) > TRANSFERS_SHOWN})


def _filtered(request, data):
    """The 承办件 filter form for ``data`` and what it selects (None when the form is invalid)."""
    form = forms.AssignmentFilterForm(data)
    if not form.is_valid():
        return form, None
    visible = assignments_visible_to(request.user).select_related("task__plan", "unit", "round")
    return form, form.filter(visible.order_by("due_date", "id"), user=request.user)


@require_GET
@login_required
def assignment_list(request):
    """Everything I may see, filtered (keyword, plan, unit, state, light, 只看我的待办), in keyset
    pages of 50 by (due date, id); the same selection exports to XLSX."""
    form, selected = _filtered(request, request.GET)
    if selected is None:
        return render(request, "approvals/assignment_list.html", {"form": form, "items": []}, status=400)
    today = timezone.localdate()
    rows = list(with_light(selected, today)[:PAGE_SIZE + 1])
    items, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    next_query = ""
    if more:
        query = request.GET.copy()
        query["after"] = f"{items[-1].due_date.isoformat()}_{items[-1].pk}"
        next_query = query.urlencode()
    first_query = request.GET.copy()
    first_query.pop("after", None)
    return render(request, "approvals/assignment_list.html", {
        "form": form, "items": items, "next_query": next_query, "first_query": first_query.urlencode(),
        "paged": bool(form.cleaned_data.get("after")), "today": today, "export_query": first_query.urlencode(),
        # The supervising office ticks rows for 批量操作 (each item is still checked by its service).
        "pick": bool(items) and bool(supervised_unit_ids(request.user)), "batch_form": forms.BatchForm(),
        "back": request.get_full_path(), "batch_limit": batch_services.BATCH_LIMIT,
        "marks": row_marks([{"pk": a.pk, "state": a.state, "due_date": a.due_date} for a in items], today)})


@require_POST
@login_required
def assignment_batch(request):
    """批量催办 / 批量验收办结 / 批量调整办理期限 of the ticked assignments: each through its own
    service; the page lists what was done and what was refused, with the reason, and leads back."""
    form = forms.BatchForm(request.POST)
    back = form.data.get("back", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) or not back.startswith("/"):
        back = reverse("approvals:assignment_list")
    if not form.is_valid():
        return render(request, "approvals/batch_result.html", {"form": form, "back": back}, status=400)
    data = form.cleaned_data
    try:
        outcomes = batch_services.batch_apply(actor=request.user, action=data["action"], assignment_ids=data["ids"],
                                              message=data["message"], opinion=data["opinion"],
                                              due_date=data["due_date"], reason=data["reason"])
    except ActionError as exc:
        return render(request, "approvals/batch_result.html", {"form": form, "back": back, "error": exc.message},
                      status=exc.status)
    done = sum(o.done for o in outcomes)
    return render(request, "approvals/batch_result.html", {
        "form": form, "back": back, "outcomes": outcomes, "done": done, "refused": len(outcomes) - done,
        "action_label": batch_services.BATCH_ACTIONS[data["action"]]})


@require_GET
@login_required
def assignment_export(request):
    """The filtered 承办件 as an XLSX workbook (every page of it, not only the one shown)."""
    query = request.GET.copy()
    query.pop("after", None)
    form, selected = _filtered(request, query)
    if selected is None:
        return render(request, "approvals/assignment_list.html", {"form": form, "items": []}, status=400)
    rows = list(selected[:exports.LIST_EXPORT_LIMIT + 1])
    if len(rows) > exports.LIST_EXPORT_LIMIT:
        form.add_error(None, _("符合条件的承办件超过 %(n)s 件，请缩小筛选范围后再导出。")
                       % {"n": exports.LIST_EXPORT_LIMIT})
        return render(request, "approvals/assignment_list.html", {"form": form, "items": []}, status=400)
    today = timezone.localdate()
    response = HttpResponse(exports.assignment_list_workbook(rows, today), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = content_disposition(f"承办件-{today:%Y%m%d}.xlsx")
    return response


# ----- the assignment page ----------------------------------------------------------------------
