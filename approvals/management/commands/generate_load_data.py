"""python manage.py generate_load_data --plans N --units M --rounds R [--seed S] [--users-per-unit K]
[--append] [--password P] [--json]

A large, realistic dataset for load tests, written in bulk: 50 plans × 31 tasks × 80 units (about
124,000 assignments and 360,000 audit events) takes about a minute on SQLite or PostgreSQL.

- Plans: the reference plan (昆政办发〔2017〕169号) imported once through ``plan_import`` (as of the
  first plan's date), then copies of it (sections, tasks, parties, deadlines, targets) with their
  own titles, document numbers and SHA-256; the copies share the reference's stored file.
- Units: the directory's active municipal and district units, then generated district units
  压测区镇NN. Each task goes to a deterministic pseudo-random subset of about M/R of them (those its
  responsible terms name first), the same units in each of the R rounds: about N × 31 × M in all.
- People: K 承办人 per unit, one 牵头审核人 per lead unit, one 督办验收人 per supervising unit (plans
  alternate between 市政府法制办 and 市政府办), two 审计人员, with memberships and unit-role groups.
- What dispatch writes: rounds, assignments, the unit-role groups' object permissions and one
  viewflow process per assignment. Then a history per assignment (start, submit, return, approve,
  accept by the right people) that leaves the FSM state, the submissions, the viewflow tasks and
  the audit trail in agreement. Plans were imported 220–160 days ago; the last round's due dates
  lie around today (overdue, due within days, later), earlier rounds' in the past; ``on_time`` is
  set on accepted ones.
- The audit events of all of it (units and accounts created, memberships granted, plans imported,
  rounds opened and dispatched, every transition), in time order, hashed as ``record_event``
  hashes them, continuing the existing chain; the head is moved.

Everything happens in one transaction: on failure nothing is left but the reference plan's stored
file. Ids are allocated in bulk, so nothing else may write meanwhile (PostgreSQL: the tables are
locked). Not generated: evidence files and archive PDFs. The same seed on the same starting
database gives the same data, shifted with today's date.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from viewflow.workflow.models import Process
from viewflow.workflow.models import Task as FlowTask

from approvals.flows import NODE_PERMISSION, AssignmentFlow
from audit import context as audit_context
from audit.chain import CANONICAL_FIELDS, canonical_json
from audit.models import AuditEvent
from audit.services import escape_label, record_events_bulk
from workflows import services
from workflows.access.groups import unit_role_groups
from workflows.importers import PlanParseError
from workflows.lights import submitted_on_time
from workflows.models import (
    Assignment,
    AssignmentGroupObjectPermission,
    Membership,
    PartyRole,
    Plan,
    ReportingRound,
    Role,
    Section,
    Submission,
    Task,
    TaskDeadline,
    TaskParty,
    TaskTarget,
    Unit,
    UnitKind,
)
from workflows.services.dispatch import DEFAULT_ROUND_NAME
from workflows.services.inbox import refresh_inbox

REFERENCE_PLAN = Path(settings.BASE_DIR) / "workflows" / "data" / "reference_plan_kunzhengbanfa_2017_169.txt"
SUPERVISING_UNITS = ("市政府法制办", "市政府办")  # plans alternate between them
AUDIT_UNITS = ("市审计局", "市监察局")
GENERATED_UNIT = "压测区镇{:02d}"
TOPICS = ["法治政府建设", "优化营商环境", "“放管服”改革", "政务公开", "安全生产", "生态环境保护",
          "乡村振兴", "民生实事项目", "社会信用体系建设", "数字政府建设", "行政执法规范化", "重大行政决策程序"]
# The state mix of the last round; earlier rounds are mostly closed.
STATE_WEIGHTS = {"assigned": 22, "in_progress": 23, "submitted": 18, "lead_reviewed": 12, "accepted": 25}
EARLIER_ROUND_WEIGHTS = {"assigned": 4, "in_progress": 8, "submitted": 8, "lead_reviewed": 10, "accepted": 70}
# The service actions that lead to each state, with how often each path is taken.
PATHS = {
    "assigned": [((), 1)],
    "in_progress": [(("start",), 80), (("start", "submit", "return"), 15),
                    (("start", "submit", "approve", "return"), 5)],
    "submitted": [(("start", "submit"), 90), (("start", "submit", "return", "submit"), 10)],
    "lead_reviewed": [(("start", "submit", "approve"), 90),
                      (("start", "submit", "return", "submit", "approve"), 10)],
    "accepted": [(("start", "submit", "approve", "accept"), 88),
                 (("start", "submit", "return", "submit", "approve", "accept"), 7),
                 (("start", "submit", "approve", "return", "submit", "approve", "accept"), 5)],
}
EVENT_OF_ACTION = {"start": "assignment.started", "submit": "assignment.submitted",
                   "approve": "assignment.approved", "return": "assignment.returned",
                   "accept": "assignment.accepted"}
REPORTS = [
    "{unit}已按照任务分解要求，成立工作专班，明确分管领导和责任科室，{task}相关工作已全面部署，阶段性目标已完成。",
    "{unit}对照{task}逐项梳理，已完成制度修订和公开工作，下一步将加强督查和考核，确保按期完成。",
    "{unit}围绕{task}开展专项行动，召开推进会两次，形成工作台账，相关数据已报送市级平台。",
]
NO_FILE = "本次报送无佐证材料：相关工作以会议形式推进，会议纪要尚未印发，印发后补充报送。"
OPINIONS = ["同意", "材料齐全，同意报送", "符合要求", ""]
RETURN_REASONS = ["材料不全，请补充佐证材料", "书面报告未说明完成时限，请补充", "数据与上报平台不一致，请核实后重报"]
ACCEPTANCE = ["验收通过", "同意办结", "按期完成，予以办结", ""]
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 6.1; WOW64; Trident/7.0; rv:11.0) like Gecko",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) QQBrowser/11.0 Safari/537.36",
]
# What a phase wrote, counted ("计划 50"): the label and its number, translated together.
COUNT_TEXTS = {
    "plans": gettext_lazy("计划 %(n)s"), "tasks": gettext_lazy("任务 %(n)s"), "units": gettext_lazy("承办单位 %(n)s"),
    "units_created": gettext_lazy("新建单位 %(n)s"), "users_created": gettext_lazy("新建用户 %(n)s"),
    "memberships": gettext_lazy("单位角色 %(n)s"), "rounds": gettext_lazy("轮次 %(n)s"),
    "assignments": gettext_lazy("承办件 %(n)s"), "submissions": gettext_lazy("报送 %(n)s"),
    "permissions": gettext_lazy("对象权限 %(n)s"), "processes": gettext_lazy("流程 %(n)s"),
    "flow_tasks": gettext_lazy("流程环节 %(n)s"), "links": gettext_lazy("环节衔接 %(n)s"),
    "audit_events": gettext_lazy("审计事件 %(n)s"), "inbox_items": gettext_lazy("待办索引 %(n)s"),
}
FLUSH_ASSIGNMENTS = 20_000  # write the rows built so far every this many assignments
EVENT_BATCH = 20_000


@dataclass
class Person:
    id: int
    label: str  # as audit.services.user_label writes it
    ip: str
    agent: str


@dataclass
class TemplateTask:
    task: Task
    section_id: int
    leads: list[int]  # lead unit ids, principal first
    responsible: list[TaskParty]
    parties: list[TaskParty]


@dataclass
class PlanCopy:
    index: int  # among this run's plans
    id: int
    title: str
    supervising_unit: Unit
    imported_at: dt.datetime
    task_ids: dict[int, int] = field(default_factory=dict)  # template task id -> this plan's task id
    party_ids: dict[int, int] = field(default_factory=dict)  # template party id -> this plan's party id


class Bulk:
    """Fast inserts of prepared rows: COPY on PostgreSQL, executemany on SQLite; ids allocated here."""

    def __init__(self):
        self.vendor = connection.vendor
        self.rows: Counter = Counter()
        self.seconds: Counter = Counter()

    def dt(self, value: dt.datetime | None):
        """An aware datetime as the database takes it (SQLite: naive UTC text, as Django stores it)."""
        if value is None or self.vendor != "sqlite":
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    def date(self, value: dt.date | None):
        return value.isoformat() if value is not None and self.vendor == "sqlite" else value

    def next_id(self, model) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT MAX("{model._meta.pk.column}") FROM "{model._meta.db_table}"')
            return (cursor.fetchone()[0] or 0) + 1

    def insert(self, model, fields: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        started = time.perf_counter()
        table = model._meta.db_table
        # Required columns the caller does not list (added to the model later) take their default.
        named = {model._meta.get_field(f).name for f in fields if f != "id"}
        defaults = [f for f in model._meta.concrete_fields
                    if f.name not in named and not f.primary_key and not f.null and f.has_default()]
        if defaults:
            fields = [*fields, *(f.name for f in defaults)]
            extra = tuple(f.get_db_prep_value(f.get_default(), connection) for f in defaults)
            rows = [(*row, *extra) for row in rows]
        columns = ", ".join(f'"{model._meta.get_field(f).column}"' if f != "id" else '"id"' for f in fields)
        connection.ensure_connection()
        raw = connection.connection
        if self.vendor == "postgresql":
            with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        elif self.vendor == "sqlite":
            cursor = raw.cursor()
            try:
                cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join("?" * len(fields))})', rows)
            finally:
                cursor.close()
        else:
            with connection.cursor() as cursor:
                cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({", ".join(["%s"] * len(fields))})',
                                   rows)
        self.rows[table] += len(rows)
        self.seconds[table] += time.perf_counter() - started

    def reset_sequences(self, models) -> None:
        if self.vendor != "postgresql":
            return  # SQLite's AUTOINCREMENT follows explicit ids by itself
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), models):
                cursor.execute(sql)


class Command(BaseCommand):
    help = _("生成压测数据：N 个计划（参考计划及其副本）× 31 项任务 × 约 M 个单位，R 个报送轮次，"
             "含用户、单位角色、对象权限、流程、报送记录和完整有效的审计哈希链；批量写入。"
             "数据库中已有承办件时拒绝运行，除非加 --append。")

    def add_arguments(self, parser):
        parser.add_argument("--plans", type=int, required=True, help=_("计划数 N（第一个为导入的参考计划）"))
        parser.add_argument("--units", type=int, required=True, help=_("承办单位数 M（不足时生成“压测区镇NN”）"))
        parser.add_argument("--rounds", type=int, default=1, help=_("每个计划的报送轮次数 R（默认 1）"))
        parser.add_argument("--seed", type=int, default=20170169, help=_("随机种子（默认 20170169），相同种子生成相同数据"))
        parser.add_argument("--users-per-unit", type=int, default=2, help=_("每个单位的承办人数 K（默认 2）"))
        parser.add_argument("--password", default="", help=_("所有生成账号的密码（默认不可登录）"))
        parser.add_argument("--append", action="store_true", help=_("数据库中已有承办件时仍然追加生成"))
        parser.add_argument("--json", action="store_true", help=_("以 JSON 输出各阶段用时和数量"))

    def handle(self, *args, plans, units, rounds, seed, users_per_unit, password, append, json: bool, **options):
        if plans < 1 or units < 1 or rounds < 1 or users_per_unit < 1:
            raise CommandError(_("--plans、--units、--rounds、--users-per-unit 都必须是正整数"))
        existing = Assignment.objects.count()
        if existing and not append:
            raise CommandError(_("数据库中已有 %(count)s 件承办件，拒绝生成压测数据，以免与现有数据混在一起；"
                                 "如确需在现有数据上追加，请加 --append。") % {"count": existing})
        say = self.stderr.write if json else self.stdout.write
        generator = Generator(plans=plans, units=units, rounds=rounds, seed=seed, users_per_unit=users_per_unit,
                              password=password, say=say)
        started = time.perf_counter()
        with transaction.atomic():
            generator.run()
            commit_started = time.perf_counter()
        generator.phase(_("提交事务"), time.perf_counter() - commit_started, {})
        if connection.vendor == "postgresql":
            # What autovacuum would do shortly anyway; measured pages then use settled plans. SQLite is
            # left as the product leaves it (Django never runs ANALYZE there).
            analyze_started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            generator.phase(_("更新统计信息（ANALYZE）"), time.perf_counter() - analyze_started, {})
        total = time.perf_counter() - started
        summary = {"seconds": round(total, 2), "database": connection.vendor, "counts": generator.counts,
                   "phases": generator.phases, "plan_ids": generator.plan_ids,
                   "tables": {t: {"rows": n, "seconds": round(generator.bulk.seconds[t], 2)}
                              for t, n in generator.bulk.rows.items()}}
        if json:
            self.stdout.write(_dumps(summary))
            return
        say(self.style.SUCCESS(
            _("完成：%(assignments)s 件承办件，%(events)s 条审计事件，合计用时 %(seconds)s 秒（%(database)s）")
            % {"assignments": generator.counts["assignments"], "events": generator.counts["audit_events"],
               "seconds": f"{total:.1f}", "database": connection.vendor}))


class Generator:
    def __init__(self, *, plans, units, rounds, seed, users_per_unit, password, say):
        self.n_plans, self.n_units, self.n_rounds = plans, units, rounds
        self.seed, self.per_unit, self.password, self.say = seed, users_per_unit, password, say
        self.rng = random.Random(seed)
        self.bulk = Bulk()
        self.phases: list[dict] = []
        self.counts: Counter = Counter()
        self.plan_ids: list[int] = []
        self.events: list[tuple] = []  # CANONICAL_FIELDS values less seq and prev_hash
        self.unit_labels: dict[int, str] = {}
        self.task_labels: dict[tuple[int, int], str] = {}
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate(self.now)
        self.start = self.now - dt.timedelta(days=220)  # the first plan's import

    # ----- the run ---------------------------------------------------------------------------------
    def run(self) -> None:
        self._lock()
        self.timed(_("导入参考计划"), self.import_reference)
        self.timed(_("单位"), self.make_units)
        self.timed(_("用户与单位角色"), self.make_people)
        self.timed(_("复制计划"), self.copy_plans)
        self.timed(_("轮次、承办件、报送、对象权限、流程"), self.make_assignments)
        self.timed(_("审计哈希链"), self.write_chain)
        self.timed(_("待办索引"), self.fill_inbox)

    def fill_inbox(self) -> None:
        """The inbox rows of everything written (the table is derived; see workflows.services.inbox)."""
        self.counts["inbox_items"] += refresh_inbox()

    def timed(self, name: str, step) -> None:
        started = time.perf_counter()
        before = Counter(self.counts)
        step()
        self.phase(name, time.perf_counter() - started, {k: v - before.get(k, 0) for k, v in self.counts.items()
                                                         if v != before.get(k, 0)})

    def phase(self, name: str, seconds: float, counts: dict) -> None:
        self.phases.append({"phase": name, "seconds": round(seconds, 2), "counts": counts})
        text = "，".join(COUNT_TEXTS[k] % {"n": f"{v:,}"} if k in COUNT_TEXTS else f"{k} {v:,}"
                        for k, v in counts.items())
        self.say(_("%(phase)s：%(seconds)s 秒") % {"phase": name, "seconds": f"{seconds:7.2f}"} + ("　" + text if text else ""))

    def _lock(self) -> None:
        if self.bulk.vendor != "postgresql":
            return  # SQLite: the IMMEDIATE transaction already holds the write lock
        tables = [m._meta.db_table for m in (Plan, Section, Task, TaskParty, ReportingRound, Assignment,
                                             Process, FlowTask)]
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {', '.join(chr(34) + t + chr(34) for t in tables)} IN EXCLUSIVE MODE")

    # ----- times -----------------------------------------------------------------------------------
    def plan_time(self, index: int) -> dt.datetime:
        """Plans are imported over 60 days, starting 220 days ago."""
        return self.start + dt.timedelta(days=60 * index / self.n_plans, hours=index * 5 % 8)

    def dispatch_time(self, plan: PlanCopy, position: int) -> dt.datetime:
        return plan.imported_at + dt.timedelta(days=1 + 100 * (position - 1) / self.n_rounds, minutes=position * 7)

    def due_date(self, rng: random.Random, dispatched: dt.datetime, last_round: bool) -> dt.date:
        """Around today in the last round (overdue, due soon, later); past in the earlier ones."""
        u = rng.random()
        if not last_round:
            due = self.today - dt.timedelta(days=rng.randint(10, 90))
        elif u < 0.25:
            due = self.today - dt.timedelta(days=rng.randint(1, 60))
        elif u < 0.40:
            due = self.today + dt.timedelta(days=rng.randint(0, 6))
        else:
            due = self.today + dt.timedelta(days=rng.randint(7, 180))
        return max(due, timezone.localdate(dispatched) + dt.timedelta(days=14))

    # ----- audit events ----------------------------------------------------------------------------
    def event(self, when: dt.datetime, action: str, *, actor: Person | None = None, unit: Unit | None = None,
              role: str = "", target_type: str = "", target_id="", target_label: str = "", plan_id=None,
              task_id=None, assignment_id=None, from_state: str = "", to_state: str = "", reason: str = "",
              details: dict | str | None = None, request: bool = True, escaped: bool = False) -> None:
        """Queue one event with the fields record_event would write (hashed later, in time order)."""
        in_request = request and actor is not None
        self.events.append((
            when, actor.id if actor else None, actor.label if actor else "",
            unit.pk if unit else None, self.unit_label(unit) if unit else "", role, action,
            target_type, str(target_id)[:64], target_label if escaped else escape_label(target_label),
            plan_id, task_id, assignment_id,
            from_state, to_state, reason, details if isinstance(details, str) else canonical_json(details or {}),
            f"{self.rng.getrandbits(128):032x}" if in_request else "", actor.ip if in_request else "",
            actor.agent if in_request else "",
        ))

    def unit_label(self, unit: Unit) -> str:
        label = self.unit_labels.get(unit.pk)
        if label is None:
            label = self.unit_labels[unit.pk] = escape_label(str(unit), 200)
        return label

    def write_chain(self) -> None:
        """Sort the queued events by time and append them through the audit writer's bulk path."""
        self.events.sort(key=lambda e: e[0])
        fields = [*CANONICAL_FIELDS, "hash"]
        self.counts["audit_events"] += record_events_bulk(
            self.events, batch_size=EVENT_BATCH,
            write=lambda batch: self.bulk.insert(AuditEvent, fields, [(row[0], self.bulk.dt(row[1]), *row[2:])
                                                                      for row in batch]))
        self.events = []

    # ----- the reference plan ----------------------------------------------------------------------
    def import_reference(self) -> None:
        """Import the reference plan through plan_import, as of the first plan's simulated date."""
        data = REFERENCE_PLAN.read_bytes()
        self.template = Plan.objects.filter(source_sha256=hashlib.sha256(data).hexdigest()).first()
        self.imported_here = self.template is None
        if self.imported_here:
            supervisor = Unit.objects.filter(short_name=SUPERVISING_UNITS[0]).first()
            if supervisor is None:
                raise CommandError(_("单位库中没有督办单位“%(unit)s”，请先运行 migrate 或 import_units")
                                   % {"unit": SUPERVISING_UNITS[0]})
            when = self.plan_time(0)
            try:
                with audit_context.as_of(when):  # its audit event, as of the first plan's date
                    self.template = services.plan_import(actor=None, data=data, filename=REFERENCE_PLAN.name,
                                                         supervising_unit=supervisor)
            except (PlanParseError, services.PlanImportError) as exc:
                raise CommandError(_("参考计划导入失败：%(error)s") % {"error": getattr(exc, "message", exc)}) from exc
            Plan.objects.filter(pk=self.template.pk).update(imported_at=when)
            self.template.imported_at = when
            self.counts["plans"] += 1
            self.counts["tasks"] += self.template.tasks.count()
        parties = list(TaskParty.objects.filter(task__plan=self.template).select_related("group_term")
                       .order_by("task__number", "role", "position"))
        self.template_tasks = []
        for task in Task.objects.filter(plan=self.template).order_by("number"):
            own = [p for p in parties if p.task_id == task.pk]
            self.template_tasks.append(TemplateTask(
                task=task, section_id=task.section_id, parties=own,
                leads=[p.unit_id for p in own if p.role == PartyRole.LEAD],
                responsible=[p for p in own if p.role == PartyRole.RESPONSIBLE]))

    # ----- units -----------------------------------------------------------------------------------
    def make_units(self) -> None:
        active = list(Unit.objects.filter(is_active=True, kind__in=[UnitKind.MUNICIPAL, UnitKind.DISTRICT])
                      .order_by("order", "short_name"))
        taken = set(Unit.objects.values_list("short_name", flat=True))
        missing, number, fresh = self.n_units - len(active), 0, []
        when = self.plan_time(0) + dt.timedelta(minutes=10)
        while len(fresh) < missing:
            number += 1
            name = GENERATED_UNIT.format(number)
            if name not in taken:
                fresh.append(Unit(short_name=name, full_name=f"{name}人民政府", kind=UnitKind.DISTRICT,
                                  order=1000 + number))
        if fresh:
            Unit.objects.bulk_create(fresh)
            fresh = list(Unit.objects.filter(short_name__in=[u.short_name for u in fresh]).order_by("order"))
            for i, unit in enumerate(fresh):
                self.event(when + dt.timedelta(seconds=i), "unit.created", target_type="workflows.unit",
                           target_id=unit.pk, target_label=unit.short_name,
                           details={"fields": {"short_name": unit.short_name, "full_name": unit.full_name,
                                               "kind": unit.kind, "order": str(unit.order)},
                                    "by": "generate_load_data"})
        self.units = (active + fresh)[: self.n_units]
        self.counts["units"] += len(self.units)
        self.counts["units_created"] += len(fresh)

    # ----- people ----------------------------------------------------------------------------------
    def make_people(self) -> None:
        """K submitters per unit, a reviewer per lead unit, a supervisor per supervising unit, two auditors."""
        by_name = {u.short_name: u for u in Unit.objects.filter(short_name__in=SUPERVISING_UNITS + AUDIT_UNITS)}
        for name in SUPERVISING_UNITS + AUDIT_UNITS:
            if name not in by_name:
                raise CommandError(_("单位库中没有“%(unit)s”，无法生成督办或审计账号") % {"unit": name})
        self.supervising = [by_name[n] for n in SUPERVISING_UNITS]
        lead_units = self.lead_units = Unit.objects.in_bulk({u for t in self.template_tasks for u in t.leads})
        labels = dict(Role.choices)
        wanted: list[tuple[Unit, str, int]] = [(u, "submitter", k) for u in self.units for k in range(self.per_unit)]
        wanted += [(lead_units[i], "reviewer", 0) for i in sorted(lead_units, key=lambda i: lead_units[i].order)]
        wanted += [(u, "supervisor", 0) for u in self.supervising[: self.n_plans]]
        wanted += [(by_name[n], "auditor", 0) for n in AUDIT_UNITS]

        User = get_user_model()
        names = [self.username(u, role, k) for u, role, k in wanted]
        existing = {u.username: u for u in User.objects.filter(username__in=names)}
        encoded = make_password(self.password) if self.password else make_password(None)
        new = [User(username=name, first_name=f"{u.short_name}{labels[role]}{k + 1 if role == 'submitter' else ''}",
                    password=encoded, is_active=True)
               for (u, role, k), name in zip(wanted, names, strict=True) if name not in existing]
        User.objects.bulk_create(new)
        users = {u.username: u for u in User.objects.filter(username__in=names)}
        groups = {}
        for role in ("submitter", "reviewer", "supervisor", "auditor"):
            groups[role] = unit_role_groups([u for u, r, _k in wanted if r == role], role)
        self.groups = groups
        held = set(Membership.objects.filter(user__in=users.values()).values_list("user_id", "unit_id", "role"))
        memberships, links = [], []
        when = self.plan_time(0) + dt.timedelta(minutes=20)
        self.people: dict[tuple[int, str], list[Person]] = {}
        for i, ((unit, role, _k), name) in enumerate(zip(wanted, names, strict=True)):
            user = users[name]
            person = Person(id=user.pk, label=escape_label(f"{user.get_full_name()}（{name}）", 200),
                            ip=f"10.{unit.pk % 250}.{self.rng.randrange(1, 250)}.{self.rng.randrange(2, 250)}",
                            agent=AGENTS[self.rng.randrange(len(AGENTS))])
            self.people.setdefault((unit.pk, role), []).append(person)
            if name not in existing:
                self.event(when + dt.timedelta(seconds=2 * i), "auth.user_created", target_type="auth.user",
                           target_id=user.pk, target_label=name, details={"user": name, "by": "generate_load_data"})
            if (user.pk, unit.pk, role) not in held:
                memberships.append(Membership(user=user, unit=unit, role=role))
                links.append(User.groups.through(user_id=user.pk, group_id=groups[role][unit.pk].pk))
                self.event(when + dt.timedelta(seconds=2 * i + 1), "auth.membership_granted", unit=unit,
                           role=role, target_type="auth.user", target_id=user.pk, target_label=name,
                           details={"user": name, "unit": unit.short_name, "role": role})
        Membership.objects.bulk_create(memberships)
        User.groups.through.objects.bulk_create(links, ignore_conflicts=True)
        self.counts["users_created"] += len(new)
        self.counts["memberships"] += len(memberships)

    @staticmethod
    def username(unit: Unit, role: str, k: int) -> str:
        return f"load-u{unit.pk:03d}-{role}{k + 1 if role == 'submitter' else ''}"

    # ----- plans -----------------------------------------------------------------------------------
    def copy_plans(self) -> None:
        template = self.template
        used_titles = set(Plan.objects.values_list("title", flat=True))
        used_docs = set(Plan.objects.values_list("doc_number", flat=True))
        offset = Plan.objects.count()
        self.plans: list[PlanCopy] = []
        first_copy = 0
        if self.imported_here:
            self.plans.append(PlanCopy(index=0, id=template.pk, title=template.title,
                                       supervising_unit=template.supervising_unit, imported_at=template.imported_at,
                                       task_ids={t.task.pk: t.task.pk for t in self.template_tasks},
                                       party_ids={p.pk: p.pk for t in self.template_tasks for p in t.parties}))
            first_copy = 1
        plan_id, section_id = self.bulk.next_id(Plan), self.bulk.next_id(Section)
        task_id, party_id = self.bulk.next_id(Task), self.bulk.next_id(TaskParty)
        sections = list(Section.objects.filter(plan=template).order_by("position"))
        deadlines = list(TaskDeadline.objects.filter(task__plan=template).order_by("task__number", "position"))
        targets = list(TaskTarget.objects.filter(task__plan=template).order_by("task__number", "position"))
        rows = {m: [] for m in (Plan, Section, Task, TaskParty, TaskDeadline, TaskTarget)}
        for index in range(first_copy, self.n_plans):
            number = offset + index
            title, doc, sha = self._names(number, used_titles, used_docs)
            supervising = self.supervising[index % len(self.supervising)]
            imported_at = self.plan_time(index)
            plan = PlanCopy(index=index, id=plan_id, title=title, supervising_unit=supervising,
                            imported_at=imported_at)
            plan_id += 1
            issued_on = timezone.localdate(imported_at) - dt.timedelta(days=3)
            rows[Plan].append((
                plan.id, title, doc, template.issuer, self.bulk.date(issued_on), supervising.pk,
                template.source_file.name, f"{doc}.txt", sha, template.source_size, template.source_format,
                template.source_suffix, json.dumps(template.warnings, ensure_ascii=False), None,
                self.bulk.dt(imported_at), template.origin, template.origin_reference))
            section_ids = {}
            for section in sections:
                section_ids[section.pk] = section_id
                rows[Section].append((section_id, plan.id, section.numeral, section.title, section.position))
                section_id += 1
            for t in self.template_tasks:
                plan.task_ids[t.task.pk] = task_id
                rows[Task].append((task_id, plan.id, section_ids[t.section_id], t.task.number, t.task.text,
                                   t.task.source_line, t.task.deadline_text, self.bulk.date(t.task.due_date),
                                   t.task.cadence))
                for party in t.parties:
                    plan.party_ids[party.pk] = party_id
                    rows[TaskParty].append((party_id, task_id, party.role, party.position, party.name, party.unit_id,
                                            party.group_term_id))
                    party_id += 1
                task_id += 1
            rows[TaskDeadline] += [(plan.task_ids[d.task_id], d.position, self.bulk.date(d.date), d.phrase)
                                   for d in deadlines]
            rows[TaskTarget] += [(plan.task_ids[t.task_id], t.position, t.value, t.phrase) for t in targets]
            self.plans.append(plan)
            self.event(imported_at, "plan.imported", target_type="workflows.plan", target_id=plan.id,
                       target_label=title, plan_id=plan.id, details={
                           "filename": f"{doc}.txt", "sha256": sha, "size": template.source_size,
                           "format": template.source_format, "doc_number": doc, "sections": len(sections),
                           "tasks": len(self.template_tasks), "supervising_unit": supervising.short_name,
                           "mappings": [], "warnings": len(template.warnings)})
        self.bulk.insert(Plan, ["id", "title", "doc_number", "issuer", "issued_on", "supervising_unit",
                                "source_file", "source_name", "source_sha256", "source_size", "source_format",
                                "source_suffix", "warnings", "imported_by", "imported_at", "origin",
                                "origin_reference"], rows[Plan])
        self.bulk.insert(Section, ["id", "plan", "numeral", "title", "position"], rows[Section])
        self.bulk.insert(Task, ["id", "plan", "section", "number", "text", "source_line", "deadline_text",
                                "due_date", "cadence"], rows[Task])
        self.bulk.insert(TaskParty, ["id", "task", "role", "position", "name", "unit", "group_term"], rows[TaskParty])
        self.bulk.insert(TaskDeadline, ["task", "position", "date", "phrase"], rows[TaskDeadline])
        self.bulk.insert(TaskTarget, ["task", "position", "value", "phrase"], rows[TaskTarget])
        self.bulk.reset_sequences([Plan, Section, Task, TaskParty, TaskDeadline, TaskTarget])
        self.plan_ids = [p.id for p in self.plans]
        self.counts["plans"] += len(rows[Plan])
        self.counts["tasks"] += len(rows[Task])

    @staticmethod
    def _names(number: int, titles: set, docs: set) -> tuple[str, str, str]:
        """A distinct title and document number; the SHA-256 follows from them (no file has these bytes)."""
        topic, year = TOPICS[number % len(TOPICS)], 2018 + (number // len(TOPICS)) % 9
        batch = number // (len(TOPICS) * 9)
        title = f"市政府办公室关于印发昆山市{topic}工作任务分解（{year}年）的通知" + (f"（第{batch + 1}批）" if batch else "")
        serial = 100 + number
        while f"昆政办发〔{year}〕{serial}号" in docs:
            serial += 1000
        doc = f"昆政办发〔{year}〕{serial}号"
        while title in titles:
            title += "（续）"
        sha = hashlib.sha256(f"generate_load_data|{doc}|{title}".encode()).hexdigest()
        titles.add(title)
        docs.add(doc)
        return title, doc, sha

    # ----- assignments -----------------------------------------------------------------------------
    def make_assignments(self) -> None:
        assignment_type = ContentType.objects.get_for_model(Assignment)
        perms = dict(Permission.objects.filter(content_type=assignment_type).values_list("codename", "id"))
        self.flow = {
            "class": Process._meta.get_field("flow_class").get_prep_value(AssignmentFlow),
            "nodes": {name: FlowTask._meta.get_field("flow_task").get_prep_value(getattr(AssignmentFlow, name))
                      for name in ("start", "work", "review", "review_outcome", "acceptance",
                                   "acceptance_outcome", "end")},
            "permission": {name: f"workflows.{codename}" for name, codename in NODE_PERMISSION.items()},
            "ctype": assignment_type.pk,
        }
        self.perm_ids = {name: perms[name] for name in ("view_assignment", "work_assignment", "review_assignment",
                                                         "accept_assignment")}
        self.ids = {"round": self.bulk.next_id(ReportingRound), "assignment": self.bulk.next_id(Assignment),
                    "process": self.bulk.next_id(Process), "task": self.bulk.next_id(FlowTask)}
        self.rows = self._empty_rows()
        unit_kinds = {u.pk: u.kind for u in self.units}
        for plan in self.plans:
            supervisor = self.people[(plan.supervising_unit.pk, "supervisor")][0]
            rng = random.Random(f"{self.seed}:{plan.id}")
            chosen = {t.task.pk: self._units_for(t, plan, unit_kinds) for t in self.template_tasks}
            for position in range(1, self.n_rounds + 1):
                round_id = self.ids["round"]
                self.ids["round"] += 1
                name = DEFAULT_ROUND_NAME if position == 1 else f"第{position}轮"
                dispatched = self.dispatch_time(plan, position)
                opened = dispatched - dt.timedelta(minutes=5 if position > 1 else 0)
                self.rows["rounds"].append((round_id, plan.id, name, position, self.bulk.dt(opened), supervisor.id))
                if position > 1:  # round_open, then plan_dispatch of that round
                    self.event(opened, "round.opened", actor=supervisor,
                               unit=plan.supervising_unit, role="supervisor", target_type="workflows.plan",
                               target_id=plan.id, target_label=plan.title, plan_id=plan.id, details={"round": name})
                created = 0
                last = position == self.n_rounds
                for t in self.template_tasks:
                    due = self.due_date(rng, dispatched, last)
                    for unit, party_id in chosen[t.task.pk]:
                        self._assignment(rng, plan, t, unit, party_id, round_id, dispatched, due, last, supervisor)
                        created += 1
                self.event(dispatched, "plan.dispatched", actor=supervisor, unit=plan.supervising_unit,
                           role="supervisor", target_type="workflows.plan", target_id=plan.id,
                           target_label=plan.title, plan_id=plan.id,
                           details={"round": name, "created": created, "problems": [], "awaiting_selection": []})
                self.counts["rounds"] += 1
            if len(self.rows["assignments"]) >= FLUSH_ASSIGNMENTS:
                self._flush()
        self._flush()
        self.bulk.reset_sequences([ReportingRound, Assignment, Submission, AssignmentGroupObjectPermission,
                                   Process, FlowTask, FlowTask.previous.through])

    def _units_for(self, t: TemplateTask, plan: PlanCopy, kinds: dict[int, str]) -> list[tuple[Unit, int | None]]:
        """About M/R units for this task, those its responsible terms name first; with the party each comes from."""
        rng = random.Random(f"{self.seed}:{plan.id}:{t.task.number}")
        k = min(len(self.units), max(1, round(len(self.units) / self.n_rounds * rng.uniform(0.8, 1.2))))

        def source(unit: Unit):
            for party in t.responsible:
                if party.unit_id == unit.pk or (party.group_term_id and party.group_term.kind == kinds[unit.pk]):
                    return plan.party_ids[party.pk]
            return None

        named = [u for u in self.units if source(u) is not None]
        others = [u for u in self.units if source(u) is None]
        rng.shuffle(named)
        rng.shuffle(others)
        chosen = sorted((named + others)[:k], key=lambda u: (u.order, u.short_name))
        return [(u, source(u)) for u in chosen]

    def _empty_rows(self) -> dict[str, list]:
        return {name: [] for name in ("rounds", "assignments", "submissions", "permissions", "processes",
                                      "tasks", "links")}

    def _flush(self) -> None:
        rows, bulk = self.rows, self.bulk
        bulk.insert(ReportingRound, ["id", "plan", "name", "position", "opened_at", "opened_by"], rows["rounds"])
        bulk.insert(Assignment, ["id", "round", "task", "unit", "source_party", "state", "due_date", "on_time",
                                 "created_at", "updated_at"], rows["assignments"])
        bulk.insert(Submission, ["assignment", "number", "report", "no_file_statement", "submitted_by",
                                 "submitted_at", "reviewed_by", "reviewed_at", "review_opinion", "accepted_by",
                                 "accepted_at", "acceptance_opinion", "returned_by", "returned_at", "returned_from",
                                 "return_reason"], rows["submissions"])
        bulk.insert(AssignmentGroupObjectPermission, ["permission", "group", "content_object"], rows["permissions"])
        bulk.insert(Process, ["id", "flow_class", "status", "created", "finished", "data", "artifact_content_type",
                              "artifact_object_id"], rows["processes"])
        bulk.insert(FlowTask, ["id", "flow_task", "flow_task_type", "status", "created", "started", "finished",
                               "token", "owner", "owner_permission", "owner_permission_content_type",
                               "owner_permission_obj_pk", "process", "data"],
                    [(*t[:4], bulk.dt(t[4]), bulk.dt(t[5]), bulk.dt(t[6]), *t[7:]) for t in rows["tasks"]])
        bulk.insert(FlowTask.previous.through, ["from_task", "to_task"], rows["links"])
        for name in ("assignments", "submissions", "permissions", "processes", "links"):
            self.counts[name] += len(rows[name])
        self.counts["flow_tasks"] += len(rows["tasks"])
        self.rows = self._empty_rows()

    def _assignment(self, rng, plan: PlanCopy, t: TemplateTask, unit: Unit, party_id, round_id: int,
                    dispatched: dt.datetime, due: dt.date, last_round: bool, supervisor: Person) -> None:
        """One assignment and its history: submissions, permissions, viewflow rows, audit events."""
        assignment_id = self.ids["assignment"]
        self.ids["assignment"] += 1
        weights = STATE_WEIGHTS if last_round else EARLIER_ROUND_WEIGHTS
        state = rng.choices(list(weights), weights=list(weights.values()))[0]
        paths = PATHS[state]
        actions = rng.choices([p for p, _w in paths], weights=[w for _p, w in paths])[0]
        workers = self.people[(unit.pk, "submitter")]
        worker = workers[assignment_id % len(workers)]
        reviewer = self.people[(t.leads[0], "reviewer")][0]
        task_id = plan.task_ids[t.task.pk]
        # assignment_services._transition's label, escaped as record_event escapes it (piecewise: cheaper).
        prefix = self.task_labels.get((plan.id, t.task.number))
        if prefix is None:
            prefix = self.task_labels[(plan.id, t.task.number)] = escape_label(
                f"{plan.title[:60]} · 第{t.task.number}项 · ", 10_000)
        label = (prefix + self.unit_label(unit))[:300]
        # When each action happened: after dispatch, before now; usually by the due date.
        begin = dispatched + dt.timedelta(hours=1)
        end = self.now - dt.timedelta(minutes=5)
        due_end = dt.datetime.combine(due, dt.time(17), tzinfo=timezone.get_current_timezone())
        by_due = rng.random() < 0.75  # drawn whatever the dates: the same seed gives the same choices
        if due_end < end and by_due:
            end = max(due_end, begin + dt.timedelta(hours=1))
        span = (end - begin).total_seconds() * 1_000_000
        # One draw per time whatever the span, so the same seed makes the same choices on any day.
        times = sorted(begin + dt.timedelta(microseconds=int(rng.random() * span)) for _ in actions)

        flow = self.flow
        process_id = self.ids["process"]
        self.ids["process"] += 1
        tasks, links = self.rows["tasks"], self.rows["links"]

        def flow_task(node, kind, status, created, started=None, finished=None, owner=None, data="{}", previous=None):
            task = [self.ids["task"], flow["nodes"][node], kind, status, created, started, finished, "start", owner,
                    flow["permission"].get(node), flow["ctype"] if node in flow["permission"] else None,
                    str(assignment_id) if node in flow["permission"] else None, process_id, data]
            self.ids["task"] += 1
            tasks.append(task)
            if previous is not None:
                links.append((task[0], previous[0]))
            return task

        start = flow_task("start", "START", "DONE", dispatched, dispatched, dispatched)
        open_task = flow_task("work", "HUMAN", "NEW", dispatched, previous=start)
        current, submissions, on_time, finished = "assigned", [], None, None
        for action, when in zip(actions, times, strict=True):
            before = current
            details: dict = {}
            reason = ""
            if action == "start":
                actor, role, acting = worker, "submitter", unit
                open_task[3], open_task[5], open_task[8] = "STARTED", when, worker.id
                current = "in_progress"
            elif action == "submit":
                actor, role, acting = worker, "submitter", unit
                self._done(open_task, when, worker, "submit")
                previous = submissions[-1] if submissions else None
                report = REPORTS[rng.randrange(len(REPORTS))].format(unit=unit.short_name, task=f"第{t.task.number}项任务")
                submissions.append({"number": len(submissions) + 1, "report": report, "submitted_by": worker.id,
                                    "submitted_at": when})
                details = {"report_chars": len(report), "files": [], "no_file_statement": NO_FILE,
                           "changes": {} if previous is None else {
                               "report_changed": previous["report"] != report, "files_added": [],
                               "files_removed": []},
                           "submission": len(submissions)}
                open_task = flow_task("review", "HUMAN", "NEW", when, previous=open_task)
                current = "submitted"
            elif action == "approve":
                actor, role, acting = reviewer, "reviewer", None
                opinion = OPINIONS[rng.randrange(len(OPINIONS))]
                submissions[-1].update(reviewed_by=reviewer.id, reviewed_at=when, review_opinion=opinion)
                details = {"opinion": opinion, "submission": len(submissions)}
                self._done(open_task, when, reviewer, "approve")
                gate = flow_task("review_outcome", "EXCLUSIVE_GATEWAY", "DONE", when, None, when, previous=open_task)
                open_task = flow_task("acceptance", "HUMAN", "NEW", when, previous=gate)
                current = "lead_reviewed"
            elif action == "return":
                from_review = current == "submitted"
                actor, role = (reviewer, "reviewer") if from_review else (supervisor, "supervisor")
                acting = None if from_review else plan.supervising_unit
                reason = RETURN_REASONS[rng.randrange(len(RETURN_REASONS))]
                submissions[-1].update(returned_by=actor.id, returned_at=when, returned_from=current,
                                       return_reason=reason)
                details = {"submission": len(submissions)}
                self._done(open_task, when, actor, "return")
                gate = flow_task("review_outcome" if from_review else "acceptance_outcome", "EXCLUSIVE_GATEWAY",
                                 "DONE", when, None, when, previous=open_task)
                open_task = flow_task("work", "HUMAN", "NEW", when, previous=gate)
                current = "in_progress"
            else:  # accept
                actor, role, acting = supervisor, "supervisor", plan.supervising_unit
                opinion = ACCEPTANCE[rng.randrange(len(ACCEPTANCE))]
                submissions[-1].update(accepted_by=supervisor.id, accepted_at=when, acceptance_opinion=opinion)
                on_time = submitted_on_time(submissions[-1]["submitted_at"], due)
                details = {"opinion": opinion, "on_time": on_time, "submission": len(submissions)}
                self._done(open_task, when, supervisor, "accept")
                gate = flow_task("acceptance_outcome", "EXCLUSIVE_GATEWAY", "DONE", when, None, when,
                                 previous=open_task)
                flow_task("end", "END", "DONE", when, when, when, previous=gate)
                open_task, finished = None, when
                current = "accepted"
            if acting is None:  # a lead reviewer acts for the lead unit they belong to
                acting = self.lead_units[t.leads[0]]
            self.event(when, EVENT_OF_ACTION[action], actor=actor, unit=acting, role=role,
                       target_type="workflows.assignment", target_id=assignment_id, target_label=label,
                       plan_id=plan.id, task_id=task_id, assignment_id=assignment_id, from_state=before,
                       to_state=current, reason=reason, details=details, escaped=True)
        assert current == state, (current, state)

        bulk = self.bulk
        updated = times[-1] if times else dispatched
        self.rows["assignments"].append((assignment_id, round_id, task_id, unit.pk, party_id, state, bulk.date(due),
                                         on_time, bulk.dt(dispatched), bulk.dt(updated)))
        self.rows["processes"].append((process_id, flow["class"], "DONE" if finished else "NEW", bulk.dt(dispatched),
                                       bulk.dt(finished), "{}", flow["ctype"], assignment_id))
        for s in submissions:
            self.rows["submissions"].append((
                assignment_id, s["number"], s["report"], NO_FILE, s["submitted_by"], bulk.dt(s["submitted_at"]),
                s.get("reviewed_by"), bulk.dt(s.get("reviewed_at")), s.get("review_opinion", ""),
                s.get("accepted_by"), bulk.dt(s.get("accepted_at")), s.get("acceptance_opinion", ""),
                s.get("returned_by"), bulk.dt(s.get("returned_at")), s.get("returned_from", ""),
                s.get("return_reason", "")))
        # The object permissions dispatch grants (workflows.services.dispatch.grant_permissions).
        view, permissions = self.perm_ids["view_assignment"], self.rows["permissions"]
        holders = [(self.groups["submitter"][unit.pk].pk, self.perm_ids["work_assignment"])]
        holders += [(self.groups["reviewer"][lead].pk, self.perm_ids["review_assignment"]) for lead in t.leads]
        holders.append((self.groups["supervisor"][plan.supervising_unit.pk].pk, self.perm_ids["accept_assignment"]))
        for group_id, right in dict.fromkeys(holders):
            permissions.append((view, group_id, assignment_id))
            permissions.append((right, group_id, assignment_id))

    def _done(self, task: list, when: dt.datetime, actor: Person, outcome: str) -> None:
        """Complete a human step as ``actor`` (viewflow: assign, start, execute)."""
        task[3], task[6], task[8] = "DONE", when, actor.id
        if task[5] is None:
            task[5] = when
        task[13] = json.dumps({"outcome": outcome})


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
