"""Delegation (代理) and handing work over inside a unit (转交).

A delegation gives no right: the substitute must already hold the same role in the same unit,
so nobody can act beyond their unit. It changes who the audit trail says was acted for ("B for
A") while it runs, and ends by itself after its last day.
"""
from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event, user_label

from ..access.policies import decide_hand_over, holds_role
from ..models import Assignment, Delegation, Unit
from .common import assignment_label, locked_assignment
from .errors import Invalid, NotAllowed, NotFound, WrongState, raise_for

DELEGABLE_ROLES = ("submitter", "reviewer", "supervisor")
MAX_DAYS = 366


def active_delegations(*, on: dt.date | None = None) -> QuerySet[Delegation]:
    """Delegations in force on ``on`` (today by default): not revoked, the day inside the range."""
    on = on or timezone.localdate()
    return Delegation.objects.filter(revoked_at__isnull=True, starts_on__lte=on, ends_on__gte=on)


def acting_for(actor, assignment: Assignment, unit, role: str) -> dict:
    """The audit details saying whom ``actor`` stands in for on this action, or {} when for nobody.

    The assignment's handler when that person delegated to the actor; otherwise, for an item
    nobody in particular handles, the colleague whose desk the actor is covering today. The
    principal must still hold the role, or the delegation has lapsed.
    """
    if unit is None or not role or not getattr(actor, "pk", None):
        return {}
    if assignment.handler_id == actor.pk:
        return {}
    found = [d for d in active_delegations().filter(substitute=actor, unit=unit, role=role)
             .select_related("principal").order_by("starts_on", "id")
             if d.principal.is_active and holds_role(d.principal, unit.pk, role)]
    if assignment.handler_id is not None:
        found = [d for d in found if d.principal_id == assignment.handler_id]
    if not found:
        return {}
    chosen = found[0]
    return {"on_behalf_of": {"id": chosen.principal_id, "label": user_label(chosen.principal)},
            "delegation": chosen.pk}


def _user(username: str, field: str):
    user = get_user_model().objects.filter(username=(username or "").strip(), is_active=True).first()
    if user is None:
        message = _("用户“%(name)s”不存在或已停用") % {"name": (username or "").strip()[:50]}
        raise Invalid(message, fields={field: [message]})
    return user


def delegation_create(*, actor, substitute_username: str, unit_id: int, role: str, starts_on: dt.date,
                      ends_on: dt.date, reason: str = "") -> Delegation:
    """Name a same-unit, same-role colleague as substitute from ``starts_on`` to ``ends_on``."""
    with transaction.atomic(durable=True):
        unit = Unit.objects.filter(pk=unit_id).first()
        if unit is None:
            raise Invalid(_("单位不存在"), fields={"unit": [_("单位不存在")]})
        if role not in DELEGABLE_ROLES:
            raise Invalid(_("该角色不能委托代理"), fields={"role": [_("该角色不能委托代理")]})
        if not holds_role(actor, unit.pk, role):
            raise NotAllowed(_("您在该单位没有这一角色，不能委托代理"))
        substitute = _user(substitute_username, "substitute")
        errors = {}
        if substitute.pk == actor.pk:
            errors["substitute"] = [_("不能委托给本人")]
        elif not holds_role(substitute, unit.pk, role):
            errors["substitute"] = [_("代理人须为同一单位、同一角色的同事")]
        today = timezone.localdate()
        if ends_on < starts_on:
            errors["ends_on"] = [_("结束日期不能早于开始日期")]
        elif ends_on < today:
            errors["ends_on"] = [_("结束日期不能早于今天")]
        elif (ends_on - starts_on).days >= MAX_DAYS:
            errors["ends_on"] = [_("代理期限不能超过一年")]
        if errors:
            raise Invalid(_("代理设定有误"), fields=errors)
        overlapping = Delegation.objects.filter(principal=actor, unit=unit, role=role, revoked_at__isnull=True,
                                                starts_on__lte=ends_on, ends_on__gte=starts_on).exists()
        if overlapping:
            message = _("该期间内已有代理，请先撤销")
            raise Invalid(message, fields={"starts_on": [message]})
        delegation = Delegation.objects.create(principal=actor, substitute=substitute, unit=unit, role=role,
                                               starts_on=starts_on, ends_on=ends_on, reason=(reason or "").strip()[:200])
        record_event(action="delegation.created", actor=actor, unit=unit, role=role, target=delegation,
                     details={"substitute": {"id": substitute.pk, "label": user_label(substitute)},
                              "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat(),
                              "reason": delegation.reason})
    return delegation


def delegation_revoke(*, actor, delegation_id: int) -> Delegation:
    """End a delegation early (the principal or the substitute may)."""
    with transaction.atomic(durable=True):
        delegation = Delegation.objects.select_for_update().filter(pk=delegation_id).first()
        if delegation is None or actor.pk not in (delegation.principal_id, delegation.substitute_id):
            raise NotFound(_("代理不存在"))
        if delegation.revoked_at is not None or delegation.ends_on < timezone.localdate():
            raise WrongState(_("该代理已结束"))
        delegation.revoked_at = timezone.now()
        delegation.save(update_fields=["revoked_at"])
        record_event(action="delegation.revoked", actor=actor, unit=delegation.unit, role=delegation.role,
                     target=delegation, details={"principal": delegation.principal_id,
                                                 "substitute": delegation.substitute_id})
    return delegation


def assignment_hand_over(*, actor, assignment_id: int, to_username: str, note: str = "") -> Assignment:
    """Hand an assignment to another 承办人 of the same unit (转交); rights stay with the unit."""
    with transaction.atomic(durable=True):
        assignment = locked_assignment(assignment_id)
        raise_for(decide_hand_over(actor, assignment))
        to = _user(to_username, "to")
        if to.pk == actor.pk:
            message = _("不能转交给自己，请选择本单位的另一位承办人")
            raise Invalid(message, fields={"to": [message]})
        if not holds_role(to, assignment.unit_id, "submitter"):
            message = _("只能转交给本单位的承办人")
            raise Invalid(message, fields={"to": [message]})
        if to.pk == assignment.handler_id:
            message = _("该承办件已由此人经办")
            raise Invalid(message, fields={"to": [message]})
        before = assignment.handler
        assignment.handler = to
        assignment.save(update_fields=["handler", "updated_at"])
        record_event(action="assignment.handed_over", actor=actor, unit=assignment.unit, role="submitter",
                     target=assignment, plan_id=assignment.task.plan_id, task_id=assignment.task_id,
                     assignment_id=assignment.pk, reason=(note or "").strip(),
                     target_label=assignment_label(assignment),
                     details={"from": user_label(before) if before else "", "to": user_label(to), "to_id": to.pk})
    return assignment
