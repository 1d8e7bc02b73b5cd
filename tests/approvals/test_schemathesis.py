"""Fuzz every operation of the JSON API from its own OpenAPI schema (schemathesis).

Every operation in the schema is called with generated requests — valid and invalid path ids,
query strings and bodies, including the coverage phase's boundary values — by token as a
supervisor (督办验收人) and as a submitter (承办人) of ``build_world()``, through the WSGI
application (``config.wsgi.application``) inside the test's database transaction.

Asserted for every response:
- no server error (``not_a_server_error``), ever;
- the status code, the Content-Type, the headers and the JSON body conform to the schema.

The schema is generated at collection time by drf-spectacular's generator (the
``/api/schema/`` endpoint needs a token, and tokens live in the test database);
``test_the_fuzzed_schema_is_the_one_the_api_serves`` proves that this is the schema the
endpoint serves, loaded through ``schemathesis.openapi.from_wsgi``. (schemathesis' lazy
``schemathesis.pytest.from_fixture`` would load it per test, but 4.32.5 fails under pytest 9.2:
it sets ``request.node._nodeid``, which pytest 9.2 no longer has.)

No mismatch is tolerated: every check runs in full. (Found by this fuzzer and fixed in the app:
an invalid cursor's 404, non-numeric ids before ``.pdf``/``.xlsx`` and ids containing a newline
now answered by the API's JSON 404, 415 documented for bodies without a content type, nullable
reviewer/acceptor names, and ids above 2**63-1 refused with 400 instead of an SQLite OverflowError.)
"""
from __future__ import annotations

import datetime as dt
import json

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from tests.world import build_world
from workflows.models import Assignment
from workflows.services import assignments as services
from workflows.services.delegation import delegation_create
from workflows.services.transfers import transfer_request

# Generated cases per operation and caller in the fuzzing phase (the coverage and examples
# phases add their own fixed cases). 2 callers x 16 operations: the file runs in well under 60 s.
MAX_EXAMPLES = 25

CONFIG = SchemathesisConfig.from_dict({
    # Deterministic: the same cases on every run and on every machine, so a failure reproduces.
    "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
})


def served_schema() -> dict:
    """The schema exactly as ``/api/schema/`` builds it, rendered to plain JSON types."""
    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


schema = schemathesis.openapi.from_dict(served_schema(), config=CONFIG)
schema.app = application  # calls go to the WSGI application, as from_wsgi arranges


@pytest.fixture
def _wsgi_in_test_transaction():
    """Let WSGI requests run inside the test's transaction.

    Django's handler closes "old" connections when a request starts and ends; inside a test
    transaction that would drop the connection. Django's own test client disconnects the same
    signal handler for the same reason.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def token_header(user) -> dict[str, str]:
    token, _created = Token.objects.get_or_create(user=user)
    return {"Authorization": f"Token {token.key}"}


@pytest.fixture(params=["supervisor", "submitter"])
def caller(request, db, _wsgi_in_test_transaction):
    """A person with a token, and the real ids their generated requests are pointed at.

    The assignment is brought to the state in which the caller's own actions are allowed,
    so that generated bodies reach the services: 办理中 for the submitter (submit, evidence),
    牵头审核通过 for the supervisor (accept, return).
    """
    world = build_world()
    pk = world.assignment.pk
    services.assignment_start(actor=world.submitter, assignment_id=pk)
    if request.param == "supervisor":
        services.assignment_submit(actor=world.submitter, assignment_id=pk, report="已完成", no_file_statement="无")
        services.assignment_approve(actor=world.reviewer, assignment_id=pk, opinion="同意")
    # A pending transfer request (another unit's, so the fuzzed assignment stays as it is) and a
    # delegation, for the operations on transfer requests and delegations.
    other = Assignment.objects.get(task=world.assignment.task, unit__short_name="市民政局")
    transfer = transfer_request(actor=world.other_submitter, assignment_id=other.pk, kind="not_applicable",
                                reason="不涉及")
    today = timezone.localdate()
    delegation = delegation_create(actor=world.submitter, substitute_username=world.colleague.username,
                                   unit_id=world.assignment.unit_id, role="submitter", starts_on=today,
                                   ends_on=today + dt.timedelta(days=3))
    return {
        "headers": token_header(getattr(world, request.param)),
        "ids": {"assignments": pk, "plans": world.plan.pk, "tasks": world.plan.tasks.get(number=15).pk,
                "transfer_requests": transfer.pk, "delegations": delegation.pk},
    }


def _point_at_real_objects(case, ids: dict[str, int]) -> None:
    """Generated ids almost never name an object (404 only): three in four are replaced by the
    world's assignment, plan or task, so the views and services behind the 404 get fuzzed too."""
    pk = (case.path_parameters or {}).get("id")
    if isinstance(pk, int) and pk % 4:
        case.path_parameters["id"] = ids[case.operation.path.split("/")[2]]


CHECKS = [
    not_a_server_error,  # never relaxed
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@hypothesis.settings(deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture,
                                                            hypothesis.HealthCheck.too_slow])
def test_every_operation_answers_without_a_server_error_and_as_documented(case, caller):
    _point_at_real_objects(case, caller["ids"])
    case.call_and_validate(headers=caller["headers"], checks=CHECKS)


@pytest.mark.django_db
def test_the_fuzzed_schema_is_the_one_the_api_serves(_wsgi_in_test_transaction):
    world = build_world()
    loaded = schemathesis.openapi.from_wsgi("/api/schema/", application, headers=token_header(world.submitter))
    assert loaded.raw_schema == served_schema()
    assert len(list(schema.get_all_operations())) >= 16
