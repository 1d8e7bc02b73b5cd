"""python manage.py import_plan PATH [--dry-run] [--json] [--map NAME=UNIT] [--create-units KIND]
python manage.py import_plan PATH --revise [--plan ID] [--dry-run] [--json] [--no-input]"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from workflows import services
from workflows.importers import PlanParseError
from workflows.models import Unit, UnitKind


class Command(BaseCommand):
    help = "导入计划任务分解文件（.txt/.csv/.docx/.xlsx）；--dry-run 只解析并显示结果，不写入。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="计划文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只解析，不写入数据库")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出解析结果")
        parser.add_argument(
            "--map", action="append", default=[], metavar="原文名称=单位简称",
            help="把文件中的未知名称对应到已有单位（保存为该单位的别名），可重复",
        )
        parser.add_argument(
            "--create-units", choices=UnitKind.values, metavar="KIND",
            help="把其余未知名称新建为该类型的单位：" + "、".join(UnitKind.values),
        )
        parser.add_argument("--supervisor", metavar="单位简称", help="督办单位，例如 市政府法制办")
        parser.add_argument(
            "--skip-existing", action="store_true",
            help="同一文件已导入时不报错，直接跳过（供 make run 重复执行）",
        )
        parser.add_argument("--revise", action="store_true",
                            help="作为已导入计划的修订版：显示差异（按任务编号对应），确认后应用")
        parser.add_argument("--plan", type=int, metavar="ID", help="与 --revise 同用：要修订的计划编号（默认按文号查找）")
        parser.add_argument("--no-input", action="store_true", help="与 --revise 同用：不询问，直接应用")

    def handle(self, *args, path, dry_run, json: bool, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件：{path}")
        data = file.read_bytes()
        if options["revise"]:
            self._revise(data, file.name, plan_id=options["plan"], dry_run=dry_run, as_json=json,
                         no_input=options["no_input"])
            return
        try:
            preview = services.plan_preview(data=data, filename=file.name)
        except PlanParseError as exc:
            raise CommandError(f"无法导入 {file.name}：{exc.display()}") from exc
        if dry_run:
            self._print_preview(preview, as_json=json)
            return
        if options["skip_existing"] and preview.duplicate_of is not None:
            self.stdout.write(f"已导入，跳过：《{preview.duplicate_of.title}》（编号 {preview.duplicate_of.pk}）")
            return
        mappings = self._mappings(preview, options["map"], options["create_units"])
        supervisor = None
        if options["supervisor"]:
            supervisor = Unit.objects.filter(short_name=options["supervisor"]).first()
            if supervisor is None:
                raise CommandError(f"督办单位“{options['supervisor']}”不在单位库中")
        try:
            plan = services.plan_import(
                actor=None, data=data, filename=file.name, mappings=mappings,
                supervising_unit=supervisor,
            )
        except services.PlanImportError as exc:
            hint = "\n可用 --map 名称=单位简称 或 --create-units 类型 处理未知单位" if isinstance(
                exc, services.UnresolvedUnits) else ""
            raise CommandError(f"未导入 {file.name}：\n{exc.message}{hint}") from exc
        if json:
            self.stdout.write(_dumps({"id": plan.pk, "title": plan.title,
                                      "tasks": plan.tasks.count(), "sha256": plan.source_sha256}))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"已导入《{plan.title}》（编号 {plan.pk}）：{plan.sections.count()} 个部分，"
                f"{plan.tasks.count()} 项任务"))

    def _revise(self, data: bytes, filename: str, *, plan_id, dry_run: bool, as_json: bool, no_input: bool) -> None:
        from workflows.services import revisions
        from workflows.services.errors import ActionError

        try:
            preview = revisions.plan_revision_preview(actor=None, data=data, filename=filename, plan_id=plan_id)
        except ActionError as exc:
            raise CommandError(f"无法修订：{exc.message}") from exc
        diff = preview.diff
        if as_json:
            if dry_run or diff.empty:
                self.stdout.write(_dumps({**preview.to_dict(), "applied": False}))
        else:
            self.stdout.write(f"修订《{preview.plan.title}》（编号 {preview.plan.pk}）：新增 {len(diff.added)} 项，"
                              f"删除 {len(diff.removed)} 项，修改 {len(diff.changed)} 项")
            for line in diff.lines():
                self.stdout.write(f"  {line}")
            if preview.closing:
                self.stdout.write(f"  将关闭 {sum(preview.closing.values())} 件未办结的承办件（任务已撤销）")
            if preview.kept_accepted:
                self.stdout.write(f"  已验收办结的 {sum(preview.kept_accepted.values())} 件不受影响")
        if diff.empty:
            if not as_json:
                self.stdout.write("修订文件与当前计划没有差异，无需修订。")
            return
        if dry_run:
            return
        if not no_input and not as_json and sys.stdin.isatty():
            answer = input("确认应用以上修订？[y/N] ").strip().lower()
            if answer not in ("y", "yes", "是"):
                self.stdout.write("已取消，未作任何修改。")
                return
        try:
            revision = revisions.plan_revise(actor=None, data=data, filename=filename, plan_id=preview.plan.pk,
                                             fingerprint=preview.fingerprint)
        except ActionError as exc:
            raise CommandError(f"未修订：{exc.message}") from exc
        result = {**preview.to_dict(), "applied": True, "revision": revision.number,
                  "withdrawn_assignments": len(revision.diff["withdrawn_assignments"]),
                  "created_assignments": revision.diff["created_assignments"],
                  "awaiting_selection": revision.diff["awaiting_selection"]}
        if as_json:
            self.stdout.write(_dumps(result))
        else:
            self.stdout.write(self.style.SUCCESS(
                f"已应用第 {revision.number} 次修订：关闭 {result['withdrawn_assignments']} 件承办件，"
                f"新交办 {result['created_assignments']} 件"
                + (f"；待牵头部门选定单位：{'、'.join(result['awaiting_selection'])}" if result["awaiting_selection"]
                   else "")))

    def _mappings(self, preview, pairs, create_kind):
        by_name = {u.name: u for u in preview.unknown}
        mappings, mapped = [], set()
        for pair in pairs:
            name, sep, target = pair.partition("=")
            if not sep or not name or not target:
                raise CommandError(f"--map 的格式应为 原文名称=单位简称：{pair}")
            unit = Unit.objects.filter(short_name=target).first()
            if unit is None:
                raise CommandError(f"--map {pair}：单位“{target}”不在单位库中")
            if name not in by_name:
                raise CommandError(f"--map {pair}：文件中没有未知名称“{name}”")
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
        self.stdout.write(f"标题：{result['title']}")
        self.stdout.write(f"文号：{result['doc_number'] or '—'}  发文机关：{result['issuer'] or '—'}  "
                          f"成文日期：{result['issued_on'] or '—'}")
        for section in result["sections"]:
            self.stdout.write(f"{section['numeral']}{section['title']}（{len(section['tasks'])} 项）")
            for task in section["tasks"]:
                self.stdout.write(
                    f"  {task['number']}．{task['text'][:40]}…\n"
                    f"     牵头：{'、'.join(task['lead_units'])}  责任：{'、'.join(task['responsible_terms'])}"
                    + (f"  配合：{'、'.join(task['cooperating_units'])}" if task["cooperating_units"] else "")
                    + "".join(f"\n     时限：{d['date']}（{d['phrase']}）" for d in task["deadlines"])
                    + "".join(f"\n     指标：{t['value']}（{t['phrase']}）" for t in task["targets"])
                )
        for warning in result["warnings"]:
            where = f"第 {warning['line']} 行：" if warning["line"] else ""
            self.stdout.write(self.style.WARNING(f"提示：{where}{warning['message']}"))
        if preview.duplicate_of is not None:
            self.stdout.write(self.style.WARNING(f"该文件已导入为《{preview.duplicate_of.title}》"))


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
