"""Sessions and sign-in: a new session key at login, none valid after logout or deactivation,
idle and absolute timeouts, and a lockout after repeated wrong passwords — each recorded."""
import time

import pytest
from django.test import Client
from django.urls import reverse

from approvals.sessions import SEEN_AT, SIGNED_IN_AT
from audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-1234"


@pytest.fixture
def wang():
    user = UserFactory(username="wang")
    user.set_password(PASSWORD)
    user.save()
    return user


def sign_in(client, username="wang", password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def signed_in(client) -> bool:
    return client.get(reverse("approvals:inbox")).status_code == 200


def test_signing_in_issues_a_new_session_key(wang):
    client = Client()
    client.get(reverse("login"))
    client.session.save()
    before = client.cookies["sessionid"].value
    assert sign_in(client).status_code == 302
    assert client.cookies["sessionid"].value != before and signed_in(client)


def test_after_logout_the_old_session_key_is_worthless(wang):
    client = Client()
    sign_in(client)
    old = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    thief = Client()
    thief.cookies["sessionid"] = old
    assert not signed_in(thief)


def test_deactivating_a_user_ends_their_sessions(wang):
    client = Client()
    sign_in(client)
    assert signed_in(client)
    wang.is_active = False
    wang.save()
    assert not signed_in(client)


def _age_session(client, *, signed_in_ago: float, seen_ago: float) -> None:
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT], session[SEEN_AT] = now - signed_in_ago, now - seen_ago
    session.save()


@pytest.mark.parametrize("signed_in_ago,seen_ago,reason", [
    (31 * 60, 31 * 60, "idle"),  # 30 minutes without a request
    (10 * 3600 + 60, 60, "absolute"),  # active, but signed in more than 10 hours ago
])
def test_a_session_ends_after_the_idle_or_the_absolute_timeout_and_it_is_recorded(
        wang, settings, signed_in_ago, seen_ago, reason):
    client = Client()
    sign_in(client)
    _age_session(client, signed_in_ago=signed_in_ago, seen_ago=seen_ago)
    response = client.get(reverse("approvals:inbox"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    event = AuditEvent.objects.get(action="auth.session_expired")
    assert event.actor == wang and f'"reason":"{reason}"' in event.details
    assert "登录" in client.get(response["Location"]).content.decode()  # the message on the login page
    assert not signed_in(client)


def test_an_active_session_is_kept(wang):
    client = Client()
    sign_in(client)
    _age_session(client, signed_in_ago=3600, seen_ago=20 * 60)
    assert signed_in(client)
    assert "auth.session_expired" not in actions()


def test_repeated_wrong_passwords_lock_the_name_out_even_for_the_right_one_and_each_try_is_recorded(wang, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, password="wrong")
    locked = sign_in(client, password="wrong")
    assert locked.status_code == 429 and "账号已暂时锁定" in locked.content.decode()
    right = sign_in(client)
    assert right.status_code == 429 and not signed_in(client)
    recorded = actions()
    assert recorded.count("auth.login_failed") == settings.AXES_FAILURE_LIMIT - 1
    assert recorded.count("auth.locked_out") == 3  # the attempt that reached the limit, then two more
    assert "auth.login" not in recorded


def test_a_successful_sign_in_clears_earlier_failures(wang, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 302
    client.post(reverse("logout"))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, password="wrong")
    assert sign_in(client).status_code == 302
