"""Evidence files (佐证材料): upload, download and withdrawal.

Files are checked by content (``workflows.filetypes``), hashed while they are copied, and
stored under MEDIA_ROOT with a server-chosen name; the uploader's name is metadata only.
Nothing is ever deleted: a withdrawn file keeps its row and its bytes.

Size limits (settings):
- ``EVIDENCE_MAX_FILE_BYTES`` (default 50 MB): one file.
- ``EVIDENCE_MAX_ROUND_BYTES`` (default 200 MB): the files the assignment's next submission can
  carry, i.e. every non-withdrawn file of the assignment not attached to an accepted submission,
  plus the new one. Files of a returned submission still count: they remain current and are
  carried into the next submission unless the submitter leaves them out.
- ``EVIDENCE_MAX_ROUND_FILES`` (default 50): how many such files there may be. Without it one
  assignment took 3,000 uploads, and its page, its acceptance and its archive grew without end.
"""
from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
import unicodedata
from urllib.parse import quote

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event

from .. import filetypes
from ..access.policies import Decision, assignment_permissions, decide
from ..models import Assignment, Evidence
from ..uploads import process_dir
from .common import acting_unit, assignment_label, locked_assignment, viewer_of
from .errors import Invalid, Missing, NotFound, TooLarge, WrongState, raise_for

CHUNK_BYTES = 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_ROUND_BYTES = 200 * 1024 * 1024
DEFAULT_MAX_ROUND_FILES = 50


logger = logging.getLogger(__name__)


def max_file_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES))


def max_round_bytes() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_ROUND_BYTES", DEFAULT_MAX_ROUND_BYTES))


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f} MB" if value >= 1 else _("%(size)s 字节") % {"size": size}


def max_round_files() -> int:
    return int(getattr(settings, "EVIDENCE_MAX_ROUND_FILES", DEFAULT_MAX_ROUND_FILES))


def _round_files(assignment: Assignment):
    return (Evidence.objects.filter(assignment=assignment, withdrawn_at__isnull=True)
            .exclude(submissions__accepted_at__isnull=False))


def round_bytes(assignment: Assignment) -> int:
    """Sum the sizes of the files the assignment's next submission can carry (see the module doc)."""
    return _round_files(assignment).aggregate(total=Sum("size"))["total"] or 0


def _refuse_too_many_files(assignment: Assignment) -> None:
    limit = max_round_files()
    if _round_files(assignment).count() >= limit:
        message = _("本轮佐证材料最多 %(limit)s 个文件，已达上限；请先撤下不需要的文件，或把多个文件合并为一个压缩包后再上传") % {
            "limit": limit}
        raise TooLarge(_("文件过多：%(message)s") % {"message": message}, fields={"file": [message]})


def _spool(upload, limit: int):
    """Copy the upload into a temporary file, counting and hashing what actually arrives.

    Return (file, size, sha256, head) or raise TooLarge as soon as the limit is passed; the
    declared ``upload.size`` is only a first, cheap refusal.
    """
    too_large = TooLarge(_("文件过大：单个文件不能超过 %(limit)s") % {"limit": _megabytes(limit)},
                         fields={"file": [_("单个文件不能超过 %(limit)s") % {"limit": _megabytes(limit)}]})
    if (getattr(upload, "size", None) or 0) > limit:
        raise too_large
    spooled = tempfile.TemporaryFile(dir=process_dir())
    try:
        digest, size = hashlib.sha256(), 0
        for chunk in upload.chunks(CHUNK_BYTES):
            size += len(chunk)
            if size > limit:
                raise too_large
            digest.update(chunk)
            spooled.write(chunk)
        spooled.flush()
        spooled.seek(0)
        head = spooled.read(filetypes.HEAD_BYTES)
        return spooled, size, digest.hexdigest(), head
    except BaseException:
        spooled.close()
        raise


def _may_take(actor, assignment: Assignment, size: int | None = None) -> Decision:
    """Refuse (404/403/409, then 413) what this upload may not add to the assignment now."""
    decision = decide(actor, assignment, "upload_evidence")
    raise_for(decision)
    _refuse_too_many_files(assignment)
    limit = max_round_bytes()
    if size is not None and round_bytes(assignment) + size > limit:
        message = _("本轮佐证材料合计不能超过 %(limit)s") % {"limit": _megabytes(limit)}
        raise TooLarge(_("文件过大：%(message)s") % {"message": message}, fields={"file": [message]})
    return decision


def evidence_upload(*, actor, assignment_id: int, upload) -> Evidence:
    """Store an evidence file for an assignment, or nothing at all.

    Refusals, in this order: 404 (absent or not visible), 403 (not the responsible unit),
    409 (not 已交办/办理中), 413 (the round's files too many, or the file or the round too
    large), 400 (a name or content we do not accept). A refused or failed upload leaves no row,
    no stored file and no event; the temporary copy is always removed.

    The copy and the content check (which inflates every member of a zip) run before the
    transaction, after a first check of the rights and limits without a lock: they can take
    seconds, and the assignment's row lock (on SQLite the database's write lock) is held only
    for the second check, the store and the record.
    """
    stored_name = None
    spooled = None
    storage = Evidence._meta.get_field("file").storage
    try:
        assignment = (Assignment.objects.select_related("task__plan", "unit", "round")
                      .filter(pk=assignment_id).first())
        if assignment is None:
            raise NotFound(_("承办件不存在"))
        _may_take(actor, assignment)
        spooled, size, sha256, head = _spool(upload, max_file_bytes())
        _may_take(actor, assignment, size)
        try:
            name = filetypes.clean_name(getattr(upload, "name", "") or "")
            kind = filetypes.sniff(head, name, read_more=lambda: spooled)
        except filetypes.FileRejected as exc:
            raise Invalid(exc.message, fields={"file": [exc.message]}) from None
        # Durable: the file store is not transactional, so this must be the outermost
        # transaction; otherwise an outer rollback would leave the stored file behind.
        with transaction.atomic(durable=True):
            assignment = locked_assignment(assignment_id)
            decision = _may_take(actor, assignment, size)  # again, under the lock: another upload may have won
            evidence = Evidence(
                assignment=assignment, storage_token=secrets.token_hex(8), original_name=name,
                content_type=kind.content_type, kind=kind.kind, size=size, sha256=sha256, uploaded_by=actor,
            )
            spooled.seek(0)
            # The file is written after every check, so a refusal never touches the store.
            evidence.file.save("evidence", File(spooled, name="evidence"), save=False)
            stored_name = evidence.file.name
            evidence.save()
            record_event(
                action="assignment.evidence_uploaded", actor=actor,
                unit=acting_unit(assignment, decision, actor), role=decision.role,
                target=assignment, target_label=assignment_label(assignment),
                plan_id=assignment.task.plan_id, task_id=assignment.task_id, assignment_id=assignment.pk,
                details={"evidence": evidence.pk, "name": name, "size": size, "sha256": sha256,
                         "kind": kind.kind},
            )
    except BaseException:
        if stored_name:
            storage.delete(stored_name)
        raise
    finally:
        if spooled is not None:
            spooled.close()
    return evidence


def evidence_open(*, actor, evidence_id: int, preview: bool = False):
    """Open an evidence file for download by someone who can see its assignment; record it.

    ``preview`` asks for it to be shown in the page: granted (and recorded as a preview) only for a
    type a browser shows without running anything of the file's (``filetypes.PREVIEWABLE``); the
    caller reads whether it was granted from ``evidence_previewable(evidence)``.

    Return (evidence, binary file object); the caller closes the file. Anyone who may not
    see the assignment gets NotFound, exactly as for a file that does not exist.
    """
    evidence = (Evidence.objects.select_related("assignment__task__plan", "assignment__unit")
                .filter(pk=evidence_id).first())
    if evidence is None:
        raise NotFound(_("佐证材料不存在"))
    assignment = evidence.assignment
    perms = assignment_permissions(actor, assignment)
    if "view_assignment" not in perms:
        raise NotFound(_("佐证材料不存在"))
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except FileNotFoundError:
        # A recorded file missing from the store is an integrity failure, not a "not found".
        logger.error("evidence %s: stored file %s is missing", evidence.pk, evidence.file.name)
        raise Missing(_("该佐证材料的存储文件缺失，已记录，请联系系统管理员")) from None
    try:
        unit, role = viewer_of(actor, assignment, perms)
        with transaction.atomic(durable=True):
            record_event(
                action="assignment.evidence_previewed" if preview and evidence_previewable(evidence)
                else "assignment.evidence_downloaded",
                actor=actor, unit=unit, role=role,
                target=assignment, target_label=assignment_label(assignment),
                plan_id=assignment.task.plan_id, task_id=assignment.task_id, assignment_id=assignment.pk,
                details={"evidence": evidence.pk, "name": evidence.original_name, "sha256": evidence.sha256},
            )
    except BaseException:
        handle.close()
        raise
    return evidence, handle


def evidence_previewable(evidence: Evidence) -> bool:
    return evidence.content_type in filetypes.PREVIEWABLE


def evidence_withdraw(*, actor, evidence_id: int) -> Evidence:
    """Take a not-yet-submitted file out of the current set (撤下); its row and bytes stay.

    Only someone who may upload to the assignment now may withdraw; a file that is part of
    any submission cannot be withdrawn (it belongs to a frozen round).
    """
    with transaction.atomic(durable=True):
        assignment_id = Evidence.objects.filter(pk=evidence_id).values_list("assignment_id", flat=True).first()
        if assignment_id is None:
            raise NotFound(_("佐证材料不存在"))
        # Lock the assignment first, as uploads and transitions do, then the file.
        assignment = locked_assignment(assignment_id)
        decision = decide(actor, assignment, "upload_evidence")
        if decision.status == 404:
            raise NotFound(_("佐证材料不存在"))
        raise_for(decision)
        evidence = Evidence.objects.select_for_update(of=("self",)).get(pk=evidence_id)
        if evidence.withdrawn_at is not None:
            raise WrongState(_("该材料已撤下"))
        if evidence.submissions.exists():
            raise WrongState(_("已报送的材料不能撤下"))
        evidence.withdrawn_at = timezone.now()
        evidence.save(update_fields=["withdrawn_at"])
        record_event(
            action="assignment.evidence_withdrawn", actor=actor,
            unit=acting_unit(assignment, decision, actor), role=decision.role,
            target=assignment, target_label=assignment_label(assignment),
            plan_id=assignment.task.plan_id, task_id=assignment.task_id, assignment_id=assignment.pk,
            details={"evidence": evidence.pk, "name": evidence.original_name, "sha256": evidence.sha256},
        )
    return evidence


def content_disposition(original_name: str, *, inline: bool = False) -> str:
    """Build a safe ``Content-Disposition: attachment`` (or ``inline``) value for a stored original name.

    The quoted ``filename`` is an ASCII fallback in which anything but letters, digits and
    ``._-()`` and spaces becomes ``_``; ``filename*`` carries the real name percent-encoded in
    UTF-8. No quote, backslash, CR/LF or path separator can get through either.
    """
    name = "".join("_" if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch
                   for ch in (original_name or ""))
    name = name.replace("/", "_").replace("\\", "_").strip() or "file"
    fallback = "".join(ch if (ch.isascii() and (ch.isalnum() or ch in "._-() ")) else "_" for ch in name)
    ext = filetypes.extension(fallback)
    if not fallback[: len(fallback) - len(ext)].strip("_. "):  # nothing readable left of the name
        fallback = "file" + (ext if ext[1:].isalnum() else "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
