"""python manage.py import_plan PATH [--dry-run] [--json] [--map NAME=UNIT] [--create-units KIND]"""
from __future__ import annotations

import json
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

    def handle(self, *args, path, dry_run, json: bool, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"找不到文件：{path}")
        data = file.read_bytes()
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
