"""The command-line import: dry runs write nothing, real runs store once, bad input says why."""
import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.conftest import REFERENCE_PLAN
from workflows.models import Plan, Task, Unit, UnitAlias

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_dry_run_json_prints_the_documented_shape_and_writes_nothing():
    data = json.loads(run("import_plan", str(REFERENCE_PLAN), "--dry-run", "--json"))
    assert data["doc_number"] == "昆政办发〔2017〕169号"
    assert data["issued_on"] == "2017-09-18"
    assert sum(len(s["tasks"]) for s in data["sections"]) == 31
    assert data["warnings"] == []
    assert Plan.objects.count() == 0 and Task.objects.count() == 0


def test_dry_run_json_reports_unknown_units_as_warnings_with_suggestions(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("1．建设信用平台。（市信用中心负责）\n", encoding="gb18030")
    data = json.loads(run("import_plan", str(path), "--dry-run", "--json"))
    [warning] = data["warnings"]
    assert warning["line"] == 1
    assert "未知单位“市信用中心”" in warning["message"] and "市信用办" in warning["message"]
    assert Plan.objects.count() == 0


def test_import_stores_the_plan_and_a_second_import_is_refused():
    output = run("import_plan", str(REFERENCE_PLAN), "--supervisor", "市政府法制办")
    assert "31 项任务" in output
    assert Plan.objects.get().supervising_unit.short_name == "市政府法制办"
    with pytest.raises(CommandError, match="不能重复导入"):
        run("import_plan", str(REFERENCE_PLAN))
    assert "已导入，跳过" in run("import_plan", str(REFERENCE_PLAN), "--skip-existing")
    assert Plan.objects.count() == 1


def test_unknown_units_refuse_the_import_until_mapped(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("1．建设信用平台。（市信用中心、市新局负责）\n", encoding="utf-8")
    with pytest.raises(CommandError, match="市信用中心"):
        run("import_plan", str(path))
    assert Plan.objects.count() == 0
    run("import_plan", str(path), "--map", "市信用中心=市信用办", "--create-units", "municipal")
    assert UnitAlias.objects.get(name="市信用中心").unit.short_name == "市信用办"
    assert Unit.objects.filter(short_name="市新局", kind="municipal").exists()


def test_a_bad_document_is_refused_with_its_line_and_nothing_is_stored(tmp_path):
    path = tmp_path / "dup.txt"
    path.write_text("1．甲。（市编办负责）\n1．乙。（市编办负责）\n", encoding="utf-8")
    # Strict mode refuses the document over one bad item; without it the item is renumbered.
    with pytest.raises(CommandError, match="第 2 行：任务编号 1 重复"):
        run("import_plan", str(path), "--strict")
    assert Plan.objects.count() == 0


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="找不到文件"):
        run("import_plan", "/nonexistent/plan.txt")


# --- the mapping step on the command line ---------------------------------------------------

MAPPED_TABLE = "\n".join([
    "某市2026年重点工作任务分解表",
    "序号\t工作任务\t责任单位\t统筹单位\t完成时限",
    "1\t推进政务服务一网通办，实现高频事项全程网办\t市财政局、各区镇\t市政府法制办\t2026年6月底前",
    "2\t完成社会信用平台建设\t市财政局\t市编办\t2026年底",
    "",
])


def test_a_column_mapped_on_the_command_line_is_saved_as_a_profile_and_reused(tmp_path):
    from audit.models import AuditEvent
    from workflows.models import LayoutProfile

    first = tmp_path / "first.txt"
    first.write_text(MAPPED_TABLE, encoding="utf-8")
    layout = run("import_plan", str(first), "--show-layout")
    assert "#4 统筹单位 → 配合单位" in layout  # read from its cells: units right of 责任单位

    run("import_plan", str(first), "--map-column", "统筹单位=牵头单位", "--save-profile", "某市统筹表",
        "--supervisor", "市政府法制办")
    plan = Plan.objects.get()
    assert [t.lead_names for t in plan.tasks.order_by("number")] == [["市政府法制办"], ["市编办"]]
    assert LayoutProfile.objects.get(name="某市统筹表").mapping["columns"] == {"统筹单位": "lead"}
    assert AuditEvent.objects.filter(action="layout_profile.saved").count() == 1
    assert json.loads(AuditEvent.objects.get(action="plan.imported").details)["layout"]["columns"] == {"统筹单位": "lead"}

    second = tmp_path / "second.txt"
    second.write_text(MAPPED_TABLE.replace("某市2026年", "某市2027年").replace("市编办", "市财政局"), encoding="utf-8")
    output = run("import_plan", str(second), "--profile", "某市统筹表")
    assert "已导入" in output
    assert Plan.objects.latest("id").tasks.get(number=2).lead_names == ["市财政局"]
    assert json.loads(AuditEvent.objects.filter(action="plan.imported").latest("seq").details)["layout_profile"] == "某市统筹表"

    # A revised version of the first plan is read through the same profile: 统筹单位 still leads.
    revised = tmp_path / "first-revised.txt"
    revised.write_text(MAPPED_TABLE.replace("市编办", "市审计局"), encoding="utf-8")
    output = run("import_plan", str(revised), "--revise", "--plan", str(plan.pk), "--profile", "某市统筹表",
                 "--no-input")
    assert "修改 1 项" in output
    assert plan.tasks.get(number=2).lead_names == ["市审计局"]


def test_an_unknown_profile_or_role_is_refused_with_what_exists(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(MAPPED_TABLE, encoding="utf-8")

    with pytest.raises(CommandError, match="没有名为“无此方案”的版式方案"):
        run("import_plan", str(path), "--profile", "无此方案")
    with pytest.raises(CommandError, match="用途为 序号、分类、任务内容、牵头单位"):
        run("import_plan", str(path), "--map-column", "统筹单位=领导")
    assert not Plan.objects.exists()


def test_a_dry_run_saves_no_profile(tmp_path):
    from workflows.models import LayoutProfile

    path = tmp_path / "plan.txt"
    path.write_text(MAPPED_TABLE, encoding="utf-8")
    assert "未保存版式方案" in run("import_plan", str(path), "--dry-run", "--map-column", "#4=lead",
                                  "--save-profile", "x")
    assert not LayoutProfile.objects.exists()
