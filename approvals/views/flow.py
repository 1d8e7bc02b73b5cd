"""The workflow pages: my unit's queue (open steps) and my history (已办).

Both answer from our own policies and tables, a constant number of queries per page, and send
an anonymous visitor to the login page (viewflow 2.4's own pages answer 403).
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from workflows.access.scopes import assignments_visible_to

from ..flows import attach_assignments, done_tasks_for, flow_tasks, open_tasks_for

PAGE_SIZE = 50


def assignment_url(assignment_id: int) -> str:
    """The assignment page, or the queue while that page is not routed yet."""
    try:
        return reverse("approvals:assignment_detail", args=[assignment_id])
    except NoReverseMatch:
        return reverse("flow:queue")


@require_GET
@login_required
def task_redirect(request, task_pk: int, process_pk: int | None = None):
    """Lead from a workflow step to its assignment page (404 when the assignment is not visible)."""
    task = flow_tasks().select_related("process").filter(pk=task_pk).first()
    if task is None or not assignments_visible_to(request.user).filter(pk=task.process.artifact_object_id).exists():
        raise Http404(_("流程环节不存在"))
    return redirect(assignment_url(task.process.artifact_object_id))


def _page(request, queryset):
    paginator = Paginator(queryset, PAGE_SIZE, allow_empty_first_page=True)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = attach_assignments(list(page.object_list))
    return page


@require_GET
@login_required
def queue(request):
    """My unit's queue: the open steps that one of my unit roles must take."""
    page = _page(request, open_tasks_for(request.user))
    return render(request, "approvals/flow_queue.html", {"page": page, "title": _("本单位待办队列")})


@require_GET
@login_required
def done(request):
    """我的已办: the steps I completed, newest first."""
    page = _page(request, done_tasks_for(request.user))
    return render(request, "approvals/flow_done.html", {"page": page, "title": _("我的已办")})
