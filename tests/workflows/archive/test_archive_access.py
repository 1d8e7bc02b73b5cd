"""Who may see and download an archive, on the screens and through the API; every download recorded."""
import hashlib
import json

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from tests.approvals.test_api import api
from tests.workflows.archive.test_archive import pdf_of
from workflows.archive import storage
from workflows.models import Archive, ArchiveStatus

pytestmark = pytest.mark.django_db


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def downloads(assignment) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="assignment.archive_downloaded", assignment_id=assignment.pk))


@pytest.mark.parametrize("who,role", [("submitter", "submitter"), ("reviewer", "reviewer"),
                                      ("supervisor", "supervisor"), ("auditor", "auditor")])
def test_the_unit_the_leads_the_supervisor_and_auditors_download_it_and_each_download_is_recorded(
        accepted, who, role):
    user = getattr(accepted, who)
    page = browser(user).get(accepted.assignment.get_absolute_url())
    archive = Archive.objects.get(assignment=accepted.assignment)
    assert page.status_code == 200 and archive.sha256 in page.content.decode()
    answer = browser(user).get(reverse("approvals:archive_download", args=[accepted.assignment.pk]))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert b"".join(answer.streaming_content) == pdf_of(accepted)
    assert "attachment;" in answer["Content-Disposition"] and answer["X-Archive-SHA256"] == archive.sha256
    [event] = downloads(accepted.assignment)
    assert event.actor == user and event.role == role and json.loads(event.details)["sha256"] == archive.sha256


def test_another_unit_gets_the_not_found_page_and_nothing_is_recorded(accepted):
    answer = browser(accepted.other_submitter).get(
        reverse("approvals:archive_download", args=[accepted.assignment.pk]))
    assert answer.status_code == 404 and b"%PDF" not in answer.content
    assert downloads(accepted.assignment) == []
    assert api(accepted.other_submitter).get(f"/api/assignments/{accepted.assignment.pk}/archive.pdf").status_code == 404


def test_an_altered_file_is_refused_not_served(accepted):
    archive = Archive.objects.get(assignment=accepted.assignment)
    path = storage.path_of(archive.file_name)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes() + b"\n%tampered\n")
    answer = browser(accepted.submitter).get(reverse("approvals:archive_download", args=[accepted.assignment.pk]))
    assert answer.status_code == 409 and "哈希值不符（完整性校验失败）" in answer.content.decode()
    assert downloads(accepted.assignment) == []
    failed = AuditEvent.objects.get(action="assignment.archive_integrity_failed")
    assert failed.actor == accepted.submitter and failed.reason == "altered"
    assert failed.assignment_id == accepted.assignment.pk


def test_while_pending_the_page_says_generating_and_the_download_is_409(world, django_capture_on_commit_callbacks):
    from tests.workflows.archive.conftest import walk_to_accepted

    walk_to_accepted(world, lambda execute: django_capture_on_commit_callbacks(execute=False))
    assert Archive.objects.get(assignment=world.assignment).status == ArchiveStatus.PENDING
    page = browser(world.submitter).get(world.assignment.get_absolute_url()).content.decode()
    assert 'data-archive-status="pending"' in page and "生成中" in page and "下载归档 PDF" not in page
    answer = browser(world.submitter).get(reverse("approvals:archive_download", args=[world.assignment.pk]))
    assert answer.status_code == 409 and "生成中" in answer.content.decode()
    body = api(world.submitter).get(f"/api/assignments/{world.assignment.pk}/").json()
    assert body["archive"] == {"status": "pending", "sha256": "", "size": None, "created_at": None}
    assert api(world.submitter).get(f"/api/assignments/{world.assignment.pk}/archive.pdf").status_code == 409


def test_a_failure_is_shown_to_the_supervisor_only(world, settings, django_capture_on_commit_callbacks):
    from tests.workflows.archive.conftest import walk_to_accepted

    settings.ARCHIVE_SIGNING_CERT = "/nonexistent/signer.pem"
    walk_to_accepted(world, django_capture_on_commit_callbacks)
    supervisor_page = browser(world.supervisor).get(world.assignment.get_absolute_url()).content.decode()
    submitter_page = browser(world.submitter).get(world.assignment.get_absolute_url()).content.decode()
    assert "归档生成失败" in supervisor_page and "签章证书未配置" in supervisor_page
    assert "生成中" in submitter_page and "归档生成失败" not in submitter_page


def test_the_api_shows_the_archive_and_serves_the_same_bytes(accepted):
    archive = Archive.objects.get(assignment=accepted.assignment)
    body = api(accepted.reviewer).get(f"/api/assignments/{accepted.assignment.pk}/").json()
    assert body["archive"]["status"] == "done" and body["archive"]["sha256"] == archive.sha256
    assert body["archive"]["size"] == archive.size and body["archive"]["created_at"]
    answer = api(accepted.reviewer).get(f"/api/assignments/{accepted.assignment.pk}/archive.pdf")
    assert answer.status_code == 200 and hashlib.sha256(b"".join(answer.streaming_content)).hexdigest() == archive.sha256
    assert len(downloads(accepted.assignment)) == 1


def test_before_acceptance_there_is_no_archive(world):
    body = api(world.submitter).get(f"/api/assignments/{world.assignment.pk}/").json()
    assert body["archive"] is None
    answer = api(world.submitter).get(f"/api/assignments/{world.assignment.pk}/archive.pdf")
    assert answer.status_code == 404 and "尚未验收办结" in answer.json()["detail"]
