"""Evidence, plan files and archives in an S3-compatible bucket, through the real django-storages
backend and boto3, against moto's S3 server on a loopback port (an HTTP server, not a mock of our
code). The bucket is inspected and tampered with by a separate boto3 client, as an operator or an
intruder with bucket access would."""
import hashlib
import json
import logging
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from audit.models import AuditEvent
from tests.workflows.archive.conftest import walk_to_accepted
from tests.workflows.archive.test_archive_access import browser
from tests.workflows.services.test_evidence import MINIMAL_PDF, raw_upload
from workflows.archive import storage
from workflows.models import Archive, ArchiveStatus, Evidence
from workflows.services import archive as archive_service
from workflows.services import evidence as ev

try:
    from moto.server import ThreadedMotoServer
except ImportError:  # moto[server] is a test dependency (requirements-dev.txt)
    ThreadedMotoServer = None

pytestmark = pytest.mark.django_db

PREFIX = "archives"
KEYS = {"aws_access_key_id": "moto-test", "aws_secret_access_key": "moto-test-secret", "region_name": "us-east-1"}


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server in a thread on a free loopback port, for the whole test session."""
    if ThreadedMotoServer is None:
        pytest.skip("needs moto's S3 server (moto[s3], flask, flask-cors): pip install -r requirements-dev.txt")
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request in failure reports
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(settings, s3_endpoint):
    """Fresh buckets for evidence and archives; settings as production.py sets them from the environment."""
    import boto3

    client = boto3.client("s3", endpoint_url=s3_endpoint, **KEYS)
    names = {"files": f"dubang-files-{uuid.uuid4().hex[:12]}", "archives": f"dubang-archives-{uuid.uuid4().hex[:12]}"}
    for name in names.values():
        client.create_bucket(Bucket=name)
    settings.AWS_S3_ENDPOINT_URL = s3_endpoint
    settings.AWS_S3_ACCESS_KEY_ID = KEYS["aws_access_key_id"]
    settings.AWS_S3_SECRET_ACCESS_KEY = KEYS["aws_secret_access_key"]
    settings.AWS_S3_REGION_NAME = KEYS["region_name"]
    settings.AWS_S3_ADDRESSING_STYLE = "path"
    settings.STORAGES = {
        "default": {"BACKEND": "storages.backends.s3.S3Storage",
                    "OPTIONS": {"bucket_name": names["files"], "location": "", "default_acl": None,
                                "querystring_auth": True, "file_overwrite": False}},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ARCHIVE_S3_BUCKET = names["archives"]
    settings.ARCHIVE_S3_PREFIX = PREFIX
    client.names = names
    return client


def objects(client, bucket_name: str) -> dict[str, bytes]:
    listing = client.list_objects_v2(Bucket=bucket_name).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket_name, Key=o["Key"])["Body"].read() for o in listing}


def files_on_disk(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


@pytest.fixture
def world_on_s3(bucket, request):
    return request.getfixturevalue("world")  # built once the bucket settings are in place


@pytest.fixture
def accepted_on_s3(bucket, request):
    return request.getfixturevalue("accepted")


def test_the_store_is_the_filesystem_unless_a_bucket_is_named(settings, bucket):
    settings.ARCHIVE_S3_BUCKET = ""
    assert isinstance(storage.store(), storage.FileArchiveStore)
    settings.ARCHIVE_S3_BUCKET = bucket.names["archives"]
    assert storage.store().describe() == f"s3://{bucket.names['archives']}/{PREFIX}"


def test_evidence_is_uploaded_to_the_bucket_and_downloaded_from_it(world_on_s3, bucket, settings):
    world = world_on_s3
    ev.evidence_upload(actor=world.submitter, assignment_id=world.assignment.pk,
                       upload=raw_upload(MINIMAL_PDF, "工作方案.pdf"))
    evidence = Evidence.objects.get()
    stored = objects(bucket, bucket.names["files"])
    assert stored[evidence.file.name] == MINIMAL_PDF
    assert any(key.startswith("plans/") for key in stored)  # the imported plan document went there too
    assert files_on_disk(settings) == []

    answer = browser(world.submitter).get(reverse("approvals:evidence_download", args=[evidence.pk]))
    assert answer.status_code == 200 and b"".join(answer.streaming_content) == MINIMAL_PDF
    assert AuditEvent.objects.filter(action="assignment.evidence_downloaded").count() == 1

    bucket.delete_object(Bucket=bucket.names["files"], Key=evidence.file.name)
    answer = browser(world.submitter).get(reverse("approvals:evidence_download", args=[evidence.pk]))
    assert answer.status_code == 503 and "存储文件缺失" in answer.content.decode()
    assert AuditEvent.objects.filter(action="assignment.evidence_downloaded").count() == 1


def test_an_accepted_assignment_is_archived_once_in_the_bucket_and_downloads_streamed(accepted_on_s3, bucket,
                                                                                     settings, capsys):
    world = accepted_on_s3
    archive = Archive.objects.get(assignment=world.assignment)
    assert archive.status == ArchiveStatus.DONE
    stored = objects(bucket, bucket.names["archives"])
    assert list(stored) == [f"{PREFIX}/{archive.file_name}"]
    data = stored[f"{PREFIX}/{archive.file_name}"]
    assert hashlib.sha256(data).hexdigest() == archive.sha256 and len(data) == archive.size
    head = bucket.head_object(Bucket=bucket.names["archives"], Key=f"{PREFIX}/{archive.file_name}")
    assert head["ContentType"] == "application/pdf" and head["Metadata"] == {"sha256": archive.sha256}
    assert len(objects(bucket, bucket.names["files"])) == 4  # the plan document and three evidence files
    assert files_on_disk(settings) == []  # nothing written locally, not even a temporary file

    archive_service.archive_build(world.assignment.pk)  # idempotent: no second object
    assert list(objects(bucket, bucket.names["archives"])) == [f"{PREFIX}/{archive.file_name}"]

    answer = browser(world.supervisor).get(reverse("approvals:archive_download", args=[world.assignment.pk]))
    assert answer.status_code == 200 and answer.streaming and answer["X-Archive-SHA256"] == archive.sha256
    assert b"".join(answer.streaming_content) == data and int(answer["Content-Length"]) == archive.size
    assert AuditEvent.objects.filter(action="assignment.archive_downloaded").count() == 1

    call_command("verify_archive")
    assert f"s3://{bucket.names['archives']}/{PREFIX}" in capsys.readouterr().out


def test_publishing_never_overwrites_an_existing_object(bucket):
    store = storage.store()
    name = "2026/11/7-" + "ab" * 12 + ".pdf"
    store.write_new(name, b"%PDF-first")
    with pytest.raises(FileExistsError):
        store.write_new(name, b"%PDF-second")
    assert objects(bucket, bucket.names["archives"]) == {f"{PREFIX}/{name}": b"%PDF-first"}

    prepared = store.prepare(b"%PDF-same", label="7")
    first, second = prepared.publish(assignment_id=7), prepared.publish(assignment_id=7)
    assert first != second  # server-chosen names: the same bytes twice are two objects, not one replaced
    with store.open(first) as handle:
        assert handle.read() == b"%PDF-same"
    with pytest.raises(FileNotFoundError):
        store.open("2026/11/7-" + "cd" * 12 + ".pdf")
    with pytest.raises(Exception, match="outside|denied"):
        store.key("../escape.pdf")


def test_verify_archive_and_the_download_refuse_an_altered_then_a_missing_object(accepted_on_s3, bucket, capsys):
    world = accepted_on_s3
    archive = Archive.objects.get(assignment=world.assignment)
    key = f"{PREFIX}/{archive.file_name}"
    data = bytearray(bucket.get_object(Bucket=bucket.names["archives"], Key=key)["Body"].read())
    data[len(data) // 3] ^= 0x20
    bucket.put_object(Bucket=bucket.names["archives"], Key=key, Body=bytes(data))  # tampering outside the app
    with pytest.raises(CommandError):
        call_command("verify_archive", "--json")
    report = json.loads(capsys.readouterr().out)
    assert report["problems"][0]["problem"] == "altered" and report["store"].startswith("s3://")
    answer = browser(world.submitter).get(reverse("approvals:archive_download", args=[world.assignment.pk]))
    assert answer.status_code == 409 and "哈希值不符" in answer.content.decode()

    bucket.delete_object(Bucket=bucket.names["archives"], Key=key)
    with pytest.raises(CommandError):
        call_command("verify_archive")
    assert "missing" in capsys.readouterr().out
    answer = browser(world.submitter).get(reverse("approvals:archive_download", args=[world.assignment.pk]))
    assert answer.status_code == 503 and "归档文件缺失" in answer.content.decode()
    assert AuditEvent.objects.filter(action="assignment.archive_downloaded").count() == 0


def test_a_missing_bucket_fails_the_job_visibly_and_a_retry_after_it_exists_succeeds(
        world_on_s3, bucket, settings, django_capture_on_commit_callbacks):
    settings.ARCHIVE_S3_BUCKET = f"dubang-absent-{uuid.uuid4().hex[:12]}"
    walk_to_accepted(world_on_s3, django_capture_on_commit_callbacks)
    archive = Archive.objects.get(assignment=world_on_s3.assignment)
    assert archive.status == ArchiveStatus.FAILED and "NoSuchBucket" in archive.last_error
    assert not AuditEvent.objects.filter(action="assignment.archived").exists()
    bucket.create_bucket(Bucket=settings.ARCHIVE_S3_BUCKET)
    archive_service.archive_build(world_on_s3.assignment.pk)
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.DONE and archive.attempts == 2
    assert list(objects(bucket, settings.ARCHIVE_S3_BUCKET)) == [f"{PREFIX}/{archive.file_name}"]


def test_an_object_published_but_not_recorded_is_taken_back(world_on_s3, bucket, monkeypatch,
                                                           django_capture_on_commit_callbacks):
    walk_to_accepted(world_on_s3, lambda execute: django_capture_on_commit_callbacks(execute=False))

    def refuse(**kwargs):
        raise RuntimeError("the audit write failed")

    monkeypatch.setattr(archive_service, "record_event", refuse)  # fails after the PUT, inside the transaction
    with pytest.raises(RuntimeError):
        archive_service.archive_build(world_on_s3.assignment.pk)
    archive = Archive.objects.get(assignment=world_on_s3.assignment)
    assert archive.status == ArchiveStatus.FAILED and "audit write failed" in archive.last_error
    assert objects(bucket, bucket.names["archives"]) == {}


def test_the_sweep_deletes_only_old_unrecorded_archive_objects(accepted_on_s3, bucket, settings):
    archive = Archive.objects.get(assignment=accepted_on_s3.assignment)
    orphan = "2026/01/99-" + "de" * 12 + ".pdf"
    name = bucket.names["archives"]
    bucket.put_object(Bucket=name, Key=f"{PREFIX}/{orphan}", Body=b"%PDF-orphan")
    bucket.put_object(Bucket=name, Key=f"{PREFIX}/README.txt", Body=b"not an archive")
    bucket.put_object(Bucket=name, Key="2026/01/98-" + "de" * 12 + ".pdf", Body=b"%PDF-outside the prefix")

    assert archive_service.archive_sweep()["removed_files"] == []  # younger than the age limit: kept
    settings.ARCHIVE_TEMP_MAX_AGE_SECONDS = 0
    assert archive_service.archive_sweep()["removed_files"] == [orphan]
    assert sorted(objects(bucket, name)) == sorted([
        f"{PREFIX}/{archive.file_name}", f"{PREFIX}/README.txt", "2026/01/98-" + "de" * 12 + ".pdf"])
    call_command("verify_archive")


PRINT_ARCHIVE_STORE = """
import json
import django
django.setup()
from django.conf import settings
from workflows.archive.storage import store
print(json.dumps({"store": type(store()).__name__, "where": store().describe(),
                  "endpoint": getattr(settings, "AWS_S3_ENDPOINT_URL", None),
                  "evidence": settings.STORAGES["default"]["BACKEND"]}))
"""


@pytest.mark.parametrize("env,expected", [
    ({}, {"store": "FileArchiveStore", "endpoint": None}),
    ({"ARCHIVE_S3_BUCKET": "dubang-archives", "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000"},
     {"store": "S3ArchiveStore", "where": "s3://dubang-archives/archives", "endpoint": "http://127.0.0.1:9000",
      "evidence": "django.core.files.storage.FileSystemStorage"}),
    ({"ARCHIVE_S3_BUCKET": "dubang-files", "ARCHIVE_S3_PREFIX": "pdf/", "STORAGE_S3_BUCKET": "dubang-files"},
     {"store": "S3ArchiveStore", "where": "s3://dubang-files/pdf", "evidence": "storages.backends.s3.S3Storage"}),
], ids=["default-posix", "archives-only-in-a-bucket", "shared-bucket"])
def test_production_settings_choose_the_archive_store_from_the_environment(env, expected):
    import os
    import subprocess
    import sys

    from tests.security.test_bad_input import BASE_DIR, REQUIRED

    done = subprocess.run([sys.executable, "-c", PRINT_ARCHIVE_STORE], cwd=BASE_DIR, capture_output=True, text=True,
                          env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                               "DJANGO_SETTINGS_MODULE": "config.settings.production", **REQUIRED, **env},
                          timeout=120)
    assert done.returncode == 0, done.stderr
    values = json.loads(done.stdout)
    assert {key: values[key] for key in expected} == expected
