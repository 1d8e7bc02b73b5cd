"""The one writer of the audit trail, and the checkpoints that pin it outside the database."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Model
from django.utils import timezone

from . import context
from .actions import ACTIONS
from .chain import CANONICAL_FIELDS, GENESIS_HASH, canonical_json, event_hash, timestamp
from .models import AnonymousWindow, AuditCheckpoint, AuditEvent, AuditHead, AuditVerification
from .verification import VerificationResult, read_checkpoints, verify_rows


class AuditOutsideTransaction(RuntimeError):
    """record_event must run inside the caller's transaction, with the change it records."""


class UnknownAuditAction(ValueError):
    pass


def escape_label(text: str, limit: int = 300) -> str:
    """Make user-supplied text safe to show on one line: control characters become \\xNN escapes."""
    out = []
    for ch in str(text):
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp"):
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 256 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)[:limit]


def user_label(user) -> str:
    if user is None or not getattr(user, "pk", None):
        return ""
    full_name = user.get_full_name().strip()
    return escape_label(f"{full_name}（{user.get_username()}）" if full_name else user.get_username(), 200)


def record_event(
    *,
    action: str,
    actor=None,
    unit=None,
    role: str = "",
    target: Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    plan_id: int | None = None,
    task_id: int | None = None,
    assignment_id: int | None = None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    details: dict | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction, and return it.

    Refuses to run outside a transaction: the event must commit or roll back with the change
    it records, so a rolled-back change leaves neither an event nor a gap in the sequence.
    Appends are serialised by locking the head row (PostgreSQL); SQLite's IMMEDIATE
    transactions already hold the database's write lock. ``ip`` replaces the running request's
    address (a summary written later names the address it summarises).
    """
    if action not in ACTIONS:
        raise UnknownAuditAction(f"unregistered audit action: {action!r}")
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction("record_event must be called inside transaction.atomic()")
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)
    request = context.current()
    head, _created = AuditHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"seq": 0, "hash": GENESIS_HASH}
    )
    actor = actor if getattr(actor, "pk", None) else None
    event = AuditEvent(
        seq=head.seq + 1,
        occurred_at=context.now(),
        actor=actor,
        actor_label=user_label(actor),
        unit=unit,
        unit_label=escape_label(str(unit), 200) if unit is not None else "",
        role=role,
        action=action,
        target_type=target_type,
        target_id=str(target_id)[:64],
        target_label=escape_label(target_label),
        plan_id=plan_id,
        task_id=task_id,
        assignment_id=assignment_id,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        details=canonical_json(details or {}),
        request_id=request.request_id,
        ip=(request.ip if ip is None else ip)[:64],
        user_agent=escape_label(request.user_agent),
        prev_hash=head.hash,
    )
    event.hash = event_hash(tuple(getattr(event, f) for f in CANONICAL_FIELDS))
    event.save()
    AuditHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    return event


def record_events_bulk(rows: Iterable[tuple], *, write: Callable[[list[tuple]], None] | None = None,
                       batch_size: int = 5000) -> int:
    """Append events a data load replays, in the order given, inside the caller's transaction: each
    hashed exactly as ``record_event`` hashes it, continuing the chain, and the head moved once.

    Each row holds the ``CANONICAL_FIELDS`` values but ``seq`` and ``prev_hash``, in that order
    (``occurred_at`` a datetime, ``details`` canonical JSON text). ``write`` stores one batch of full
    rows (the ``CANONICAL_FIELDS`` values, then ``hash``); by default ``bulk_create``. Return how many.
    """
    if not transaction.get_connection().in_atomic_block:
        raise AuditOutsideTransaction("record_events_bulk must be called inside transaction.atomic()")
    write = write or _bulk_create
    head, _created = AuditHead.objects.select_for_update().get_or_create(
        pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})
    seq, previous, batch, count = head.seq, head.hash, [], 0
    action_at = CANONICAL_FIELDS.index("action") - 1  # the rows have no seq
    for body in rows:
        if body[action_at] not in ACTIONS:
            raise UnknownAuditAction(f"unregistered audit action: {body[action_at]!r}")
        seq += 1
        values = (seq, *body, previous)
        previous = event_hash(values)
        batch.append((*values, previous))
        count += 1
        if len(batch) >= batch_size:
            write(batch)
            batch = []
    if batch:
        write(batch)
    AuditHead.objects.filter(pk=1).update(seq=seq, hash=previous)
    return count


def _bulk_create(batch: list[tuple]) -> None:
    names = [*CANONICAL_FIELDS, "hash"]
    AuditEvent.objects.bulk_create([AuditEvent(**dict(zip(names, row, strict=True))) for row in batch])


def head_seq() -> int:
    """The sequence number of the trail's last event (0 before the first): it moves with every change."""
    return AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0


def record_refusal(*, action: str = "access.denied", actor=None, reason: str = "", **fields) -> AuditEvent:
    """Record a refused attempt in a transaction of its own (the refused change has none)."""
    with transaction.atomic():
        return record_event(action=action, actor=actor, reason=reason, **fields)


# Sources that have not signed in ---------------------------------------------------------------

ALL_ADDRESSES = "*"  # the window that counts every address once the overall limit is reached
SAMPLES_KEPT = 5


def _window_start(now: dt.datetime) -> dt.datetime:
    seconds = max(1, int(settings.AUDIT_ANONYMOUS_WINDOW_SECONDS))
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def _locked_window(ip: str, start: dt.datetime) -> AnonymousWindow:
    try:
        with transaction.atomic():  # a savepoint: another process may create the row first
            AnonymousWindow.objects.get_or_create(ip=ip, window_start=start)
    except IntegrityError:
        pass
    return AnonymousWindow.objects.select_for_update().get(ip=ip, window_start=start)


TARGETS_KEPT = 20
OTHER_TARGETS = "（其他）"


def _count(window: AnonymousWindow, *, action: str, path: str, ip: str, now: dt.datetime, target: str) -> None:
    window.suppressed += 1
    window.first_at = window.first_at or now
    window.last_at = now
    window.actions = {**window.actions, action: window.actions.get(action, 0) + 1}
    # Which accounts were tried, so the trail still says who was targeted (bounded: a few names).
    key = target if target in window.targets or len(window.targets) < TARGETS_KEPT else OTHER_TARGETS
    window.targets = {**window.targets, key: window.targets.get(key, 0) + 1}
    if len(window.samples) < SAMPLES_KEPT:
        window.samples = [*window.samples, {"action": action, "path": escape_label(path, 200), "ip": ip}]
    window.save()


def record_anonymous(*, action: str, path: str = "", **fields) -> AuditEvent | None:
    """Record an event of a source that has not signed in (a failed sign-in, a refused request), or
    only count it once that source has had its share of the trail; return the event or None.

    Each address may write ``AUDIT_ANONYMOUS_EVENTS_PER_WINDOW`` events one by one in each window
    of ``AUDIT_ANONYMOUS_WINDOW_SECONDS``, and all addresses together
    ``AUDIT_ANONYMOUS_EVENTS_PER_WINDOW_ALL``; what comes beyond is counted per address (or, past
    the overall limit, for all addresses at once) and written as one ``access.anonymous_summary``
    event when the window has closed. So the attempts stay on the record, and an attacker cannot
    bury real events under millions of rows that can never be deleted. Runs in a transaction of
    its own (the refused request has none).
    """
    now = timezone.now()
    start = _window_start(now)
    ip = context.current().ip or ""
    with transaction.atomic():
        _flush_closed(now)
        overall = _locked_window(ALL_ADDRESSES, start)
        own = _locked_window(ip, start)
        target = escape_label(fields.get("target_label", ""), 150)
        if own.recorded >= settings.AUDIT_ANONYMOUS_EVENTS_PER_WINDOW:
            _count(own, action=action, path=path, ip=ip, now=now, target=target)
            return None
        if overall.recorded >= settings.AUDIT_ANONYMOUS_EVENTS_PER_WINDOW_ALL:
            _count(overall, action=action, path=path, ip=ip, now=now, target=target)
            return None
        AnonymousWindow.objects.filter(pk__in=[own.pk, overall.pk]).update(recorded=F("recorded") + 1)
        return record_event(action=action, **fields)


def _flush_closed(now: dt.datetime) -> int:
    """Write the summary of every closed window that counted something; forget closed windows."""
    written = 0
    for window in (AnonymousWindow.objects.select_for_update()
                   .filter(window_start__lt=_window_start(now)).order_by("window_start", "ip")):
        if window.suppressed:
            everyone = window.ip == ALL_ADDRESSES
            label = "所有来源（超过总量上限）" if everyone else window.ip
            with context.outside_request():  # the summary is not the request that happens to flush it
                _record_summary(window, everyone=everyone, label=label)
            written += 1
        window.delete()
    return written


def _record_summary(window: AnonymousWindow, *, everyone: bool, label: str) -> None:
    record_event(
        action="access.anonymous_summary", ip="" if everyone else window.ip,
        target_type="ip", target_id=window.ip, target_label=label,
        reason=f"未登录来源在 {timestamp(window.window_start)} 起的时段内另有 {window.suppressed} 次请求，合并记录",
        details={"address": window.ip, "window_start": timestamp(window.window_start),
                 "window_seconds": int(settings.AUDIT_ANONYMOUS_WINDOW_SECONDS),
                 "recorded_one_by_one": window.recorded, "count": window.suppressed,
                 "first": timestamp(window.first_at), "last": timestamp(window.last_at),
                 "actions": window.actions, "targets": window.targets, "samples": window.samples},
    )


def flush_anonymous_windows(*, now: dt.datetime | None = None) -> int:
    """Write the summaries of closed windows now (``audit_checkpoint`` does, before it signs)."""
    with transaction.atomic():
        return _flush_closed(now or timezone.now())


# Checkpoints -------------------------------------------------------------------------------

def _checkpoint_key() -> bytes:
    key = settings.AUDIT_CHECKPOINT_KEY
    if not key:
        raise RuntimeError("AUDIT_CHECKPOINT_KEY is not set: checkpoints need a key from the environment")
    return key.encode("utf-8")


def checkpoint_mac(seq: int, head_hash: str, at: str, key: bytes | None = None) -> str:
    message = f"{seq}|{head_hash}|{at}".encode("ascii")
    return hmac.new(key or _checkpoint_key(), message, hashlib.sha256).hexdigest()


def write_checkpoint(path: str | os.PathLike | None = None) -> dict:
    """Append a signed line (sequence number, head hash, time) to the checkpoint file."""
    key = _checkpoint_key()
    flush_anonymous_windows()  # what closed windows counted is in the trail before it is pinned
    with transaction.atomic():
        head = AuditHead.objects.filter(pk=1).first()
        seq, head_hash = (head.seq, head.hash) if head else (0, GENESIS_HASH)
    at = timestamp(timezone.now())
    line = {"seq": seq, "hash": head_hash, "time": at, "alg": "HMAC-SHA256",
            "mac": checkpoint_mac(seq, head_hash, at, key)}
    target = Path(path or settings.AUDIT_CHECKPOINT_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    # Recorded after the line is safely written: a recorded checkpoint is always in its file.
    AuditCheckpoint.objects.create(seq=seq, hash=head_hash, made_at=at, mac=line["mac"], file=checkpoint_path(target))
    return line


def checkpoint_path(path) -> str:
    return str(Path(path).resolve())


class CheckpointFileNotFound(FileNotFoundError):
    pass


def verify_trail(checkpoints: str | os.PathLike | None = None) -> VerificationResult:
    """Verify the whole trail (gaps, links, every hash, the head, the signed checkpoints) and record
    the result as an ``AuditVerification``; the command and the auditors' 立即校验 button both call it.

    ``checkpoints`` names a checkpoint file; without it, ``settings.AUDIT_CHECKPOINT_FILE`` if it exists.
    A named file that does not exist raises ``CheckpointFileNotFound``.
    """
    points, bad_lines, missing = _checkpoints_for_verification(checkpoints)
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    rows = AuditEvent.objects.order_by("seq").values_list(*CANONICAL_FIELDS, "hash").iterator(chunk_size=20000)
    result = verify_rows(rows, head=head, checkpoints=points)
    for line, problem in bad_lines:
        result.fail(None, f"检查点文件第 {line} 行：{problem}")
    if missing:
        result.fail(None, missing)
    AuditVerification.objects.create(
        ok=result.ok, events=result.events, head_seq=result.head_seq, head_hash=result.head_hash,
        first_bad_seq=result.first_bad_seq, problem=result.problem, checkpoints=result.checkpoints,
        seconds=result.seconds,
    )
    return result


def _cn_time(stamp: str) -> str:
    """A checkpoint's stored ISO time as an office writes it, in local time."""
    try:
        local = timezone.localtime(dt.datetime.fromisoformat(stamp))
    except (TypeError, ValueError):
        return str(stamp)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M:%S}"


def _checkpoints_for_verification(path):
    """(checkpoints read, bad lines, what is missing): the file, checked against the checkpoints
    recorded as written to it. Checkpoints that were made and are gone are a failure."""
    file = Path(path if path is not None else settings.AUDIT_CHECKPOINT_FILE)
    recorded = list(AuditCheckpoint.objects.filter(file=checkpoint_path(file)).order_by("id"))
    if not file.is_file():
        if recorded:
            return [], [], (f"检查点文件缺失：{file}（曾写入 {len(recorded)} 个检查点，"
                            f"最后一个对应第 {recorded[-1].seq} 条事件，写于 {_cn_time(recorded[-1].made_at)}）")
        if path is not None:
            raise CheckpointFileNotFound(f"checkpoint file not found: {path}")
        return [], [], ""
    points, bad = read_checkpoints(file, checkpoint_mac)
    present = {(p.seq, p.mac) for p in points}
    gone = [r for r in recorded if (r.seq, r.mac) not in present]
    missing = (f"检查点文件丢失了 {len(gone)} 个已记录的检查点，第一个对应第 {gone[0].seq} 条事件，"
               f"写于 {_cn_time(gone[0].made_at)}" if gone else "")
    return points, bad, missing
