from django.contrib import admin

from .models import GroupTerm, Plan, Section, Task, TaskParty, Unit, UnitAlias


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 1


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["short_name", "full_name", "kind", "order", "is_active"]
    list_filter = ["kind", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["short_name", "full_name", "aliases__name"]
    inlines = [UnitAliasInline]


@admin.register(GroupTerm)
class GroupTermAdmin(admin.ModelAdmin):
    list_display = ["term", "kind", "scope"]
    list_filter = ["kind", "scope"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Imported plans are evidence of what a document said: read them here, never edit them."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "doc_number", "issuer", "issued_on", "imported_at"]
    search_fields = ["title", "doc_number"]


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
