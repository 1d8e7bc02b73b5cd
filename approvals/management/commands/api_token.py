"""Print a user's API token (``Authorization: Token <key>``), creating it the first time."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from audit.services import record_event


class Command(BaseCommand):
    help = _("打印用户的 API 令牌（没有则创建）")

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("用户名"))

    def handle(self, *args, username: str, **options):
        user = get_user_model().objects.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(_("用户“%(name)s”不存在") % {"name": username})
        if not user.is_active:
            # Token authentication refuses inactive accounts; a token would only mislead.
            raise CommandError(_("用户“%(name)s”已停用，不能使用 API") % {"name": username})
        with transaction.atomic():
            token, created = Token.objects.get_or_create(user=user)
            if created:
                record_event(action="auth.api_token_issued", target=user, details={"user": user.get_username()})
        self.stdout.write(token.key)
