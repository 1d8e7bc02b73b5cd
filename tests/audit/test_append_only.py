"""Audit events can be added, never changed or removed: by the ORM, by SQL, or in the admin."""
import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from audit.models import AppendOnlyError, AuditEvent
from audit.services import record_event
from tests.audit.helpers import raw


@pytest.fixture
def event(db):
    return record_event(action="unit.changed", target_label="original")


def test_saving_an_existing_event_is_refused(event):
    event.target_label = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()


def test_deleting_an_event_is_refused(event):
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_queryset_update_and_delete_are_refused(event):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(target_label="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).target_label == "original"


def test_raw_sql_update_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("UPDATE audit_auditevent SET target_label = 'tampered' WHERE seq = %s", [event.seq])
    assert AuditEvent.objects.get(pk=event.pk).target_label == "original"


def test_raw_sql_delete_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_truncate_is_refused_on_postgresql(postgres_only):
    # Committed first: TRUNCATE inside the inserting transaction fails for another reason.
    with transaction.atomic():
        record_event(action="unit.changed", target_label="original")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("TRUNCATE audit_auditevent CASCADE")
    assert AuditEvent.objects.count() == 1


def test_the_triggers_exist_on_this_database(db):
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditevent'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit_auditevent'::regclass "
                           "AND NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    expected = ({"audit_event_no_update", "audit_event_no_delete"} if connection.vendor == "sqlite"
                else {"audit_event_no_update_delete", "audit_event_no_truncate"})
    assert names == expected


def test_the_admin_shows_events_but_offers_no_add_change_or_delete(admin_client, event):
    listing = admin_client.get(reverse("admin:audit_auditevent_changelist"))
    assert listing.status_code == 200 and "original" in listing.content.decode()
    assert admin_client.get(reverse("admin:audit_auditevent_add")).status_code == 403
    detail = admin_client.get(reverse("admin:audit_auditevent_change", args=[event.seq]))
    assert detail.status_code == 200 and 'name="_save"' not in detail.content.decode()
    assert admin_client.post(reverse("admin:audit_auditevent_delete", args=[event.seq]), {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.seq).exists()
