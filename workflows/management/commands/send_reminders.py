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

from workflows.archive.report import cn_date
from workflows.services.reminders import reminders_daily


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text!r}") from None


class Command(BaseCommand):
    help = ("每日催办：为逾期承办件逐级发出督办通知，并向每人发送一封黄灯、红灯待办摘要邮件。"
            "非工作日不发送（--force 除外）；同一天重复运行不会重复发送。")

    def add_arguments(self, parser):
        parser.add_argument("--date", type=_date, help="按该日期运行（YYYY-MM-DD），默认今天；仍按工作日规则")
        parser.add_argument("--force", action="store_true", help="非工作日也发送")
        parser.add_argument("--dry-run", action="store_true", help="只列出将要发送的内容，不发送、不记录")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出结果")

    def handle(self, *args, **options):
        run = reminders_daily(today=options["date"], force=options["force"], dry_run=options["dry_run"])
        if options["json"]:
            self.stdout.write(json.dumps(run.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._report(run)
        if run.failures:
            raise CommandError(f"{len(run.failures)} 封邮件发送失败（已记录，不会自动重发），详见上文。")

    def _report(self, run) -> None:
        day = cn_date(dt.date.fromisoformat(run.date))
        prefix = "【演练，未发送】" if run.dry_run else ""
        self.stdout.write(f"{prefix}{day}（{'工作日' if run.working_day else '非工作日'}）")
        if run.skipped:
            self.stdout.write(run.skipped)
            return
        self.stdout.write(f"督办通知：{len(run.escalations)} 件")
        for e in run.escalations:
            to = "、".join(e["recipients"]) or "（无收件人邮箱）"
            skipped = f"，跳过第 {'、'.join(map(str, e['skipped_levels']))} 级" if e["skipped_levels"] else ""
            self.stdout.write(f"  {e['unit']} 第{e['task']}项：{e['level_label']}（逾期 {e['overdue_working_days']} "
                              f"个工作日{skipped}）→ {to}")
            if e["without_email"]:
                self.stdout.write(f"    未登记邮箱：{'、'.join(e['without_email'])}")
        self.stdout.write(f"催办摘要邮件：{len(run.digests)} 封")
        for d in run.digests:
            self.stdout.write(f"  {d['user']} <{d['email']}>：红灯 {d['red']} 项，黄灯 {d['yellow']} 项")
        if run.already_sent:
            self.stdout.write(f"今天已发送过摘要（不重复发送）：{'、'.join(run.already_sent)}")
        for p in run.no_email:
            self.stdout.write(self.style.WARNING(
                f"未登记邮箱，无法发送摘要：{p['user']}（红灯 {p['red']} 项，黄灯 {p['yellow']} 项）"))
        for failure in run.failures:
            self.stderr.write(f"发送失败：{failure}")
