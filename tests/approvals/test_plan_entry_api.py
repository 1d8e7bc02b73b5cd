"""POST /api/plans/ and /api/plans/<id>/items/: typed plans and items by token, refused field by field."""
import pytest
from django.utils import timezone

from audit.models import AuditEvent
from tests.approvals.test_api import World, api
from workflows.models import Plan

pytestmark = pytest.mark.django_db

BODY = {
    "title": "市政府第12次常务会议议定事项", "origin": "meeting", "origin_reference": "市政府常务会议纪要〔2026〕12号",
    "supervising_unit": "市政府法制办",
    "items": [{"text": "制定老旧小区改造方案", "lead": ["市财政局"], "responsible": ["市财政局", "市政府各部门"],
               "deadline": "2026年6月底前"},
              {"text": "按季度报送改造进展", "lead": ["市民政局"], "deadline": "每季度"}],
}


@pytest.fixture
def world(reference_bytes):
    return World(reference_bytes)


def test_a_supervisor_creates_a_plan_with_its_items_and_reads_it_back(world):
    answer = api(world.supervisor).post("/api/plans/", BODY, format="json")

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["origin"], body["origin_reference"], body["supervising_unit"], body["task_count"]) == (
        "meeting", "市政府常务会议纪要〔2026〕12号", "市政府法制办", 2)
    tasks = body["sections"][0]["tasks"]
    assert [(t["number"], t["lead_units"], t["deadline_text"], t["due_date"], t["cadence"]) for t in tasks] == [
        (1, ["市财政局"], "2026年6月底前", "2026-06-30", ""), (2, ["市民政局"], "每季度", None, "quarterly")]
    assert tasks[0]["responsible_terms"] == ["市财政局", "市政府各部门"]
    listed = api(world.auditor).get("/api/plans/").json()["results"]
    assert {p["title"]: p["origin"] for p in listed}["市政府第12次常务会议议定事项"] == "meeting"
    assert AuditEvent.objects.filter(action="plan.created", plan_id=body["id"]).count() == 1


def test_each_fault_is_a_400_naming_the_item_and_field_and_nothing_is_stored(world):
    body = {**BODY, "origin_reference": "", "items": [
        {"text": "制定方案", "lead": ["市新局"]}, {"text": "", "lead": [], "deadline": "尽快"}]}
    answer = api(world.supervisor).post("/api/plans/", body, format="json")

    assert answer.status_code == 400
    errors = answer.json()["errors"]
    assert "请填写来源说明" in errors["origin_reference"][0]
    assert "第 1 项：牵头单位“市新局”不在单位名录中" in errors["items.0.lead"][0]
    assert set(errors) >= {"items.1.text", "items.1.lead", "items.1.deadline"}
    assert Plan.objects.filter(title=BODY["title"]).count() == 0

    shapes = api(world.supervisor).post("/api/plans/", {**BODY, "origin": "文件", "supervising_unit": "无此单位",
                                                        "items": [{"lead": "市财政局"}]}, format="json")
    assert shapes.status_code == 400
    assert set(shapes.json()["errors"]) == {"origin", "supervising_unit", "items.0.lead"}


def test_others_may_not_create_and_an_item_is_added_only_to_a_typed_plan(world):
    assert api(world.submitter).post("/api/plans/", BODY, format="json").status_code == 403
    assert api(world.auditor).post("/api/plans/", BODY, format="json").status_code == 403
    plan_id = api(world.supervisor).post("/api/plans/", BODY, format="json").json()["id"]

    added = api(world.supervisor).post(f"/api/plans/{plan_id}/items/",
                                       {"text": "开展专项检查", "lead": ["市民政局"], "deadline": "年内"}, format="json")
    assert added.status_code == 201 and (added.json()["number"], added.json()["lead_units"]) == (3, ["市民政局"])
    # No year in the title nor a date issued: “年内” is the year the plan was typed in.
    assert added.json()["due_date"] == f"{timezone.localdate().year}-12-31"
    assert api(world.submitter).post(f"/api/plans/{plan_id}/items/", {"text": "x", "lead": ["市民政局"]},
                                     format="json").status_code == 403
    imported = api(world.supervisor).post(f"/api/plans/{world.plan.pk}/items/", {"text": "x", "lead": ["市民政局"]},
                                          format="json")
    assert imported.status_code == 400 and "修订计划" in imported.json()["detail"]
    assert api(world.supervisor).post("/api/plans/99999/items/", {"text": "x", "lead": ["市民政局"]},
                                      format="json").status_code == 404
