"""The registry of audit actions: a namespaced name and the label auditors read.

Recording an action that is not registered here is refused, so the timeline's filter
always lists every action that can occur.
"""
from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "auth.login": _("登录"),
    "auth.logout": _("退出登录"),
    "auth.login_failed": _("登录失败"),
    "auth.locked_out": _("多次输错密码，账号被暂时锁定"),
    "auth.session_expired": _("登录超时，会话结束"),
    "auth.user_created": _("新增用户账号"),
    "auth.user_changed": _("修改用户账号"),
    "auth.user_deleted": _("删除用户账号"),
    "auth.api_token_issued": _("签发 API 令牌"),
    "auth.membership_granted": _("授予单位角色"),
    "auth.membership_revoked": _("撤销单位角色"),
    "access.denied": _("越权操作被拒绝"),
    "access.csrf_refused": _("缺少 CSRF 令牌的请求被拒绝"),
    "access.anonymous_summary": _("未登录来源的请求过多，合并记录"),
    "unit.created": _("新增单位"),
    "unit.changed": _("修改单位"),
    "unit.deleted": _("删除单位"),
    "units.imported": _("导入单位库"),
    "group_term.created": _("新增单位统称"),
    "group_term.changed": _("修改单位统称"),
    "group_term.deleted": _("删除单位统称"),
    "calendar_day.created": _("新增工作日历调整"),
    "calendar_day.changed": _("修改工作日历调整"),
    "calendar_day.deleted": _("删除工作日历调整"),
    "assignment.reminded": _("催办"),
    "assignment.escalated": _("督办通知"),
    "reminders.digest_sent": _("发送催办摘要邮件"),
    "plan.imported": _("导入计划"),
    "plan.created": _("新建计划（无文件）"),
    "plan.item_added": _("添加督办事项"),
    "layout_profile.saved": _("保存版式方案"),
    "layout_profile.deleted": _("删除版式方案"),
    "plan.changed": _("修改计划"),
    "plan.deleted": _("删除计划"),
    "plan.dispatched": _("交办计划"),
    "round.opened": _("开启报送轮次"),
    "task.units_selected": _("选定相关承办单位"),
    "assignment.started": _("开始办理"),
    "assignment.submitted": _("报送"),
    "assignment.approved": _("牵头审核通过"),
    "assignment.returned": _("退回"),
    "assignment.recalled": _("撤回报送"),
    "assignment.submission_opened": _("牵头审核单位查阅报送材料"),
    "assignment.accepted": _("验收办结"),
    "assignment.due_date_changed": _("调整办理期限"),
    "plan.cadence_changed": _("设置报送周期"),
    "plan.bulletin_issued": _("印发进展通报"),
    "period_report.submitted": _("报送进展报告"),
    "period_report.read": _("阅示进展报告"),
    "period_report.returned": _("退回进展报告"),
    "milestone.added": _("设置节点"),
    "milestone.removed": _("删除节点"),
    "milestone.done": _("节点完成"),
    "assignment.extension_requested": _("申请延期"),
    "assignment.extension_approved": _("批准延期"),
    "assignment.extension_rejected": _("不予批准延期"),
    "assignment.extension_withdrawn": _("撤回延期申请"),
    "assignment.evidence_uploaded": _("上传佐证材料"),
    "assignment.evidence_withdrawn": _("撤下佐证材料"),
    "assignment.evidence_downloaded": _("下载佐证材料"),
    "assignment.evidence_previewed": _("在线预览佐证材料"),
    "assignment.archived": _("生成归档文件"),
    "assignment.archive_downloaded": _("下载归档文件"),
    "assignment.archive_integrity_failed": _("归档文件完整性校验失败，拒绝下载"),
    # Changes after dispatch (workflows.services.transfers, .revisions and .delegation).
    "assignment.transfer_requested": _("申请调整承办单位"),
    "assignment.transferred": _("同意调整承办单位"),
    "assignment.not_applicable": _("核定不适用，关闭承办件"),
    "assignment.transfer_rejected": _("驳回调整承办单位申请"),
    "assignment.withdrawn": _("任务撤销，关闭承办件"),
    "assignment.handed_over": _("单位内转交经办人"),
    "plan.revised": _("修订计划"),
    "delegation.created": _("设定代理人"),
    "delegation.revoked": _("撤销代理"),
}


# Events written for a source that has not signed in (``record_anonymous``): the timeline can hide them.
ANONYMOUS_ACTIONS = ("auth.login_failed", "auth.locked_out", "access.denied", "access.csrf_refused",
                     "access.anonymous_summary")


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def register(action: str, label) -> None:
    """Add an action (used by later modules: the workflow, the archive)."""
    if "." not in action:
        raise ValueError(f"audit action names are namespaced, like 'assignment.submitted': {action!r}")
    ACTIONS.setdefault(action, label)
