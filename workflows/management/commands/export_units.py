"""python manage.py export_units [FILE.csv]"""
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from workflows.models import Unit
from workflows.unit_csv import units_to_csv


class Command(BaseCommand):
    help = _("把单位库导出为 CSV（UTF-8 带 BOM，Excel 可直接打开；import_units 可读回）。")

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help=_("输出文件；省略时打印到标准输出"))

    def handle(self, *args, path=None, **options):
        units = list(Unit.objects.prefetch_related("aliases").order_by("order", "short_name"))
        for unit in units:
            unit.alias_names = [a.name for a in unit.aliases.all()]
        text = units_to_csv(units)
        if path:
            Path(path).write_text("\ufeff" + text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(_("已导出 %(count)s 个单位到 %(path)s") % {"count": len(units), "path": path}))
        else:
            self.stdout.write(text, ending="")
