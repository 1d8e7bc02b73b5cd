"""python manage.py archive_sweep: remove orphaned archive files and re-run lost archive jobs;
remove generated reports (进度报告) kept longer than GENERATED_REPORT_KEEP_HOURS.

On ARCHIVE_ROOT it removes stale temporary files and unrecorded files; in an S3 bucket there are
no temporary objects, so it removes unrecorded archive objects (see workflows/archive/s3.py).
"""
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from workflows.archive.storage import store
from workflows.services.archive import archive_sweep


class Command(BaseCommand):
    help = _("清理中断遗留的临时文件和未登记的归档文件，并重新执行长时间未完成的归档任务。")

    def handle(self, *args, **options):
        result = archive_sweep()
        self.stdout.write(_("归档存储 %(store)s：清理文件 %(removed)s 个，重新执行归档任务 %(rescheduled)s 个。")
                          % {"store": store().describe(), "removed": len(result["removed_files"]),
                             "rescheduled": len(result["rescheduled"])})
        for name in result["removed_files"]:
            self.stdout.write("  " + _("已删除：%(name)s") % {"name": name})
        self.stdout.write(_("上传临时文件夹：清理中断上传遗留的文件 %(count)s 个。")
                          % {"count": len(result["removed_uploads"])})
        self.stdout.write(_("生成的报告：删除超过保留时间的 %(count)s 份。") % {"count": result["removed_reports"]})
