"""On PostgreSQL, 20 threads approving and returning the same assignment: one wins, 19 get 409."""
import threading

import pytest
from django.db import connections

from audit.models import AuditEvent
from tests.world import build_world
from workflows.services import assignments as services
from workflows.services.errors import ActionError

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_approvals_and_returns_let_exactly_one_through(postgres_only):
    world = build_world()
    pk = world.assignment.pk
    services.assignment_start(actor=world.submitter, assignment_id=pk)
    services.assignment_submit(actor=world.submitter, assignment_id=pk, report="已完成", no_file_statement="无")
    events_before = AuditEvent.objects.count()
    reviewers = [world.reviewer, world.second_reviewer]
    barrier = threading.Barrier(THREADS)
    outcomes: list = []

    def race(index: int) -> None:
        user = reviewers[index % 2]
        try:
            barrier.wait()
            if index % 2:
                services.assignment_return(actor=user, assignment_id=pk, reason=f"第{index}个退回")
            else:
                services.assignment_approve(actor=user, assignment_id=pk)
            outcomes.append(("ok", index))
        except ActionError as exc:
            outcomes.append((exc.status, index))
        except Exception as exc:  # noqa: BLE001 - any other failure must show in the assertion
            outcomes.append((repr(exc), index))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=race, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(str(status) for status, _index in outcomes)
    assert statuses.count("ok") == 1, statuses
    assert statuses.count("409") == THREADS - 1, statuses
    assert AuditEvent.objects.count() == events_before + 1
    winner = next(index for status, index in outcomes if status == "ok")
    assert world.reload().state == ("in_progress" if winner % 2 else "lead_reviewed")
