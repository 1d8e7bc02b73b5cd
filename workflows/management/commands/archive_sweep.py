"""python manage.py archive_sweep: remove orphaned archive files and re-run lost archive jobs."""
from django.core.management.base import BaseCommand

from workflows.services.archive import archive_sweep


class Command(BaseCommand):
    help = "清理中断遗留的临时文件和未登记的归档文件，并重新执行长时间未完成的归档任务。"

    def handle(self, *args, **options):
        result = archive_sweep()
        self.stdout.write(f"清理文件 {len(result['removed_files'])} 个，重新执行归档任务 {len(result['rescheduled'])} 个。")
        for name in result["removed_files"]:
            self.stdout.write(f"  已删除：{name}")
