"""python manage.py rebuild_inbox [--check]: compare 我的待办's table with the permissions, or rewrite it."""
from django.core.management.base import BaseCommand, CommandError

from workflows.services.inbox import inbox_drift, refresh_inbox


class Command(BaseCommand):
    help = ("核对或重建“我的待办”索引（InboxItem）：它由承办件状态、办理期限和对象权限推导而来。"
            "加 --check 时只核对，不一致则列出并以非零状态退出；不加时整体重建。")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只核对，不修改")

    def handle(self, *args, check: bool, **options):
        drift = inbox_drift()
        wrong = len(drift["missing"]) + len(drift["extra"])
        for label, rows in (("缺少", drift["missing"]), ("多出", drift["extra"])):
            for group_id, assignment_id, state, due in rows[:20]:
                self.stdout.write(f"{label}：用户组 {group_id} · 承办件 {assignment_id} · {state} · {due}")
            if len(rows) > 20:
                self.stdout.write(f"……另有 {len(rows) - 20} 条{label}")
        if check:
            if wrong:
                raise CommandError(f"待办索引与对象权限不一致：缺少 {len(drift['missing'])} 条，"
                                   f"多出 {len(drift['extra'])} 条；请运行 python manage.py rebuild_inbox 重建",
                                   returncode=1)
            self.stdout.write("待办索引与承办件状态、对象权限一致。")
            return
        written = refresh_inbox()
        self.stdout.write(f"已重建待办索引：{written} 条（重建前不一致 {wrong} 条）。")
