from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowsConfig(AppConfig):
    name = "workflows"
    verbose_name = _("计划与任务")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from django.urls import register_converter

        from .calendar import forget_corrections
        from .ids import IdConverter
        from .models import CalendarDay

        # The calendar caches the administrator's corrections; a change drops the cache.
        post_save.connect(forget_corrections, sender=CalendarDay, dispatch_uid="calendar-save")
        post_delete.connect(forget_corrections, sender=CalendarDay, dispatch_uid="calendar-delete")
        # <id:pk> in every app's URLs: ids a database column can hold, else the route does not match.
        register_converter(IdConverter, "id")
