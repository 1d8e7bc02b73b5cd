"""Storing a plan: all or nothing, once per file, with every unit name accounted for."""
import hashlib
from pathlib import Path

import pytest

from workflows import services
from workflows.importers import PlanParseError
from workflows.models import (
    Plan,
    Section,
    Task,
    TaskDeadline,
    TaskParty,
    TaskTarget,
    Unit,
    UnitAlias,
)

pytestmark = pytest.mark.django_db

PROSE = """某市2018年重点工作任务分解
1．推进政务服务一网通办。（市政务办、市新设局负责，排在第一位的部门为牵头部门，下同）
2．至2018年底，完成信用平台建设，覆盖率达到95%。（市信用办、市发改委负责）
"""


def stored_files(media_root: Path) -> list[Path]:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def row_counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Plan, Section, Task, TaskParty, TaskDeadline, TaskTarget))


def test_importing_the_reference_stores_every_section_task_party_deadline_and_target(reference_bytes, settings):
    supervisor = Unit.objects.get(short_name="市政府法制办")
    plan = services.plan_import(actor=None, data=reference_bytes, filename="169号.txt", supervising_unit=supervisor)

    assert plan.doc_number == "昆政办发〔2017〕169号"
    assert plan.supervising_unit == supervisor
    assert plan.sections.count() == 7
    assert plan.tasks.count() == 31
    task2 = plan.tasks.get(number=2)
    assert task2.lead_names == ["市编办", "市财政局", "市物价局", "市国税局", "市地税局"]
    assert task2.responsible_names == ["市政府各部门", "各区镇", "各城市管理办事处"]
    principal = task2.party_set.get(role="lead", position=0)
    assert principal.unit.short_name == "市编办" and principal.is_principal_lead
    assert task2.party_set.get(role="responsible", position=0).group_term.term == "市政府各部门"
    task24 = plan.tasks.get(number=24)
    assert [d.date.isoformat() for d in task24.deadlines.all()] == ["2019-12-31", "2020-12-31"]
    assert [t.value for t in task24.targets.all()] == ["100%", "100%", "90%"]


def test_the_uploaded_file_is_kept_under_a_server_chosen_name_with_its_hash(reference_bytes, settings):
    plan = services.plan_import(actor=None, data=reference_bytes, filename="../../etc/passwd.txt")
    digest = hashlib.sha256(reference_bytes).hexdigest()
    assert plan.source_sha256 == digest
    assert plan.source_size == len(reference_bytes)
    assert plan.source_name == "passwd.txt"
    assert plan.source_file.name == f"plans/{digest}.txt"
    stored = Path(settings.MEDIA_ROOT) / plan.source_file.name
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == digest


def test_importing_the_same_file_twice_is_refused_and_changes_nothing(reference_bytes, settings):
    services.plan_import(actor=None, data=reference_bytes, filename="a.txt")
    before, files = row_counts(), stored_files(Path(settings.MEDIA_ROOT))

    with pytest.raises(services.PlanImportError, match="不能重复导入"):
        services.plan_import(actor=None, data=reference_bytes, filename="b.txt")

    assert row_counts() == before
    assert stored_files(Path(settings.MEDIA_ROOT)) == files


def test_another_file_with_the_same_document_number_is_refused(reference_bytes):
    services.plan_import(actor=None, data=reference_bytes, filename="a.txt")
    with pytest.raises(services.PlanImportError, match="文号为 昆政办发〔2017〕169号 的计划已导入"):
        services.plan_import(actor=None, data=reference_bytes + b"\n\n", filename="b.txt")


def test_unknown_unit_names_refuse_the_import_and_name_the_closest_known_units(settings):
    with pytest.raises(services.UnresolvedUnits) as refused:
        services.plan_import(actor=None, data=PROSE.encode(), filename="p.txt")

    [unknown] = refused.value.unknown
    assert unknown.name == "市新设局"
    assert unknown.task_numbers == (1,)
    assert "市新设局" in refused.value.message
    assert row_counts() == (0, 0, 0, 0, 0, 0)
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


def test_suggestions_for_a_misspelt_unit_put_the_intended_unit_first():
    preview = services.plan_preview(data=PROSE.replace("市新设局", "市政务服务办").encode(), filename="p.txt")
    assert preview.unknown[0].suggestions[0] == "市政务办"


def test_mapping_an_unknown_name_to_an_existing_unit_keeps_it_as_an_alias():
    target = Unit.objects.get(short_name="市发改委")
    plan = services.plan_import(
        actor=None, data=PROSE.encode(), filename="p.txt",
        mappings=[services.UnitMapping(name="市新设局", unit_id=target.pk)],
    )
    party = plan.tasks.get(number=1).party_set.get(role="responsible", position=1)
    assert party.name == "市新设局" and party.unit == target
    assert UnitAlias.objects.get(name="市新设局").unit == target


def test_creating_a_unit_for_an_unknown_name_adds_it_to_the_directory():
    services.plan_import(
        actor=None, data=PROSE.encode(), filename="p.txt",
        mappings=[services.UnitMapping(name="市新设局", create_kind="municipal")],
    )
    assert Unit.objects.get(short_name="市新设局").kind == "municipal"


def test_a_group_term_as_lead_is_refused():
    text = "1．开展专项整治。（市政府各部门、市发改委负责，排在第一位的部门为牵头部门）\n"
    with pytest.raises(services.UnresolvedUnits, match="牵头部门必须是具体单位"):
        services.plan_import(actor=None, data=text.encode(), filename="p.txt")
    assert Plan.objects.count() == 0


def test_a_failure_while_storing_leaves_no_rows_and_no_file(reference_bytes, settings, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(TaskTarget.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        services.plan_import(actor=None, data=reference_bytes, filename="a.txt")
    assert row_counts() == (0, 0, 0, 0, 0, 0)
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


def test_a_failure_after_the_file_is_written_removes_the_file(reference_bytes, settings, monkeypatch):
    original_save = Plan.save

    def save_then_fail(self, *args, **kwargs):
        if kwargs.get("update_fields") == ["source_file"]:
            raise RuntimeError("connection lost")
        return original_save(self, *args, **kwargs)

    monkeypatch.setattr(Plan, "save", save_then_fail)
    with pytest.raises(RuntimeError):
        services.plan_import(actor=None, data=reference_bytes, filename="a.txt")
    assert Plan.objects.count() == 0
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


def test_a_document_that_cannot_be_parsed_stores_nothing(settings):
    with pytest.raises(PlanParseError):
        services.plan_import(actor=None, data=b"just some words\n", filename="x.txt")
    assert row_counts() == (0, 0, 0, 0, 0, 0)


def test_a_deadline_column_is_stored_as_written_and_as_a_date_and_dispatch_uses_it(settings):
    from workflows.models import Assignment
    from workflows.services.dispatch import plan_dispatch

    table = "\n".join([
        "某市2018年重点工作任务分解表",
        "序号\t工作任务\t牵头单位\t完成时限",
        "1\t推进政务服务一网通办，9月底前上线\t市政务办\t2018年6月底前",
        "2\t完成信用平台建设\t市发改委\t每季度",
        "",
    ]).encode()
    supervisor = Unit.objects.get(short_name="市政府法制办")
    plan = services.plan_import(actor=None, data=table, filename="plan.txt", supervising_unit=supervisor)

    first, second = plan.tasks.order_by("number")
    assert (first.deadline_text, str(first.due_date), first.cadence) == ("2018年6月底前", "2018-06-30", "")
    assert (second.deadline_text, second.due_date, second.cadence) == ("每季度", None, "quarterly")
    supervisor_person = _supervisor_of(supervisor)
    plan_dispatch(actor=supervisor_person, plan_id=plan.pk)
    # The column's date, not the earlier 9月底前 inside the text; the plan's end where it has none.
    assert set(Assignment.objects.filter(task=first).values_list("due_date", flat=True)) == {first.due_date}
    assert {d.isoformat() for d in Assignment.objects.filter(task=second).values_list("due_date", flat=True)} == {
        "2018-12-31"}


def _supervisor_of(unit):
    from tests.world import person

    return person("ducha", unit.short_name, "supervisor")
