from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("计划与任务")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .calendar import forget_corrections
        from .models import CalendarDay

        # The calendar caches the administrator's corrections; a change drops the cache.
        post_save.connect(forget_corrections, sender=CalendarDay, dispatch_uid="calendar-save")
        post_delete.connect(forget_corrections, sender=CalendarDay, dispatch_uid="calendar-delete")
