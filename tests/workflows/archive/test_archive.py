"""The PDF archive of accepted work: faithful Chinese text, embedded fonts, PDF/A-3b with the
manifest attached, a valid signature, write-once storage, idempotent jobs and verification."""
import hashlib
import io
import json
import re
import shutil
import subprocess
import unicodedata

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from tests.workflows.archive.conftest import (
    ACCEPT_OPINION,
    REPORT,
    REPORT_FIRST,
    RETURN_REASON,
    REVIEW_OPINION,
)
from workflows.archive import storage
from workflows.archive.render import RenderError, render_pdf
from workflows.archive.signing import validate_pdf
from workflows.models import Archive, ArchiveOverwriteError, ArchiveStatus
from workflows.services import archive as archive_service

pytestmark = pytest.mark.django_db


def pdf_of(world) -> bytes:
    archive = Archive.objects.get(assignment=world.assignment)
    return storage.path_of(archive.file_name).read_bytes()


def squeeze(text: str) -> str:
    """Extracted text wraps lines (and pads table cells) where the layout does: drop all whitespace."""
    return re.sub(r"\s+", "", text)


def pdftotext(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (Debian package poppler-utils) is needed to check archived text")
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode("utf-8")


def pypdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def is_compatibility_form(ch: str) -> bool:
    """Kangxi and CJK radicals, compatibility ideographs, CJK compatibility and vertical forms."""
    code = ord(ch)
    return (0x2E80 <= code <= 0x2FDF or 0xF900 <= code <= 0xFAFF or 0x2F800 <= code <= 0x2FA1F
            or 0x3300 <= code <= 0x33FF or 0xFE10 <= code <= 0xFE1F or 0xFE30 <= code <= 0xFE4F
            or "COMPATIBILITY" in unicodedata.name(ch, ""))


def source_characters(world) -> set[str]:
    """Every character the report can contain: its values and the template's own words."""
    from django.template.loader import get_template

    from workflows.archive import report

    values = report.build(world.assignment.pk, world.assignment.archive.submission_id)
    template = get_template("workflows/archive_report.html").template.source
    return set(json.dumps(values, ensure_ascii=False)) | set(template) | set("0123456789")


def test_accepting_creates_one_done_archive_with_its_hash_size_and_one_audit_event(accepted):
    archive = Archive.objects.get(assignment=accepted.assignment)
    data = pdf_of(accepted)
    assert archive.status == ArchiveStatus.DONE
    assert archive.sha256 == hashlib.sha256(data).hexdigest() and archive.size == len(data)
    assert data.startswith(b"%PDF-") and archive.signed_at is not None and "测试市人民政府办公室" in archive.signer
    assert archive.signer.startswith("名称：") and "单位：测试市人民政府办公室" in archive.signer  # in Chinese
    events = AuditEvent.objects.filter(action="assignment.archived", assignment_id=accepted.assignment.pk)
    assert events.count() == 1
    details = json.loads(events.get().details)
    assert details["sha256"] == archive.sha256 and details["size"] == archive.size
    assert archive.audit_seq is not None and archive.audit_seq < events.get().seq
    call_command("verify_audit")  # raises on a broken chain


@pytest.mark.parametrize("extract", [pdftotext, pypdf_text], ids=["pdftotext", "pypdf"])
def test_the_text_reads_back_exactly_with_no_compatibility_code_points(accepted, extract):
    text = extract(pdf_of(accepted))
    flat = squeeze(text)
    task = accepted.assignment.task
    expected = [task.text, task.plan.title, task.plan.doc_number, "市财政局", "市政府法制办", "市编办",
                REPORT, REPORT_FIRST, RETURN_REASON, REVIEW_OPINION, ACCEPT_OPINION,
                "工作台账（2017年度）.pdf", "工作方案.pdf", "现场照片.png", "验收办结归档报告"]
    expected += task.lead_names
    for phrase in expected:
        assert squeeze(phrase) in flat, f"not found in the extracted text: {phrase[:40]}"
    offenders = sorted({ch for ch in text if is_compatibility_form(ch)})
    assert offenders == [], f"compatibility or radical code points in the text: {offenders}"
    strangers = sorted({ch for ch in flat} - source_characters(accepted))
    assert strangers == [], f"characters that are not in the source: {strangers}"
    assert "第1页共" in flat and "生成时间" in flat


def test_every_font_is_an_embedded_subset_and_the_cjk_ones_are_there(accepted):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_of(accepted)))
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"] \
                if "/DescendantFonts" in font else font["/FontDescriptor"]
            descriptor = descriptor.get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            fonts[str(font["/BaseFont"])] = embedded
    assert fonts and all(fonts.values()), fonts
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in fonts), f"not subsets: {list(fonts)}"
    assert any("Serif-CJK" in name for name in fonts) and any("Sans-CJK" in name for name in fonts), fonts


def test_pdf_a_3b_metadata_and_the_attached_manifest(accepted):
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf_of(accepted)))
    xmp = reader.xmp_metadata
    raw = xmp.stream.get_data().decode("utf-8")
    assert re.search(r"pdfaid:part(>|=\")3", raw) and re.search(r"pdfaid:conformance(>|=\")B", raw)
    assert "/OutputIntents" in reader.trailer["/Root"]
    attachments = reader.attachments
    assert list(attachments) == ["evidence-manifest.json"]
    manifest = json.loads(attachments["evidence-manifest.json"][0].decode("utf-8"))
    stored = {e.original_name: e.sha256 for e in accepted.assignment.evidence.all()}
    assert {f["name"]: f["sha256"] for f in manifest["files"]} == stored
    assert manifest["assignment"] == accepted.assignment.pk and manifest["unit"] == "市财政局"


def test_the_signature_validates_and_fails_after_a_one_byte_change(accepted):
    data = pdf_of(accepted)
    assert validate_pdf(data).ok
    middle = len(data) // 2
    altered = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]
    check = validate_pdf(altered)
    assert not check.ok and "改动" in check.message


def test_the_file_is_read_only_and_the_record_refuses_to_change(accepted):
    archive = Archive.objects.get(assignment=accepted.assignment)
    assert storage.path_of(archive.file_name).stat().st_mode & 0o222 == 0
    archive.sha256 = "0" * 64
    with pytest.raises(ArchiveOverwriteError):
        archive.save()
    with pytest.raises(ArchiveOverwriteError):
        archive.delete()


def test_running_the_job_again_changes_nothing_and_writes_nothing(accepted, settings):
    before = Archive.objects.values().get(assignment=accepted.assignment)
    events = AuditEvent.objects.count()
    files = sorted(p for p in storage.root().rglob("*") if p.is_file())
    archive_service.archive_build(accepted.assignment.pk)
    archive_service.archive_build(accepted.assignment.pk)
    assert Archive.objects.values().get(assignment=accepted.assignment) == before
    assert AuditEvent.objects.count() == events
    assert sorted(p for p in storage.root().rglob("*") if p.is_file()) == files and len(files) == 1


def test_verify_archive_passes_then_names_an_altered_and_a_missing_file(accepted, capsys):
    call_command("verify_archive")
    assert "全部完好" in capsys.readouterr().out
    archive = Archive.objects.get(assignment=accepted.assignment)
    path = storage.path_of(archive.file_name)
    path.chmod(0o644)
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0x20
    path.write_bytes(bytes(data))
    with pytest.raises(CommandError):
        call_command("verify_archive", "--json")
    report = json.loads(capsys.readouterr().out)
    assert not report["ok"] and report["problems"][0]["problem"] == "altered"
    assert report["problems"][0]["assignment"] == accepted.assignment.pk
    path.unlink()
    with pytest.raises(CommandError):
        call_command("verify_archive")
    assert "missing" in capsys.readouterr().out


def test_verify_archive_names_an_unsigned_file_whose_hash_was_recomputed(accepted, capsys):
    """An attacker who swaps the file and rewrites the hash in the database still fails the signature."""
    from pypdf import PdfReader, PdfWriter

    archive = Archive.objects.get(assignment=accepted.assignment)
    path = storage.path_of(archive.file_name)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(path.read_bytes())))
    buffer = io.BytesIO()
    writer.write(buffer)  # re-saved: the signature no longer covers the file
    forged = buffer.getvalue()
    path.chmod(0o644)
    path.write_bytes(forged)
    Archive.objects.filter(pk=archive.pk).update(sha256=hashlib.sha256(forged).hexdigest(), size=len(forged))
    with pytest.raises(CommandError):
        call_command("verify_archive")
    assert "unsigned" in capsys.readouterr().out


def test_a_failed_job_is_recorded_then_a_retry_succeeds_once(world, settings, django_capture_on_commit_callbacks):
    from tests.workflows.archive.conftest import walk_to_accepted

    good_key = settings.ARCHIVE_SIGNING_KEY
    settings.ARCHIVE_SIGNING_KEY = "/nonexistent/signer.key"
    walk_to_accepted(world, django_capture_on_commit_callbacks)
    archive = Archive.objects.get(assignment=world.assignment)
    assert archive.status == ArchiveStatus.FAILED and archive.attempts == 1
    assert "签章证书未配置" in archive.last_error
    assert not AuditEvent.objects.filter(action="assignment.archived").exists()
    assert [p for p in storage.root().rglob("*") if p.is_file()] == []
    settings.ARCHIVE_SIGNING_KEY = good_key
    archive_service.archive_build(world.assignment.pk)
    archive.refresh_from_db()
    assert archive.status == ArchiveStatus.DONE and archive.attempts == 2 and archive.last_error == ""
    assert AuditEvent.objects.filter(action="assignment.archived").count() == 1


def test_a_missing_glyph_is_an_error_not_a_box(accepted):
    from workflows.archive import report

    data = report.build(accepted.assignment.pk, accepted.assignment.archive.submission_id)
    data["final"]["report"] = "古文字：\U00010900\U00010901"  # Phoenician: in no installed font
    with pytest.raises(RenderError, match="字体缺字"):
        render_pdf(data)


def test_the_sweep_removes_stale_temporary_and_unrecorded_files_and_keeps_the_archive(accepted, settings):
    import os
    import time

    archive = Archive.objects.get(assignment=accepted.assignment)
    stale_temp = storage.write_temp(b"%PDF-partial", label="99")
    fresh_temp = storage.write_temp(b"%PDF-partial", label="98")
    orphan = storage.root() / "2026" / "01" / "99-deadbeef.pdf"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"%PDF-orphan")
    old = time.time() - settings.ARCHIVE_TEMP_MAX_AGE_SECONDS - 10
    for path in (stale_temp, orphan, storage.path_of(archive.file_name)):
        os.utime(path, (old, old))
    result = archive_service.archive_sweep()
    assert sorted(result["removed_files"]) == sorted(
        [stale_temp.relative_to(storage.root()).as_posix(), "2026/01/99-deadbeef.pdf"])
    assert fresh_temp.exists() and storage.path_of(archive.file_name).exists()
    call_command("verify_archive")


def test_a_subject_stored_in_english_by_an_earlier_version_reads_in_chinese():
    from workflows.archive.signing import subject_label

    old = "Common Name: 昆山市人民政府办公室 电子归档签章, Organization: 昆山市人民政府办公室, Country: CN"
    assert subject_label(old) == "名称：昆山市人民政府办公室 电子归档签章；单位：昆山市人民政府办公室；国家：中国"
    assert subject_label("名称：某单位；国家：中国") == "名称：某单位；国家：中国"
