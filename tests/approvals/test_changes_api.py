"""The API of changes after dispatch: transfer requests, handing over and delegations, by token."""
import datetime as dt
import json

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.world import build_world, person
from workflows.models import Assignment, Delegation, TransferRequest

pytestmark = pytest.mark.django_db


def client(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


def post(user, url, body=None):
    return client(user).post(url, body or {}, format="json")


@pytest.fixture
def world():
    return build_world()


def test_a_transfer_request_and_its_approval_through_the_api(world):
    town = person("zhangpu", "张浦镇", "submitter")
    pk = world.assignment.pk
    asked = post(world.submitter, f"/api/assignments/{pk}/transfer_requests/",
                 {"kind": "transfer", "unit": "张浦镇", "reason": "属区镇职责"})
    assert asked.status_code == 201, asked.json()
    body = asked.json()
    assert (body["status"], body["target_unit"], body["assignment_state"], body["may_decide"]) == (
        "pending", "张浦镇", "assigned", False)
    listed = client(world.supervisor).get("/api/transfer_requests/?status=pending").json()["results"]
    assert [r["id"] for r in listed] == [body["id"]] and listed[0]["may_decide"] is True
    done = post(world.supervisor, f"/api/transfer_requests/{body['id']}/approve/", {"opinion": "同意"})
    assert done.status_code == 200 and done.json()["status"] == "approved"
    successor = done.json()["successor"]
    assert Assignment.objects.get(pk=successor).unit.short_name == "张浦镇"
    assert client(town).get(f"/api/assignments/{successor}/").json()["available_actions"] == ["start",
                                                                                             "upload_evidence"]
    old = client(world.submitter).get(f"/api/assignments/{pk}/").json()
    assert (old["state"], old["light"], old["available_actions"]) == ("transferred", "done", [])


def test_api_refusals_have_their_status_and_write_nothing(world):
    pk = world.assignment.pk
    url = f"/api/assignments/{pk}/transfer_requests/"
    before = AuditEvent.objects.count()
    assert post(world.other_submitter, url, {"kind": "not_applicable", "reason": "x"}).status_code == 404
    assert post(world.reviewer, url, {"kind": "not_applicable", "reason": "x"}).status_code == 403
    bad = post(world.submitter, url, {"kind": "transfer", "unit": "", "reason": "x"})
    assert bad.status_code == 400 and "unit" in bad.json()["errors"]
    assert post(world.submitter, url, {"kind": "elsewhere", "reason": "x"}).status_code == 400
    # Only the 403 leaves a trace: the access.denied record of the refusal.
    assert list(AuditEvent.objects.filter(seq__gt=before).values_list("action", flat=True)) == ["access.denied"]
    assert not TransferRequest.objects.exists()
    request_id = post(world.submitter, url, {"kind": "not_applicable", "reason": "不涉及"}).json()["id"]
    assert post(world.colleague, url, {"kind": "not_applicable", "reason": "再次"}).status_code == 409
    before = AuditEvent.objects.count()
    assert post(world.submitter, f"/api/transfer_requests/{request_id}/approve/").status_code == 403
    assert post(world.other_submitter, f"/api/transfer_requests/{request_id}/approve/").status_code == 404
    assert client(world.other_submitter).get(f"/api/transfer_requests/{request_id}/").status_code == 404
    rejected = post(world.supervisor, f"/api/transfer_requests/{request_id}/reject/", {"reason": ""})
    assert rejected.status_code == 400 and "reason" in rejected.json()["errors"]
    # The refusals by HTTP write only the access.denied records of the 403s, nothing else.
    assert set(AuditEvent.objects.filter(seq__gt=before).values_list("action", flat=True)) <= {"access.denied"}
    assert TransferRequest.objects.get().status == "pending"
    assert post(world.supervisor, f"/api/transfer_requests/{request_id}/reject/",
                {"reason": "属本单位职责"}).json()["status"] == "rejected"
    assert post(world.supervisor, f"/api/transfer_requests/{request_id}/approve/").status_code == 409


def test_hand_over_within_the_unit_only(world):
    pk = world.assignment.pk
    url = f"/api/assignments/{pk}/hand_over/"
    assert post(world.submitter, url, {"to": world.other_submitter.username}).status_code == 400
    assert post(world.reviewer, url, {"to": world.colleague.username}).status_code == 403
    done = post(world.submitter, url, {"to": world.colleague.username, "note": "休假"})
    assert done.status_code == 200
    assert Assignment.objects.get(pk=pk).handler == world.colleague
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.reason, event.assignment_id) == ("assignment.handed_over", "休假", pk)


def test_delegation_through_the_api_and_b_for_a_in_the_trail(world):
    today = dt.date.today()
    body = {"substitute": world.colleague.username, "unit": "市财政局", "role": "submitter",
            "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=5)).isoformat(), "reason": "出差"}
    refused = post(world.submitter, "/api/delegations/", {**body, "substitute": world.other_submitter.username})
    assert refused.status_code == 400 and "substitute" in refused.json()["errors"]
    assert post(world.reviewer, "/api/delegations/", body).status_code == 403  # no such role in that unit
    made = post(world.submitter, "/api/delegations/", body)
    assert made.status_code == 201 and made.json()["active"] is True
    assert [d["id"] for d in client(world.colleague).get("/api/delegations/").json()] == [made.json()["id"]]
    post(world.submitter, f"/api/assignments/{world.assignment.pk}/hand_over/", {"to": world.submitter.username})
    started = post(world.colleague, f"/api/assignments/{world.assignment.pk}/start/")
    assert started.status_code == 200
    event = AuditEvent.objects.order_by("-seq").first()
    assert event.action == "assignment.started" and event.actor == world.colleague
    assert json.loads(event.details)["on_behalf_of"]["id"] == world.submitter.pk
    revoked = post(world.colleague, f"/api/delegations/{made.json()['id']}/revoke/")
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert post(world.other_submitter, f"/api/delegations/{made.json()['id']}/revoke/").status_code == 404
    assert Delegation.objects.get().revoked_at is not None
