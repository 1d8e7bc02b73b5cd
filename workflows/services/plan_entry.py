"""Plans and items that came without a document: typed in, checked like an import, audited.

A 督查室 also tracks a leader's instruction (领导批示), a meeting decision (会议议定) or a single
督办事项. Each typed item is read by the importer's own rules (workflows.importers.typed_task),
its names checked against the directory, and stored with the same rows an imported task has;
the plan is then dispatched and revised exactly as an imported one.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event

from ..access.policies import (
    can_add_plan_item,
    can_enter_plan_for,
    can_enter_plans,
    supervised_unit_ids,
)
from ..importers import ParsedTask, plan_year, split_names, typed_task
from ..models import Plan, PlanOrigin, Section, Task, Unit
from ..selectors.directory import unit_directory
from .errors import Invalid, NotAllowed, NotFound
from .plans import store_tasks

# The section a typed plan's items are kept in (a typed plan has no sections of its own).
ITEMS_SECTION = ""


@dataclass(frozen=True)
class ItemEntry:
    """One typed item: its text, units (names from the directory, group terms allowed) and deadline."""

    text: str
    lead: Sequence[str] | str
    responsible: Sequence[str] | str = ()
    cooperating: Sequence[str] | str = ()
    deadline: str = ""


@dataclass
class _Checked:
    tasks: list[ParsedTask] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _names(value) -> list[str]:
    if isinstance(value, str):
        return split_names(value)
    return split_names("、".join(str(v) for v in value or ()))


def _check_items(items: Sequence[ItemEntry], *, first_number: int, year: int | None, prefix: str = "items"
                 ) -> _Checked:
    """Read every item and list what is wrong with each, keyed ``items.<i>.<field>``."""
    directory = unit_directory()
    checked = _Checked()
    for index, item in enumerate(items):
        number = first_number + index
        key = f"{prefix}.{index}" if prefix else ""

        def at(name: str, _key=key) -> str:
            return f"{_key}.{name}" if _key else name

        label = _("第 %(n)s 项") % {"n": number}
        text = (item.text or "").strip()
        if not text:
            checked.add(at("text"), _("%(item)s：请填写事项内容") % {"item": label})
        elif len(text) > 4000:
            checked.add(at("text"), _("%(item)s：事项内容不能超过 4000 字") % {"item": label})
        lead, responsible, cooperating = _names(item.lead), _names(item.responsible), _names(item.cooperating)
        if not lead:
            checked.add(at("lead"), _("%(item)s：请选择牵头单位") % {"item": label})
        for role, names, role_label in (("lead", lead, _("牵头单位")), ("responsible", responsible, _("责任单位")),
                                        ("cooperating", cooperating, _("配合单位"))):
            for name in names:
                entry = directory.lookup(name)
                if entry is None:
                    close = directory.suggest(name)
                    hint = (_("，最接近的是：%(names)s") % {"names": "、".join(close)}) if close else ""
                    checked.add(at(role), _("%(item)s：%(role)s“%(name)s”不在单位名录中%(hint)s")
                                % {"item": label, "role": role_label, "name": name, "hint": hint})
                elif role == "lead" and entry.kind != "unit":
                    checked.add(at(role), _("%(item)s：牵头单位“%(name)s”是单位统称，牵头单位必须是具体单位")
                                % {"item": label, "name": name})
        task, understood = typed_task(number=number, text=text, lead=lead, responsible=responsible,
                                      cooperating=cooperating, deadline=item.deadline, year=year)
        if not understood:
            checked.add(at("deadline"), _("%(item)s：完成时限“%(deadline)s”无法识别（可写“2026年6月底前”“每季度”“长期坚持”等）")
                        % {"item": label, "deadline": task.deadline_text})
        elif len(task.deadline_text) > 200:
            checked.add(at("deadline"), _("%(item)s：完成时限不能超过 200 字") % {"item": label})
        checked.tasks.append(task)
    return checked


def _year(title: str, issued_on: dt.date | None, entered_on: dt.date) -> int:
    """The year “年内”, “6月底前” … mean: the title's, else the date issued, else the year it was typed in."""
    return plan_year([title]) or (issued_on.year if issued_on else entered_on.year)


def _role(actor, unit: Unit | None) -> str:
    return "supervisor" if unit is not None and unit.pk in supervised_unit_ids(actor) else "admin"


def _item_detail(task: ParsedTask) -> dict:
    return {"number": task.number, "text": task.text, "lead": task.lead_units,
            "responsible": task.responsible_terms, "cooperating": task.cooperating_units,
            "deadline": task.deadline_text, "due": task.due.isoformat() if task.due else None,
            "cadence": task.cadence}


def plan_create(*, actor, title: str, origin: str, origin_reference: str = "", supervising_unit: Unit | None,
                items: Sequence[ItemEntry], doc_number: str = "", issuer: str = "",
                issued_on: dt.date | None = None) -> Plan:
    """Create a plan typed in by a supervisor, with its items, in one transaction, or nothing.

    Raises NotAllowed unless ``actor`` administers plans or supervises ``supervising_unit``;
    Invalid with every field at fault (``items.<i>.lead`` …) when anything is wrong.
    """
    if not can_enter_plans(actor):
        raise NotAllowed(_("您无权新建计划"))
    if not can_enter_plan_for(actor, supervising_unit):
        raise NotAllowed(_("只能为您所在的督办单位新建计划"))
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    reference = (origin_reference or "").strip()
    if not title:
        errors["title"] = [_("请填写标题")]
    elif len(title) > 300:
        errors["title"] = [_("标题不能超过 300 字")]
    if origin not in PlanOrigin.values:
        errors["origin"] = [_("请选择来源（文件、领导批示、会议议定或其他）")]
    elif origin != PlanOrigin.OTHER and not reference:
        errors["origin_reference"] = [_("请填写来源说明（如批示编号、会议纪要或文件名称）")]
    if len(reference) > 300:
        errors["origin_reference"] = [_("来源说明不能超过 300 字")]
    if not items:
        errors["items"] = [_("请至少填写一项事项")]
    checked = _check_items(items, first_number=1, year=_year(title, issued_on, timezone.localdate()))
    errors.update(checked.errors)
    if errors:
        raise Invalid(_("未保存：%(errors)s") % {"errors": "；".join(m for ms in errors.values() for m in ms)},
                      fields=errors)
    with transaction.atomic():
        plan = Plan.objects.create(
            title=title, doc_number=(doc_number or "").strip()[:64], issuer=(issuer or "").strip()[:200],
            issued_on=issued_on, supervising_unit=supervising_unit, origin=origin, origin_reference=reference,
            imported_by=actor if getattr(actor, "pk", None) else None,
        )
        section = Section.objects.create(plan=plan, numeral="", title=ITEMS_SECTION, position=0)
        store_tasks(plan, section, checked.tasks, unit_directory())
        record_event(action="plan.created", actor=actor, unit=supervising_unit,
                     role=_role(actor, supervising_unit), target=plan, plan_id=plan.pk,
                     details={"origin": origin, "origin_reference": reference, "doc_number": plan.doc_number,
                              "supervising_unit": supervising_unit.short_name if supervising_unit else "",
                              "items": [_item_detail(t) for t in checked.tasks]})
    return plan


def plan_add_item(*, actor, plan_id: int, item: ItemEntry) -> Task:
    """Add one typed item to a plan that came without a document; dispatch it like any task."""
    with transaction.atomic():
        plan = Plan.objects.select_for_update().filter(pk=plan_id).first()
        if plan is None:
            raise NotFound(_("计划不存在"))
        if plan.source_sha256:
            raise Invalid(_("由文件导入的计划请通过“修订计划”上传新版文件来增加任务"))
        if not can_add_plan_item(actor, plan):
            raise NotAllowed(_("只有该计划的督办单位可以添加事项"))
        number = (plan.tasks.aggregate(n=Max("number"))["n"] or 0) + 1
        checked = _check_items([item], first_number=number, prefix="",
                               year=_year(plan.title, plan.issued_on, timezone.localtime(plan.imported_at).date()))
        if checked.errors:
            raise Invalid(_("未保存：%(errors)s") % {"errors": "；".join(m for ms in checked.errors.values() for m in ms)},
                          fields=checked.errors)
        section = plan.sections.order_by("-position").first() or Section.objects.create(
            plan=plan, numeral="", title=ITEMS_SECTION, position=0)
        task = store_tasks(plan, section, checked.tasks, unit_directory())[0]
        record_event(action="plan.item_added", actor=actor, unit=plan.supervising_unit,
                     role=_role(actor, plan.supervising_unit), target=plan,
                     plan_id=plan.pk, task_id=task.pk, details=_item_detail(checked.tasks[0]))
    return task
