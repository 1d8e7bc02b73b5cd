"""python manage.py import_plan PATH [--dry-run] [--json] [--map NAME=UNIT] [--create-units KIND]
    [--profile NAME] [--map-column HEADER=ROLE] [--map-label LABEL=ROLE] [--save-profile NAME] [--show-layout]
python manage.py import_plan PATH --revise [--plan ID] [--profile NAME] [--map-column HEADER=ROLE] [--dry-run] [--json] [--no-input]"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows import services
from workflows.importers import LayoutMapping, PlanParseError
from workflows.importers.mapping import (
    COLUMN_ROLES,
    LABEL_ROLES,
    ROLE_NAMES,
    role_named,
    with_changes,
)
from workflows.models import Unit, UnitKind
from workflows.services.errors import ActionError


class Command(BaseCommand):
    help = _("导入计划任务分解文件（.txt/.csv/.docx/.xlsx）；--dry-run 只解析并显示结果，不写入。")

    def add_arguments(self, parser):
        parser.add_argument("path", help=_("计划文件路径"))
        parser.add_argument("--dry-run", action="store_true", help=_("只解析，不写入数据库"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出解析结果"))
        parser.add_argument(
            "--map", action="append", default=[], metavar=_("原文名称=单位简称"),
            help=_("把文件中的未知名称对应到已有单位（保存为该单位的别名），可重复"),
        )
        parser.add_argument(
            "--create-units", choices=UnitKind.values, metavar="KIND",
            help=_("把其余未知名称新建为该类型的单位：%(kinds)s") % {"kinds": "、".join(UnitKind.values)},
        )
        parser.add_argument("--supervisor", metavar=_("单位简称"), help=_("督办单位，例如 市政府法制办"))
        parser.add_argument(
            "--skip-existing", action="store_true",
            help=_("同一文件已导入时不报错，直接跳过（供 make run 重复执行）"),
        )
        parser.add_argument("--strict", action="store_true",
                            help=_("严格模式：任一任务有问题（如没有牵头部门、编号重复）即拒绝整个文件，而不是提示后跳过该项"))
        parser.add_argument("--profile", metavar=_("方案名称"),
                            help=_("按已保存的版式方案读取文件（各列、各标签的用途）"))
        parser.add_argument(
            "--map-column", action="append", default=[], metavar=_("表头=用途"),
            help=_("指定某列的用途（表头文字，或 #3 表示第 3 列）：任务内容、牵头单位、责任单位、配合单位、完成时限、"
                   "序号、分类、不导入，可重复"),
        )
        parser.add_argument(
            "--map-label", action="append", default=[], metavar=_("标签=用途"),
            help=_("条目式文件中某个署名标签的用途（如 主办单位=牵头单位）：牵头单位、责任单位、配合单位、完成时限、人员，可重复"),
        )
        parser.add_argument("--save-profile", metavar=_("方案名称"),
                            help=_("把本次使用的列映射保存为版式方案，供以后的文件使用"))
        parser.add_argument("--show-layout", action="store_true",
                            help=_("只显示文件的各列（或标签）及其识别出的用途，不导入"))
        parser.add_argument("--revise", action="store_true",
                            help=_("作为已导入计划的修订版：显示差异（按任务编号对应），确认后应用"))
        parser.add_argument("--plan", type=int, metavar="ID",
                            help=_("与 --revise 同用：要修订的计划编号（默认按文号查找）"))
        parser.add_argument("--no-input", action="store_true", help=_("与 --revise 同用：不询问，直接应用"))

    def handle(self, *args, path, dry_run, json: bool, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        data = file.read_bytes()
        mapping = self._layout_mapping(options)
        if options["revise"]:
            self._revise(data, file.name, plan_id=options["plan"], dry_run=dry_run, as_json=json,
                         no_input=options["no_input"], mapping=mapping)
            return
        if options["show_layout"]:
            self._print_layout(data, file.name, mapping)
            return
        try:
            preview = services.plan_preview(data=data, filename=file.name, strict=options["strict"], mapping=mapping)
        except PlanParseError as exc:
            raise CommandError(_("无法导入 %(file)s：%(error)s\n可用 --show-layout 查看各列的识别结果，用 --map-column 表头=用途 指定")
                               % {"file": file.name, "error": exc.display()}) from exc
        if options["save_profile"] and dry_run:
            self.stdout.write(_("（--dry-run：未保存版式方案“%(name)s”）") % {"name": options["save_profile"]})
        elif options["save_profile"]:
            try:
                services.layout_profile_save(actor=None, name=options["save_profile"], mapping=mapping or LayoutMapping())
            except ActionError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(_("已保存版式方案“%(name)s”") % {"name": options["save_profile"]})
        if dry_run:
            self._print_preview(preview, as_json=json)
            return
        if options["skip_existing"] and preview.duplicate_of is not None:
            self.stdout.write(_("已导入，跳过：《%(title)s》（编号 %(id)s）")
                              % {"title": preview.duplicate_of.title, "id": preview.duplicate_of.pk})
            return
        mappings = self._mappings(preview, options["map"], options["create_units"])
        supervisor = None
        if options["supervisor"]:
            supervisor = Unit.objects.filter(short_name=options["supervisor"]).first()
            if supervisor is None:
                raise CommandError(_("督办单位“%(unit)s”不在单位库中") % {"unit": options["supervisor"]})
        try:
            plan = services.plan_import(
                actor=None, data=data, filename=file.name, mappings=mappings,
                supervising_unit=supervisor, strict=options["strict"], mapping=mapping,
                profile=options["profile"] or "",
            )
        except services.PlanImportError as exc:
            values = {"file": file.name, "error": exc.message}
            if isinstance(exc, services.UnresolvedUnits):
                raise CommandError(_("未导入 %(file)s：\n%(error)s\n可用 --map 名称=单位简称 或 --create-units 类型 处理未知单位")
                                   % values) from exc
            raise CommandError(_("未导入 %(file)s：\n%(error)s") % values) from exc
        if json:
            self.stdout.write(_dumps({"id": plan.pk, "title": plan.title,
                                      "tasks": plan.tasks.count(), "sha256": plan.source_sha256}))
        else:
            self.stdout.write(self.style.SUCCESS(
                _("已导入《%(title)s》（编号 %(id)s）：%(sections)s 个部分，%(tasks)s 项任务")
                % {"title": plan.title, "id": plan.pk, "sections": plan.sections.count(), "tasks": plan.tasks.count()}))

    def _revise(self, data: bytes, filename: str, *, plan_id, dry_run: bool, as_json: bool, no_input: bool,
                mapping: LayoutMapping | None) -> None:
        from workflows.services import revisions
        from workflows.services.errors import ActionError

        try:
            preview = revisions.plan_revision_preview(actor=None, data=data, filename=filename, plan_id=plan_id,
                                                      mapping=mapping)
        except ActionError as exc:
            raise CommandError(_("无法修订：%(error)s") % {"error": exc.message}) from exc
        diff = preview.diff
        if as_json:
            if dry_run or diff.empty:
                self.stdout.write(_dumps({**preview.to_dict(), "applied": False}))
        else:
            self.stdout.write(_("修订《%(title)s》（编号 %(id)s）：新增 %(added)s 项，删除 %(removed)s 项，修改 %(changed)s 项")
                              % {"title": preview.plan.title, "id": preview.plan.pk, "added": len(diff.added),
                                 "removed": len(diff.removed), "changed": len(diff.changed)})
            for line in diff.lines():
                self.stdout.write(f"  {line}")
            if preview.closing:
                self.stdout.write("  " + _("将关闭 %(count)s 件未办结的承办件（任务已撤销）")
                                  % {"count": sum(preview.closing.values())})
            if preview.kept_accepted:
                self.stdout.write("  " + _("已验收办结的 %(count)s 件不受影响")
                                  % {"count": sum(preview.kept_accepted.values())})
        if diff.empty:
            if not as_json:
                self.stdout.write(_("修订文件与当前计划没有差异，无需修订。"))
            return
        if dry_run:
            return
        if not no_input and not as_json and sys.stdin.isatty():
            answer = input(_("确认应用以上修订？[y/N] ")).strip().lower()
            if answer not in ("y", "yes", "是"):
                self.stdout.write(_("已取消，未作任何修改。"))
                return
        try:
            revision = revisions.plan_revise(actor=None, data=data, filename=filename, plan_id=preview.plan.pk,
                                             fingerprint=preview.fingerprint, mapping=mapping)
        except ActionError as exc:
            raise CommandError(_("未修订：%(error)s") % {"error": exc.message}) from exc
        result = {**preview.to_dict(), "applied": True, "revision": revision.number,
                  "withdrawn_assignments": len(revision.diff["withdrawn_assignments"]),
                  "created_assignments": revision.diff["created_assignments"],
                  "awaiting_selection": revision.diff["awaiting_selection"]}
        if as_json:
            self.stdout.write(_dumps(result))
        else:
            values = {"number": revision.number, "withdrawn": result["withdrawn_assignments"],
                      "created": result["created_assignments"], "terms": "、".join(result["awaiting_selection"])}
            if result["awaiting_selection"]:
                text = _("已应用第 %(number)s 次修订：关闭 %(withdrawn)s 件承办件，新交办 %(created)s 件；"
                         "待牵头部门选定单位：%(terms)s") % values
            else:
                text = _("已应用第 %(number)s 次修订：关闭 %(withdrawn)s 件承办件，新交办 %(created)s 件") % values
            self.stdout.write(self.style.SUCCESS(text))

    def _layout_mapping(self, options) -> LayoutMapping | None:
        """The saved profile, if named, with the columns and labels given on the command line."""
        base = None
        if options["profile"]:
            try:
                base = services.profile_mapping(options["profile"])
            except ActionError as exc:
                raise CommandError(exc.message) from exc
        columns = self._pairs(options["map_column"], "--map-column", COLUMN_ROLES)
        labels = self._pairs(options["map_label"], "--map-label", LABEL_ROLES)
        if base is None and not columns and not labels:
            return None
        return with_changes(base, columns=columns, labels=labels)

    def _pairs(self, pairs, option: str, roles) -> dict[str, str]:
        result = {}
        for pair in pairs:
            name, sep, role_text = pair.rpartition("=")
            role = role_named(role_text, roles) if sep and name.strip() else None
            if role is None:
                names = "、".join(str(ROLE_NAMES[r]) for r in roles)
                raise CommandError(_("%(option)s %(pair)s：格式应为 名称=用途，用途为 %(names)s 之一")
                                   % {"option": option, "pair": pair, "names": names})
            result[name.strip()] = role
        return result

    def _print_layout(self, data: bytes, filename: str, mapping) -> None:
        try:
            layout = services.plan_layout(data=data, filename=filename, mapping=mapping)
        except PlanParseError as exc:
            raise CommandError(exc.display()) from exc
        if layout.is_table:
            self.stdout.write(_("表头在第 %(line)s 行：") % {"line": layout.header_line})
            for column in layout.columns:
                role = str(ROLE_NAMES[column.role]) if column.role else _("（未识别）")
                self.stdout.write(f"  #{column.number} {column.header or _('（空）')} → {role}"
                                  + (f"    {' | '.join(column.samples)}" if column.samples else ""))
        for label in layout.labels:
            role = str(ROLE_NAMES[label.role]) if label.role else _("（未识别）")
            self.stdout.write(_("  标签 %(label)s：（%(count)s 处）→ %(role)s")
                              % {"label": label.label, "count": label.count, "role": role})
        if not layout.is_table and not layout.labels:
            self.stdout.write(_("文件中没有表头行，也没有署名标签"))

    def _mappings(self, preview, pairs, create_kind):
        by_name = {u.name: u for u in preview.unknown}
        mappings, mapped = [], set()
        for pair in pairs:
            name, sep, target = pair.partition("=")
            if not sep or not name or not target:
                raise CommandError(_("--map 的格式应为 原文名称=单位简称：%(pair)s") % {"pair": pair})
            unit = Unit.objects.filter(short_name=target).first()
            if unit is None:
                raise CommandError(_("--map %(pair)s：单位“%(unit)s”不在单位库中") % {"pair": pair, "unit": target})
            if name not in by_name:
                raise CommandError(_("--map %(pair)s：文件中没有未知名称“%(name)s”") % {"pair": pair, "name": name})
            mappings.append(services.UnitMapping(name=name, unit_id=unit.pk))
            mapped.add(name)
        if create_kind:
            mappings += [services.UnitMapping(name=n, create_kind=create_kind)
                         for n in by_name if n not in mapped]
        return mappings

    def _print_preview(self, preview, *, as_json: bool) -> None:
        result = preview.to_dict()
        if as_json:
            self.stdout.write(_dumps(result))
            return
        self.stdout.write(_("标题：%(title)s") % {"title": result["title"]})
        self.stdout.write(_("文号：%(doc_number)s  发文机关：%(issuer)s  成文日期：%(issued_on)s")
                          % {"doc_number": result["doc_number"] or "—", "issuer": result["issuer"] or "—",
                             "issued_on": result["issued_on"] or "—"})
        for section in result["sections"]:
            self.stdout.write(_("%(numeral)s%(title)s（%(count)s 项）")
                              % {"numeral": section["numeral"], "title": section["title"],
                                 "count": len(section["tasks"])})
            for task in section["tasks"]:
                self.stdout.write(
                    f"  {task['number']}．{task['text'][:40]}…\n     "
                    + _("牵头：%(leads)s  责任：%(responsible)s")
                    % {"leads": "、".join(task["lead_units"]), "responsible": "、".join(task["responsible_terms"])}
                    + ("  " + _("配合：%(units)s") % {"units": "、".join(task["cooperating_units"])}
                       if task["cooperating_units"] else "")
                    + "".join("\n     " + _("时限：%(date)s（%(phrase)s）") % {"date": d["date"], "phrase": d["phrase"]}
                              for d in task["deadlines"])
                    + "".join("\n     " + _("指标：%(value)s（%(phrase)s）") % {"value": t["value"], "phrase": t["phrase"]}
                              for t in task["targets"])
                )
        for warning in result["warnings"]:
            if warning["line"]:
                text = _("提示：第 %(line)s 行：%(message)s") % {"line": warning["line"], "message": warning["message"]}
            else:
                text = _("提示：%(message)s") % {"message": warning["message"]}
            self.stdout.write(self.style.WARNING(text))
        if preview.duplicate_of is not None:
            self.stdout.write(self.style.WARNING(_("该文件已导入为《%(title)s》") % {"title": preview.duplicate_of.title}))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
