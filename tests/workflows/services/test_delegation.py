"""Delegation (代理) and handing over (转交): same unit and role only, "B for A" in the trail, ends
by itself, gives no right; refusals change nothing and write no audit event."""
import datetime as dt
import json

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from tests.world import build_world, person
from workflows.access.policies import decide
from workflows.models import Assignment, Delegation
from workflows.services import assignments as services
from workflows.services.delegation import (
    acting_for,
    assignment_hand_over,
    delegation_create,
    delegation_revoke,
)
from workflows.services.errors import ActionError

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def delegate(world, *, actor=None, substitute=None, unit="市财政局", role="submitter", start=0, days=3):
    from workflows.models import Unit

    today = timezone.localdate()
    return delegation_create(actor=actor or world.submitter,
                             substitute_username=(substitute or world.colleague).username,
                             unit_id=Unit.objects.get(short_name=unit).pk, role=role,
                             starts_on=today + dt.timedelta(days=start),
                             ends_on=today + dt.timedelta(days=start + days), reason="出差")


def refused(call, status):
    before = (AuditEvent.objects.count(), list(Delegation.objects.values()),
              list(Assignment.objects.values("pk", "handler_id", "state")))
    with pytest.raises(ActionError) as caught:
        call()
    assert caught.value.status == status, caught.value.message
    assert (AuditEvent.objects.count(), list(Delegation.objects.values()),
            list(Assignment.objects.values("pk", "handler_id", "state"))) == before
    return caught.value


def test_the_substitutes_actions_are_recorded_as_b_for_a(world):
    delegation = delegate(world)
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.actor, event.unit_label, event.role) == (
        "delegation.created", world.submitter, "市财政局", "submitter")
    assert json.loads(event.details)["substitute"]["id"] == world.colleague.pk
    services.assignment_start(actor=world.colleague, assignment_id=world.assignment.pk)
    event = AuditEvent.objects.order_by("-seq").first()
    details = json.loads(event.details)
    assert (event.action, event.actor) == ("assignment.started", world.colleague)
    assert details["on_behalf_of"] == {"id": world.submitter.pk, "label": world.submitter.username}
    assert details["delegation"] == delegation.pk


def test_a_delegation_ends_by_itself_and_can_be_revoked(world):
    delegation = delegate(world)
    a = world.reload()
    assert acting_for(world.colleague, a, a.unit, "submitter")
    tomorrow_after_end = timezone.localdate() + dt.timedelta(days=4)
    Delegation.objects.filter(pk=delegation.pk).update(starts_on=tomorrow_after_end - dt.timedelta(days=10),
                                                       ends_on=tomorrow_after_end - dt.timedelta(days=5))
    assert acting_for(world.colleague, a, a.unit, "submitter") == {}
    Delegation.objects.filter(pk=delegation.pk).update(starts_on=timezone.localdate(),
                                                       ends_on=timezone.localdate())
    delegation_revoke(actor=world.submitter, delegation_id=delegation.pk)
    assert acting_for(world.colleague, a, a.unit, "submitter") == {}
    refused(lambda: delegation_revoke(actor=world.submitter, delegation_id=delegation.pk), 409)
    refused(lambda: delegation_revoke(actor=world.other_submitter, delegation_id=delegation.pk), 404)


def test_a_future_delegation_does_not_apply_yet(world):
    delegate(world, start=2)
    services.assignment_start(actor=world.colleague, assignment_id=world.assignment.pk)
    assert "on_behalf_of" not in json.loads(AuditEvent.objects.order_by("-seq").first().details)


def test_nobody_gains_rights_through_a_delegation(world):
    # Another unit's person, or someone without the role, cannot be named.
    refused(lambda: delegate(world, substitute=world.other_submitter), 400)
    refused(lambda: delegate(world, substitute=world.reviewer), 400)
    refused(lambda: delegate(world, substitute=world.submitter), 400)
    # Nor can anyone delegate a role they do not hold in that unit.
    refused(lambda: delegate(world, actor=world.other_submitter), 403)
    refused(lambda: delegate(world, actor=world.auditor, unit="市审计局", role="auditor"), 400)
    refused(lambda: delegate(world, start=-5, days=2), 400)  # already over
    # A substitute who lost the role gains nothing and the trail names nobody.
    delegate(world)
    outsider_sub = person("temp", "市民政局", "submitter")
    assert not decide(outsider_sub, world.reload(), "start").allowed
    refused(lambda: delegate(world), 400)  # overlapping


def test_hand_over_stays_inside_the_unit(world):
    pk = world.assignment.pk
    refused(lambda: assignment_hand_over(actor=world.submitter, assignment_id=pk,
                                         to_username=world.other_submitter.username), 400)
    refused(lambda: assignment_hand_over(actor=world.reviewer, assignment_id=pk,
                                         to_username=world.colleague.username), 403)
    refused(lambda: assignment_hand_over(actor=world.other_submitter, assignment_id=pk,
                                         to_username=world.colleague.username), 404)
    refused(lambda: assignment_hand_over(actor=world.submitter, assignment_id=pk, to_username="nobody"), 400)
    assignment_hand_over(actor=world.submitter, assignment_id=pk, to_username=world.colleague.username, note="轮岗")
    assert world.reload().handler == world.colleague
    event = AuditEvent.objects.order_by("-seq").first()
    assert (event.action, event.unit_label, event.reason) == ("assignment.handed_over", "市财政局", "轮岗")
    services.assignment_start(actor=world.colleague, assignment_id=pk)
    services.assignment_submit(actor=world.colleague, assignment_id=pk, report="已完成", no_file_statement="无")
    refused(lambda: assignment_hand_over(actor=world.colleague, assignment_id=pk,
                                         to_username=world.submitter.username), 409)
