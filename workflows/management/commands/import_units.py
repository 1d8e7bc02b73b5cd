"""python manage.py import_units FILE.csv [--dry-run]"""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows import services
from workflows.unit_csv import UnitCsvError, parse_units_csv


class Command(BaseCommand):
    help = _("从 CSV 导入单位库（表头：简称,全称,别名,类型,排序,启用）；有错误的行全部列出，且不导入任何一行。")

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--dry-run", action="store_true", help=_("只检查，不写入"))

    def handle(self, *args, path, dry_run, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(_("找不到文件：%(path)s") % {"path": path})
        raw = file.read_bytes()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise CommandError(_("无法识别文件编码：请保存为 UTF-8 或 GB18030")) from exc
        try:
            rows = parse_units_csv(text)
        except UnitCsvError as exc:
            raise CommandError(_("单位库文件有错误，未导入任何一行：\n%(errors)s") % {"errors": exc}) from exc
        if dry_run:
            self.stdout.write(_("检查通过：%(count)s 个单位（未写入）") % {"count": len(rows)})
            return
        try:
            result = services.units_import(actor=None, rows=rows)
        except services.PlanImportError as exc:
            raise CommandError(_("单位库文件有错误，未导入任何一行：\n%(errors)s") % {"errors": exc.message}) from exc
        self.stdout.write(self.style.SUCCESS(_("已导入单位库：新增 %(created)s 个，更新 %(updated)s 个")
                                             % {"created": result.created, "updated": result.updated}))
