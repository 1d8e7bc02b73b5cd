"""What a reader of an archive sees beside the proof: the 交办 at the head of its timeline, the signing
organisation, the date and the seal picture at its end, and no title line of one character."""
import io
import re
import subprocess
import tempfile

import pytest
from pypdf import PdfReader

from tests.workflows.archive.test_archive import pdf_of, pdftotext, squeeze
from workflows.archive import report as report_module
from workflows.archive.render import RenderError, render_pdf
from workflows.archive.seal import seal_png
from workflows.archive.signing import validate_pdf
from workflows.archive.typeset import title_parts
from workflows.calendar import cn_date

pytestmark = pytest.mark.django_db


def images(data: bytes) -> list[tuple[int, int, int]]:
    """(page, width, height) of each image drawn (poppler's pdfimages; soft masks left out)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:  # pdfimages reads a file, not a pipe
        f.write(data)
        f.flush()
        listing = subprocess.run(["pdfimages", "-list", f.name], capture_output=True, check=True).stdout
    rows = [line.split() for line in listing.decode().splitlines()[2:]]
    return [(int(r[0]), int(r[3]), int(r[4])) for r in rows if r[2] == "image"]


def test_the_last_page_carries_the_signer_the_date_and_the_seal_and_the_signature_still_holds(accepted):
    data = pdf_of(accepted)
    reader = PdfReader(io.BytesIO(data))
    assert images(data) == [(len(reader.pages), 600, 600)]  # the seal, once, on the page that ends the report
    last = squeeze(reader.pages[-1].extract_text())
    accepted_on = cn_date(accepted.assignment.submissions.get(accepted_at__isnull=False).accepted_at.astimezone().date())
    assert "测试市人民政府办公室" in last and squeeze(accepted_on) in last  # the certificate's organisation
    assert validate_pdf(data).ok  # the picture is part of the signed page; the signature is unchanged


def test_the_seal_is_a_red_ring_on_a_transparent_ground():
    from PIL import Image

    image = Image.open(io.BytesIO(seal_png("测试市人民政府办公室"))).convert("RGBA")
    assert image.size == (600, 600)
    assert image.getpixel((2, 2))[3] == 0  # the corner is transparent
    red, green, blue, alpha = image.getpixel((300, 10))  # the ring at the top
    assert alpha > 200 and red > 150 and green < 60 and blue < 60
    assert seal_png("   ") is None


def test_the_timeline_begins_with_the_dispatch_that_made_the_assignment(accepted):
    archive = accepted.assignment.archive
    timeline = report_module.build(accepted.assignment.pk, archive.submission_id)["timeline"]
    first = timeline[0]
    assert (first["action"], first["from_state"], first["to_state"]) == ("交办计划", "", "已交办")
    assert "supervisor" in first["actor"] and first["unit"] == "市政府法制办"
    assert [row["action"] for row in timeline].count("交办计划") == 1
    text = squeeze(pdftotext(pdf_of(accepted)))
    assert text.index("交办计划") < text.index("开始办理")


def test_a_title_never_leaves_one_character_on_a_line_of_its_own(accepted):
    archive = accepted.assignment.archive
    report = report_module.build(accepted.assignment.pk, archive.submission_id)
    title = "甲" * 41 + "乙"  # one character more than the line holds

    def title_lines(parts) -> list[int]:
        report["plan"].update(title=title, doc_number="", **parts)
        pdf = render_pdf(report, attach_manifest=False, variant=None)
        text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", "-", "-"], input=pdf,
                              capture_output=True, check=True).stdout.decode()
        lines = [line.strip() for line in text.splitlines() if line.strip() and set(line.strip()) <= set("甲乙")]
        return [len(line) for line in lines[:2]]  # the title's lines come first (then the 计划名称 cell)

    assert title_lines({"title_head": title, "title_tail": ""}) == [41, 1]  # unguarded, the check sees it
    assert title_lines(title_parts(title)) == [40, 2]


def test_the_renderer_still_refuses_anything_from_outside(accepted):
    archive = accepted.assignment.archive
    report = report_module.build(accepted.assignment.pk, archive.submission_id)
    report["seal"]["image"] = "http://127.0.0.1:9/seal.png"
    with pytest.raises(RenderError, match=re.escape("归档报告不得引用外部资源：http://127.0.0.1:9/seal.png")):
        render_pdf(report)
