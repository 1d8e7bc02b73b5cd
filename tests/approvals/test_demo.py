"""python manage.py load_demo: the reference plan's accounts, dispatched, and nothing more on a rerun."""
import datetime as dt
import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from workflows.models import Assignment, Membership, Plan, TaskParty, Unit

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-4821"
ROLE_CODES = {"submitter", "reviewer", "supervisor", "auditor", "admin"}


def load_demo(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def by_role(accounts, role):
    return {a["unit"]: a["username"] for a in accounts if role in a["roles"]}


@pytest.fixture
def password_file(settings, tmp_path):
    settings.DEMO_PASSWORD_FILE = tmp_path / "demo_password.txt"
    return settings.DEMO_PASSWORD_FILE


def test_json_prints_only_the_accounts_in_the_agreed_shape(password_file):
    out, _err = load_demo("--json", "--password", PASSWORD)

    accounts = json.loads(out)  # the whole of stdout is the JSON document
    assert isinstance(accounts, list) and accounts
    for account in accounts:
        assert set(account) == {"username", "unit", "roles"}
        assert isinstance(account["username"], str) and account["username"].isascii()
        assert isinstance(account["unit"], str) and set(account["roles"]) <= ROLE_CODES and account["roles"]
    assert len({a["username"] for a in accounts}) == len(accounts)

    submitting = set(Unit.objects.filter(is_active=True, kind__in=["municipal", "district", "urban_office"])
                     .values_list("short_name", flat=True))
    leads = set(TaskParty.objects.filter(role="lead").values_list("unit__short_name", flat=True))
    assert set(by_role(accounts, "submitter")) == submitting and {"张浦镇", "青阳城管办"} <= submitting
    assert set(by_role(accounts, "reviewer")) == leads and "市检察院" in leads
    assert "市检察院" not in by_role(accounts, "submitter")
    assert set(by_role(accounts, "supervisor")) == {"市政府法制办"}
    assert set(by_role(accounts, "auditor")) == {"市监察局", "市审计局"}
    assert set(by_role(accounts, "admin")) == {"市政府办"}
    assert not password_file.exists()  # a given password is not written anywhere
    # A colleague of the same unit and role, for delegation and handing over.
    colleagues = {(a["username"], a["unit"], tuple(a["roles"])) for a in accounts if a["username"].endswith("-2")}
    assert {(unit, roles) for _name, unit, roles in colleagues} == {("市政府法制办", ("reviewer",)),
                                                                  ("市政府法制办", ("submitter",))}


def test_it_imports_and_dispatches_the_plan_and_picks_two_units_per_relevant_term(password_file):
    _out, err = load_demo("--json", "--password", PASSWORD)

    plan = Plan.objects.get()
    assert plan.supervising_unit.short_name == "市政府法制办"
    relevant = TaskParty.objects.filter(task__plan=plan, role="responsible", group_term__scope="relevant")
    assert relevant.count() == 8
    for party in relevant:
        chosen = Assignment.objects.filter(source_party=party)
        assert chosen.count() == 2
        assert set(chosen.values_list("unit__kind", flat=True)) == {party.group_term.kind}
    # 879 from the named units, 16 chosen for 有关 terms, 19 for 各城市管理办事处 (the one the demo adds).
    assert Assignment.objects.count() == 879 + 16 + 19
    assert Assignment.objects.filter(unit__short_name="青阳城管办").count() == 19
    selections = AuditEvent.objects.filter(action="task.units_selected")
    assert selections.count() == 7
    for event in selections:
        principal = TaskParty.objects.get(task_id=event.task_id, role="lead", position=0).unit
        assert Membership.objects.filter(user=event.actor, unit=principal, role="reviewer").exists()
    assert "选定" in err and "问题" not in err  # said on stderr, so stdout stays pure JSON
    assert "昆山高新技术产业开发区青阳城市管理办事处" in err


def test_a_second_run_changes_nothing_and_prints_the_same_accounts(password_file):
    first, _err = load_demo("--json", "--password", PASSWORD)
    counts = (get_user_model().objects.count(), Membership.objects.count(), Assignment.objects.count(),
              AuditEvent.objects.count(), Plan.objects.count())

    second, _err = load_demo("--json", "--password", PASSWORD)

    assert second == first
    assert (get_user_model().objects.count(), Membership.objects.count(), Assignment.objects.count(),
            AuditEvent.objects.count(), Plan.objects.count()) == counts


def can_sign_in(username: str, password: str) -> bool:
    """Check credentials as the login page does: with a request (django-axes needs one)."""
    from django.contrib.auth import authenticate
    from django.test import RequestFactory

    return authenticate(RequestFactory().post("/login/"), username=username, password=password) is not None


def test_each_listed_account_can_sign_in_and_holds_its_roles(password_file):
    accounts = json.loads(load_demo("--json", "--password", PASSWORD)[0])

    for account in accounts:
        user = get_user_model().objects.get(username=account["username"])
        assert can_sign_in(account["username"], PASSWORD), account
        assert set(Membership.objects.filter(user=user, unit__short_name=account["unit"])
                   .values_list("role", flat=True)) == set(account["roles"])
    admin = get_user_model().objects.get(username=by_role(accounts, "admin")["市政府办"])
    assert admin.is_staff and admin.is_superuser

    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    token = page.context["csrf_token"]
    response = client.post(reverse("login"), {"username": by_role(accounts, "submitter")["市财政局"],
                                              "password": PASSWORD, "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302
    assert "市财政局" in client.get(reverse("approvals:inbox")).content.decode()


def test_without_a_password_one_is_generated_saved_and_reused(password_file):
    out, _err = load_demo()
    saved = password_file.read_text(encoding="utf-8").strip()
    assert len(saved) >= 12 and f"所有演示账号的密码：{saved}" in out
    assert oct(password_file.stat().st_mode & 0o777) == "0o600"

    again, _err = load_demo("--json")

    assert password_file.read_text(encoding="utf-8").strip() == saved
    for account in json.loads(again)[:3]:
        assert can_sign_in(account["username"], saved)


def test_the_demo_is_a_plan_in_mid_year_whatever_today_is(password_file):
    from django.utils import timezone

    from workflows.lights import light_of

    out, _err = load_demo("--password", PASSWORD)

    assignments = list(Assignment.objects.all())
    lights = {light_of(a) for a in assignments}
    assert {"red", "yellow", "green"} <= lights  # every light shows on the dashboard and in the lists
    assert {a.state for a in assignments} >= {"assigned", "in_progress", "submitted", "lead_reviewed", "accepted"}
    assert min(a.due_date for a in assignments) >= timezone.localdate().replace(year=timezone.localdate().year - 1)
    counts = {action: AuditEvent.objects.filter(action=action).count() for action in (
        "assignment.returned", "assignment.reminded", "assignment.transfer_requested", "assignment.due_date_changed")}
    assert counts["assignment.returned"] >= 2 and counts["assignment.reminded"] >= 2
    assert counts["assignment.transfer_requested"] == 1 and counts["assignment.due_date_changed"] == len(assignments)
    assert "建议先依次登录：承办人 " in out and "（市财政局）" in out
    from workflows.models import PeriodReport

    plan = Plan.objects.get()
    assert (plan.report_cadence, plan.report_day) == ("monthly", 5)  # 每月5日前 progress reports
    # Mid-year: dispatched on the first of last month; last month's reports filed by two units in
    # three, the rest missing once the 5th has passed; a few of this month's filed already.
    today = timezone.localdate()
    last_month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert {timezone.localtime(a.created_at).date() for a in assignments} == {last_month}
    filed = PeriodReport.objects.exclude(status="pending")
    last = filed.filter(starts_on=last_month)
    assert filed.filter(starts_on__gt=last_month).count() == 5 and last.count() > 100
    assert filed.count() == AuditEvent.objects.filter(action="period_report.submitted").count()
    assert f"进展报告 {filed.count()} 份" in out
    owed = PeriodReport.objects.filter(starts_on=last_month, status="pending", assignment__state__in=("assigned", "in_progress"))
    assert owed.exists()
    if owed.filter(due_on__lt=today).exists():  # after the 5th: missing reports and the 通报 that names them
        from workflows.models import PeriodBulletin

        bulletin = PeriodBulletin.objects.get()
        assert bulletin.content["units"]["missing"] and f"已印发上月进展通报：{bulletin.number}" in out

    load_demo("--password", PASSWORD)  # a second run works nothing again
    assert AuditEvent.objects.filter(action="assignment.due_date_changed").count() == len(assignments)
