"""Sources that have not signed in cannot bury the append-only trail, and their attempts stay on it.

Before the limits, 500 CSRF-less anonymous POSTs wrote 500 events and 200 failed sign-ins 200;
events are never deleted. Now each address writes ``AUDIT_ANONYMOUS_EVENTS_PER_WINDOW`` events
one by one per window, everything beyond is counted, and one ``access.anonymous_summary`` per
address (or one for all addresses past the overall limit) records the count, the first and last
time and sample paths once the window has closed.
"""
from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AnonymousWindow, AuditEvent
from audit.services import flush_anonymous_windows, write_checkpoint
from tests.approvals.test_dashboard import client_for
from tests.world import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen(monkeypatch):
    """Every request of a test in one window: 5 s into the current one, whatever the clock says."""
    from audit.services import _window_start

    moment = _window_start(timezone.now()) + dt.timedelta(seconds=5)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    return moment


def actions() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))


def later(settings) -> dt.datetime:
    return timezone.now() + dt.timedelta(seconds=settings.AUDIT_ANONYMOUS_WINDOW_SECONDS + 1)


def verify_ok() -> None:
    call_command("verify_audit")  # exits 1 (SystemExit) on any break in the chain


def test_csrf_less_anonymous_posts_write_the_per_address_share_then_one_summary(settings):
    settings.AUDIT_ANONYMOUS_EVENTS_PER_WINDOW = 20
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.7")
    for n in range(150):
        assert client.post(f"/assignments/{n + 1}/start/").status_code == 403
    assert actions().count("access.csrf_refused") == 20
    assert AnonymousWindow.objects.get(ip="203.0.113.7").suppressed == 130

    assert flush_anonymous_windows(now=later(settings)) == 1
    summary = AuditEvent.objects.get(action="access.anonymous_summary")
    details = json.loads(summary.details)
    assert summary.ip == "203.0.113.7" and summary.target_id == "203.0.113.7" and summary.actor_id is None
    assert details["count"] == 130 and details["recorded_one_by_one"] == 20
    assert details["actions"] == {"access.csrf_refused": 130}
    assert [s["path"] for s in details["samples"]] == [f"/assignments/{n}/start/" for n in range(21, 26)]
    assert details["first"] <= details["last"]
    assert "130" in summary.reason
    assert not AnonymousWindow.objects.exists()
    assert flush_anonymous_windows(now=later(settings)) == 0  # written once
    verify_ok()


def test_failed_sign_ins_are_bounded_per_address_and_the_count_is_kept(settings, monkeypatch):
    settings.AUDIT_ANONYMOUS_EVENTS_PER_WINDOW = 20
    client = Client(REMOTE_ADDR="198.51.100.9")
    for n in range(200):
        client.post(reverse("login"), {"username": f"guess{n % 7}", "password": "wrong"})
    written = [a for a in actions() if a in ("auth.login_failed", "auth.locked_out")]
    assert len(written) == 20
    window = AnonymousWindow.objects.get(ip="198.51.100.9")
    assert window.recorded == 20 and window.suppressed == 180
    moment = later(settings)
    monkeypatch.setattr(timezone, "now", lambda: moment)  # the next window: another request flushes
    Client(REMOTE_ADDR="192.0.2.200", HTTP_USER_AGENT="attacker-ua").post(
        reverse("login"), {"username": "x", "password": "y"})
    details = json.loads(AuditEvent.objects.get(action="access.anonymous_summary").details)
    assert sum(details["actions"].values()) == 180 and details["samples"][0]["path"] == "/login/"
    # Who was targeted survives the merge: each name tried, with its count.
    assert details["targets"] == {f"guess{n}": sum(1 for m in range(20, 200) if m % 7 == n) for n in range(7)}
    summary = AuditEvent.objects.get(action="access.anonymous_summary")
    assert summary.request_id == "" and summary.user_agent == ""  # not the request that flushed it
    verify_ok()


def test_many_addresses_together_are_bounded_by_the_overall_limit(settings):
    settings.AUDIT_ANONYMOUS_EVENTS_PER_WINDOW = 3
    settings.AUDIT_ANONYMOUS_EVENTS_PER_WINDOW_ALL = 10
    for host in range(40):
        client = Client(REMOTE_ADDR=f"192.0.2.{host + 1}")
        for _ in range(5):
            client.post(reverse("login"), {"username": "admin", "password": "wrong"})
    assert len([a for a in actions() if a in ("auth.login_failed", "auth.locked_out")]) == 10
    summaries = flush_anonymous_windows(now=later(settings))
    # The overall share (10) is used by at most 10 // 3 + 1 addresses; the rest is one summary.
    assert summaries <= 10 // 3 + 2
    everyone = json.loads(AuditEvent.objects.get(action="access.anonymous_summary", target_id="*").details)
    counted = sum(json.loads(d)["count"] for d in
                  AuditEvent.objects.filter(action="access.anonymous_summary").values_list("details", flat=True))
    assert counted == 40 * 5 - 10 and everyone["count"] > 0
    verify_ok()


def test_a_signed_in_persons_refusals_are_each_recorded(settings):
    settings.AUDIT_ANONYMOUS_EVENTS_PER_WINDOW = 2
    world = build_world()
    client = client_for(world.reviewer)  # sees the assignment, may not start it
    for _ in range(6):
        assert client.post(reverse("approvals:assignment_start", args=[world.assignment.pk])).status_code == 403
    assert actions().count("access.denied") == 6
    csrf = Client(enforce_csrf_checks=True)
    csrf.force_login(world.other_submitter)
    for _ in range(6):
        csrf.post(reverse("approvals:assignment_start", args=[world.assignment.pk]))
    assert actions().count("access.csrf_refused") == 6
    assert not AnonymousWindow.objects.filter(suppressed__gt=0).exists()


def test_the_checkpoint_writes_the_summaries_of_closed_windows_first(settings, monkeypatch, tmp_path):
    settings.AUDIT_ANONYMOUS_EVENTS_PER_WINDOW = 1
    client = Client(REMOTE_ADDR="203.0.113.50")
    for _ in range(4):
        client.post(reverse("login"), {"username": "x", "password": "y"})
    moment = later(settings)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    line = write_checkpoint(tmp_path / "points.jsonl")
    summary = AuditEvent.objects.get(action="access.anonymous_summary")
    assert line["seq"] == summary.seq and json.loads(summary.details)["count"] == 3


def test_the_auditors_timeline_can_hide_what_anonymous_sources_wrote(settings):
    settings.AUDIT_ANONYMOUS_EVENTS_PER_WINDOW = 2
    world = build_world()
    for _ in range(5):
        Client(REMOTE_ADDR="203.0.113.8").post(reverse("login"), {"username": "=evil", "password": "x"})
    flush_anonymous_windows(now=later(settings))
    auditor = client_for(world.auditor)
    shown = auditor.get(reverse("audit:timeline")).content.decode()
    assert '<td data-label="操作">未登录来源的请求过多，合并记录</td>' in shown and '<td data-label="操作">登录失败</td>' in shown
    hidden = auditor.get(reverse("audit:timeline"), {"hide_anonymous": "on"}).content.decode()
    assert '<td data-label="操作">未登录来源的请求过多，合并记录</td>' not in hidden and "=evil" not in hidden
    assert '<td data-label="操作">交办计划</td>' in hidden  # the real events are still there
    exported = b"".join(auditor.get(reverse("audit:export", args=["csv"]), {"hide_anonymous": "on"})
                        .streaming_content).decode()
    assert "登录失败" not in exported and "交办计划" in exported


@pytest.mark.django_db(transaction=True)
def test_a_parallel_burst_from_one_address_writes_exactly_its_share(postgres_only, settings):
    import threading

    from django.db import connections

    from audit import context
    from audit.services import record_anonymous

    settings.AUDIT_ANONYMOUS_EVENTS_PER_WINDOW = 5
    writers, each = 8, 5
    barrier, errors = threading.Barrier(writers), []

    def burst(index: int) -> None:
        token = context._current.set(context.RequestContext(request_id=f"r{index}", ip="203.0.113.99"))
        try:
            barrier.wait()
            for n in range(each):
                record_anonymous(action="auth.login_failed", path="/login/", target_type="auth.user",
                                 target_label=f"guess-{index}-{n}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            context._current.reset(token)
            connections.close_all()

    threads = [threading.Thread(target=burst, args=(i,)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEvent.objects.filter(action="auth.login_failed").count() == 5
    window = AnonymousWindow.objects.get(ip="203.0.113.99")
    assert (window.recorded, window.suppressed) == (5, writers * each - 5)
    flush_anonymous_windows(now=later(settings))
    assert json.loads(AuditEvent.objects.get(action="access.anonymous_summary").details)["count"] == 35
    verify_ok()
