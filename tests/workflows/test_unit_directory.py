"""The unit directory: shipped data, CSV import that is all-or-nothing, and export."""
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from workflows.models import GroupTerm, Unit, UnitAlias
from workflows.unit_csv import UnitCsvError, parse_units_csv

REFERENCE_UNITS = [
    "市编办", "市政府法制办", "市财政局", "市物价局", "市国税局", "市地税局", "市城管局", "市政务办", "市发改委",
    "市市场监管局", "市科技局", "市商务局", "市信用办", "市民政局", "市人社局", "市政府办", "市监察局",
    "市审计局", "市维稳办", "市司法局", "市信访局", "市检察院",
]


@pytest.mark.django_db
def test_every_unit_named_in_the_reference_notice_is_shipped():
    assert set(REFERENCE_UNITS) <= set(Unit.objects.values_list("short_name", flat=True))


@pytest.mark.django_db
def test_group_terms_are_shipped_with_kind_and_scope():
    terms = {t.term: (t.kind, t.scope) for t in GroupTerm.objects.all()}
    assert terms["市政府各部门"] == ("municipal", "all")
    assert terms["市政府相关部门"] == ("municipal", "relevant")
    assert terms["各区镇"] == ("district", "all")
    assert terms["有关区镇"] == ("district", "relevant")
    assert terms["各城市管理办事处"] == ("urban_office", "all")


def test_csv_rows_parse_with_chinese_headers_and_aliases():
    rows = parse_units_csv("简称,全称,别名,类型,排序,启用\n市新局,昆山市新局,新局；新设局,市政府部门,5,是\n")
    [row] = rows
    assert (row.short_name, row.full_name, row.aliases, row.kind, row.order, row.is_active) == (
        "市新局", "昆山市新局", ("新局", "新设局"), "municipal", 5, True)


def test_every_bad_csv_row_is_reported_by_line():
    text = "简称,类型,排序\n甲局,市政府部门,1\n,区镇,2\n乙局,火星,x\n甲局,其他,3\n"
    with pytest.raises(UnitCsvError) as error:
        parse_units_csv(text)
    lines = [line for line, _message in error.value.errors]
    assert lines == [3, 4, 4, 5]
    assert "第 4 行：类型“火星”无效" in str(error.value)
    assert "第 5 行：名称“甲局”与第 2 行重复" in str(error.value)


def test_a_csv_without_a_short_name_column_is_refused():
    with pytest.raises(UnitCsvError, match="缺少“简称”列"):
        parse_units_csv("名字,类型\n甲,其他\n")


@pytest.mark.django_db
def test_import_units_writes_nothing_when_one_row_is_bad(tmp_path):
    before = Unit.objects.count()
    path = tmp_path / "units.csv"
    path.write_text("简称,类型\n新单位一,区镇\n新单位二,不存在的类型\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 3 行"):
        call_command("import_units", str(path), stdout=io.StringIO())
    assert Unit.objects.count() == before


@pytest.mark.django_db
def test_import_units_refuses_a_name_already_used_by_another_unit_and_writes_nothing(tmp_path):
    before = Unit.objects.count()
    path = tmp_path / "units.csv"
    path.write_text("简称,别名\n新单位一,\n新单位二,市法制办\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 3 行.*市法制办"):
        call_command("import_units", str(path), stdout=io.StringIO())
    assert Unit.objects.count() == before


@pytest.mark.django_db
def test_export_then_import_round_trips_the_directory(tmp_path):
    path = tmp_path / "units.csv"
    call_command("export_units", str(path), stdout=io.StringIO())
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    Unit.objects.filter(short_name="市编办").update(full_name="改过的名字", order=999)
    out = io.StringIO()
    call_command("import_units", str(path), stdout=out)
    unit = Unit.objects.get(short_name="市编办")
    assert unit.full_name == "昆山市机构编制委员会办公室" and unit.order == 10
    assert "新增 0 个" in out.getvalue()
    assert UnitAlias.objects.get(name="市法制办").unit.short_name == "市政府法制办"


@pytest.mark.django_db
def test_import_units_accepts_gb18030_and_updates_kind_and_active(tmp_path):
    path = tmp_path / "units.csv"
    path.write_bytes("简称,类型,启用\n市检察院,其他,否\n亭林城市管理办事处,城市管理办事处,是\n".encode("gb18030"))
    call_command("import_units", str(path), stdout=io.StringIO())
    assert Unit.objects.get(short_name="市检察院").is_active is False
    assert Unit.objects.get(short_name="亭林城市管理办事处").kind == "urban_office"


@pytest.mark.django_db
def test_a_unit_name_may_not_repeat_a_group_term_or_another_units_alias():
    with pytest.raises(ValidationError):
        Unit(short_name="各区镇", kind="district").full_clean()
    with pytest.raises(ValidationError):
        UnitAlias(unit=Unit.objects.get(short_name="市编办"), name="市法制办").full_clean()


@pytest.mark.django_db
def test_columns_missing_from_the_file_leave_existing_values_alone(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("简称,排序\n市政府法制办,1\n", encoding="utf-8")
    call_command("import_units", str(path), stdout=io.StringIO())
    unit = Unit.objects.get(short_name="市政府法制办")
    assert unit.order == 1
    assert unit.full_name == "昆山市人民政府法制办公室"
    assert [a.name for a in unit.aliases.all()] == ["市法制办"]
