"""Read and write the unit directory as CSV. Pure: rows in, typed rows or line-numbered errors out."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from .directory import name_key
from .spreadsheets import CsvRows, csv_unquoted

# Header names accepted, in Chinese (as offices write them) or English (as the export's second form).
COLUMNS = {
    "short_name": ("简称", "short_name"),
    "full_name": ("全称", "full_name"),
    "aliases": ("别名", "aliases"),
    "kind": ("类型", "kind"),
    "order": ("排序", "order"),
    "is_active": ("启用", "is_active", "active"),
}
EXPORT_HEADER = ["简称", "全称", "别名", "类型", "排序", "启用"]
KIND_NAMES = {
    "municipal": "municipal", "市政府部门": "municipal", "市级部门": "municipal", "部门": "municipal",
    "district": "district", "区镇": "district",
    "urban_office": "urban_office", "城市管理办事处": "urban_office", "办事处": "urban_office",
    "other": "other", "其他": "other",
}
KIND_LABELS = {"municipal": "市政府部门", "district": "区镇", "urban_office": "城市管理办事处", "other": "其他"}
TRUE = {"是", "1", "true", "yes", "y", "启用", ""}
FALSE = {"否", "0", "false", "no", "n", "停用"}
ALIAS_SEPARATORS = ("；", ";", "|", "、")


@dataclass(frozen=True)
class UnitRow:
    """One unit of the file; a field is None when the file has no column for it (keep as is)."""

    line: int
    short_name: str
    full_name: str | None
    aliases: tuple[str, ...] | None
    kind: str | None
    order: int | None
    is_active: bool | None


class UnitCsvError(ValueError):
    """Every bad row, with its line number; nothing is imported when there is one."""

    def __init__(self, errors: list[tuple[int | None, str]]):
        self.errors = errors
        super().__init__("\n".join(_("第 %(line)s 行：%(message)s") % {"line": line, "message": msg} if line else msg
                                   for line, msg in errors))


def _split_aliases(cell: str) -> tuple[str, ...]:
    for separator in ALIAS_SEPARATORS[1:]:
        cell = cell.replace(separator, ALIAS_SEPARATORS[0])
    return tuple(a.strip() for a in cell.split(ALIAS_SEPARATORS[0]) if a.strip())


def parse_units_csv(text: str) -> list[UnitRow]:
    """Parse a unit directory CSV (UTF-8, a BOM allowed); raise UnitCsvError listing every bad line."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        raise UnitCsvError([(None, _("文件为空"))]) from None
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        for field, names in COLUMNS.items():
            if cell.strip().lower() in names:
                positions[field] = index
    if "short_name" not in positions:
        raise UnitCsvError([(1, _("缺少“简称”列（表头应为：%(header)s）") % {"header": "，".join(EXPORT_HEADER)})])
    rows: list[UnitRow] = []
    errors: list[tuple[int | None, str]] = []
    names_seen: dict[str, int] = {}

    def cell(record: list[str], field: str) -> str:
        index = positions.get(field)
        return csv_unquoted(record[index].strip()) if index is not None and index < len(record) else ""

    for record in reader:
        line = reader.line_num
        if not any(c.strip() for c in record):
            continue
        short_name = cell(record, "short_name")
        problems = []
        if not short_name:
            problems.append(_("简称不能为空"))
        kind_text = cell(record, "kind") or "other"
        kind = KIND_NAMES.get(kind_text.lower())
        if kind is None:
            problems.append(_("类型“%(kind)s”无效，应为：%(kinds)s")
                            % {"kind": kind_text, "kinds": "、".join(KIND_LABELS.values())})
        order_text = cell(record, "order") or "0"
        if not order_text.isdigit():
            problems.append(_("排序“%(order)s”应为非负整数") % {"order": order_text})
        active_text = cell(record, "is_active").lower()
        if active_text not in TRUE | FALSE:
            problems.append(_("启用“%(active)s”应为“是”或“否”") % {"active": active_text})
        aliases = _split_aliases(cell(record, "aliases"))
        full_name = cell(record, "full_name")
        for name in (short_name, full_name, *aliases):
            if not name:
                continue
            key = name_key(name)
            if key in names_seen and names_seen[key] != line:
                problems.append(_("名称“%(name)s”与第 %(line)s 行重复") % {"name": name, "line": names_seen[key]})
            names_seen.setdefault(key, line)
        if len(short_name) > 64 or len(full_name) > 200 or any(len(a) > 200 for a in aliases):
            problems.append(_("名称过长（简称不超过 64 字，全称和别名不超过 200 字）"))
        if problems:
            errors += [(line, p) for p in problems]
            continue
        given = positions.keys()
        rows.append(UnitRow(
            line=line,
            short_name=short_name,
            full_name=full_name if "full_name" in given else None,
            aliases=aliases if "aliases" in given else None,
            kind=kind if "kind" in given else None,
            order=int(order_text) if "order" in given else None,
            is_active=(active_text not in FALSE) if "is_active" in given else None,
        ))
    if errors:
        raise UnitCsvError(errors)
    return rows


def units_to_csv(units) -> str:
    """Write units (objects with short_name, full_name, kind, order, is_active, alias_names)."""
    out = io.StringIO()
    writer = CsvRows(out, lineterminator="\n")
    writer.writerow(EXPORT_HEADER)
    for unit in units:
        writer.writerow([
            unit.short_name, unit.full_name, "；".join(unit.alias_names), KIND_LABELS[unit.kind],
            unit.order, "是" if unit.is_active else "否",
        ])
    return out.getvalue()
