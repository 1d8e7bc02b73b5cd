"""Every write to plans and the unit directory that a user can cause."""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.services import record_event

from ..access.policies import can_import_plans, can_manage_units
from ..directory import LeadIsGroupTerm, UnknownName, find_unknown_names
from ..importers import LayoutMapping, ParsedPlan, parse_plan_file
from ..models import (
    GroupTerm,
    PartyRole,
    Plan,
    Section,
    Task,
    TaskDeadline,
    TaskParty,
    TaskTarget,
    TermScope,
    Unit,
    UnitAlias,
    UnitKind,
)
from ..selectors.directory import unit_directory
from ..unit_csv import UnitRow
from .errors import NotAllowed


class PlanImportError(Exception):
    """The plan cannot be stored; ``message`` says why, in the user's language."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class UnresolvedUnits(PlanImportError):
    def __init__(self, unknown: list[UnknownName], bad_leads: list[LeadIsGroupTerm]):
        self.unknown = unknown
        self.bad_leads = bad_leads
        lines = [u.message() for u in unknown] + [b.message() for b in bad_leads]
        super().__init__("\n".join(lines))


@dataclass(frozen=True)
class UnitMapping:
    """An administrator's decision for one name the directory did not know.

    Either ``unit_id`` (the name is another name of that unit and is kept as its alias)
    or ``create_kind`` (create a unit with that short name and kind).
    """

    name: str
    unit_id: int | None = None
    create_kind: str | None = None


@dataclass(frozen=True)
class PlanPreview:
    parsed: ParsedPlan
    sha256: str
    unknown: list[UnknownName]
    bad_leads: list[LeadIsGroupTerm]
    duplicate_of: Plan | None
    same_doc_number: Plan | None
    # (task number, term) for each group term that names no active unit in the directory.
    empty_terms: list[tuple[int, str]] = field(default_factory=list)

    def problems_by_task(self) -> dict[int, list[str]]:
        """The warnings and directory findings about each task, by its number, to show beside it."""
        by_line = {t.line: t.number for t in self.parsed.tasks if t.line is not None}
        problems: dict[int, list[str]] = {}
        for warning in self.parsed.warnings:
            if warning.line in by_line:
                problems.setdefault(by_line[warning.line], []).append(warning.message)
        for unknown in self.unknown:
            for number in unknown.task_numbers:
                problems.setdefault(number, []).append(unknown.message())
        for bad in self.bad_leads:
            if bad.line in by_line:
                problems.setdefault(by_line[bad.line], []).append(bad.message())
        for number, term in self.empty_terms:
            problems.setdefault(number, []).append(
                _("“%(term)s”在单位库中没有对应的启用单位，交办时不会产生承办件") % {"term": term})
        return problems

    def to_dict(self) -> dict:
        """The parse result with the directory's findings appended to its warnings."""
        result = self.parsed.to_dict()
        result["warnings"] += [{"line": u.line, "message": u.message()} for u in self.unknown]
        result["warnings"] += [{"line": b.line, "message": b.message()} for b in self.bad_leads]
        return result


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan_preview(*, data: bytes, filename: str, strict: bool = False,
                 mapping: LayoutMapping | None = None) -> PlanPreview:
    """Parse a document and compare it with the directory and earlier imports; write nothing.

    ``strict`` refuses the document over one bad item instead of warning about that item;
    ``mapping`` says what columns or labels mean where the reading fell short.
    """
    directory = unit_directory()
    parsed = parse_plan_file(data, filename, strict=strict, mapping=mapping, known_units=directory.names())
    sha256 = _sha256(data)
    unknown, bad_leads = find_unknown_names(parsed, directory)
    same_doc = None
    if parsed.doc_number:
        same_doc = Plan.objects.filter(doc_number=parsed.doc_number).first()
    return PlanPreview(
        parsed=parsed,
        sha256=sha256,
        unknown=unknown,
        bad_leads=bad_leads,
        duplicate_of=Plan.objects.filter(source_sha256=sha256).first(),
        same_doc_number=same_doc,
        empty_terms=_empty_terms(parsed, directory),
    )


def _empty_terms(parsed: ParsedPlan, directory) -> list[tuple[int, str]]:
    """Group terms ("all of a kind") the tasks name for which the directory has no active unit."""
    kinds_with_units = set(Unit.objects.filter(is_active=True).values_list("kind", flat=True).distinct())
    terms = {t.pk: t for t in GroupTerm.objects.filter(scope=TermScope.ALL)}
    found = []
    for task in parsed.tasks:
        for name in task.responsible_terms:
            entry = directory.lookup(name)
            term = terms.get(entry.id) if entry is not None and entry.kind == "term" else None
            if term is not None and term.kind not in kinds_with_units:
                found.append((task.number, name))
    return found


def _refuse_repeat(preview: PlanPreview) -> None:
    if preview.duplicate_of is not None:
        plan = preview.duplicate_of
        raise PlanImportError(
            _("该文件已于 %(date)s 导入为《%(title)s》（编号 %(id)s），不能重复导入")
            # Translators: a date format (Django's date template filter), for the day a plan was imported.
            % {"date": formats.date_format(timezone.localtime(plan.imported_at), _("Y年m月d日")),
               "title": plan.title, "id": plan.pk}
        )
    if preview.same_doc_number is not None:
        plan = preview.same_doc_number
        raise PlanImportError(
            _("文号为 %(doc_number)s 的计划已导入（《%(title)s》，编号 %(id)s），不能重复导入")
            % {"doc_number": plan.doc_number, "title": plan.title, "id": plan.pk}
        )


def _apply_mappings(mappings: Sequence[UnitMapping]) -> None:
    for mapping in mappings:
        if mapping.unit_id is not None:
            unit = Unit.objects.filter(pk=mapping.unit_id).first()
            if unit is None:
                raise PlanImportError(_("“%(name)s”要对应的单位不存在") % {"name": mapping.name})
            alias = UnitAlias(unit=unit, name=mapping.name)
            _validated(alias).save()
        elif mapping.create_kind is not None:
            if mapping.create_kind not in UnitKind.values:
                raise PlanImportError(_("新建单位“%(name)s”的类型无效") % {"name": mapping.name})
            _validated(Unit(short_name=mapping.name, kind=mapping.create_kind)).save()


def _validated(obj):
    from django.core.exceptions import ValidationError

    try:
        obj.full_clean()
    except ValidationError as exc:
        messages = [m for ms in exc.message_dict.values() for m in ms]
        raise PlanImportError("；".join(messages)) from exc
    return obj


def plan_import(
    *,
    actor,
    data: bytes,
    filename: str,
    mappings: Sequence[UnitMapping] = (),
    supervising_unit: Unit | None = None,
    strict: bool = False,
    mapping: LayoutMapping | None = None,
    profile: str = "",
) -> Plan:
    """Store a plan document and everything parsed from it, in one transaction, or nothing.

    Raises NotAllowed unless ``actor`` may import plans (None: a command on the server),
    PlanParseError for a document that cannot be read, PlanImportError (or its UnresolvedUnits)
    when the file was imported before or names units nobody has mapped. ``mapping`` (from the
    layout profile ``profile``, or typed in) is kept in the audit record. Not durable: the load
    generator imports its template plan inside the transaction that builds everything else.
    """
    if actor is not None and not can_import_plans(actor):
        raise NotAllowed(_("您无权导入计划"))
    suffix = PurePath(filename).suffix.lower()[:8]
    stored_name = None
    try:
        with transaction.atomic():
            preview = plan_preview(data=data, filename=filename, strict=strict, mapping=mapping)
            _refuse_repeat(preview)
            _apply_mappings(mappings)
            directory = unit_directory()
            unknown, bad_leads = find_unknown_names(preview.parsed, directory)
            if unknown or bad_leads:
                raise UnresolvedUnits(unknown, bad_leads)
            plan = _store_plan(preview, directory, actor=actor, filename=filename, suffix=suffix,
                               size=len(data), supervising_unit=supervising_unit)
            # The file is written last, so a failure before it leaves no stray file behind.
            plan.source_file.save("source", ContentFile(data), save=False)
            stored_name = plan.source_file.name
            plan.save(update_fields=["source_file"])
            record_event(
                action="plan.imported", actor=actor, target=plan, plan_id=plan.pk,
                details={
                    "filename": plan.source_name, "sha256": plan.source_sha256, "size": plan.source_size,
                    "format": plan.source_format, "doc_number": plan.doc_number,
                    "sections": len(preview.parsed.sections), "tasks": len(preview.parsed.tasks),
                    "supervising_unit": supervising_unit.short_name if supervising_unit else "",
                    "mappings": [_mapping_detail(m) for m in mappings],
                    "warnings": len(preview.parsed.warnings),
                    "layout": mapping.to_dict() if mapping is not None else None,
                    "layout_profile": profile,
                },
            )
    except IntegrityError as exc:
        _remove(stored_name)
        raise PlanImportError(_("该文件刚刚已被导入，不能重复导入")) from exc
    except BaseException:
        _remove(stored_name)
        raise
    return plan


def _mapping_detail(mapping: UnitMapping) -> dict:
    if mapping.unit_id is not None:
        return {"name": mapping.name, "alias_of": Unit.objects.get(pk=mapping.unit_id).short_name}
    return {"name": mapping.name, "created_as": mapping.create_kind}


def _remove(stored_name: str | None) -> None:
    if stored_name:
        Plan._meta.get_field("source_file").storage.delete(stored_name)


def _store_plan(preview, directory, *, actor, filename, suffix, size, supervising_unit) -> Plan:
    parsed = preview.parsed
    plan = Plan.objects.create(
        title=parsed.title[:300],
        doc_number=parsed.doc_number or "",
        issuer=parsed.issuer or "",
        issued_on=parsed.issued_on,
        supervising_unit=supervising_unit,
        source_name=PurePath(filename).name[:255] or "upload",
        source_sha256=preview.sha256,
        source_size=size,
        source_format=parsed.source_format,
        source_suffix=suffix,
        warnings=[w.to_dict() for w in parsed.warnings],
        imported_by=actor if getattr(actor, "pk", None) else None,
    )
    for position, parsed_section in enumerate(parsed.sections):
        section = Section.objects.create(
            plan=plan, numeral=parsed_section.numeral, title=parsed_section.title, position=position
        )
        store_tasks(plan, section, parsed_section.tasks, directory)
    return plan


def store_tasks(plan: Plan, section: Section, parsed_tasks, directory) -> list[Task]:
    """Store parsed (or typed) tasks in ``section`` with their parties, deadlines and targets."""
    tasks = Task.objects.bulk_create(
        Task(plan=plan, section=section, number=t.number, **task_fields(t)) for t in parsed_tasks
    )
    parties: list[TaskParty] = []
    deadlines: list[TaskDeadline] = []
    targets: list[TaskTarget] = []
    for task, parsed_task in zip(tasks, parsed_tasks, strict=True):
        task_parties, task_deadlines, task_targets = task_rows(task, parsed_task, directory)
        parties += task_parties
        deadlines += task_deadlines
        targets += task_targets
    TaskParty.objects.bulk_create(parties)
    TaskDeadline.objects.bulk_create(deadlines)
    TaskTarget.objects.bulk_create(targets)
    return tasks


def task_fields(parsed_task) -> dict:
    """A task's own fields from its parsed form: text, line, and the deadline as written and read."""
    return {"text": parsed_task.text, "source_line": parsed_task.line,
            "deadline_text": parsed_task.deadline_text[:200], "due_date": parsed_task.due,
            "cadence": parsed_task.cadence}


def task_rows(task: Task, parsed_task, directory) -> tuple[list[TaskParty], list[TaskDeadline], list[TaskTarget]]:
    """The parties, deadlines and targets of one parsed task, as unsaved rows of ``task``."""
    parties = []
    for role, names in (
        (PartyRole.LEAD, parsed_task.lead_units),
        (PartyRole.RESPONSIBLE, parsed_task.responsible_terms),
        (PartyRole.COOPERATING, parsed_task.cooperating_units),
    ):
        for index, name in enumerate(names):
            entry = directory.lookup(name)
            parties.append(TaskParty(
                task=task, role=role, position=index, name=name,
                unit_id=entry.id if entry.kind == "unit" else None,
                group_term_id=entry.id if entry.kind == "term" else None,
            ))
    deadlines = [TaskDeadline(task=task, position=i, date=d.date, phrase=d.phrase[:200])
                 for i, d in enumerate(parsed_task.deadlines)]
    targets = [TaskTarget(task=task, position=i, value=t.value[:64], phrase=t.phrase[:500])
               for i, t in enumerate(parsed_task.targets)]
    return parties, deadlines, targets


@dataclass(frozen=True)
class UnitsImportResult:
    created: int
    updated: int


def units_import(*, actor, rows: Sequence[UnitRow]) -> UnitsImportResult:
    """Create or update units by short name, with their aliases, all or nothing.

    A column the file does not have leaves that field of existing units as it is. Raises
    NotAllowed unless ``actor`` may manage the directory (None: a command on the server).
    """
    if actor is not None and not can_manage_units(actor):
        raise NotAllowed(_("您无权维护单位库"))
    created: list[str] = []
    updated: list[str] = []
    with transaction.atomic(durable=True):
        for row in rows:
            unit = Unit.objects.filter(short_name=row.short_name).first()
            is_new = unit is None
            unit = unit or Unit(short_name=row.short_name)
            for field in ("full_name", "kind", "order", "is_active"):
                if getattr(row, field) is not None:
                    setattr(unit, field, getattr(row, field))
            _validated_row(unit, row.line).save()
            if row.aliases is not None:
                unit.aliases.exclude(name__in=row.aliases).delete()
                for alias in row.aliases:
                    if not unit.aliases.filter(name=alias).exists():
                        _validated_row(UnitAlias(unit=unit, name=alias), row.line).save()
            (created if is_new else updated).append(unit.short_name)
        record_event(action="units.imported", actor=actor, target_type="workflows.unit",
                     target_label=f"{len(rows)} 个单位",
                     details={"created": created, "updated": updated})
    return UnitsImportResult(created=len(created), updated=len(updated))


def _validated_row(obj, line: int):
    try:
        return _validated(obj)
    except PlanImportError as exc:
        raise PlanImportError(_("第 %(line)s 行：%(message)s") % {"line": line, "message": exc.message}) from exc
