from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from workflows import signals


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("审批与权限")

    def ready(self):
        # Every receiver of the domain's signals, in one place: the viewflow process follows
        # each assignment (approvals.flows), inside the service's transaction.
        from . import flows  # it defines the flow's models' rows: only once the registry is ready

        signals.assignments_opened.connect(flows.on_assignments_opened, dispatch_uid="flow-opened")
        signals.assignment_transitioned.connect(flows.on_assignment_transitioned, dispatch_uid="flow-transitioned")
