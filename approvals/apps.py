from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("审批与权限")

    def ready(self):
        # The viewflow process follows every assignment through the services' hooks.
        from .flows import register_hooks

        register_hooks()
