"""The menu's links follow the person's rights: remembered for a minute in the session, while every
page asks the policy itself, so a right taken away is refused at once and its link goes soon after."""
import pytest
from django.test import Client
from django.urls import reverse

from approvals import context_processors
from tests.world import person
from workflows.models import Membership
from workflows.services.memberships import membership_revoke

pytestmark = pytest.mark.django_db


def test_a_revoked_role_is_refused_at_once_and_leaves_the_menu_within_a_minute(monkeypatch):
    now = [1_000_000.0]
    monkeypatch.setattr(context_processors.time, "time", lambda: now[0])
    auditor = person("shenji", "市审计局", "auditor")
    client = Client()
    client.force_login(auditor)
    audit_link = f'href="{reverse("audit:timeline")}"'
    assert audit_link in client.get(reverse("approvals:inbox")).content.decode()
    assert client.get(reverse("audit:timeline")).status_code == 200

    membership_revoke(actor=None, membership=Membership.objects.get(user=auditor, role="auditor"))
    assert client.get(reverse("audit:timeline")).status_code in (403, 404)  # the page asks the policy itself
    now[0] += context_processors.MAY_SECONDS - 1
    assert audit_link in client.get(reverse("approvals:inbox")).content.decode()  # the menu, remembered
    now[0] += 2
    assert audit_link not in client.get(reverse("approvals:inbox")).content.decode()


def test_the_menu_is_asked_again_for_another_person_in_the_same_session():
    auditor, clerk = person("shenji", "市审计局", "auditor"), person("finance", "市财政局", "submitter")
    client = Client()
    client.force_login(auditor)
    audit_link = f'href="{reverse("audit:timeline")}"'
    assert audit_link in client.get(reverse("approvals:inbox")).content.decode()
    session = client.session
    kept = session[context_processors.MAY_KEY]
    client.force_login(clerk)  # a new session key at sign-in; and even a copied record names its user
    session = client.session
    session[context_processors.MAY_KEY] = kept
    session.save()
    assert audit_link not in client.get(reverse("approvals:inbox")).content.decode()
