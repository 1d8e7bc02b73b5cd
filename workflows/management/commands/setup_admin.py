"""python manage.py setup_admin [--username admin]: create the administrator and print its credentials."""
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = _("创建管理员账号（如不存在），并打印登录名和密码。密码保存在 var/admin_credentials.txt（仅本机可读）。")

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")

    def handle(self, *args, username, **options):
        credentials = Path(settings.BASE_DIR) / "var" / "admin_credentials.txt"
        credentials.parent.mkdir(parents=True, exist_ok=True)
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        password = None
        if user is not None and credentials.exists():
            saved_user, _sep, saved_password = credentials.read_text(encoding="utf-8").strip().partition(":")
            if saved_user == username and user.check_password(saved_password):
                password = saved_password
        if password is None:
            # A new random password each time we cannot show the current one.
            password = secrets.token_urlsafe(12)
            user = user or User(username=username, email=f"{username}@localhost")
            user.is_staff = user.is_superuser = user.is_active = True
            user.set_password(password)
            user.save()
            credentials.write_text(f"{username}:{password}\n", encoding="utf-8")
            credentials.chmod(0o600)
        self.stdout.write(_("管理员账号：%(username)s  密码：%(password)s") % {"username": username, "password": password})
