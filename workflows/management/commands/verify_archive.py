"""python manage.py verify_archive [--json]: recompute every archive's hash and signature."""
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.archive.storage import store
from workflows.services.archive import verify_archives


class Command(BaseCommand):
    help = _("核验所有归档文件：重新计算 SHA-256 并验证电子签章；有缺失、改动或未签章的文件时以非零状态退出。")

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出结果"))

    def handle(self, *args, **options):
        checked, problems = verify_archives()
        where = store().describe()
        if options["json"]:
            self.stdout.write(json.dumps({"ok": not problems, "checked": checked, "store": where,
                                          "problems": [p.as_dict() for p in problems]}, ensure_ascii=False))
        else:
            self.stdout.write(_("归档存储：%(store)s") % {"store": where})
            for p in problems:
                self.stdout.write(_("承办件 %(assignment)s（归档 %(archive)s）：%(problem)s：%(message)s")
                                  % {"assignment": p.assignment_id, "archive": p.archive_id, "problem": p.problem,
                                     "message": p.message})
            if not problems:
                self.stdout.write(_("已核验 %(count)s 份归档文件：全部完好，签章有效。") % {"count": checked})
        if problems:
            raise CommandError(_("%(problems)s 份归档文件有问题（共核验 %(checked)s 份）")
                               % {"problems": len(problems), "checked": checked}, returncode=1)
