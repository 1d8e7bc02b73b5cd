"""Plans and items typed in without a document: checked like an import, stored the same, audited."""
import datetime as dt
import json

import pytest

from audit.models import AuditEvent
from tests.world import person
from workflows.models import Assignment, PartyRole, PlanOrigin, Unit
from workflows.services import ItemEntry, plan_add_item, plan_create
from workflows.services.dispatch import plan_dispatch
from workflows.services.errors import Invalid, NotAllowed
from workflows.services.revisions import plan_revise

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor():
    return person("duchashi", "市政府法制办", "supervisor")


@pytest.fixture
def legal():
    return Unit.objects.get(short_name="市政府法制办")


def instruction(supervisor, legal, *items):
    return plan_create(
        actor=supervisor, title="市长关于2026年老旧小区改造的批示", origin=PlanOrigin.INSTRUCTION,
        origin_reference="市长批示〔2026〕12号", supervising_unit=legal,
        items=items or [ItemEntry(text="制定老旧小区改造方案", lead="市财政局", responsible="市财政局、市民政局",
                                  deadline="2026年6月底前")])


def test_a_typed_plan_is_stored_like_an_imported_one_and_audited(supervisor, legal):
    plan = instruction(supervisor, legal, ItemEntry(
        text="制定老旧小区改造方案", lead=["市财政局"], responsible=["市财政局", "市政府各部门"],
        cooperating="市编办", deadline="2026年6月底前"))

    task = plan.tasks.get()
    parties = [(p.role, p.name, bool(p.unit_id), bool(p.group_term_id)) for p in task.party_set.order_by("role", "position")]
    assert (plan.origin, plan.origin_reference, plan.source_sha256, plan.source_name) == (
        "instruction", "市长批示〔2026〕12号", None, "")
    assert (task.number, task.deadline_text, task.due_date) == (1, "2026年6月底前", dt.date(2026, 6, 30))
    assert sorted(parties) == sorted([
        (PartyRole.LEAD, "市财政局", True, False), (PartyRole.RESPONSIBLE, "市财政局", True, False),
        (PartyRole.RESPONSIBLE, "市政府各部门", False, True), (PartyRole.COOPERATING, "市编办", True, False)])
    event = AuditEvent.objects.get(action="plan.created")
    details = json.loads(event.details)
    assert (event.plan_id, event.role, details["origin_reference"], details["items"][0]["lead"]) == (
        plan.pk, "supervisor", "市长批示〔2026〕12号", ["市财政局"])


def test_a_typed_plan_is_dispatched_exactly_like_an_imported_one(supervisor, legal):
    plan = instruction(supervisor, legal)

    result = plan_dispatch(actor=supervisor, plan_id=plan.pk)

    assert sorted(a.unit.short_name for a in result.created) == ["市民政局", "市财政局"]
    assert {a.due_date for a in Assignment.objects.filter(round__plan=plan)} == {dt.date(2026, 6, 30)}


def test_with_no_responsible_unit_the_lead_does_the_work_and_a_cadence_is_kept(supervisor, legal):
    plan = instruction(supervisor, legal, ItemEntry(text="每月报送改造进展", lead="市民政局", deadline="每月10日前"))

    task = plan.tasks.get()
    assert [p.name for p in task.party_set.filter(role=PartyRole.RESPONSIBLE)] == ["市民政局"]
    assert (task.cadence, task.due_date) == ("monthly:10", None)


def test_every_fault_is_named_with_its_item_and_field_and_nothing_is_stored(supervisor, legal):
    with pytest.raises(Invalid) as refusal:
        plan_create(actor=supervisor, title="", origin=PlanOrigin.MEETING, origin_reference="",
                    supervising_unit=legal, items=[
                        ItemEntry(text="第一项", lead="市财政局"),
                        ItemEntry(text="", lead="市政府各部门", responsible="市财政厅", deadline="尽快吧"),
                    ])

    fields = refusal.value.fields
    assert set(fields) == {"title", "origin_reference", "items.1.text", "items.1.lead", "items.1.responsible",
                           "items.1.deadline"}
    assert "第 2 项：牵头单位“市政府各部门”是单位统称" in fields["items.1.lead"][0]
    assert fields["items.1.responsible"][0].startswith("第 2 项：责任单位“市财政厅”不在单位名录中，最接近的是：市财政局")
    assert "完成时限“尽快吧”无法识别" in fields["items.1.deadline"][0]
    assert not AuditEvent.objects.filter(action="plan.created").exists()
    from workflows.models import Plan
    assert not Plan.objects.exists()


def test_only_a_supervisor_of_the_chosen_office_or_an_administrator_may_create(supervisor, legal):
    clerk = person("clerk", "市财政局", "submitter")
    with pytest.raises(NotAllowed):
        instruction(clerk, legal)
    with pytest.raises(NotAllowed, match="只能为您所在的督办单位新建计划"):
        instruction(supervisor, Unit.objects.get(short_name="市财政局"))


def test_an_item_added_later_is_numbered_on_dispatched_alone_and_audited(supervisor, legal):
    plan = instruction(supervisor, legal)
    plan_dispatch(actor=supervisor, plan_id=plan.pk)

    task = plan_add_item(actor=supervisor, plan_id=plan.pk,
                         item=ItemEntry(text="落实改造资金", lead="市财政局", deadline="2026年9月"))
    result = plan_dispatch(actor=supervisor, plan_id=plan.pk)

    assert (task.number, task.due_date) == (2, dt.date(2026, 9, 30))
    assert [(a.task.number, a.unit.short_name) for a in result.created] == [(2, "市财政局")]
    assert json.loads(AuditEvent.objects.get(action="plan.item_added").details)["text"] == "落实改造资金"


def test_an_item_cannot_be_typed_into_an_imported_plan_nor_by_another_office(supervisor, legal, reference_bytes):
    from workflows.services import plan_import
    imported = plan_import(actor=None, data=reference_bytes, filename="169.txt", supervising_unit=legal)
    with pytest.raises(Invalid, match="修订计划"):
        plan_add_item(actor=supervisor, plan_id=imported.pk, item=ItemEntry(text="x", lead="市财政局"))
    typed = instruction(supervisor, legal)
    other = person("other-office", "市财政局", "supervisor")
    with pytest.raises(NotAllowed):
        plan_add_item(actor=other, plan_id=typed.pk, item=ItemEntry(text="x", lead="市财政局"))


def test_a_typed_plan_is_revised_through_the_same_revision_path(supervisor, legal):
    plan = instruction(supervisor, legal)
    plan_dispatch(actor=supervisor, plan_id=plan.pk)
    revised = ("市长关于2026年老旧小区改造的批示\n"
               "1．制定老旧小区改造方案。（市财政局负责）\n"
               "2．建立改造项目台账。（市民政局负责）\n").encode()

    revision = plan_revise(actor=supervisor, data=revised, filename="批示修订.txt", plan_id=plan.pk)

    assert [t["number"] for t in revision.diff["added"]] == [2]
    assert [(c["number"], sorted(c["fields"])) for c in revision.diff["changed"]] == [
        (1, ["responsible_terms", "text"])]
    # The added item is dispatched at once; a changed item keeps its assignments (as for any plan).
    assert sorted(Assignment.objects.filter(task__plan=plan).values_list("task__number", "unit__short_name", "state")) == [
        (1, "市民政局", "assigned"), (1, "市财政局", "assigned"), (2, "市民政局", "assigned")]
    assert plan.tasks.get(number=2).lead_names == ["市民政局"]
    assert AuditEvent.objects.filter(action="plan.revised", plan_id=plan.pk).count() == 1
