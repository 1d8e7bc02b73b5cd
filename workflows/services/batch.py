"""批量操作: one of the supervisor's actions (催办, 验收办结, 调整办理期限) applied to many assignments.

Each assignment goes through the same service as its own page (its own transaction, permission
check, lock and audit event), so a batch is exactly the single actions one after another: what one
refuses (not this person's plan, not yet 牵头审核通过, already reminded today) is reported with its
reason and the others still go through. Nothing is half-done for any one assignment.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from ..access.scopes import assignments_visible_to
from . import assignments, dispatch
from .errors import ActionError, Invalid
from .reminders.urging import assignment_remind

BATCH_LIMIT = 200  # what one form may carry: four pages of the list
BATCH_ACTIONS = {"remind": _l("批量催办"), "accept": _l("批量验收办结"), "due_date": _l("批量调整办理期限")}


@dataclass(frozen=True)
class Outcome:
    assignment_id: int
    label: str  # 第 N 项 · 单位
    done: bool
    message: str = ""  # why not, when refused


def batch_apply(*, actor, action: str, assignment_ids: list[int], message: str = "", opinion: str = "",
                due_date: dt.date | None = None, reason: str = "") -> list[Outcome]:
    """Apply ``action`` to each assignment in the order given; the outcome of each."""
    if action not in BATCH_ACTIONS:
        raise Invalid(_("未知的批量操作"), fields={"action": [_("请选择批量操作")]})
    ids = list(dict.fromkeys(assignment_ids))
    if not ids:
        raise Invalid(_("请先勾选要处理的承办件"), fields={"ids": [_("请先勾选要处理的承办件")]})
    if len(ids) > BATCH_LIMIT:
        raise Invalid(_("一次最多处理 %(n)s 件") % {"n": BATCH_LIMIT})
    if action == "remind" and not message.strip():
        raise Invalid(_("请填写催办内容"), fields={"message": [_("请填写催办内容")]})
    if action == "due_date" and due_date is None:
        raise Invalid(_("请填写新的办理期限"), fields={"due_date": [_("请填写新的办理期限")]})
    # Named only where the person may see them: an id of another's work reads as absent.
    labels = {pk: _("第 %(n)s 项 · %(unit)s") % {"n": number, "unit": unit}
              for pk, number, unit in assignments_visible_to(actor).filter(pk__in=ids)
              .values_list("pk", "task__number", "unit__short_name")}
    outcomes = []
    for pk in ids:
        try:
            if action == "remind":
                assignment_remind(actor=actor, assignment_id=pk, message=message)
            elif action == "accept":
                assignments.assignment_accept(actor=actor, assignment_id=pk, opinion=opinion)
            else:
                dispatch.assignment_set_due_date(actor=actor, assignment_id=pk, due_date=due_date, reason=reason)
        except ActionError as exc:
            outcomes.append(Outcome(pk, labels.get(pk, _("承办件不存在，或您无权查看")), False, exc.message))
        else:
            outcomes.append(Outcome(pk, labels[pk], True))
    return outcomes
