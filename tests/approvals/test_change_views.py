"""The screens: the assignment page's 调整与变更 panel, the forms behind it and their refusals."""
import datetime as dt

import pytest

from audit.models import AuditEvent
from tests.world import build_world, person
from tests.world import signed_in as browser
from workflows.models import Assignment, TransferRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


def test_a_transfer_in_the_browser_from_request_to_the_new_units_page(world):
    pk = world.assignment.pk
    page = browser(world.submitter).get(f"/assignments/{pk}/").content.decode()
    assert "申请调整承办单位" in page and 'data-action="transfer_request"' in page
    assert 'data-action="transfer_request"' not in browser(world.reviewer).get(f"/assignments/{pk}/").content.decode()
    answer = browser(world.submitter).post(f"/assignments/{pk}/transfer/",
                                           {"kind": "transfer", "unit": "张浦镇", "reason": "属区镇职责"})
    assert answer.status_code == 302
    request = TransferRequest.objects.get()
    decider = browser(world.supervisor)
    page = decider.get(f"/assignments/{pk}/").content.decode()
    assert 'data-action="transfer_approve"' in page and "属区镇职责" in page
    assert f'data-transfer="{request.pk}"' in decider.get("/transfers/").content.decode()
    assert decider.post(f"/transfers/{request.pk}/approve/", {"opinion": "同意"}).status_code == 302
    successor = Assignment.objects.get(predecessor_id=pk)
    old_page = browser(world.submitter).get(f"/assignments/{pk}/").content.decode()
    assert "已调整承办单位" in old_page and "data-successor" in old_page
    town = person("zhangpu", "张浦镇", "submitter")
    new_page = browser(town).get(f"/assignments/{successor.pk}/").content.decode()
    assert "data-predecessor" in new_page and 'data-action="start"' in new_page


def test_screen_refusals_answer_with_their_status(world):
    pk = world.assignment.pk
    assert browser(world.other_submitter).post(f"/assignments/{pk}/transfer/",
                                               {"kind": "not_applicable", "reason": "x"}).status_code == 404
    assert browser(world.reviewer).post(f"/assignments/{pk}/transfer/",
                                        {"kind": "not_applicable", "reason": "x"}).status_code == 403
    bad = browser(world.submitter).post(f"/assignments/{pk}/transfer/", {"kind": "transfer", "reason": "x"})
    assert bad.status_code == 400 and "请填写建议承办的单位" in bad.content.decode()
    assert browser(world.submitter).post(f"/assignments/{pk}/transfer/", {"kind": "transfer"}).status_code == 400
    assert not TransferRequest.objects.exists()
    browser(world.submitter).post(f"/assignments/{pk}/transfer/", {"kind": "not_applicable", "reason": "不涉及"})
    request = TransferRequest.objects.get()
    before = AuditEvent.objects.count()
    assert browser(world.colleague).post(f"/transfers/{request.pk}/approve/").status_code == 403
    assert browser(world.other_submitter).post(f"/transfers/{request.pk}/approve/").status_code == 404
    assert browser(world.supervisor).post(f"/transfers/{request.pk}/reject/", {"reason": ""}).status_code == 400
    assert list(AuditEvent.objects.filter(seq__gt=before).values_list("action", flat=True)) == ["access.denied"]
    assert browser(world.submitter).get("/transfers/").status_code == 200


def test_hand_over_and_delegation_screens_and_b_for_a_in_the_timeline(world):
    pk = world.assignment.pk
    c = browser(world.submitter)
    assert 'data-action="hand_over"' in c.get(f"/assignments/{pk}/").content.decode()
    assert c.post(f"/assignments/{pk}/hand-over/", {"to": world.submitter.username}).status_code == 400  # oneself
    today = dt.date.today()
    membership = f"{world.assignment.unit_id}:submitter"
    answer = c.post("/delegations/", {"membership": membership, "substitute": world.colleague.username,
                                      "starts_on": today.isoformat(), "ends_on": today.isoformat(), "reason": "病假"})
    assert answer.status_code == 302
    refused = c.post("/delegations/", {"membership": membership, "substitute": world.other_submitter.username,
                                       "starts_on": today.isoformat(), "ends_on": today.isoformat()})
    assert refused.status_code == 400 and "同一单位、同一角色" in refused.content.decode()
    assert "病假" in browser(world.colleague).get("/delegations/").content.decode()
    assert browser(world.colleague).post(f"/assignments/{pk}/start/").status_code == 302
    page = c.get(f"/assignments/{pk}/").content.decode()
    assert f"（代 {world.submitter.username}）" in page
