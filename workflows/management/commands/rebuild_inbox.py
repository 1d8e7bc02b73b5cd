"""python manage.py rebuild_inbox [--check]: compare 我的待办's table with the permissions, or rewrite it."""
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from workflows.services.inbox import inbox_drift, refresh_inbox


class Command(BaseCommand):
    help = _("核对或重建“我的待办”索引（InboxItem）：它由承办件状态、办理期限和对象权限推导而来。"
             "加 --check 时只核对，不一致则列出并以非零状态退出；不加时整体重建。")

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help=_("只核对，不修改"))

    def handle(self, *args, check: bool, **options):
        drift = inbox_drift()
        wrong = len(drift["missing"]) + len(drift["extra"])
        for row_text, more_text, rows in (
            (_("缺少：用户组 %(group)s · 承办件 %(assignment)s · %(state)s · %(due)s"), _("……另有 %(count)s 条缺少"),
             drift["missing"]),
            (_("多出：用户组 %(group)s · 承办件 %(assignment)s · %(state)s · %(due)s"), _("……另有 %(count)s 条多出"),
             drift["extra"]),
        ):
            for group_id, assignment_id, state, due in rows[:20]:
                self.stdout.write(row_text % {"group": group_id, "assignment": assignment_id, "state": state, "due": due})
            if len(rows) > 20:
                self.stdout.write(more_text % {"count": len(rows) - 20})
        if check:
            if wrong:
                raise CommandError(_("待办索引与对象权限不一致：缺少 %(missing)s 条，多出 %(extra)s 条；"
                                     "请运行 python manage.py rebuild_inbox 重建")
                                   % {"missing": len(drift["missing"]), "extra": len(drift["extra"])}, returncode=1)
            self.stdout.write(_("待办索引与承办件状态、对象权限一致。"))
            return
        written = refresh_inbox()
        self.stdout.write(_("已重建待办索引：%(written)s 条（重建前不一致 %(wrong)s 条）。") % {"written": written, "wrong": wrong})
