"""Concurrent writers on PostgreSQL (threads, separate connections) keep the chain gap-free and valid."""
import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from audit.models import AuditEvent
from audit.services import record_event

WRITERS = 16
EVENTS_EACH = 10


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_produce_a_gap_free_valid_chain(postgres_only):
    barrier = threading.Barrier(WRITERS)
    errors = []

    def writer(index: int) -> None:
        try:
            barrier.wait()
            for n in range(EVENTS_EACH):
                with transaction.atomic():
                    record_event(action="unit.changed", target_label=f"writer {index} event {n}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert connection.vendor == "postgresql"
    seqs = list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, WRITERS * EVENTS_EACH + 1))
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert f"verified {WRITERS * EVENTS_EACH} events" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_sqlite_queue_instead_of_failing():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's IMMEDIATE transactions are what this checks")
    errors = []

    def writer(index: int) -> None:
        try:
            for n in range(5):
                with transaction.atomic():
                    record_event(action="unit.changed", target_label=f"writer {index} event {n}")
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(AuditEvent.objects.order_by("seq").values_list("seq", flat=True)) == list(range(1, 21))
