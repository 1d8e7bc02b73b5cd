"""Accounts and unit roles in the admin; every change goes through a service and is audited."""
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from audit.admin import AuditedAdminMixin
from workflows.models import Membership
from workflows.services import memberships as services

User = get_user_model()


class MembershipInline(admin.TabularInline):
    """Shown read-only on the account page; roles are granted and revoked in 单位角色."""

    model = Membership
    extra = 0
    can_delete = False
    fields = ["unit", "role", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


admin.site.unregister(User)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    audit_prefix = "auth.user"
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "unit", "role", "created_at"]
    list_filter = ["role", "unit"]
    search_fields = ["user__username", "unit__short_name"]
    autocomplete_fields = []

    def has_change_permission(self, request, obj=None):
        return False  # a role is granted or revoked, never edited in place

    def save_model(self, request, obj, form, change):
        try:
            membership = services.membership_grant(actor=request.user, user=obj.user, unit=obj.unit, role=obj.role)
        except services.MembershipError as exc:
            messages.error(request, exc.message)
            raise
        obj.pk = membership.pk

    def delete_model(self, request, obj):
        services.membership_revoke(actor=request.user, membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            services.membership_revoke(actor=request.user, membership=membership)
