"""Bad input → a clear outcome, and nothing lost.

What tests/approvals, tests/audit and tests/workflows already cover is not repeated here: a
CSRF-less POST to 开始办理 (screen and API), GET on the screens' action URLs and on the API's
start/ URL, a CSRF-less plan import. This file covers the rest of the state-changing URLs, the
other methods, direct URLs to stored files, the error pages, and the production settings.
"""
from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.approvals.test_api import PDF, api
from tests.world import World, build_world
from workflows.models import Assignment, Delegation, Evidence, ReportingRound, TransferRequest
from workflows.services import assignments as flow
from workflows.services import evidence as evidence_services
from workflows.services import transfers

pytestmark = pytest.mark.django_db

BASE_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def world() -> World:
    return build_world()


def pdf(name: str = "进展情况.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def started(w: World) -> None:
    flow.assignment_start(actor=w.submitter, assignment_id=w.assignment.pk)


def submitted(w: World) -> None:
    started(w)
    flow.assignment_submit(actor=w.submitter, assignment_id=w.assignment.pk, report="已完成", no_file_statement="无")


def reviewed(w: World) -> None:
    submitted(w)
    flow.assignment_approve(actor=w.reviewer, assignment_id=w.assignment.pk, opinion="同意")


def with_evidence(w: World) -> None:
    evidence_services.evidence_upload(actor=w.submitter, assignment_id=w.assignment.pk, upload=pdf())


def events_after(seq: int) -> list[str]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("action", flat=True))


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@dataclass(frozen=True)
class Attempt:
    """One state-changing request: who sends it, after what, where, with what, and what it changes."""

    actor: str
    prepare: Callable[[World], None]
    url: Callable[[World], str]
    data: Callable[[World], dict]  # called per request: an upload can be read only once
    changes: Callable[[World], object]


def _task15(w: World) -> int:
    return w.plan.tasks.get(number=15).pk


def _evidence(w: World) -> int:
    return Evidence.objects.get(assignment=w.assignment).pk


def _state(w: World):
    return Assignment.objects.get(pk=w.assignment.pk).state


def requested(w: World) -> None:
    """A pending transfer request of the submitter's assignment (issue 8)."""
    transfers.transfer_request(actor=w.submitter, assignment_id=w.assignment.pk, kind="transfer",
                               unit_name="张浦镇", reason="本项工作由区镇承担")


def _pending(w: World) -> int:
    return TransferRequest.objects.get(assignment=w.assignment, status="pending").pk


def _requests(w: World):
    return list(TransferRequest.objects.values_list("pk", "status"))


def _delegation(w: World) -> dict:
    today = timezone.localdate()
    return {"membership": f"{w.submitter.memberships.get().unit_id}:submitter", "substitute": w.colleague.username,
            "starts_on": today.isoformat(), "ends_on": (today + dt.timedelta(days=7)).isoformat()}


def _nothing(w: World) -> None:
    return None


SCREEN_ATTEMPTS = {
    "submit": Attempt("submitter", started, lambda w: reverse("approvals:assignment_submit", args=[w.assignment.pk]),
                      lambda w: {"report": "已完成", "no_file_statement": "无纸质材料"}, _state),
    "approve": Attempt("reviewer", submitted, lambda w: reverse("approvals:assignment_approve", args=[w.assignment.pk]),
                       lambda w: {"opinion": "同意"}, _state),
    "return": Attempt("reviewer", submitted, lambda w: reverse("approvals:assignment_return", args=[w.assignment.pk]),
                      lambda w: {"reason": "请补充佐证材料"}, _state),
    "accept": Attempt("supervisor", reviewed, lambda w: reverse("approvals:assignment_accept", args=[w.assignment.pk]),
                      lambda w: {"opinion": ""}, _state),
    "due_date": Attempt("supervisor", _nothing,
                        lambda w: reverse("approvals:assignment_due_date", args=[w.assignment.pk]),
                        lambda w: {"due_date": "2030-06-30"},
                        lambda w: Assignment.objects.get(pk=w.assignment.pk).due_date),
    "evidence_upload": Attempt("submitter", _nothing,
                               lambda w: reverse("approvals:evidence_upload", args=[w.assignment.pk]),
                               lambda w: {"file": pdf()},
                               lambda w: (Evidence.objects.count(), stored_files())),
    "evidence_withdraw": Attempt("submitter", with_evidence,
                                 lambda w: reverse("approvals:evidence_withdraw", args=[_evidence(w)]),
                                 lambda w: {}, lambda w: Evidence.objects.get(pk=_evidence(w)).withdrawn_at),
    "plan_dispatch": Attempt("supervisor", _nothing, lambda w: reverse("approvals:plan_dispatch", args=[w.plan.pk]),
                             lambda w: {}, lambda w: Assignment.objects.count()),
    "round_open": Attempt("supervisor", _nothing, lambda w: reverse("approvals:round_open", args=[w.plan.pk]),
                          lambda w: {"name": "2018年度"},
                          lambda w: list(ReportingRound.objects.values_list("name", flat=True))),
    "task_select_units": Attempt("reviewer", _nothing,
                                 lambda w: reverse("approvals:task_select_units", args=[_task15(w)]),
                                 lambda w: {"units": ["张浦镇", "周市镇"]},
                                 lambda w: Assignment.objects.filter(task_id=_task15(w)).count()),
    # Changes after dispatch (issue 8).
    "transfer_request": Attempt("submitter", _nothing,
                                lambda w: reverse("approvals:transfer_request", args=[w.assignment.pk]),
                                lambda w: {"kind": "transfer", "unit": "张浦镇", "reason": "本项工作由区镇承担"},
                                _requests),
    "transfer_approve": Attempt("supervisor", requested,
                                lambda w: reverse("approvals:transfer_approve", args=[_pending(w)]),
                                lambda w: {"opinion": "同意"}, _state),
    "transfer_reject": Attempt("supervisor", requested,
                               lambda w: reverse("approvals:transfer_reject", args=[_pending(w)]),
                               lambda w: {"reason": "本项工作仍由贵单位承办"}, _requests),
    "hand_over": Attempt("submitter", _nothing,
                         lambda w: reverse("approvals:assignment_hand_over", args=[w.assignment.pk]),
                         lambda w: {"to": w.colleague.username},
                         lambda w: Assignment.objects.get(pk=w.assignment.pk).handler_id),
    "delegation": Attempt("submitter", _nothing, lambda w: reverse("approvals:delegations"), _delegation,
                          lambda w: Delegation.objects.count()),
}


# ----- CSRF: refused, recorded once, nothing changed, and the same request with a token works ------

@pytest.mark.parametrize("name", sorted(SCREEN_ATTEMPTS))
def test_a_screen_post_without_the_csrf_token_is_refused_and_the_retry_with_it_works(world, name):
    attempt = SCREEN_ATTEMPTS[name]
    attempt.prepare(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(getattr(world, attempt.actor))
    before, seq = attempt.changes(world), last_seq()

    refused = client.post(attempt.url(world), attempt.data(world))

    assert refused.status_code == 403
    assert attempt.changes(world) == before
    assert events_after(seq) == ["access.csrf_refused"]

    client.get(reverse("approvals:inbox"))  # any page with a form hands out the token
    token = client.cookies["csrftoken"].value
    retried = client.post(attempt.url(world), {**attempt.data(world), "csrfmiddlewaretoken": token})

    assert retried.status_code in (200, 302), retried.content.decode()[:500]
    assert attempt.changes(world) != before


API_ATTEMPTS = {
    "submit": ("submitter", started, "assignments/{a}/submit/", {"report": "已完成", "no_file_statement": "无"}),
    "approve": ("reviewer", submitted, "assignments/{a}/approve/", {"opinion": "同意"}),
    "return": ("reviewer", submitted, "assignments/{a}/return/", {"reason": "请补充佐证材料"}),
    "accept": ("supervisor", reviewed, "assignments/{a}/accept/", {}),
    "dispatch": ("supervisor", _nothing, "plans/{p}/dispatch/", {}),
    "select_units": ("reviewer", _nothing, "tasks/{t}/select_units/", {"units": ["张浦镇", "周市镇"]}),
    "transfer_approve": ("supervisor", requested, "transfer_requests/{r}/approve/", {"opinion": "同意"}),
}


@pytest.mark.parametrize("name", sorted(API_ATTEMPTS))
def test_an_api_post_by_session_without_the_csrf_token_is_refused_and_the_retry_with_it_works(world, name):
    actor, prepare, path, body = API_ATTEMPTS[name]
    prepare(world)
    url = "/api/" + path.format(a=world.assignment.pk, p=world.plan.pk, t=_task15(world),
                                r=_pending(world) if "{r}" in path else 0)
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(getattr(world, actor))
    state, assignments, seq = _state(world), Assignment.objects.count(), last_seq()

    refused = client.post(url, body, format="json")

    assert (refused.status_code, refused.json()) == (403, {"detail": "CSRF 校验失败，请刷新页面后重试"})
    assert (_state(world), Assignment.objects.count()) == (state, assignments)
    assert events_after(seq) == ["access.denied"]

    client.get(reverse("approvals:inbox"))
    retried = client.post(url, body, format="json", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)

    assert retried.status_code == 200, retried.json()
    assert (_state(world), Assignment.objects.count()) != (state, assignments)


def test_an_api_evidence_upload_by_session_without_the_csrf_token_stores_nothing(world):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.submitter)
    url = f"/api/assignments/{world.assignment.pk}/evidence/"
    files = stored_files()

    refused = client.post(url, {"file": pdf()}, format="multipart")

    assert refused.status_code == 403
    assert not Evidence.objects.exists() and stored_files() == files
    client.get(reverse("approvals:inbox"))
    retried = client.post(url, {"file": pdf()}, format="multipart", HTTP_X_CSRFTOKEN=client.cookies["csrftoken"].value)
    assert retried.status_code == 201 and Evidence.objects.count() == 1


# ----- transitions by any other method: 405, nothing changed, nothing recorded -----------------------

API_ACTION_PATHS = ["assignments/{a}/start/", "assignments/{a}/submit/", "assignments/{a}/approve/",
                    "assignments/{a}/return/", "assignments/{a}/accept/", "assignments/{a}/evidence/",
                    "plans/{p}/dispatch/", "tasks/{t}/select_units/", "assignments/{a}/transfer_requests/",
                    "assignments/{a}/hand_over/", "delegations/{d}/revoke/", "plans/{p}/revise/"]


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_an_api_transition_by_another_method_is_405_and_changes_nothing(world, method):
    requested(world)  # a pending transfer request, for the decision paths
    submitted(world)  # submitted: approve and return would be allowed for the reviewer
    client = api(world.reviewer)
    state, assignments, seq = _state(world), Assignment.objects.count(), last_seq()
    for path in API_ACTION_PATHS + ["transfer_requests/{r}/approve/", "transfer_requests/{r}/reject/"]:
        url = "/api/" + path.format(a=world.assignment.pk, p=world.plan.pk, t=_task15(world), r=_pending(world),
                                    d=1)

        answer = getattr(client, method)(url)

        assert answer.status_code == 405, url
        assert answer.json() == {"detail": f"该地址不支持 {method.upper()} 请求"}, url
        assert "POST" in answer["Allow"], url
    assert (_state(world), Assignment.objects.count()) == (state, assignments)
    assert events_after(seq) == []


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_a_screen_transition_by_another_method_is_405_and_changes_nothing(world, method):
    requested(world)
    submitted(world)
    client = Client()
    client.force_login(world.reviewer)
    state, assignments, seq = _state(world), Assignment.objects.count(), last_seq()
    for name in ("assignment_start", "assignment_submit", "assignment_approve", "assignment_return",
                 "assignment_accept", "assignment_due_date", "evidence_upload", "transfer_request",
                 "assignment_hand_over"):
        url = reverse(f"approvals:{name}", args=[world.assignment.pk])
        assert getattr(client, method)(url).status_code == 405, url
    for url in (reverse("approvals:plan_dispatch", args=[world.plan.pk]),
                reverse("approvals:round_open", args=[world.plan.pk]),
                reverse("approvals:task_select_units", args=[_task15(world)]),
                reverse("approvals:transfer_approve", args=[_pending(world)]),
                reverse("approvals:transfer_reject", args=[_pending(world)])):
        assert getattr(client, method)(url).status_code == 405, url
    assert (_state(world), Assignment.objects.count()) == (state, assignments)
    assert events_after(seq) == []


# ----- stored files are never served by URL ---------------------------------------------------------

def guessed_urls(relative: str) -> list[str]:
    """Where someone might look for a stored file: every public-looking path to it."""
    name = relative.rsplit("/", 1)[-1]
    media_root = Path(settings.MEDIA_ROOT).as_posix().lstrip("/")
    return [f"/media/{relative}", f"/{relative}", f"/var/media/{relative}", f"/uploads/{relative}",
            f"/static/{relative}", f"/static/../var/media/{relative}", f"/{media_root}/{relative}",
            f"/media/{name}", f"/{name}", f"/evidence/{name}", f"/api/{relative}", f"/media/{relative}/"]


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_a_direct_url_to_a_stored_file_is_404_for_everyone(world, settings, debug):
    settings.DEBUG = debug
    with_evidence(world)
    archive = Path(settings.MEDIA_ROOT) / "archives" / "2026" / "11" / f"{world.assignment.pk}-{'a' * 24}.pdf"
    archive.parent.mkdir(parents=True)
    archive.write_bytes(PDF)
    files = stored_files()
    relative = [p.relative_to(settings.MEDIA_ROOT).as_posix() for p in files]
    assert any(r.startswith("evidence/") for r in relative) and any(r.startswith("plans/") for r in relative)

    signed_in = Client()
    signed_in.force_login(world.submitter)
    for client in (Client(), signed_in):
        for path in relative:
            for url in guessed_urls(path):
                answer = client.get(url, follow=True)  # /api/… without a slash: 301 to …/, then 404
                assert answer.status_code == 404, url
                assert PDF not in answer.content, url

    # The one way to the file: the permission-checked, audited download.
    evidence = Evidence.objects.get()
    download = signed_in.get(reverse("approvals:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert Client().get(reverse("approvals:evidence_download", args=[evidence.pk])).status_code == 302


# ----- error pages: plain, Chinese, no traceback ----------------------------------------------------

def _boom(*args, **kwargs):
    raise RuntimeError("secret-internal-detail: table workflows_assignment")


def assert_plain_500(answer) -> None:
    html = answer.content.decode()
    assert answer.status_code == 500
    assert answer["Content-Type"].startswith("text/html")
    assert "服务器内部错误" in html and "请稍后重试" in html
    for leak in ("Traceback", 'File "', "secret-internal-detail", "RuntimeError", "OperationalError",
                 "workflows_assignment", str(settings.BASE_DIR)):
        assert leak not in html, leak


@pytest.mark.parametrize("where", ["screen", "api"])
def test_an_unexpected_error_shows_the_plain_500_page_without_a_traceback(world, settings, monkeypatch, where):
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    if where == "screen":
        monkeypatch.setattr("approvals.views.lists.inbox_counts", _boom)
        client, url = Client(raise_request_exception=False), reverse("approvals:inbox")
        client.force_login(world.submitter)
    else:
        monkeypatch.setattr("approvals.api.views.assignments_visible_to", _boom)
        client, url = api(world.submitter), "/api/assignments/"
        client.raise_request_exception = False

    assert_plain_500(client.get(url))


def test_the_500_page_renders_while_the_database_is_down(world, settings):
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client = Client(raise_request_exception=False)
    client.force_login(world.submitter)

    def database_down(execute, sql, params, many, context):
        raise OperationalError("could not connect to server: Connection refused")

    with connection.execute_wrapper(database_down):
        answer = client.get(reverse("approvals:inbox"))

    assert_plain_500(answer)


def test_the_404_403_and_400_pages_are_the_plain_chinese_ones(world, settings):
    settings.DEBUG = False
    client = Client()
    client.force_login(world.submitter)

    missing = client.get("/no/such/page/")
    refused = client.get(reverse("plans:plan_import"))  # a submitter may not import plans
    bad_host = Client().get("/", HTTP_HOST="attacker.example")

    for answer, status, text in ((missing, 404, "找不到页面"), (refused, 403, "无权访问"), (bad_host, 400, "请求有误")):
        html = answer.content.decode()
        assert answer.status_code == status and text in html, (status, html[:300])
        assert "Traceback" not in html and "Django" not in html


def test_the_error_pages_use_no_template_features_that_could_fail():
    """Only blocks of a plain shared page: no variables, no other tags, nothing that could fail."""
    allowed = re.compile(r'extends "error_base\.html"|block \w+|endblock|comment|endcomment')
    for name in ("400", "403", "404", "500", "error_base"):
        source = (BASE_DIR / "templates" / f"{name}.html").read_text(encoding="utf-8")
        assert "{{" not in source, name
        for tag in re.findall(r"{%\s*(.*?)\s*%}", source):
            assert allowed.fullmatch(tag), (name, tag)


# ----- an out-of-range id filter: a clear refusal, not a server error --------------------------------

def test_an_out_of_range_id_filter_is_refused_cleanly(world):
    client = api(world.supervisor)
    for query in ("task=99999999999999999999", "plan=99999999999999999999"):
        answer = client.get(f"/api/assignments/?{query}")
        assert answer.status_code == 400, query
        assert set(answer.json()["errors"]) == {query.split("=")[0]}, query


# ----- production settings ----------------------------------------------------------------------------

def run_with_production_settings(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
    """Run manage.py in a clean environment: PATH, the production settings and only what is given."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "DJANGO_SETTINGS_MODULE": "config.settings.production", **extra_env}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=120)


REQUIRED = {
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "dubang.example.gov.cn",
    # Never connected to: the deployment checks do not touch the database.
    "DATABASE_URL": "postgres://plan:unused@db.invalid:5432/plan_supervision",
}


def test_the_production_settings_pass_the_deployment_checks_with_only_the_required_variables():
    done = run_with_production_settings("check", "--deploy", "--fail-level", "WARNING", **REQUIRED)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues (0 silenced)" in done.stdout


PRINT_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
from django.core.files.storage import storages
print(json.dumps({name: getattr(settings, name) for name in (
    "DEBUG", "SECURE_SSL_REDIRECT", "SECURE_PROXY_SSL_HEADER", "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE", "X_FRAME_OPTIONS", "SECURE_REFERRER_POLICY", "SECURE_CONTENT_TYPE_NOSNIFF",
    "AUDIT_CHECKPOINT_KEY", "SILENCED_SYSTEM_CHECKS")} | {
    "storage": type(storages["default"]).__name__,
    "storage_class": settings.STORAGES["default"]["BACKEND"],
    "storage_options": settings.STORAGES["default"].get("OPTIONS", {}),
    "engine": settings.DATABASES["default"]["ENGINE"]}))
"""


def production_settings(**extra_env: str) -> dict:
    import json

    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DJANGO_SETTINGS_MODULE": "config.settings.production",
           **REQUIRED, **extra_env}
    done = subprocess.run([sys.executable, "-c", PRINT_SETTINGS], cwd=BASE_DIR, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_production_is_https_only_and_keeps_files_on_the_filesystem_by_default():
    values = production_settings()
    assert values["DEBUG"] is False and values["SILENCED_SYSTEM_CHECKS"] == []
    assert values["SECURE_SSL_REDIRECT"] is True and values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY" and values["SECURE_REFERRER_POLICY"] == "same-origin"
    assert values["engine"] == "django.db.backends.postgresql"
    # Empty is allowed here; audit_checkpoint and verify_audit refuse to run without it.
    assert values["AUDIT_CHECKPOINT_KEY"] == ""
    assert values["storage_class"] == "django.core.files.storage.FileSystemStorage"


def test_production_puts_evidence_in_an_s3_compatible_bucket_when_one_is_named():
    values = production_settings(STORAGE_S3_BUCKET="dubang-files", AWS_S3_ENDPOINT_URL="http://127.0.0.1:9000",
                                 AWS_S3_ADDRESSING_STYLE="path")
    assert values["storage_class"] == "storages.backends.s3.S3Storage" and values["storage"] == "S3Storage"
    assert values["storage_options"]["bucket_name"] == "dubang-files"
    assert values["storage_options"]["file_overwrite"] is False
    assert values["storage_options"]["default_acl"] is None


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_production_refuses_to_start_without_a_required_variable(missing):
    given = {name: value for name, value in REQUIRED.items() if name != missing}
    done = run_with_production_settings("check", **given)
    assert done.returncode != 0 and missing in done.stderr
