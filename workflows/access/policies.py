"""Who may do what. Screens, the API and the services all ask these same functions.

Per-assignment rights are guardian object permissions held by unit-role groups:
``work_assignment`` (the responsible unit's 承办人), ``review_assignment`` (the lead
departments' 牵头审核人), ``accept_assignment`` (the supervising office's 督办验收人), each with
``view_assignment``. Auditors hold ``view_assignment`` globally and nothing else.
"""
from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from guardian.core import ObjectPermissionChecker

from ..calendar import cn_date, cn_datetime
from ..models import OPEN_STATES, Membership

# In the order the page offers them: the step forward first (审核通过, 验收办结), 退回 after it.
ASSIGNMENT_ACTIONS = ("start", "submit", "recall", "approve", "accept", "return", "upload_evidence")
ACTION_LABELS = {
    "start": _("开始办理"), "submit": _("报送"), "recall": _("撤回报送"), "approve": _("审核通过"),
    "return": _("退回"), "accept": _("验收办结"), "upload_evidence": _("上传佐证材料"),
}
# Which object permission lets a person act, and from which states.
_RIGHTS = {
    "start": [("work_assignment", {"assigned"})],
    "submit": [("work_assignment", {"in_progress"})],
    "recall": [("work_assignment", {"submitted"})],
    "upload_evidence": [("work_assignment", {"assigned", "in_progress"})],
    "approve": [("review_assignment", {"submitted"})],
    "return": [("review_assignment", {"submitted"}), ("accept_assignment", {"lead_reviewed"})],
    "accept": [("accept_assignment", {"lead_reviewed"})],
}
ROLE_OF_PERMISSION = {"work_assignment": "submitter", "review_assignment": "reviewer",
                      "accept_assignment": "supervisor"}


def can_import_plans(user) -> bool:
    """Administrators (the ``workflows.add_plan`` permission) import plans and map unit names."""
    return bool(user.is_authenticated and user.is_active and user.has_perm("workflows.add_plan"))


def can_view_plans(user) -> bool:
    """Any signed-in, active user may read the plans and their tasks."""
    return bool(user.is_authenticated and user.is_active)


def can_manage_units(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm("workflows.change_unit"))


def can_manage_roles(user) -> bool:
    """Who grants and revokes unit roles: administrators holding ``workflows.add_membership``."""
    return bool(user.is_authenticated and user.is_active and user.has_perm("workflows.add_membership"))


def has_role(user, role: str) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    cache = getattr(user, "_role_cache", None)
    if cache is None:
        cache = set(Membership.objects.filter(user=user).values_list("role", flat=True))
        user._role_cache = cache
    return role in cache


def can_read_audit(user) -> bool:
    """Auditors (审计人员) read the whole history; superusers may too. Nobody edits it."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or has_role(user, "auditor")))


def sees_all_assignments(user) -> bool:
    """Auditors (and superusers) see every assignment; everyone else only their own."""
    return bool(user.is_authenticated and user.is_active and user.has_perm("workflows.view_assignment"))


@dataclass(frozen=True)
class Decision:
    """The answer to "may this person do this to this assignment now?"."""

    allowed: bool
    status: int  # 200 allowed, 404 not visible, 403 not allowed, 409 wrong state
    message: str = ""
    permission: str = ""  # the object permission that allows it (work/review/accept)

    @property
    def role(self) -> str:
        return ROLE_OF_PERMISSION.get(self.permission, "")


def assignment_permissions(user, assignment, checker=None) -> set[str]:
    """The object permission codenames ``user`` holds on ``assignment`` (through their groups)."""
    if not (user.is_authenticated and user.is_active):
        return set()
    if checker is None:
        checker = ObjectPermissionChecker(user)
    perms = set(checker.get_perms(assignment))
    if sees_all_assignments(user):
        perms.add("view_assignment")
    return perms


_LOOK_UP = object()  # "not given": look the latest submission up (None means there is none)


def decide(user, assignment, action: str, *, perms: set[str] | None = None, submission=_LOOK_UP) -> Decision:
    """Decide ``action`` on ``assignment`` for ``user``, in this order: 404, 403, 409, 403.

    ``submission`` is the latest submission (for separation of duties), or None when there is
    none; it is looked up when not given, so lists pass it in and spend no query per row.
    """
    if action not in _RIGHTS:
        raise ValueError(f"unknown assignment action {action!r}")
    perms = assignment_permissions(user, assignment) if perms is None else perms
    if "view_assignment" not in perms:
        return Decision(False, 404, str(_("承办件不存在")))
    label = ACTION_LABELS[action]
    rights = [(perm, states) for perm, states in _RIGHTS[action] if perm in perms]
    if not rights:
        return Decision(False, 403, str(_("您无权对该承办件执行“%(action)s”")) % {"action": label})
    matching = [perm for perm, states in rights if assignment.state in states]
    if not matching:
        return Decision(False, 409, str(_("承办件当前状态为“%(state)s”，不能执行“%(action)s”"))
                        % {"state": assignment.get_state_display(), "action": label})
    permission = matching[0]
    if action == "recall":
        if submission is _LOOK_UP:
            submission = assignment.submissions.order_by("-number").first()
        if submission is not None and submission.opened_at is not None:
            return Decision(False, 409, str(_("牵头审核单位已于%(when)s查阅本次报送，不能再撤回；如需修改，请联系审核人退回"))
                            % {"when": cn_datetime(submission.opened_at)}, permission)
    if permission in ("review_assignment", "accept_assignment"):
        if submission is _LOOK_UP:
            submission = assignment.submissions.order_by("-number").first()
        if submission is not None and submission.submitted_by_id == user.pk:
            return Decision(False, 403, str(_("不能审核或验收本人报送的材料")), permission)
        if permission == "accept_assignment" and submission is not None and submission.reviewed_by_id == user.pk:
            return Decision(False, 403, str(_("验收人不能是同一轮的审核人")), permission)
    return Decision(True, 200, "", permission)


def available_actions(user, assignment, *, perms: set[str] | None = None, submission=_LOOK_UP) -> list[str]:
    """The actions this person may take on this assignment now (what the buttons show)."""
    perms = assignment_permissions(user, assignment) if perms is None else perms
    return [a for a in ASSIGNMENT_ACTIONS
            if decide(user, assignment, a, perms=perms, submission=submission).allowed]


def _member(user, unit_ids, role: str) -> bool:
    if not (user.is_authenticated and user.is_active) or not unit_ids:
        return False
    return Membership.objects.filter(user=user, role=role, unit_id__in=list(unit_ids)).exists()


def can_supervise(user, plan) -> bool:
    """The plan's supervising office (督办验收人) dispatches, opens rounds and sets due dates."""
    return plan.supervising_unit_id is not None and _member(user, [plan.supervising_unit_id], "supervisor")


def can_view_supervision(user, plan) -> bool:
    """The dashboard, scorecard and exports of a plan: its supervising office and auditors (read-only)."""
    return can_supervise(user, plan) or sees_all_assignments(user)


def can_read_bulletins(user, plan) -> bool:
    """A plan's 通报 (进展通报): those who view its supervision and the people of the units it names."""
    if can_view_supervision(user, plan):
        return True
    return bool(user.is_authenticated and user.is_active) and Membership.objects.filter(
        user=user, unit__assignments__task__plan=plan).exists()


def can_select_units(user, task) -> bool:
    """A lead reviewer of the task chooses the units behind a "relevant" term (有关区镇)."""
    lead_ids = [p.unit_id for p in task.party_set.all() if p.role == "lead"]
    return _member(user, lead_ids, "reviewer")


# --- changes after dispatch: transfer requests, delegation, handing work over ----------------------

# A unit may ask to hand an assignment on while it still owes the work (not once it has submitted).
TRANSFER_REQUEST_STATES = ("assigned", "in_progress")


def _unit_work(user, assignment, perms, action: str, refusal: str) -> Decision:
    """The responsible unit's 承办人 may, while the work is theirs (已交办/办理中): 404, 403, 409."""
    perms = assignment_permissions(user, assignment) if perms is None else perms
    if "view_assignment" not in perms:
        return Decision(False, 404, str(_("承办件不存在")))
    if "work_assignment" not in perms:
        return Decision(False, 403, refusal)
    if assignment.state not in TRANSFER_REQUEST_STATES:
        return Decision(False, 409, str(_("承办件当前状态为“%(state)s”，不能%(action)s"))
                        % {"state": assignment.get_state_display(), "action": action})
    return Decision(True, 200, "", "work_assignment")


def decide_transfer_request(user, assignment, *, perms: set[str] | None = None, pending=_LOOK_UP) -> Decision:
    """May ``user`` ask that ``assignment`` go to another unit (or be closed as not applicable)?

    Only the responsible unit's 承办人, while the work is still theirs (已交办/办理中), and one
    request at a time. ``pending`` is the open request (None for none), looked up when not given.
    """
    decision = _unit_work(user, assignment, perms, str(_("申请调整承办单位")),
                          str(_("只有承办单位的承办人可以申请调整承办单位")))
    if not decision.allowed:
        return decision
    if pending is _LOOK_UP:
        pending = assignment.transfer_requests.filter(status="pending").first()
    if pending is not None:
        return Decision(False, 409, str(_("该承办件已有待审批的调整申请")))
    return decision


def may_decide_transfers(user, task) -> str:
    """The role in which ``user`` decides transfer requests of ``task``'s assignments, or "".

    The plan's supervising office always; the task's lead department where the plan allows it.
    """
    plan = task.plan
    if can_supervise(user, plan):
        return "supervisor"
    if plan.lead_may_decide_transfers and can_select_units(user, task):
        return "reviewer"
    return ""


def decide_transfer_decision(user, request, *, perms: set[str] | None = None) -> Decision:
    """May ``user`` approve or reject this transfer request now? (404, 403, 409, then 403.)"""
    assignment = request.assignment
    perms = assignment_permissions(user, assignment) if perms is None else perms
    if "view_assignment" not in perms:
        return Decision(False, 404, str(_("调整申请不存在")))
    role = may_decide_transfers(user, assignment.task)
    if not role:
        return Decision(False, 403, str(_("只有督办单位（或计划允许时的牵头部门）可以审批调整申请")))
    if request.status != "pending":
        return Decision(False, 409, str(_("该申请已审批（%(status)s）")) % {"status": request.get_status_display()})
    if assignment.state not in OPEN_STATES:
        return Decision(False, 409, str(_("承办件当前状态为“%(state)s”，不能再调整承办单位"))
                        % {"state": assignment.get_state_display()})
    if request.requested_by_id == user.pk:
        return Decision(False, 403, str(_("不能审批本人提出的申请")))
    return Decision(True, 200, "", "accept_assignment" if role == "supervisor" else "review_assignment")


def holds_role(user, unit_id: int, role: str) -> bool:
    """Does ``user`` hold ``role`` in the unit (a delegation never gives more than this)?"""
    return _member(user, [unit_id], role)


def decide_hand_over(user, assignment, *, perms: set[str] | None = None) -> Decision:
    """May ``user`` hand this assignment to another 承办人 of the unit (转交)?"""
    return _unit_work(user, assignment, perms, str(_("转交")), str(_("只有承办单位的承办人可以转交")))


def can_revise_plan(user, plan) -> bool:
    """Administrators and the plan's supervising office apply a revised version of a plan."""
    return can_import_plans(user) or can_supervise(user, plan)


def supervised_unit_ids(user) -> list[int]:
    """The units for which ``user`` is a 督办验收人."""
    if not (user.is_authenticated and user.is_active):
        return []
    return list(Membership.objects.filter(user=user, role="supervisor").values_list("unit_id", flat=True))


def can_enter_plans(user) -> bool:
    """Administrators and supervising offices type in plans that came without a document."""
    return can_import_plans(user) or bool(supervised_unit_ids(user))


def can_enter_plan_for(user, unit) -> bool:
    """May ``user`` create a typed plan supervised by ``unit`` (None: no supervising office yet)?"""
    if can_import_plans(user):
        return True
    return unit is not None and unit.pk in supervised_unit_ids(user)


def can_add_plan_item(user, plan) -> bool:
    """Items are added to a typed plan (one with no document) by its supervising office or an administrator."""
    return not plan.source_sha256 and (can_import_plans(user) or can_supervise(user, plan))


# --- the year of an assignment: period reports (进展报告) and extension requests (延期申请) ---------

def decide_period_filing(user, assignment, *, perms: set[str] | None = None) -> Decision:
    """The responsible unit's 承办人 files a period report while the assignment is open: 404, 403, 409."""
    perms = assignment_permissions(user, assignment) if perms is None else perms
    if "view_assignment" not in perms:
        return Decision(False, 404, str(_("承办件不存在")))
    if "work_assignment" not in perms:
        return Decision(False, 403, str(_("只有承办单位的承办人可以报送进展报告")))
    if assignment.state not in OPEN_STATES:
        return Decision(False, 409, str(_("承办件当前状态为“%(state)s”，不再报送进展报告"))
                        % {"state": assignment.get_state_display()})
    return Decision(True, 200, "", "work_assignment")


def decide_period_review(user, assignment, *, perms: set[str] | None = None) -> Decision:
    """The lead department's reviewer or the supervising office marks a period report read or returns it."""
    perms = assignment_permissions(user, assignment) if perms is None else perms
    if "view_assignment" not in perms:
        return Decision(False, 404, str(_("承办件不存在")))
    for permission in ("accept_assignment", "review_assignment"):
        if permission in perms:
            return Decision(True, 200, "", permission)
    return Decision(False, 403, str(_("只有牵头部门和督办单位可以阅示或退回进展报告")))


def decide_extension_request(user, assignment, *, today, perms: set[str] | None = None,
                             pending=_LOOK_UP) -> Decision:
    """May ``user`` ask for more time (延期申请)? The responsible unit's 承办人, while the work is
    theirs (已交办/办理中), before the due date has passed, for a task that has one, one request at a time."""
    decision = _unit_work(user, assignment, perms, str(_("申请延期")), str(_("只有承办单位的承办人可以申请延期")))
    if not decision.allowed:
        return decision
    if assignment.standing:
        return Decision(False, 409, str(_("长期坚持类任务按期报送进展，没有办理期限，无需申请延期")))
    if assignment.due_date < today:
        return Decision(False, 409, str(_("办理期限（%(date)s）已过，不能再申请延期；请尽快报送，或向督办单位说明情况"))
                        % {"date": cn_date(assignment.due_date)})
    if pending is _LOOK_UP:
        pending = assignment.extension_requests.filter(status="pending").first()
    if pending is not None:
        return Decision(False, 409, str(_("该承办件已有待审批的延期申请")))
    return decision


def may_decide_extensions(user, task) -> str:
    """The role in which ``user`` decides extension requests of ``task``'s assignments, or "":
    the plan's supervising office always; the task's lead department where the plan allows it."""
    plan = task.plan
    if can_supervise(user, plan):
        return "supervisor"
    if plan.lead_may_decide_extensions and can_select_units(user, task):
        return "reviewer"
    return ""


def decide_extension_decision(user, request, *, perms: set[str] | None = None) -> Decision:
    """May ``user`` approve or refuse this extension request now? (404, 403, 409, then 403.)"""
    assignment = request.assignment
    perms = assignment_permissions(user, assignment) if perms is None else perms
    if "view_assignment" not in perms:
        return Decision(False, 404, str(_("延期申请不存在")))
    role = may_decide_extensions(user, assignment.task)
    if not role:
        return Decision(False, 403, str(_("只有督办单位（或计划允许时的牵头部门）可以审批延期申请")))
    if request.status != "pending":
        return Decision(False, 409, str(_("该申请已处理（%(status)s）")) % {"status": request.get_status_display()})
    if assignment.state not in OPEN_STATES:
        return Decision(False, 409, str(_("承办件当前状态为“%(state)s”，不能再延期"))
                        % {"state": assignment.get_state_display()})
    if request.requested_by_id == user.pk:
        return Decision(False, 403, str(_("不能审批本人提出的申请")))
    return Decision(True, 200, "", "accept_assignment" if role == "supervisor" else "review_assignment")


def decide_extension_withdrawal(user, request, *, perms: set[str] | None = None) -> Decision:
    """The unit withdraws its own pending request (its 承办人)."""
    perms = assignment_permissions(user, request.assignment) if perms is None else perms
    if "view_assignment" not in perms:
        return Decision(False, 404, str(_("延期申请不存在")))
    if "work_assignment" not in perms:
        return Decision(False, 403, str(_("只有承办单位的承办人可以撤回延期申请")))
    if request.status != "pending":
        return Decision(False, 409, str(_("该申请已处理（%(status)s），不能撤回")) % {"status": request.get_status_display()})
    return Decision(True, 200, "", "work_assignment")


def decide_milestone_edit(user, assignment, *, perms: set[str] | None = None) -> Decision:
    """The responsible unit's 承办人 or the supervising office sets or removes an open assignment's
    节点 (milestones); the unit marks them done in its period reports."""
    perms = assignment_permissions(user, assignment) if perms is None else perms
    if "view_assignment" not in perms:
        return Decision(False, 404, str(_("承办件不存在")))
    permission = next((p for p in ("work_assignment", "accept_assignment") if p in perms), "")
    if not permission:
        return Decision(False, 403, str(_("只有承办单位的承办人和督办单位可以设置节点计划")))
    if assignment.state not in OPEN_STATES:
        return Decision(False, 409, str(_("承办件当前状态为“%(state)s”，不能再修改节点计划"))
                        % {"state": assignment.get_state_display()})
    return Decision(True, 200, "", permission)
