"""What the trail records: sign-ins, role changes, directory changes, imports, refusals."""
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from tests.audit.helpers import events
from tests.factories import PlanAdministratorFactory, UserFactory
from workflows import services as workflow_services
from workflows.models import Membership, Plan, Unit
from workflows.services import memberships as membership_services

pytestmark = pytest.mark.django_db


def login(client, username, password="pass-1234"):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    return client.post(reverse("login"), {"username": username, "password": password})


def test_a_login_records_one_event_and_gives_a_new_session_key(client):
    UserFactory(username="wang")
    client.get(reverse("login"))
    before = client.cookies.get("sessionid")
    response = login(client, "wang")
    assert response.status_code == 302
    [event] = events("auth.login")
    assert event.actor.username == "wang" and event.actor_label == "wang"
    assert event.request_id and event.ip == "127.0.0.1"
    assert client.cookies["sessionid"].value != (before.value if before else None)


def test_a_failed_login_records_the_escaped_name_and_nothing_else(client):
    UserFactory(username="wang")
    response = login(client, "wang\n2026-01-01 auth.login admin", password="wrong")
    assert response.status_code == 200 and "用户名或密码不正确" in response.content.decode()
    [event] = events()
    assert event.action == "auth.login_failed" and event.actor is None
    assert "\n" not in event.target_label and "\\x0a" in event.target_label


def test_a_logout_records_one_event(client):
    UserFactory(username="wang")
    login(client, "wang")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert [e.action for e in events()] == ["auth.login", "auth.logout"]
    assert client.get(reverse("plans:plan_list")).status_code == 302  # the session is gone


def test_logout_by_get_is_refused(client):
    UserFactory(username="wang")
    login(client, "wang")
    assert client.get(reverse("logout")).status_code == 405


def test_granting_and_revoking_a_role_each_record_one_event():
    admin, user = UserFactory(username="boss", is_superuser=True), UserFactory(username="li")
    unit = Unit.objects.get(short_name="市审计局")
    membership = membership_services.membership_grant(actor=admin, user=user, unit=unit, role="auditor")
    membership_services.membership_revoke(actor=admin, membership=membership)
    granted, revoked = events()
    assert (granted.action, granted.role, granted.unit_label, granted.actor_label) == (
        "auth.membership_granted", "auditor", "市审计局", "boss")
    assert revoked.action == "auth.membership_revoked" and not Membership.objects.exists()


def test_a_duplicate_grant_is_refused_and_records_nothing():
    admin, user = UserFactory(username="boss", is_superuser=True), UserFactory(username="li")
    unit = Unit.objects.get(short_name="市审计局")
    membership_services.membership_grant(actor=admin, user=user, unit=unit, role="auditor")
    with pytest.raises(membership_services.MembershipError):
        membership_services.membership_grant(actor=admin, user=user, unit=unit, role="auditor")
    assert len(events()) == 1


def test_a_plan_import_records_exactly_one_event_with_its_hash(reference_bytes):
    plan = workflow_services.plan_import(actor=None, data=reference_bytes, filename="169.txt")
    [event] = events()
    assert event.action == "plan.imported" and event.plan_id == plan.pk
    assert plan.source_sha256 in event.details and '"tasks":31' in event.details


def test_a_refused_plan_import_records_nothing(reference_bytes):
    workflow_services.plan_import(actor=None, data=reference_bytes, filename="169.txt")
    with pytest.raises(workflow_services.PlanImportError):
        workflow_services.plan_import(actor=None, data=reference_bytes, filename="169.txt")
    assert len(events()) == 1 and Plan.objects.count() == 1


def test_a_units_import_records_exactly_one_event(tmp_path):
    path = tmp_path / "units.csv"
    path.write_text("简称,类型\n新单位,区镇\n市编办,市政府部门\n", encoding="utf-8")
    call_command("import_units", str(path), stdout=io.StringIO())
    [event] = events()
    assert event.action == "units.imported"
    assert '"created":["新单位"]' in event.details and '"updated":["市编办"]' in event.details


def test_a_failed_units_import_records_nothing(tmp_path):
    from django.core.management import CommandError

    path = tmp_path / "units.csv"
    path.write_text("简称,别名\n新单位,市法制办\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_units", str(path), stdout=io.StringIO())
    assert events() == []


def test_changing_a_unit_in_the_admin_records_one_event_with_the_changes(admin_client):
    unit = Unit.objects.get(short_name="市编办")
    url = reverse("admin:workflows_unit_change", args=[unit.pk])
    data = {"short_name": "市编办", "full_name": "新全称", "kind": "municipal", "order": 10, "is_active": "on",
            "aliases-TOTAL_FORMS": "1", "aliases-INITIAL_FORMS": "0", "aliases-MIN_NUM_FORMS": "0",
            "aliases-MAX_NUM_FORMS": "1000", "aliases-0-name": "编办", "aliases-0-unit": unit.pk}
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    [event] = events("unit.changed")
    assert '"full_name":"新全称"' in event.details and '"added":["编办"]' in event.details


def test_granting_a_role_in_the_admin_goes_through_the_service(admin_client):
    user = UserFactory(username="auditor1")
    unit = Unit.objects.get(short_name="市审计局")
    response = admin_client.post(reverse("admin:workflows_membership_add"),
                                 {"user": user.pk, "unit": unit.pk, "role": "auditor"})
    assert response.status_code == 302
    assert [e.action for e in events() if e.action.startswith("auth.membership")] == ["auth.membership_granted"]


def test_a_refused_post_records_one_access_denied_event_and_changes_nothing(client, reference_bytes):
    client.force_login(UserFactory(username="nobody"))
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("plans:plan_import"), {"file": SimpleUploadedFile("a.txt", reference_bytes)})
    assert response.status_code == 403
    [event] = events()
    assert event.action == "access.denied" and event.actor.username == "nobody"
    assert '"method":"POST"' in event.details and Plan.objects.count() == 0


def test_a_post_without_csrf_token_is_refused_and_recorded_once():
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(PlanAdministratorFactory(username="admin2"))
    response = csrf_client.post(reverse("plans:plan_import"), {})
    assert response.status_code == 403
    assert [e.action for e in events()] == ["access.csrf_refused"]


def test_an_auditor_reads_everything_and_every_change_attempt_is_refused_and_recorded(client, reference_bytes):
    workflow_services.plan_import(actor=None, data=reference_bytes, filename="169.txt")
    auditor = UserFactory(username="shenji")
    Membership.objects.create(user=auditor, unit=Unit.objects.get(short_name="市审计局"), role="auditor")
    client.force_login(auditor)
    plan = Plan.objects.get()
    for url in (reverse("audit:timeline"), reverse("audit:history", args=["plan", plan.pk]),
                reverse("audit:plan_as_of", args=[plan.pk]), plan.get_absolute_url(),
                reverse("plans:plan_list")):
        assert client.get(url).status_code == 200, url
    before = AuditEvent.objects.count()
    from django.core.files.uploadedfile import SimpleUploadedFile

    attempts = [
        client.post(reverse("plans:plan_import"), {"file": SimpleUploadedFile("a.txt", b"x")}),
        client.post(reverse("admin:workflows_unit_add"), {"short_name": "x"}),
    ]
    assert [r.status_code for r in attempts] == [403, 302]  # the admin sends non-staff to its login
    assert AuditEvent.objects.count() == before + 1
    assert events()[-1].action == "access.denied"
    assert Unit.objects.filter(short_name="x").count() == 0
