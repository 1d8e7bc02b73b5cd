"""python manage.py load_demo [--password P] [--json]: the reference plan's demo accounts, dispatched.

Idempotent: a second run finds everything in place, changes nothing and prints the same accounts.
"""
from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import record_event
from workflows import services
from workflows.models import (
    CLOSED_STATES,
    Assignment,
    Membership,
    PartyRole,
    PeriodReport,
    Plan,
    Role,
    TaskParty,
    TermScope,
    Unit,
    UnitKind,
)
from workflows.services.assignments import (
    assignment_accept,
    assignment_approve,
    assignment_return,
    assignment_start,
    assignment_submit,
)
from workflows.services.bulletins import bulletin_draft, bulletin_issue
from workflows.services.dispatch import assignment_set_due_date, plan_dispatch, task_select_units
from workflows.services.extensions import extension_approve, extension_request
from workflows.services.memberships import membership_grant
from workflows.services.periods import milestone_add, period_report_file, plan_set_cadence
from workflows.services.reminders.urging import assignment_remind
from workflows.services.transfers import transfer_request
from workflows.supervision.bulletins import plan_periods
from workflows.unit_csv import UnitRow

REFERENCE_PLAN = Path(settings.BASE_DIR) / "workflows" / "data" / "reference_plan_kunzhengbanfa_2017_169.txt"
SUPERVISING_UNIT = "市政府法制办"
AUDIT_UNITS = ("市监察局", "市审计局")
ADMIN_UNIT = "市政府办"
COLLEAGUES = ((SUPERVISING_UNIT, "reviewer"), (SUPERVISING_UNIT, "submitter"))
PICKS_PER_TERM = 2
# The demo's due dates, in days from today, cycled over the assignments: some overdue, some within
# the yellow window, most ahead.
DUE_OFFSETS = (-20, 45, 3, 90, -4, 60, 1, 120, 30, 150, 15, 75)
# How far the first items are worked, in turn; and how many overdue ones the supervisor urges.
DEMO_PERIOD_REPORTS = 5
DEMO_STAGES = ("started", "submitted", "returned", "approved", "started", "returned", "submitted", "accepted")
DEMO_WORKED = 16
DEMO_REMINDED = 3


def password_file() -> Path:
    return Path(getattr(settings, "DEMO_PASSWORD_FILE", Path(settings.BASE_DIR) / "var" / "demo_password.txt"))


@dataclass
class Account:
    username: str
    unit: Unit
    roles: list[str] = field(default_factory=list)


DEMO_URBAN_OFFICES = [UnitRow(line=0, short_name="青阳城管办", full_name="昆山高新技术产业开发区青阳城市管理办事处",
                              aliases=("青阳城市管理办事处",), kind=UnitKind.URBAN_OFFICE, order=900, is_active=True)]


class Command(BaseCommand):
    help = _("载入演示数据：导入参考计划（如未导入）、为各单位创建演示账号并交办；可重复执行。"
             "--json 只输出账号列表 [{username, unit, roles}]。")

    def add_arguments(self, parser):
        parser.add_argument("--password", help=_("所有演示账号使用的密码（默认生成一个并保存在 var/demo_password.txt）"))
        parser.add_argument("--json", action="store_true", help=_("只在标准输出打印账号列表（JSON）"))

    def handle(self, *args, password=None, json=False, **options):
        # With --json, stdout carries the account list and nothing else: the rest goes to stderr.
        self.say = self.stderr.write if json else self.stdout.write
        self._urban_offices()
        plan = self._plan()
        password, generated = self._password(password)
        accounts = self._plan_accounts(plan)
        users = self._users(accounts, password)
        fresh = self._dispatch(plan, users)
        self._select_relevant_units(plan, users)
        if fresh:
            self._demo_year(plan, users)
        if json:
            self.stdout.write(_dumps([{"username": a.username, "unit": a.unit.short_name, "roles": a.roles}
                                      for a in accounts]))
            return
        self.say(_("演示账号（用户名 · 单位 · 角色）："))
        labels = dict(Role.choices)
        for a in accounts:
            self.say(f"  {a.username:<18} {a.unit.short_name:<10} {'、'.join(str(labels[r]) for r in a.roles)}")
        self._first_walk(accounts)
        if generated:
            self.say(_("所有演示账号的密码：%(password)s（已保存在 %(path)s）") % {"password": password, "path": password_file()})
        else:
            self.say(_("所有演示账号的密码：%(password)s") % {"password": password})

    def _first_walk(self, accounts: list[Account]) -> None:
        """One line saying whom to sign in as first: a clerk, the lead's reviewer, the 督查室, an auditor."""
        def first(role, unit=None):
            return next((a for a in accounts if role in a.roles and (unit is None or a.unit.short_name == unit)), None)
        walk = [(_("承办人"), first("submitter", "市财政局")), (_("牵头审核人"), first("reviewer", "市编办")),
                (_("督办验收人"), first("supervisor")), (_("审计人员"), first("auditor"))]
        self.say(_("建议先依次登录：%(walk)s") % {"walk": "，".join(
            f"{label} {a.username}（{a.unit.short_name}）" for label, a in walk if a is not None)})

    # ----- the directory ----------------------------------------------------------------------
    def _urban_offices(self) -> None:
        """The reference addresses 各城市管理办事处; the directory shipped with the product has none
        (their names are the city's to give, in 单位库). The demo adds the one whose full name we could
        confirm, so those tasks reach a unit instead of being reported as problems."""
        known = set(Unit.objects.filter(short_name__in=[r.short_name for r in DEMO_URBAN_OFFICES])
                    .values_list("short_name", flat=True))
        missing = [r for r in DEMO_URBAN_OFFICES if r.short_name not in known]
        if missing:
            services.units_import(actor=None, rows=missing)
            self.say(_("已在单位库中加入演示用的城市管理办事处：%(names)s")
                     % {"names": "、".join(r.full_name for r in missing)})

    # ----- the plan ---------------------------------------------------------------------------
    def _plan(self) -> Plan:
        data = REFERENCE_PLAN.read_bytes()
        supervisor = Unit.objects.filter(short_name=SUPERVISING_UNIT).first()
        if supervisor is None:
            raise CommandError(_("单位库中没有督办单位“%(unit)s”，请先运行 migrate 或 import_units")
                               % {"unit": SUPERVISING_UNIT})
        preview = services.plan_preview(data=data, filename=REFERENCE_PLAN.name)
        plan = preview.duplicate_of
        if plan is None:
            plan = services.plan_import(actor=None, data=data, filename=REFERENCE_PLAN.name,
                                        supervising_unit=supervisor)
            self.say(_("已导入参考计划《%(title)s》") % {"title": plan.title})
        elif plan.supervising_unit_id != supervisor.pk:
            raise CommandError(_("参考计划已导入，但督办单位是“%(current)s”，不是“%(unit)s”；请在管理后台改正后重试")
                               % {"current": plan.supervising_unit or _("（未设置）"), "unit": SUPERVISING_UNIT})
        return plan

    def _password(self, given: str | None) -> tuple[str, bool]:
        if given:
            return given, False
        path = password_file()
        if path.exists():
            saved = path.read_text(encoding="utf-8").strip()
            if saved:
                return saved, False
        password = secrets.token_urlsafe(9)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(password + "\n", encoding="utf-8")
        path.chmod(0o600)
        return password, True

    # ----- the accounts -----------------------------------------------------------------------
    def _plan_accounts(self, plan: Plan) -> list[Account]:
        """Who the demo needs, in a stable order: submitters, reviewers, supervisor, auditors, admin."""
        units = {u.short_name: u for u in Unit.objects.all()}
        submitting = Unit.objects.filter(is_active=True, kind__in=[UnitKind.MUNICIPAL, UnitKind.DISTRICT,
                                                                   UnitKind.URBAN_OFFICE])
        lead_ids = set(TaskParty.objects.filter(task__plan=plan, role=PartyRole.LEAD)
                       .values_list("unit_id", flat=True))
        leading = Unit.objects.filter(pk__in=lead_ids)
        wanted: list[tuple[Unit, str]] = [(u, "submitter") for u in submitting.order_by("order", "short_name")]
        wanted += [(u, "reviewer") for u in leading.order_by("order", "short_name")]
        wanted.append((units[SUPERVISING_UNIT], "supervisor"))
        wanted += [(units[name], "auditor") for name in AUDIT_UNITS]
        wanted.append((units[ADMIN_UNIT], "admin"))
        accounts = [Account(username=f"u{unit.pk:03d}-{role}", unit=unit, roles=[role]) for unit, role in wanted]
        # A second colleague in the same unit and role, to show delegation (代理) and handing work over (转交).
        held = {(a.unit.pk, a.roles[0]) for a in accounts}
        accounts += [Account(username=f"u{units[name].pk:03d}-{role}-2", unit=units[name], roles=[role])
                     for name, role in COLLEAGUES if (units[name].pk, role) in held]
        return accounts

    def _users(self, accounts: list[Account], password: str) -> dict[tuple[str, str], object]:
        """Create what is missing; leave what is there. Return {(unit short name, role): user}."""
        User = get_user_model()
        existing = {u.username: u for u in User.objects.filter(username__in=[a.username for a in accounts])}
        held = set(Membership.objects.filter(user__in=existing.values()).values_list("user__username", "unit_id", "role"))
        encoded = None  # one hash for every new or reset account: hashing is deliberately slow
        known_good: set[str] = set()
        users = {}
        labels = dict(Role.choices)
        for account in accounts:
            user = existing.get(account.username)
            admin = "admin" in account.roles
            if user is None or not self._password_ok(user, password, known_good):
                encoded = encoded or make_password(password)
                with transaction.atomic():
                    created = user is None
                    user = user or User(username=account.username,
                                        first_name=f"{account.unit.short_name}{labels[account.roles[0]]}")
                    user.password = encoded
                    user.is_active = True
                    if admin:
                        user.is_staff = user.is_superuser = True
                    user.save()
                    record_event(action="auth.user_created" if created else "auth.user_changed", target=user,
                                 details={"user": user.username, "by": "load_demo",
                                          **({} if created else {"password": "reset"})})
                known_good.add(user.password)
            elif admin and not (user.is_staff and user.is_superuser):
                with transaction.atomic():
                    user.is_staff = user.is_superuser = True
                    user.save(update_fields=["is_staff", "is_superuser"])
                    record_event(action="auth.user_changed", target=user,
                                 details={"user": user.username, "is_staff": True, "is_superuser": True})
            for role in account.roles:
                if (user.username, account.unit.pk, role) not in held:
                    membership_grant(actor=None, user=user, unit=account.unit, role=role)
            users[(account.unit.short_name, account.roles[0])] = user
        return users

    @staticmethod
    def _password_ok(user, password: str, known_good: set[str]) -> bool:
        if user.password in known_good:
            return True
        if user.check_password(password):
            known_good.add(user.password)
            return True
        return False

    # ----- dispatch ---------------------------------------------------------------------------
    def _dispatch(self, plan: Plan, users) -> bool:
        """Dispatch the plan unless it was; say whether it was dispatched now."""
        if Assignment.objects.filter(task__plan=plan).exists():
            self.say(_("该计划已交办，跳过交办。"))
            return False
        result = plan_dispatch(actor=users[(SUPERVISING_UNIT, "supervisor")], plan_id=plan.pk)
        self.say(_("已交办：%(count)s 件承办件（%(round)s）。") % {"count": len(result.created), "round": result.round.name})
        if result.problems:
            self.say(_("交办发现 %(count)s 处问题（单位库中没有对应单位）：") % {"count": len(result.problems)})
            for problem in result.problems:
                self.say(f"  {problem}")
        return True

    def _demo_year(self, plan: Plan, users) -> None:
        """A plan in the middle of its work, whatever today is: the supervisor places the due dates
        around today (so red, yellow and green all show), and a few items are started, submitted,
        returned, approved and accepted, reminded and asked to be transferred. All through the
        services, so the audit trail records each step as it would in real use."""
        supervisor = users[(SUPERVISING_UNIT, "supervisor")]
        today = timezone.localdate()
        dispatched = timezone.make_aware(dt.datetime.combine(
            (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1), dt.time(9)))
        Assignment.objects.filter(task__plan=plan).update(created_at=dispatched)
        open_ones = list(Assignment.objects.filter(task__plan=plan).select_related("task", "unit").order_by("id"))
        for index, assignment in enumerate(open_ones):
            due = today + dt.timedelta(days=DUE_OFFSETS[index % len(DUE_OFFSETS)])
            assignment_set_due_date(actor=supervisor, assignment_id=assignment.pk, due_date=due)
        leads = {}
        for party in TaskParty.objects.filter(task__plan=plan, role=PartyRole.LEAD).select_related("unit").order_by(
                "task_id", "position"):
            leads.setdefault(party.task_id, party.unit.short_name)
        workable = [a for a in open_ones if (a.unit.short_name, "submitter") in users
                    and (leads.get(a.task_id), "reviewer") in users]
        steps = {"started": 0, "submitted": 0, "returned": 0, "approved": 0, "accepted": 0}
        for index, assignment in enumerate(workable[:DEMO_WORKED]):
            submitter = users[(assignment.unit.short_name, "submitter")]
            reviewer = users[(leads[assignment.task_id], "reviewer")]
            goal = DEMO_STAGES[index % len(DEMO_STAGES)]
            assignment_start(actor=submitter, assignment_id=assignment.pk)
            steps["started"] += 1
            if goal == "started":
                continue
            assignment_submit(actor=submitter, assignment_id=assignment.pk, no_file_statement=_("本事项无纸质材料。"),
                              report=_("一、工作进展\n已按分工推进，形成阶段性成果。\n二、下一步打算\n继续落实。"))
            steps["submitted"] += 1
            if goal == "returned":
                assignment_return(actor=reviewer, assignment_id=assignment.pk,
                                  reason=_("请补充量化指标的完成数据\n并附相关文件。"))
                steps["returned"] += 1
            elif goal in ("approved", "accepted"):
                assignment_approve(actor=reviewer, assignment_id=assignment.pk, opinion=_("同意。"))
                steps["approved"] += 1
                if goal == "accepted":
                    # The archive is made now: a thread of this command would die with it and leave
                    # the demo's archives 生成中 until someone runs archive_sweep.
                    with override_settings(ARCHIVE_IN_BACKGROUND=False):
                        assignment_accept(actor=supervisor, assignment_id=assignment.pk, opinion=_("验收通过。"))
                    steps["accepted"] += 1
        # Monthly progress reports (每月5日前) in the middle of the year: the plan was dispatched on the
        # first of last month (the demo's records are written today, the 交办 date says when the work
        # was handed out), so last month's report is due by the 5th; two units in three have filed it
        # (on time before the 5th, late after), the third has not (red); the first few working units
        # have filed this month's already. The office's 通报 of last month names them.
        plan_set_cadence(actor=supervisor, plan_id=plan.pk, cadence="monthly", day=5)
        filed = {"last": 0, "this": 0}
        last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        worked = {a.pk for a in workable[:DEMO_WORKED]}
        still_open = set(Assignment.objects.filter(task__plan=plan).exclude(state__in=CLOSED_STATES)
                         .values_list("pk", flat=True))
        for index, assignment in enumerate(open_ones):
            submitter = users.get((assignment.unit.short_name, "submitter"))
            if submitter is None or index % 3 == 2 or assignment.pk not in still_open:
                continue
            for report in PeriodReport.objects.filter(assignment=assignment, status="pending",
                                                      starts_on__lte=today).order_by("starts_on"):
                this_month = report.starts_on > last_month
                if this_month and (assignment.pk not in worked or filed["this"] >= DEMO_PERIOD_REPORTS):
                    break
                period_report_file(actor=submitter, assignment_id=assignment.pk, report_id=report.pk,
                                   percent=(30 if this_month else 20) + 5 * (index % 5),
                                   text=_("一、本月进展\n已按分工推进，形成阶段性成果。\n二、下月打算\n继续落实。"))
                filed["this" if this_month else "last"] += 1
        steps["period_reports"] = filed["last"] + filed["this"]
        steps["bulletin"] = self._demo_bulletin(plan, supervisor, last_month, today)
        overdue = [a for index, a in enumerate(open_ones)
                   if DUE_OFFSETS[index % len(DUE_OFFSETS)] < 0 and a.pk not in worked][:DEMO_REMINDED]
        for assignment in overdue:
            assignment_remind(actor=supervisor, assignment_id=assignment.pk, today=today,
                              message=_("该事项已超过办理期限，请抓紧办理并报送。"))
        asking = next((a for a in workable[DEMO_WORKED:] if a.unit.kind == UnitKind.MUNICIPAL), None)
        if asking is not None:
            transfer_request(actor=users[(asking.unit.short_name, "submitter")], assignment_id=asking.pk,
                             kind="not_applicable", reason=_("本单位不承担该项职责，建议由其他单位承办。"))
        steps.update(self._demo_extensions_and_milestones(workable, users, supervisor, today))
        self.say(_("演示进度：办理期限已按今天（%(today)s）重新安排；开始办理 %(started)s 件，报送 %(submitted)s 件，"
                   "退回 %(returned)s 件，审核通过 %(approved)s 件，验收办结 %(accepted)s 件；报送月度进展报告 %(period_reports)s 份；催办 %(reminded)s 件；"
                   "调整申请 %(asked)s 件。")
                 % {"today": f"{today.year}年{today.month}月{today.day}日", **steps, "reminded": len(overdue),
                    "asked": 1 if asking else 0})
        self.say(_("延期申请 %(extensions)s 件（其中已批准 %(extended)s 件），节点 %(milestones)s 个。") % steps)
        if steps["bulletin"]:
            self.say(_("已印发上月进展通报：%(number)s。") % {"number": steps["bulletin"]})

    def _demo_bulletin(self, plan: Plan, supervisor, last_month: dt.date, today: dt.date) -> str:
        """The office's 通报 of last month, once its reports are due (after the 5th); its 文号."""
        keys = [k for k in plan_periods(plan) if k.starts_on == last_month]
        if not keys or not PeriodReport.objects.filter(assignment__task__plan=plan, starts_on=last_month,
                                                         due_on__lt=today).exists():
            return ""
        _plan, _keys, key, _summary, fields = bulletin_draft(actor=supervisor, plan_id=plan.pk, period=keys[0].value,
                                                             today=today)
        return bulletin_issue(actor=supervisor, plan_id=plan.pk, period=key.value, fields=fields, today=today).number

    def _demo_extensions_and_milestones(self, workable, users, supervisor, today) -> dict:
        """Two units ask for more time (one approved by the office, one waiting in its 我的待办), and
        the units at work set a 节点计划 of two steps before their due dates."""
        counts = {"extensions": 0, "extended": 0, "milestones": 0}
        fresh = {a.pk: a for a in Assignment.objects.filter(pk__in=[a.pk for a in workable])}
        asking = [fresh[a.pk] for a in workable[DEMO_WORKED:]
                  if fresh[a.pk].state == "assigned" and fresh[a.pk].due_date > today][:2]
        for index, assignment in enumerate(asking):
            request = extension_request(
                actor=users[(assignment.unit.short_name, "submitter")], assignment_id=assignment.pk,
                requested_due=assignment.due_date + dt.timedelta(days=30),
                reason=_("需待上级主管部门批复后方能完成，申请延期一个月；其间按月报送进展。"))
            counts["extensions"] += 1
            if index == 0:
                extension_approve(actor=supervisor, request_id=request.pk, opinion=_("同意延期，请按新的期限完成。"))
                counts["extended"] += 1
        for assignment in [fresh[a.pk] for a in workable[:DEMO_WORKED]]:
            if assignment.state != "in_progress" or (assignment.due_date - today).days < 20:
                continue
            submitter = users[(assignment.unit.short_name, "submitter")]
            span = (assignment.due_date - today).days
            for title, target, share in ((_("完成工作方案"), _("方案印发"), 3), (_("完成阶段任务"), _("形成阶段成果"), 2)):
                milestone_add(actor=submitter, assignment_id=assignment.pk, title=title, target=target,
                              due_on=today + dt.timedelta(days=span // share))
                counts["milestones"] += 1
        return counts

    def _select_relevant_units(self, plan: Plan, users) -> None:
        """For each "relevant" term, the principal lead's reviewer picks the first two fitting units."""
        parties = (TaskParty.objects.filter(task__plan=plan, role=PartyRole.RESPONSIBLE,
                                            group_term__scope=TermScope.RELEVANT)
                   .select_related("task", "group_term").order_by("task__number", "position"))
        done = set(Assignment.objects.filter(task__plan=plan, source_party__in=parties)
                   .values_list("source_party_id", flat=True))
        active = list(Unit.objects.filter(is_active=True).order_by("order", "short_name"))
        by_task: dict = {}
        for party in parties:
            if party.pk not in done:
                by_task.setdefault(party.task, []).append(party)
        for task, todo in by_task.items():
            leads = list(TaskParty.objects.filter(task=task, role=PartyRole.LEAD).select_related("unit")
                         .order_by("position"))
            taken = {p.unit_id for p in leads} | {plan.supervising_unit_id}
            reviewer = users[(leads[0].unit.short_name, "reviewer")]
            names = []
            for party in todo:
                # Leads and the supervising office do not undertake the task in the demo.
                names += [u.short_name for u in active
                          if u.kind == party.group_term.kind and u.pk not in taken][:PICKS_PER_TERM]
            result = task_select_units(actor=reviewer, task_id=task.pk, unit_names=names)
            self.say(_("第 %(number)s 项任务（%(terms)s）：由 %(reviewer)s（%(lead)s牵头审核人）选定 %(units)s，"
                       "交办 %(count)s 件。")
                     % {"number": task.number, "terms": "、".join(p.name for p in todo), "reviewer": reviewer.username,
                        "lead": leads[0].unit.short_name, "units": "、".join(names), "count": len(result.created)})


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)
