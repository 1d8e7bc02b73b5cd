"""Evidence files (upload with progress, download, withdraw) and the archived PDF of an assignment."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from workflows.access.scopes import assignments_visible_to
from workflows.models import Evidence
from workflows.services import drafts as draft_services
from workflows.services import evidence as evidence_services
from workflows.services.archive import archive_response
from workflows.services.errors import ActionError

from ..forms import assignments as forms
from .assignments import _action_form, _is_xhr, _not_found, _page, _refused, _visible


def _keep_draft(request, assignment) -> None:
    """The 报送 form's upload button posts the whole form: keep what was typed before anything else."""
    if "report" in request.POST or "no_file_statement" in request.POST:
        try:
            draft_services.draft_save(actor=request.user, assignment_id=assignment.pk,
                                      report=request.POST.get("report", ""),
                                      no_file_statement=request.POST.get("no_file_statement", ""))
        except ActionError:
            pass  # the upload below is refused for the same reason, and says it


@require_POST
@login_required
def evidence_upload(request, pk: int):
    """Store the chosen files (one by one, each all or nothing); answer JSON to the upload script
    (with the stored files, so the page adds them without reloading), a redirect to a plain post."""
    assignment = _visible(request, pk)
    if assignment is None:
        return JsonResponse({"ok": False, "message": _("承办件不存在")}, status=404) if _is_xhr(request) \
            else _not_found(request)
    _keep_draft(request, assignment)
    form = _action_form("upload_evidence", data=request.POST, files=request.FILES)
    if not form.is_valid():
        if _is_xhr(request):
            errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
            return JsonResponse({"ok": False, "message": _("请选择要上传的文件"), "errors": errors}, status=400)
        return _page(request, assignment, bound={"upload_evidence": form}, error=_("请选择要上传的文件。"), status=400)
    stored = []
    for upload in form.cleaned_data["file"]:
        try:
            stored.append(evidence_services.evidence_upload(actor=request.user, assignment_id=assignment.pk,
                                                            upload=upload))
        except ActionError as exc:
            if stored:  # what went in stays in, and the page says which file stopped and why
                exc = type(exc)(_("已上传：%(done)s；“%(name)s”未上传：%(error)s") % {
                    "done": "、".join(e.original_name for e in stored), "name": upload.name, "error": exc.message},
                    fields=exc.fields)
            return _refused(request, pk, exc, "upload_evidence", form)
    done = _("已上传“%(name)s”。") % {"name": "”“".join(e.original_name for e in stored)}
    if _is_xhr(request):
        return JsonResponse({"ok": True, "message": done, "redirect": assignment.get_absolute_url(),
                             "files": [{"id": e.pk, "name": e.original_name, "size": e.size} for e in stored]})
    messages.success(request, done)
    return redirect(assignment)


def _evidence_assignment(request, evidence_id: int):
    """The file's assignment if the user may see it (else None: 404 like an absent file)."""
    assignment_id = (Evidence.objects.filter(pk=evidence_id, assignment__in=assignments_visible_to(request.user))
                     .values_list("assignment_id", flat=True).first())
    return assignment_id


@require_GET
@login_required
@xframe_options_sameorigin
def evidence_download(request, evidence_id: int):
    """The file as an attachment; with ``?inline=1`` a PDF or image is shown in the page (在线预览),
    framed by this site only. Its type was read from its bytes at upload, never from its name."""
    if _evidence_assignment(request, evidence_id) is None:
        return _not_found(request, _("佐证材料不存在，或您无权查看。"))
    wants_inline = request.GET.get("inline") == "1"
    try:
        evidence, handle = evidence_services.evidence_open(actor=request.user, evidence_id=evidence_id,
                                                           preview=wants_inline)
    except ActionError as exc:
        return _error_page(request, exc)
    inline = wants_inline and evidence_services.evidence_previewable(evidence)
    response = FileResponse(handle, content_type=evidence.content_type or "application/octet-stream")
    response["Content-Disposition"] = evidence_services.content_disposition(evidence.original_name, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    if inline:  # framed by this site's page only; an image shown alone loads nothing else
        response["Content-Security-Policy"] = ("frame-ancestors 'self'" if evidence.content_type == "application/pdf" else
                                               "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                                               "frame-ancestors 'self'")
    return response


def _error_page(request, exc: ActionError):
    """A refused download: the not-found page for 404, else the refusal page with its status."""
    if exc.status == 404:
        return _not_found(request, exc.message)
    return render(request, "approvals/refused.html", {"message": exc.message}, status=exc.status)


@require_GET
@login_required
def archive_download(request, pk: int):
    """The archived PDF, for those who can see the assignment; checked against its hash, recorded."""
    if _visible(request, pk) is None:
        return _not_found(request)
    try:
        return archive_response(request.user, pk)
    except ActionError as exc:
        return _error_page(request, exc)


@require_POST
@login_required
def evidence_withdraw(request, evidence_id: int):
    assignment_id = _evidence_assignment(request, evidence_id)
    if assignment_id is None:
        return _not_found(request, _("佐证材料不存在，或您无权查看。"))
    try:
        evidence = evidence_services.evidence_withdraw(actor=request.user, evidence_id=evidence_id)
    except ActionError as exc:
        return _refused(request, assignment_id, exc, "upload_evidence", forms.UploadForm())
    messages.success(request, _("已撤下“%(name)s”。") % {"name": evidence.original_name})
    return redirect("approvals:assignment_detail", assignment_id)
