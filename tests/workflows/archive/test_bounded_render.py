"""Archives are rendered off the request, in a child process bounded in time, and a failed render
is tried again soon.

Before: the archive rendered inside the acceptance request (9.4 s for a normal one; the worker
was killed at 120 s for an assignment with 3,000 files, leaving it accepted with the archive
pending) and ``archive_sweep`` waited 600 s before it retried.
"""
from __future__ import annotations

import threading

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.workflows.archive.conftest import ACCEPT_OPINION, walk_to_accepted
from tests.world import build_world
from workflows.archive import isolated
from workflows.archive.render import RenderError
from workflows.models import Archive, ArchiveStatus
from workflows.services import archive as archive_service
from workflows.services import assignments as flow


def _to_reviewed(world):
    a = world.assignment
    flow.assignment_start(actor=world.submitter, assignment_id=a.pk)
    flow.assignment_submit(actor=world.submitter, assignment_id=a.pk, report="已完成", no_file_statement="无")
    flow.assignment_approve(actor=world.reviewer, assignment_id=a.pk, opinion="同意")


@pytest.mark.django_db(transaction=True)
def test_accepting_answers_while_the_archive_is_still_rendering_in_the_background(settings, monkeypatch):
    settings.ARCHIVE_IN_BACKGROUND = True
    world = build_world()
    _to_reviewed(world)
    release, started = threading.Event(), threading.Event()
    real = isolated.render_bounded

    def held(report):
        started.set()
        assert release.wait(60)
        return real(report)

    monkeypatch.setattr(archive_service, "render_bounded", held)
    client = Client()
    client.force_login(world.supervisor)
    response = client.post(reverse("approvals:assignment_accept", args=[world.assignment.pk]),
                           {"opinion": ACCEPT_OPINION})
    assert response.status_code == 302  # answered, with the render not finished
    assert started.wait(30)
    archive = Archive.objects.get(assignment=world.assignment)
    assert archive.status == ArchiveStatus.PENDING
    release.set()
    for thread in threading.enumerate():
        if thread.name == f"archive-{world.assignment.pk}":
            thread.join(120)
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.DONE and archive.render_seconds > 0


@pytest.mark.django_db
def test_a_render_past_the_time_limit_is_killed_recorded_and_retried_soon_by_the_sweep(
        settings, django_capture_on_commit_callbacks):
    settings.ARCHIVE_RENDER_TIMEOUT_SECONDS = 0.001  # no render finishes in a millisecond
    settings.ARCHIVE_RETRY_SECONDS = 60
    world = build_world()
    walk_to_accepted(world, django_capture_on_commit_callbacks)
    archive = Archive.objects.get(assignment=world.assignment)
    assert archive.status == ArchiveStatus.FAILED and archive.attempts == 1
    assert "归档文件生成超时（超过 0.001 秒）" in archive.last_error

    settings.ARCHIVE_RENDER_TIMEOUT_SECONDS = 120
    assert archive_service.archive_sweep()["rescheduled"] == []  # within its first minute: not yet
    later = archive.last_attempt_at + timezone.timedelta(seconds=61)
    assert archive_service.archive_sweep(now=later)["rescheduled"] == [world.assignment.pk]
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.DONE and archive.attempts == 2 and archive.last_error == ""
    assert 0 < archive.render_seconds < 120


@pytest.mark.django_db
def test_the_sweep_waits_longer_after_each_failed_attempt_and_never_gives_up(settings):
    settings.ARCHIVE_RETRY_SECONDS, settings.ARCHIVE_STALE_PENDING_SECONDS = 60, 600
    settings.CELERY_BROKER_URL = None
    now = timezone.now()
    due = archive_service._retry_due

    def failed(attempts, seconds_ago):
        return Archive(status=ArchiveStatus.FAILED, attempts=attempts,
                       last_attempt_at=now - timezone.timedelta(seconds=seconds_ago))

    assert due(failed(1, 61), now) and not due(failed(1, 59), now)
    assert not due(failed(2, 119), now) and due(failed(2, 121), now)  # two minutes after the second
    assert not due(failed(3, 239), now) and due(failed(3, 241), now)
    assert not due(failed(9, 599), now) and due(failed(9, 601), now)  # then every stale period
    assert due(failed(500, 601), now)  # however many attempts
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/13"  # Celery retries first: the sweep waits
    assert not due(failed(1, 61), now) and due(failed(1, 601), now)


@pytest.mark.django_db
def test_the_sweep_runs_a_due_render_itself_when_there_is_no_broker(
        settings, django_capture_on_commit_callbacks):
    settings.ARCHIVE_RENDER_TIMEOUT_SECONDS = 0.001
    world = build_world()
    walk_to_accepted(world, django_capture_on_commit_callbacks)
    settings.ARCHIVE_RENDER_TIMEOUT_SECONDS = 120
    settings.ARCHIVE_IN_BACKGROUND = True  # as in production: still, the sweep itself waits for the job
    archive = Archive.objects.get(assignment=world.assignment)
    later = archive.last_attempt_at + timezone.timedelta(seconds=61)
    assert archive_service.archive_sweep(now=later)["rescheduled"] == [world.assignment.pk]
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.DONE  # done when the sweep returns: a cron run leaves nothing behind


@pytest.mark.django_db
def test_the_child_renders_the_same_document_as_the_process_would(accepted):
    from tests.workflows.archive.test_archive import pdftotext, squeeze
    from workflows.archive import report
    from workflows.archive.render import render_pdf

    data = report.build(accepted.assignment.pk, accepted.assignment.archive.submission_id)
    bounded = isolated.render_bounded(data)
    assert bounded.pdf.startswith(b"%PDF-") and bounded.seconds > 0
    assert squeeze(pdftotext(bounded.pdf)) == squeeze(pdftotext(render_pdf(data)))


@pytest.mark.django_db
def test_a_render_error_in_the_child_names_the_cause(accepted):
    from workflows.archive import report

    data = report.build(accepted.assignment.pk, accepted.assignment.archive.submission_id)
    data["final"]["report"] = "古文字：\U00010900"
    with pytest.raises(RenderError, match="字体缺字"):
        isolated.render_bounded(data)
