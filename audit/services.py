"""The one writer of the audit trail, and the checkpoints that pin it outside the database."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import unicodedata
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from . import context
from .actions import ACTIONS
from .chain import CANONICAL_FIELDS, GENESIS_HASH, canonical_json, event_hash, timestamp
from .models import AuditEvent, AuditHead


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
) -> AuditEvent:
    """Append one event to the chain inside the caller's transaction, and return it.

    Refuses to run outside a transaction: the event must commit or roll back with the change
    it records, so a rolled-back change leaves neither an event nor a gap in the sequence.
    Appends are serialised by locking the head row (PostgreSQL); SQLite's IMMEDIATE
    transactions already hold the database's write lock.
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
        occurred_at=timezone.now(),
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
        ip=request.ip,
        user_agent=escape_label(request.user_agent),
        prev_hash=head.hash,
    )
    event.hash = event_hash(tuple(getattr(event, f) for f in CANONICAL_FIELDS))
    event.save()
    AuditHead.objects.filter(pk=1).update(seq=event.seq, hash=event.hash)
    return event


def record_refusal(*, action: str = "access.denied", actor=None, reason: str = "", **fields) -> AuditEvent:
    """Record a refused attempt in a transaction of its own (the refused change has none)."""
    with transaction.atomic():
        return record_event(action=action, actor=actor, reason=reason, **fields)


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
    return line
