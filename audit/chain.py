"""The hash chain: canonical bytes of an event and its hash. Pure: no database.

hash = SHA-256(previous hash as ASCII hex || canonical bytes), where the canonical bytes are
the event's fields (all but its own hash) as JSON with sorted keys, no insignificant white
space, UTF-8. Details are stored already canonical, so the same text is hashed on every
database. Floats are refused in details: their text form is not canonical across platforms.
(RFC 8785 would allow them; the stdlib encoder is used because it is C-accelerated, which
keeps verifying a million events well under a minute.)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json

GENESIS_HASH = "0" * 64

# The fields that are hashed, in the order they are read from the database.
CANONICAL_FIELDS = (
    "seq", "occurred_at", "actor_id", "actor_label", "unit_id", "unit_label", "role", "action",
    "target_type", "target_id", "target_label", "plan_id", "task_id", "assignment_id",
    "from_state", "to_state", "reason", "details", "request_id", "ip", "user_agent", "prev_hash",
)


def canonical_json(value) -> str:
    """Serialise ``value`` canonically: sorted keys, compact, UTF-8 text, no floats."""
    _refuse_floats(value)
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _refuse_floats(value) -> None:
    if isinstance(value, float):
        raise TypeError("audit details may not hold floats; store numbers as integers or strings")
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError("audit details keys must be strings")
            _refuse_floats(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            _refuse_floats(item)


def timestamp(value: dt.datetime) -> str:
    """Write a time as UTC with microseconds, the same on every database."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(values: tuple) -> str:
    """Hash one event given its CANONICAL_FIELDS values in order (occurred_at a datetime)."""
    record = dict(zip(CANONICAL_FIELDS, values, strict=True))
    record["occurred_at"] = timestamp(record["occurred_at"])
    payload = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(record["prev_hash"].encode("ascii") + payload.encode("utf-8")).hexdigest()
