"""The smaller holes the probe found: CSP, a self hand-over, checkpoints that vanished, and the cost
of a checkpoint (a tampered archive's answer is in tests/workflows/archive/test_archive_access.py)."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from audit.models import AuditCheckpoint, AuditEvent
from audit.services import write_checkpoint
from tests.workflows.services.test_delegation import refused
from tests.world import build_world
from workflows.services.delegation import assignment_hand_over

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_content_security_policy_that_allows_only_this_site():
    answer = Client().get(reverse("login"))
    policy = answer["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and "unsafe-inline" not in policy


def test_the_error_pages_inline_style_is_allowed_by_its_hash_and_nothing_else_inline():
    answer = Client(raise_request_exception=False).get("/no-such-page/")
    assert answer.status_code == 404
    html = answer.content.decode()
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in answer["Content-Security-Policy"]
    assert "<script" not in html and "style=" not in html


def test_the_production_settings_send_the_policy_too():
    code = ("import django; django.setup(); from django.test import Client; "
            "print(Client().get('/login/', secure=True, HTTP_HOST='dubang.example.gov.cn')"
            "['Content-Security-Policy'])")
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.production", "DJANGO_SECRET_KEY": "x" * 60,
           "DJANGO_ALLOWED_HOSTS": "dubang.example.gov.cn", "DATABASE_URL": "sqlite:///:memory:",
           "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         cwd=settings.BASE_DIR, timeout=120)
    assert "default-src 'self'" in out.stdout, out.stderr[-2000:]


def test_handing_an_assignment_over_to_oneself_is_refused_and_changes_nothing():
    world = build_world()
    error = refused(lambda: assignment_hand_over(actor=world.submitter, assignment_id=world.assignment.pk,
                                                 to_username=world.submitter.username), 400)
    assert "不能转交给自己" in error.message


def test_the_screen_says_why_a_self_hand_over_is_refused():
    world = build_world()
    client = Client()
    client.force_login(world.submitter)
    answer = client.post(reverse("approvals:assignment_hand_over", args=[world.assignment.pk]),
                         {"to": world.submitter.username})
    assert answer.status_code == 400 and "不能转交给自己" in answer.content.decode()
    assert not AuditEvent.objects.filter(action="assignment.handed_over").exists()


def test_verify_audit_fails_when_checkpoints_were_made_but_their_file_is_gone(settings, tmp_path):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "points.jsonl"
    build_world()
    call_command("verify_audit")  # no checkpoint yet: nothing to miss
    write_checkpoint()
    write_checkpoint()
    assert AuditCheckpoint.objects.count() == 2
    call_command("verify_audit")
    settings.AUDIT_CHECKPOINT_FILE.unlink()
    with pytest.raises(SystemExit) as failed:
        call_command("verify_audit")
    assert failed.value.code == 1


def test_verify_audit_fails_when_the_checkpoint_file_lost_lines(settings, tmp_path, capsys):
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "points.jsonl"
    build_world()
    write_checkpoint()
    write_checkpoint()
    lines = settings.AUDIT_CHECKPOINT_FILE.read_text().splitlines()
    settings.AUDIT_CHECKPOINT_FILE.write_text(lines[0] + "\n")
    with pytest.raises(SystemExit):
        call_command("verify_audit", "--json")
    report = json.loads(capsys.readouterr().out)
    assert not report["ok"] and "检查点文件丢失了 1 个已记录的检查点" in report["problem"]


def test_a_checkpoint_costs_the_same_few_queries_whatever_the_trail_holds(tmp_path):
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from audit.services import record_event

    build_world()
    with CaptureQueriesContext(connection) as small:
        write_checkpoint(tmp_path / "points.jsonl")
    with transaction.atomic():
        for _ in range(500):
            record_event(action="plan.changed", target_type="plan", target_id="1")
    with CaptureQueriesContext(connection) as large:
        write_checkpoint(tmp_path / "points.jsonl")
    assert len(small) == len(large) <= 8


def test_beat_writes_a_checkpoint_every_five_minutes_through_the_task(settings, tmp_path):
    from workflows.tasks import audit_checkpoint

    entry = settings.CELERY_BEAT_SCHEDULE["audit-checkpoint"]
    assert entry["task"] == audit_checkpoint.name and entry["schedule"] == 5 * 60
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "points.jsonl"
    build_world()
    line = audit_checkpoint()
    assert line["seq"] == AuditEvent.objects.order_by("-seq").first().seq
    assert AuditCheckpoint.objects.get().seq == line["seq"]
    settings.AUDIT_CHECKPOINT_KEY = ""
    assert audit_checkpoint() is None  # no key: skipped, said in the log
