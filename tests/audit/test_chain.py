"""The hash chain's canonical form, without a database."""
import datetime as dt

import pytest

from audit.chain import CANONICAL_FIELDS, GENESIS_HASH, canonical_json, event_hash, timestamp


def values(**overrides):
    base = dict.fromkeys(CANONICAL_FIELDS, "")
    base.update(seq=1, occurred_at=dt.datetime(2026, 1, 2, 3, 4, 5, 678, tzinfo=dt.UTC), actor_id=None,
                unit_id=None, plan_id=None, task_id=None, assignment_id=None, details="{}", prev_hash=GENESIS_HASH)
    base.update(overrides)
    return tuple(base[f] for f in CANONICAL_FIELDS)


def test_canonical_json_sorts_keys_and_keeps_chinese_as_utf8():
    assert canonical_json({"b": 1, "a": "市编办"}) == '{"a":"市编办","b":1}'


def test_floats_are_refused_in_details():
    with pytest.raises(TypeError):
        canonical_json({"ratio": 0.5})


def test_timestamps_are_utc_with_microseconds_whatever_the_zone():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    assert timestamp(dt.datetime(2026, 1, 2, 11, 0, 0, 5, tzinfo=shanghai)) == "2026-01-02T03:00:00.000005Z"


def test_any_field_change_changes_the_hash():
    original = event_hash(values())
    for field, value in [("reason", "x"), ("to_state", "accepted"), ("actor_label", "某人"), ("seq", 2),
                         ("details", '{"a":1}'), ("prev_hash", "1" * 64)]:
        assert event_hash(values(**{field: value})) != original, field


def test_the_hash_is_stable_for_the_same_values():
    assert event_hash(values()) == event_hash(values())
