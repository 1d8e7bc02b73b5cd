"""The audit trail in the admin: readable, never editable; and the mixin that records admin edits."""
from django.contrib import admin

from .models import AuditEvent, AuditVerification
from .services import record_event


def _value(obj, field: str) -> str:
    value = getattr(obj, field, None)
    if hasattr(value, "all"):
        return "、".join(sorted(str(v) for v in value.all()))
    return "" if value is None else str(value)


class AuditedAdminMixin:
    """Record one audit event for each add, change or delete made in the admin.

    The admin saves inside a transaction; the event is written in it, after the object,
    its many-to-many fields and its inlines, so it describes the whole change.
    """

    audit_prefix = ""  # e.g. "unit" gives unit.created / unit.changed / unit.deleted

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        # Never copy a password or its hash into the trail: say only that it changed.
        details = {"fields": {f: ("（已修改）" if "password" in f else _value(obj, f)) for f in form.changed_data}}
        for formset in formsets:
            items = {
                "added": [str(o) for o in getattr(formset, "new_objects", [])],
                "changed": [str(o) for o, _fields in getattr(formset, "changed_objects", [])],
                "deleted": [str(o) for o in getattr(formset, "deleted_objects", [])],
            }
            if any(items.values()):
                details[formset.prefix] = items
        record_event(action=f"{self.audit_prefix}.{'changed' if change else 'created'}",
                     actor=request.user, target=obj, details=details, **self.audit_scope(obj))

    def delete_model(self, request, obj):
        label, pk, scope = str(obj), obj.pk, self.audit_scope(obj)
        super().delete_model(request, obj)
        record_event(action=f"{self.audit_prefix}.deleted", actor=request.user,
                     target_type=obj._meta.label_lower, target_id=str(pk), target_label=label, **scope)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def audit_scope(self, obj) -> dict:
        """Extra filter fields (plan_id, …) for the event."""
        return {}


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened or what a document said: read them here, never edit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "occurred_at", "actor_label", "unit_label", "action", "target_label", "to_state"]
    list_filter = ["action"]
    search_fields = ["target_label", "actor_label"]
    show_full_result_count = False


@admin.register(AuditVerification)
class AuditVerificationAdmin(ReadOnlyAdmin):
    list_display = ["checked_at", "ok", "events", "first_bad_seq", "problem", "seconds"]
    list_filter = ["ok"]
    search_fields = []
