"""python manage.py archive_demo_cert [--skip-existing]: a demo signing certificate for local use."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from workflows.archive.signing import make_demo_pair


class Command(BaseCommand):
    help = _("生成演示用的归档签章证书（自建根证书 + 签章证书 + 私钥），写入 var/signing/。"
             "仅供本机演示；生产环境请通过 ARCHIVE_SIGNING_KEY / ARCHIVE_SIGNING_CERT 配置单位的正式证书。")

    def add_arguments(self, parser):
        parser.add_argument("--skip-existing", action="store_true", help=_("证书已存在时不重新生成"))
        parser.add_argument("--organisation", default="", help=_("证书上的单位名称"))

    def handle(self, *args, skip_existing, organisation, **options):
        directory = Path(settings.SIGNING_DIR)
        if skip_existing and Path(settings.ARCHIVE_SIGNING_CERT).is_file() \
                and Path(settings.ARCHIVE_SIGNING_KEY).is_file():
            self.stdout.write(_("签章证书已存在：%(path)s") % {"path": settings.ARCHIVE_SIGNING_CERT})
            return
        organisation = organisation or settings.ARCHIVE_ORGANISATION or "昆山市人民政府办公室（演示）"
        paths = make_demo_pair(directory, organisation)
        self.stdout.write(_("已生成演示签章证书：%(cert)s（根证书 %(ca)s，私钥 %(key)s）")
                          % {"cert": paths["cert"], "ca": paths["ca"], "key": paths["key"]})
