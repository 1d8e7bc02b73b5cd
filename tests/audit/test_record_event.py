"""The one writer: inside a transaction, gap-free, one event per call, nothing on rollback."""
import pytest
from django.db import transaction

from audit.chain import GENESIS_HASH
from audit.models import AuditEvent, AuditHead
from audit.services import AuditOutsideTransaction, UnknownAuditAction, escape_label, record_event
from tests.audit.helpers import events
from workflows.models import Unit


@pytest.mark.django_db(transaction=True)
def test_recording_outside_a_transaction_is_refused_and_writes_nothing():
    with pytest.raises(AuditOutsideTransaction):
        record_event(action="plan.imported")
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_neither_an_event_nor_a_gap():
    with transaction.atomic():
        record_event(action="unit.changed", target_label="first")
    with pytest.raises(RuntimeError), transaction.atomic():
        record_event(action="unit.changed", target_label="rolled back")
        raise RuntimeError("the change failed")
    with transaction.atomic():
        record_event(action="unit.changed", target_label="third")
    assert [(e.seq, e.target_label) for e in events()] == [(1, "first"), (2, "third")]
    assert AuditHead.objects.get().seq == 2


@pytest.mark.django_db
def test_events_link_each_to_the_previous_hash():
    first = record_event(action="unit.changed")
    second = record_event(action="unit.changed")
    assert first.prev_hash == GENESIS_HASH
    assert second.prev_hash == first.hash
    assert (AuditHead.objects.get().seq, AuditHead.objects.get().hash) == (2, second.hash)


@pytest.mark.django_db
def test_an_event_keeps_labels_that_survive_renames(django_user_model):
    user = django_user_model.objects.create_user("zhang", first_name="三", last_name="张")
    unit = Unit.objects.get(short_name="市编办")
    event = record_event(action="unit.changed", actor=user, unit=unit, role="admin", target=unit)
    unit.short_name = "市委编办"
    unit.save()
    user.username = "renamed"
    user.save()
    event = AuditEvent.objects.get(pk=event.seq)
    assert event.actor_label == "三 张（zhang）"
    assert event.unit_label == "市编办" and event.target_label == "市编办"
    assert (event.target_type, event.target_id) == ("workflows.unit", str(unit.pk))


@pytest.mark.django_db
def test_an_unregistered_action_is_refused():
    with pytest.raises(UnknownAuditAction):
        record_event(action="assignment.teleported")
    assert AuditEvent.objects.count() == 0


def test_control_characters_are_escaped_so_no_line_can_be_forged():
    forged = "bob\n2026-01-01 INFO auth.login admin\x1b[31m\u202e"
    escaped = escape_label(forged)
    assert "\n" not in escaped and "\x1b" not in escaped and "\u202e" not in escaped
    assert escaped == "bob\\x0a2026-01-01 INFO auth.login admin\\x1b[31m\\u202e"
