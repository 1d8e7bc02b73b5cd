"""Evidence files: uploads checked and stored whole or not at all, downloads only for those who
can see the assignment, withdrawals that lose nothing, and every change recorded once."""
import hashlib
import io
import zipfile
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import AuditEvent
from tests.factories import UserFactory
from tests.workflows.test_filetypes import (
    JPEG,
    MINIMAL_PDF,
    PNG,
    bomb,
    docx_bytes,
    ofd_bytes,
    xlsx_bytes,
)
from workflows import services
from workflows.models import Assignment, Evidence, Unit
from workflows.services import assignments as flow
from workflows.services import evidence as ev
from workflows.services.dispatch import plan_dispatch
from workflows.services.errors import Invalid, NotAllowed, NotFound, TooLarge, WrongState
from workflows.services.memberships import membership_grant

pytestmark = pytest.mark.django_db


class World:
    """The reference plan's task 1 dispatched, with one person in each role."""

    def __init__(self, reference_bytes):
        unit = {name: Unit.objects.get(short_name=name)
                for name in ("市政府法制办", "市财政局", "市发改委", "市编办", "市审计局")}
        self.plan = services.plan_import(actor=None, data=reference_bytes, filename="169号.txt",
                                         supervising_unit=unit["市政府法制办"])
        self.submitter = self._person("caizheng", unit["市财政局"], "submitter")
        self.stranger = self._person("fagai", unit["市发改委"], "submitter")
        self.reviewer = self._person("bianban", unit["市编办"], "reviewer")
        self.supervisor = self._person("fazhiban", unit["市政府法制办"], "supervisor")
        self.auditor = self._person("shenji", unit["市审计局"], "auditor")
        task = self.plan.tasks.get(number=1)
        plan_dispatch(actor=self.supervisor, plan_id=self.plan.pk, task_id=task.pk)
        self.assignment = Assignment.objects.get(task=task, unit=unit["市财政局"])
        self.others = Assignment.objects.get(task=task, unit=unit["市发改委"])

    @staticmethod
    def _person(username, unit, role):
        user = UserFactory(username=username)
        membership_grant(actor=None, user=user, unit=unit, role=role)
        return user

    def upload(self, data: bytes, name: str, *, actor=None, assignment=None) -> Evidence:
        return ev.evidence_upload(actor=actor or self.submitter, assignment_id=(assignment or self.assignment).pk,
                                  upload=raw_upload(data, name))


def raw_upload(data: bytes, name: str) -> SimpleUploadedFile:
    """An upload carrying ``name`` exactly as sent.

    Django's UploadedFile already drops directories and cuts names to 255 characters; the
    service must hold without that help (other callers, other parsers), so it is bypassed.
    """
    upload = SimpleUploadedFile("upload", data)
    upload._name = name
    return upload


@pytest.fixture
def world(reference_bytes):
    return World(reference_bytes)


def stored_files(settings) -> list[Path]:
    """Every file under the evidence store (the imported plan's source sits elsewhere in MEDIA_ROOT)."""
    root = Path(settings.MEDIA_ROOT) / "evidence"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def evidence_events() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action__startswith="assignment.evidence").order_by("seq"))


@pytest.fixture
def nothing_written(settings):
    """Assert, after the test body, that no row, no file and no evidence event were left."""
    def check():
        assert Evidence.objects.count() == 0
        assert stored_files(settings) == []
        assert evidence_events() == []
    return check


# Accepted uploads ---------------------------------------------------------------------------

@pytest.mark.parametrize(("maker", "name", "kind"), [
    (lambda: MINIMAL_PDF, "落实情况报告.pdf", "pdf"),
    (docx_bytes, "落实情况.docx", "docx"),
    (xlsx_bytes, "台账.xlsx", "xlsx"),
    (ofd_bytes, "电子公文.ofd", "ofd"),
    (lambda: JPEG, "现场照片.jpg", "jpeg"),
    (lambda: PNG, "截图.png", "png"),
    (lambda: "已按时限公布权力清单。".encode("gb18030"), "说明.txt", "text"),
])
def test_an_accepted_upload_is_stored_under_a_server_chosen_name_with_its_hash(world, settings, maker, name, kind):
    data = maker()
    evidence = world.upload(data, name)

    digest = hashlib.sha256(data).hexdigest()
    assert (evidence.kind, evidence.original_name, evidence.size, evidence.sha256) == (kind, name, len(data), digest)
    [stored] = stored_files(settings)
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == evidence.sha256
    assert stored == Path(settings.MEDIA_ROOT) / evidence.file.name
    assert evidence.file.name == f"evidence/{digest[:2]}/{digest}-{evidence.storage_token}"
    stem = name.rsplit(".", 1)[0]
    assert stem not in evidence.file.name and name.rsplit(".", 1)[1] not in evidence.file.name.rsplit("/", 1)[1]


def test_an_accepted_upload_writes_exactly_one_event_naming_the_file(world):
    evidence = world.upload(MINIMAL_PDF, "报告.pdf")

    [event] = evidence_events()
    assert event.action == "assignment.evidence_uploaded"
    assert event.actor == world.submitter and event.role == "submitter" and event.unit.short_name == "市财政局"
    assert (event.plan_id, event.task_id, event.assignment_id) == (
        world.plan.pk, world.assignment.task_id, world.assignment.pk)
    assert event.target_id == str(world.assignment.pk)
    for value in ("报告.pdf", evidence.sha256, f'"size":{len(MINIMAL_PDF)}', '"kind":"pdf"'):
        assert value in event.details


def test_a_traversal_name_on_a_real_pdf_keeps_only_the_base_name(world, settings):
    evidence = world.upload(MINIMAL_PDF, "../../etc/passwd.pdf")
    assert evidence.original_name == "passwd.pdf"
    assert "passwd" not in evidence.file.name and "etc" not in evidence.file.name
    [stored] = stored_files(settings)
    assert Path(settings.MEDIA_ROOT) / "evidence" in stored.parents


def test_the_size_is_counted_from_the_bytes_not_from_what_the_upload_declares(world, settings, nothing_written):
    settings.EVIDENCE_MAX_FILE_BYTES = 100
    upload = SimpleUploadedFile("报告.pdf", MINIMAL_PDF + b"%" * 200)
    upload.size = 10  # a lying client
    with pytest.raises(TooLarge):
        ev.evidence_upload(actor=world.submitter, assignment_id=world.assignment.pk, upload=upload)
    nothing_written()


# Refused uploads: nothing is left behind ------------------------------------------------------

def test_a_file_over_the_per_file_limit_is_refused_with_413_naming_the_limit(world, settings, nothing_written):
    settings.EVIDENCE_MAX_FILE_BYTES = 2 * 1024 * 1024
    data = MINIMAL_PDF + b"%" * (2 * 1024 * 1024)
    with pytest.raises(TooLarge) as refused:
        world.upload(data, "大文件.pdf")
    assert refused.value.status == 413
    assert "单个文件不能超过 2 MB" in refused.value.message and refused.value.fields["file"]
    nothing_written()


def test_a_file_that_would_pass_the_round_limit_is_refused_with_413(world, settings):
    settings.EVIDENCE_MAX_ROUND_BYTES = 2 * len(MINIMAL_PDF) + 10
    world.upload(MINIMAL_PDF, "一.pdf")
    world.upload(MINIMAL_PDF, "二.pdf")
    files, events = stored_files(settings), evidence_events()

    with pytest.raises(TooLarge, match="本轮佐证材料合计不能超过"):
        world.upload(MINIMAL_PDF, "三.pdf")

    assert Evidence.objects.count() == 2
    assert stored_files(settings) == files and evidence_events() == events


def test_a_withdrawn_file_no_longer_counts_towards_the_round(world, settings):
    settings.EVIDENCE_MAX_ROUND_BYTES = len(MINIMAL_PDF) + 10
    first = world.upload(MINIMAL_PDF, "一.pdf")
    with pytest.raises(TooLarge):
        world.upload(MINIMAL_PDF, "二.pdf")
    ev.evidence_withdraw(actor=world.submitter, evidence_id=first.pk)
    assert world.upload(MINIMAL_PDF, "二.pdf").original_name == "二.pdf"
    assert ev.round_bytes(world.assignment) == len(MINIMAL_PDF)


@pytest.mark.parametrize(("data", "name", "message"), [
    (PNG, "发票.pdf", "文件内容与扩展名不符"),
    (b"MZ\x90\x00" + b"\x00" * 60, "报告.pdf", "可执行文件"),
    (b"<html><script>alert(1)</script></html>", "报告.txt", "网页"),
    (PNG + b"<script>alert(1)</script>", "截图.png", "网页或脚本"),
    (MINIMAL_PDF + b"PK\x03\x04...PK\x01\x02...PK\x05\x06" + b"\x00" * 18, "报告.pdf", "压缩包"),
    (PNG, "../../etc/passwd.pdf", "文件内容与扩展名不符"),
    (MINIMAL_PDF, "报告\x00.pdf", "不可见或控制字符"),
    (MINIMAL_PDF, "invoice\u202eFDP.exe", "不可见或控制字符"),
    (MINIMAL_PDF, "报" * 296 + ".pdf", "文件名过长"),
    (MINIMAL_PDF, "payload.exe", "不支持的文件扩展名"),
])
def test_an_upload_with_bad_content_or_a_bad_name_is_refused_with_400(world, nothing_written, data, name, message):
    with pytest.raises(Invalid, match=message) as refused:
        world.upload(data, name)
    assert refused.value.status == 400 and message in refused.value.fields["file"][0]
    nothing_written()


def test_a_zip_bomb_is_refused_with_400(world, nothing_written):
    with pytest.raises(Invalid, match="解压后过大"):
        world.upload(bomb(300 * 1024 * 1024), "材料.zip")
    nothing_written()


def test_a_failure_after_the_file_was_stored_removes_the_file_and_the_row(world, monkeypatch, nothing_written):
    def broken_audit(**kwargs):
        assert Evidence.objects.count() == 1  # the row and the file exist at this point
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(ev, "record_event", broken_audit)
    with pytest.raises(RuntimeError, match="audit store unavailable"):
        world.upload(MINIMAL_PDF, "报告.pdf")
    nothing_written()


def test_an_upload_inside_a_callers_transaction_is_refused_before_anything_is_stored(world, nothing_written):
    from django.db import transaction

    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        world.upload(MINIMAL_PDF, "报告.pdf")
    nothing_written()


# Who may upload -----------------------------------------------------------------------------

def test_another_units_submitter_uploading_to_this_assignment_gets_404(world, nothing_written):
    with pytest.raises(NotFound):
        world.upload(MINIMAL_PDF, "报告.pdf", actor=world.stranger)
    nothing_written()


def test_an_auditor_may_not_upload(world, nothing_written):
    with pytest.raises(NotAllowed) as refused:
        world.upload(MINIMAL_PDF, "报告.pdf", actor=world.auditor)
    assert refused.value.status == 403
    nothing_written()


def test_an_upload_to_a_missing_assignment_gets_404(world, nothing_written):
    with pytest.raises(NotFound):
        ev.evidence_upload(actor=world.submitter, assignment_id=10**9,
                           upload=SimpleUploadedFile("a.pdf", MINIMAL_PDF))
    nothing_written()


def test_an_upload_after_submission_is_refused_with_409(world, settings):
    flow.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    world.upload(MINIMAL_PDF, "报告.pdf")
    flow.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="已完成。")
    files, events = stored_files(settings), evidence_events()

    with pytest.raises(WrongState, match="已报送"):
        world.upload(PNG, "补充.png")

    assert Evidence.objects.count() == 1
    assert stored_files(settings) == files and evidence_events() == events


# Downloads ----------------------------------------------------------------------------------

def test_the_submitter_downloads_the_exact_bytes_and_the_download_is_recorded(world):
    evidence = world.upload(MINIMAL_PDF, "报告.pdf")
    opened, handle = ev.evidence_open(actor=world.submitter, evidence_id=evidence.pk)
    with handle:
        assert handle.read() == MINIMAL_PDF
    assert opened.pk == evidence.pk
    assert [e.action for e in evidence_events()] == ["assignment.evidence_uploaded", "assignment.evidence_downloaded"]


def test_an_auditor_may_download_and_the_download_is_recorded_as_the_auditors(world):
    evidence = world.upload(MINIMAL_PDF, "报告.pdf")
    _opened, handle = ev.evidence_open(actor=world.auditor, evidence_id=evidence.pk)
    handle.close()
    event = evidence_events()[-1]
    assert event.action == "assignment.evidence_downloaded"
    assert (event.actor, event.role, event.unit.short_name) == (world.auditor, "auditor", "市审计局")
    assert evidence.sha256 in event.details


def test_the_lead_reviewer_may_download(world):
    evidence = world.upload(MINIMAL_PDF, "报告.pdf")
    _opened, handle = ev.evidence_open(actor=world.reviewer, evidence_id=evidence.pk)
    handle.close()
    assert evidence_events()[-1].role == "reviewer"


def test_another_unit_downloading_gets_the_same_404_as_for_a_missing_file(world):
    evidence = world.upload(MINIMAL_PDF, "报告.pdf")
    with pytest.raises(NotFound) as hidden:
        ev.evidence_open(actor=world.stranger, evidence_id=evidence.pk)
    with pytest.raises(NotFound) as missing:
        ev.evidence_open(actor=world.stranger, evidence_id=evidence.pk + 1000)
    assert hidden.value.message == missing.value.message
    assert [e.action for e in evidence_events()] == ["assignment.evidence_uploaded"]


def test_a_file_of_another_units_assignment_stays_hidden_from_this_unit(world):
    theirs = world.upload(MINIMAL_PDF, "他们的.pdf", actor=world.stranger, assignment=world.others)
    with pytest.raises(NotFound):
        ev.evidence_open(actor=world.submitter, evidence_id=theirs.pk)


# Withdrawal ---------------------------------------------------------------------------------

def test_withdrawing_an_unsubmitted_file_keeps_its_row_and_bytes_and_writes_one_event(world, settings):
    evidence = world.upload(MINIMAL_PDF, "报告.pdf")
    withdrawn = ev.evidence_withdraw(actor=world.submitter, evidence_id=evidence.pk)

    assert withdrawn.withdrawn_at is not None
    assert Evidence.objects.get(pk=evidence.pk).withdrawn_at is not None
    assert len(stored_files(settings)) == 1
    assert [e.action for e in evidence_events()] == ["assignment.evidence_uploaded", "assignment.evidence_withdrawn"]
    submission = flow.assignment_submit
    flow.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    with pytest.raises(Invalid):  # the withdrawn file is no longer part of what is submitted
        submission(actor=world.submitter, assignment_id=world.assignment.pk, report="已完成。")


def test_a_file_already_in_a_submission_cannot_be_withdrawn_even_after_a_return(world):
    evidence = world.upload(MINIMAL_PDF, "报告.pdf")
    flow.assignment_start(actor=world.submitter, assignment_id=world.assignment.pk)
    flow.assignment_submit(actor=world.submitter, assignment_id=world.assignment.pk, report="已完成。")
    flow.assignment_return(actor=world.reviewer, assignment_id=world.assignment.pk, reason="请补充清单。")
    events = evidence_events()

    with pytest.raises(WrongState, match="已报送的材料不能撤下") as refused:
        ev.evidence_withdraw(actor=world.submitter, evidence_id=evidence.pk)

    assert refused.value.status == 409
    assert Evidence.objects.get(pk=evidence.pk).withdrawn_at is None
    assert evidence_events() == events


def test_withdrawing_twice_is_refused(world):
    evidence = world.upload(MINIMAL_PDF, "报告.pdf")
    ev.evidence_withdraw(actor=world.submitter, evidence_id=evidence.pk)
    with pytest.raises(WrongState, match="已撤下"):
        ev.evidence_withdraw(actor=world.submitter, evidence_id=evidence.pk)
    assert len(evidence_events()) == 2


@pytest.mark.parametrize(("who", "error"), [("stranger", NotFound), ("auditor", NotAllowed),
                                            ("reviewer", NotAllowed)])
def test_only_those_who_may_upload_may_withdraw(world, who, error):
    evidence = world.upload(MINIMAL_PDF, "报告.pdf")
    with pytest.raises(error):
        ev.evidence_withdraw(actor=getattr(world, who), evidence_id=evidence.pk)
    assert Evidence.objects.get(pk=evidence.pk).withdrawn_at is None
    assert len(evidence_events()) == 1


# Content-Disposition ------------------------------------------------------------------------

def test_content_disposition_is_safe_for_quotes_line_breaks_and_chinese():
    name = '落实"报告";\r\nX-Injected: 1 filename="evil.exe.pdf'
    header = ev.content_disposition(name)

    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="') and header.count('"') == 2
    fallback = header.split('"')[1]
    assert fallback.isascii() and ";" not in fallback and "\\" not in fallback
    encoded = header.split("filename*=UTF-8''", 1)[1]
    assert all(ch.isascii() and ch not in '"; \r\n' for ch in encoded)
    assert unquote(encoded) == '落实"报告";__X-Injected: 1 filename="evil.exe.pdf'


def test_content_disposition_keeps_no_path_separator_and_falls_back_for_all_chinese_names():
    header = ev.content_disposition("..\\..\\a/b.pdf")
    assert "/" not in header and "\\" not in header and "%2F" not in header
    assert ev.content_disposition("报告.pdf") == (
        "attachment; filename=\"file.pdf\"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf")
    assert ev.content_disposition("Report 2017 (final).pdf").startswith(
        'attachment; filename="Report 2017 (final).pdf"')


def test_content_disposition_is_accepted_by_a_django_response():
    from django.http import HttpResponse

    response = HttpResponse()
    response["Content-Disposition"] = ev.content_disposition("报告\r\n.pdf")
    assert "\n" not in response["Content-Disposition"]


def test_a_zip_member_list_is_never_extracted_to_disk(world, settings):
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as archive:
        archive.writestr("../../outside.txt", b"x")
    evidence = world.upload(data.getvalue(), "材料.zip")
    assert evidence.kind == "zip"
    assert [p.name for p in stored_files(settings)] == [Path(evidence.file.name).name]
    assert not (Path(settings.MEDIA_ROOT).parent / "outside.txt").exists()


def test_a_recorded_file_missing_from_the_store_is_reported_plainly_not_as_absent(world, settings):
    from workflows.services.errors import Missing

    evidence = world.upload(MINIMAL_PDF, "报告.pdf")
    (Path(settings.MEDIA_ROOT) / evidence.file.name).unlink()
    with pytest.raises(Missing) as missing:
        ev.evidence_open(actor=world.submitter, evidence_id=evidence.pk)
    assert missing.value.status == 503 and "缺失" in missing.value.message
