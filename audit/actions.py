"""The registry of audit actions: a namespaced name and the label auditors read.

Recording an action that is not registered here is refused, so the timeline's filter
always lists every action that can occur.
"""
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "auth.login": _("登录"),
    "auth.logout": _("退出登录"),
    "auth.login_failed": _("登录失败"),
    "auth.user_created": _("新增用户账号"),
    "auth.user_changed": _("修改用户账号"),
    "auth.user_deleted": _("删除用户账号"),
    "auth.membership_granted": _("授予单位角色"),
    "auth.membership_revoked": _("撤销单位角色"),
    "access.denied": _("越权操作被拒绝"),
    "access.csrf_refused": _("缺少 CSRF 令牌的请求被拒绝"),
    "unit.created": _("新增单位"),
    "unit.changed": _("修改单位"),
    "unit.deleted": _("删除单位"),
    "units.imported": _("导入单位库"),
    "group_term.created": _("新增单位统称"),
    "group_term.changed": _("修改单位统称"),
    "group_term.deleted": _("删除单位统称"),
    "plan.imported": _("导入计划"),
    "plan.changed": _("修改计划"),
    "plan.deleted": _("删除计划"),
}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def register(action: str, label) -> None:
    """Add an action (used by later modules: the workflow, the archive)."""
    if "." not in action:
        raise ValueError(f"audit action names are namespaced, like 'assignment.submitted': {action!r}")
    ACTIONS.setdefault(action, label)
