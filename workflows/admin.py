from django.contrib import admin

from audit.admin import AuditedAdminMixin, ReadOnlyAdmin

from .models import CalendarDay, GroupTerm, Plan, Section, Task, TaskParty, Unit, UnitAlias


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1


@admin.register(Unit)
class UnitAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_prefix = "unit"
    list_display = ["short_name", "full_name", "kind", "order", "is_active"]
    list_filter = ["kind", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["short_name", "full_name", "aliases__name"]
    inlines = [UnitAliasInline]


@admin.register(GroupTerm)
class GroupTermAdmin(AuditedAdminMixin, admin.ModelAdmin):
    audit_prefix = "group_term"
    list_display = ["term", "kind", "scope"]
    list_filter = ["kind", "scope"]


@admin.register(Plan)
class PlanAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Only the supervising office may be changed; what the document said stays as imported."""

    audit_prefix = "plan"
    list_display = ["title", "doc_number", "issuer", "issued_on", "supervising_unit", "imported_at"]
    search_fields = ["title", "doc_number"]
    fields = ["title", "doc_number", "issuer", "issued_on", "supervising_unit", "source_name",
              "source_sha256", "source_size", "source_format", "imported_by", "imported_at", "warnings"]
    readonly_fields = [f for f in fields if f != "supervising_unit"]

    def has_add_permission(self, request):
        return False  # plans come in through the import, with their file

    def has_delete_permission(self, request, obj=None):
        return False

    def audit_scope(self, obj) -> dict:
        return {"plan_id": obj.pk}


class TaskPartyInline(admin.TabularInline):
    model = TaskParty
    extra = 0
    can_delete = False
    fields = ["role", "position", "name", "unit", "group_term"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ["number", "plan", "section"]
    list_filter = ["plan"]
    inlines = [TaskPartyInline]


admin.site.register(Section, ReadOnlyAdmin)


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Holidays and make-up working days the chinese-calendar package does not know (yet)."""

    audit_prefix = "calendar_day"
    list_display = ["date", "is_working_day", "note"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"
