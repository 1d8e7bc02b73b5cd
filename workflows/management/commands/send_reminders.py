"""python manage.py send_reminders [--date YYYY-MM-DD] [--force] [--dry-run] [--json]

The daily job (also run by Celery beat as ``workflows.tasks.send_reminders``): the 督办 ladder for
overdue assignments, then one digest per person of their red and yellow items. It sends nothing on
a day off (the working calendar says so) unless ``--force``; ``--date`` runs it as if it were that
day, the working-day rule included. A second run on the same day sends nothing new.
"""
import argparse
import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.calendar import cn_date
from workflows.services.reminders import reminders_daily


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(_("日期格式应为 YYYY-MM-DD：%(text)r") % {"text": text}) from None


class Command(BaseCommand):
    help = _("每日催办：为逾期承办件逐级发出督办通知，并向每人发送一封黄灯、红灯待办摘要邮件。"
             "非工作日不发送（--force 除外）；同一天重复运行不会重复发送。")

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_date, help=_("按该日期运行（YYYY-MM-DD），默认今天；仍按工作日规则"))
        parser.add_argument("--force", action="store_true", help=_("非工作日也发送"))
        parser.add_argument("--dry-run", action="store_true", help=_("只列出将要发送的内容，不发送、不记录"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出结果"))

    def handle(self, *args, **options):
        run = reminders_daily(today=options["date"], force=options["force"], dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(run.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._report(run)
        if run.failures:
            raise CommandError(_("%(count)s 封邮件发送失败（已记录，不会自动重发），详见上文。") % {"count": len(run.failures)})

    def _report(self, run) -> None:
        day = cn_date(dt.date.fromisoformat(run.date))
        prefix = _("【演练，未发送】") if run.dry_run else ""
        kind = _("工作日") if run.working_day else _("非工作日")
        self.stdout.write(_("%(prefix)s%(day)s（%(kind)s）") % {"prefix": prefix, "day": day, "kind": kind})
        if run.skipped:
            self.stdout.write(run.skipped)
            return
        self.stdout.write(_("督办通知：%(count)s 件") % {"count": len(run.escalations)})
        for e in run.escalations:
            values = {"unit": e["unit"], "task": e["task"], "level": e["level_label"],
                      "days": e["overdue_working_days"], "skipped": "、".join(map(str, e["skipped_levels"])),
                      "to": "、".join(e["recipients"]) or _("（无收件人邮箱）")}
            if e["skipped_levels"]:
                text = _("%(unit)s 第%(task)s项：%(level)s（逾期 %(days)s 个工作日，跳过第 %(skipped)s 级）→ %(to)s") % values
            else:
                text = _("%(unit)s 第%(task)s项：%(level)s（逾期 %(days)s 个工作日）→ %(to)s") % values
            self.stdout.write("  " + text)
            if e["without_email"]:
                self.stdout.write("    " + _("未登记邮箱：%(users)s") % {"users": "、".join(e["without_email"])})
        self.stdout.write(_("催办摘要邮件：%(count)s 封") % {"count": len(run.digests)})
        for d in run.digests:
            self.stdout.write("  " + _("%(user)s <%(email)s>：红灯 %(red)s 项，黄灯 %(yellow)s 项")
                              % {"user": d["user"], "email": d["email"], "red": d["red"], "yellow": d["yellow"]})
        if run.already_sent:
            self.stdout.write(_("今天已发送过摘要（不重复发送）：%(users)s") % {"users": "、".join(run.already_sent)})
        for p in run.no_email:
            self.stdout.write(self.style.WARNING(
                _("未登记邮箱，无法发送摘要：%(user)s（红灯 %(red)s 项，黄灯 %(yellow)s 项）")
                % {"user": p["user"], "red": p["red"], "yellow": p["yellow"]}))
        for failure in run.failures:
            self.stderr.write(_("发送失败：%(failure)s") % {"failure": failure})
