"""Deciding an evidence file's type by its content, and refusing everything else."""
import io
import struct
import zipfile

import pytest

from workflows import filetypes
from workflows.filetypes import FileKind, FileRejected, clean_name, sniff

MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x11" * 64 + b"\xff\xd9"
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def ole_file(stream: str) -> bytes:
    """A compound file header followed by a directory entry naming ``stream`` (enough to sniff)."""
    entry = (stream + "\x00").encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64
    return OLE2 + b"\x00" * 504 + entry


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


def docx_bytes() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("依法界定政府职责边界，落实情况报告。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(["任务", "完成情况"])
    workbook.active.append(["1", "已完成"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ofd_bytes() -> bytes:
    return zip_bytes({"OFD.xml": b'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD DocType="OFD"/>',
                      "Doc_0/Document.xml": b"<ofd:Document/>"})


def check(data: bytes, name: str) -> FileKind:
    """Sniff as the service does: a short head, and the whole content through read_more."""
    return sniff(data[:filetypes.HEAD_BYTES], name, read_more=lambda: io.BytesIO(data))


@pytest.mark.parametrize(("maker", "name", "kind"), [
    (lambda: MINIMAL_PDF, "报告.pdf", "pdf"),
    (docx_bytes, "落实情况.docx", "docx"),
    (xlsx_bytes, "台账.xlsx", "xlsx"),
    (lambda: ole_file("WordDocument"), "旧版报告.doc", "doc"),
    (lambda: ole_file("Workbook"), "旧版台账.xls", "xls"),
    (ofd_bytes, "电子公文.ofd", "ofd"),
    (lambda: JPEG, "现场照片.JPG", "jpeg"),
    (lambda: JPEG, "现场照片.jpeg", "jpeg"),
    (lambda: PNG, "截图.png", "png"),
    (lambda: zip_bytes({"a.txt": b"hello", "b/c.pdf": MINIMAL_PDF}), "材料汇总.zip", "zip"),
    (lambda: "落实情况说明：已完成。\r\n".encode("gb18030"), "说明.txt", "text"),
    (lambda: "序号,单位\n1,市财政局\n".encode(), "名单.csv", "text"),
])
def test_each_allowed_kind_is_recognised_by_its_content(maker, name, kind):
    result = check(maker(), name)
    assert result.kind == kind
    assert result.content_type.startswith(filetypes.CONTENT_TYPES[kind])


def test_text_records_the_encoding_it_was_read_in():
    assert check("说明".encode("gb18030"), "a.txt").content_type == "text/plain; charset=gb18030"
    assert check("说明".encode(), "a.txt").content_type == "text/plain; charset=utf-8"


def test_a_docx_named_zip_is_kept_as_a_zip_but_a_zip_named_docx_is_refused():
    assert check(docx_bytes(), "材料.zip").kind == "zip"
    with pytest.raises(FileRejected, match="文件内容与扩展名不符"):
        check(zip_bytes({"a.txt": b"x"}), "材料.docx")


def test_without_read_more_the_head_is_taken_as_the_whole_file():
    assert sniff(MINIMAL_PDF, "a.pdf") == FileKind("pdf", "application/pdf")


@pytest.mark.parametrize(("data", "name"), [
    (PNG, "发票.pdf"),
    (MINIMAL_PDF, "照片.png"),
    (JPEG, "照片.png"),
    (ole_file("Workbook"), "报告.doc"),
    (ole_file("WordDocument"), "台账.xls"),
    (xlsx_bytes(), "报告.docx"),
    (b"plain words", "报告.pdf"),
])
def test_content_behind_a_name_of_another_kind_is_refused(data, name):
    with pytest.raises(FileRejected, match="文件内容与扩展名不符"):
        check(data, name)


@pytest.mark.parametrize(("data", "name", "message"), [
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64, "setup.pdf", "可执行文件"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "run.txt", "可执行文件"),
    (b"#!/bin/sh\nrm -rf /\n", "script.txt", "可执行文件或脚本"),
    (b"<!DOCTYPE html><html><body>hi</body></html>", "page.txt", "网页"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
     "image.txt", "SVG"),
    (b"GIF89a\x01\x00\x01\x00\x80\x00\x00", "anim.png", "不支持的文件类型"),
    (b"\x00\x01\x02binary", "data.txt", "不支持的文件类型"),
    (b"", "empty.pdf", "文件为空"),
    (MINIMAL_PDF, "setup.exe", "不支持的文件扩展名"),
    (MINIMAL_PDF, "page.html", "不支持的文件扩展名"),
    (MINIMAL_PDF, "noextension", "不支持的文件扩展名"),
])
def test_executables_web_pages_and_unknown_formats_are_refused(data, name, message):
    with pytest.raises(FileRejected, match=message):
        check(data, name)


def test_a_text_file_that_ends_in_a_script_is_refused():
    data = "正文".encode() * 40000 + b"\n<script>alert(1)</script>\n"
    with pytest.raises(FileRejected, match="网页"):
        check(data, "说明.txt")


@pytest.mark.parametrize(("data", "message"), [
    (PNG + b"<script>alert(document.cookie)</script>", "网页或脚本"),
    (JPEG + b"<html><body>x</body></html>", "网页或脚本"),
    (MINIMAL_PDF + zip_bytes({"evil.html": b"<b>x</b>"}), "压缩包"),
    (b"%PDF-1.4\n<!DOCTYPE html>\n" + MINIMAL_PDF[9:], "网页或脚本"),
])
def test_polyglots_hiding_a_zip_or_a_web_page_are_refused(data, message):
    name = {b"\x89P": "a.png", b"\xff\xd8": "a.jpg", b"%P": "a.pdf"}[data[:2]]
    with pytest.raises(FileRejected, match=message):
        check(data, name)


def bomb(total: int) -> bytes:
    """A zip whose one member inflates to ``total`` zero bytes, written in a stream of chunks."""
    out = io.BytesIO()
    chunk = b"\x00" * (1024 * 1024)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("zeros.bin", "w") as member:
        for _ in range(total // len(chunk)):
            member.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_is_refused_from_its_central_directory():
    data = bomb(300 * 1024 * 1024)
    assert len(data) < 1024 * 1024  # the archive is small; its declared content is not
    with pytest.raises(FileRejected, match="解压后过大"):
        check(data, "bomb.zip")


@pytest.mark.parametrize("name", ["bomb.docx", "bomb.ofd"])
def test_a_compression_ratio_over_100_to_1_is_refused_even_under_the_total(name):
    data = bomb(8 * 1024 * 1024)
    with pytest.raises(FileRejected, match="压缩比异常"):
        check(data, name)


def test_a_zip_over_the_total_is_refused_when_the_threshold_is_lowered(monkeypatch):
    monkeypatch.setattr(filetypes, "ZIP_MAX_TOTAL_BYTES", 1000)
    data = zip_bytes({"a.txt": bytes(range(256)) * 4, "b.txt": bytes(range(256)) * 4})
    with pytest.raises(FileRejected, match="解压后过大"):
        check(data, "a.zip")


def test_a_damaged_zip_is_refused():
    with pytest.raises(FileRejected, match="已损坏"):
        check(b"PK\x03\x04" + b"\x00" * 40, "a.zip")


@pytest.mark.parametrize(("raw", "base"), [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\windows\\system32\\报告.pdf", "报告.pdf"),
    ("/var/www/a.pdf", "a.pdf"),
    ("C:\\Users\\li\\a.pdf", "a.pdf"),
    ("C:a.pdf", "a.pdf"),
    ("  落实情况.docx  ", "落实情况.docx"),
])
def test_names_keep_only_their_base_name(raw, base):
    assert clean_name(raw) == base


@pytest.mark.parametrize("name", [
    "report\x00.pdf", "a\nb.pdf", "a\r.pdf", "a\x1b.pdf", "invoice\u202eFDP.exe", "a\u202dpdf.pdf",
    "a\u2066.pdf", "a\u200e.pdf", "a\u200f.pdf", "a\ufeff.pdf", "a\u2028.pdf",
])
def test_names_with_control_or_bidirectional_characters_are_refused(name):
    with pytest.raises(FileRejected, match="文件名含有不可见或控制字符"):
        clean_name(name)


@pytest.mark.parametrize("name", ["", "   ", "../", "..", "a/.."])
def test_an_empty_name_is_refused(name):
    with pytest.raises(FileRejected, match="文件名不能为空"):
        clean_name(name)


def test_a_name_over_255_characters_is_refused_and_255_is_accepted():
    with pytest.raises(FileRejected, match="文件名过长"):
        clean_name("报" * 296 + ".pdf")
    assert clean_name("报" * 251 + ".pdf") == "报" * 251 + ".pdf"


def test_sniff_applies_the_name_rules_too():
    with pytest.raises(FileRejected, match="不可见或控制字符"):
        check(MINIMAL_PDF, "a\x00.pdf")
    assert check(MINIMAL_PDF, "../../etc/passwd.pdf").kind == "pdf"


# Archive bombs the central directory does not show (both were accepted before the members were
# really inflated): a bomb inside a zip, and headers that claim a small size.

def nest(inner: bytes, depth: int = 1, name: str = "inner.zip") -> bytes:
    data = inner
    for _ in range(depth):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
            archive.writestr(name, data)
        data = out.getvalue()
    return data


def lying(data: bytes, claimed: int) -> bytes:
    """``data`` (a zip with one member) with that member's size in both headers set to ``claimed``."""
    raw = bytearray(data)
    local = raw.index(b"PK\x03\x04")
    struct.pack_into("<I", raw, local + 22, claimed)
    central = raw.index(b"PK\x01\x02")
    struct.pack_into("<I", raw, central + 24, claimed)
    return bytes(raw)


def test_a_bomb_inside_a_zip_is_refused():
    data = nest(bomb(1024 * 1024 * 1024))  # 1 GiB of zeros, about 1 MB packed, inside a plain zip
    assert len(data) < 2 * 1024 * 1024
    with pytest.raises(FileRejected, match="解压后过大|压缩比异常"):
        check(data, "材料.zip")


def test_a_zip_whose_headers_claim_400_kb_for_200_mib_is_refused_by_what_really_inflates():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.bin", b"\x00" * (200 * 1024 * 1024))
    data = lying(out.getvalue(), 400 * 1024)
    assert zipfile.ZipFile(io.BytesIO(data)).infolist()[0].file_size == 400 * 1024
    with pytest.raises(FileRejected, match="压缩比异常|解压后过大"):
        check(data, "台账.zip")


def test_the_total_counts_what_inflates_not_what_the_headers_claim(monkeypatch):
    monkeypatch.setattr(filetypes, "ZIP_MAX_TOTAL_BYTES", 2 * 1024 * 1024)
    text = b"".join(f"{n:08d} 工作台账记录\n".encode() for n in range(150_000))  # ~3.3 MB, ~5:1
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("台账.txt", text)
    with pytest.raises(FileRejected, match="解压后过大"):
        check(lying(out.getvalue(), 1000), "台账.zip")


def test_nested_zips_are_examined_to_a_bounded_depth():
    assert check(nest(zip_bytes({"a.txt": b"hello"}), depth=2), "材料.zip").kind == "zip"  # three levels
    with pytest.raises(FileRejected, match="嵌套层数过多"):
        check(nest(zip_bytes({"a.txt": b"hello"}), depth=3), "材料.zip")


def test_a_damaged_member_and_an_encrypted_member_are_refused():
    good = zip_bytes({"a.txt": b"hello world " * 100})
    broken = bytearray(good)
    start = broken.index(b"PK\x03\x04") + 30 + len("a.txt")
    broken[start:start + 8] = b"\xff" * 8
    with pytest.raises(FileRejected, match="已损坏"):
        check(bytes(broken), "a.zip")
    encrypted = bytearray(good)
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = encrypted.index(signature) + flag_at
        struct.pack_into("<H", encrypted, at, struct.unpack_from("<H", encrypted, at)[0] | 1)
    with pytest.raises(FileRejected, match="已加密"):
        check(bytes(encrypted), "a.zip")


def test_an_office_file_with_an_embedded_workbook_is_still_accepted():
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx_bytes())) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", zip_bytes({"xl/workbook.xml": b"<w/>"}))
    assert check(out.getvalue(), "报告.docx").kind == "docx"


def _bzip2_bomb() -> bytes:
    """A zip with one bzip2 member of 100 MB of zeros whose headers claim 76 KB."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_BZIP2) as archive:
        archive.writestr("zeros.bin", b"\x00" * (100 * 1024 * 1024))
    return lying(out.getvalue(), 76 * 1024)


def test_a_bzip2_or_lzma_member_is_refused_before_anything_is_inflated():
    with pytest.raises(FileRejected, match="不支持的压缩方式"):
        check(_bzip2_bomb(), "台账.zip")


def test_the_plan_importer_refuses_a_bzip2_package_the_same_way():
    from workflows.importers.office import read_docx
    from workflows.importers.types import PlanParseError

    with pytest.raises(PlanParseError):
        read_docx(_bzip2_bomb())


def test_a_zip_inside_a_zip_is_found_even_with_bytes_in_front_of_it():
    with pytest.raises(FileRejected, match="解压后过大|压缩比异常"):
        check(nest(b"X" * 16 + bomb(300 * 1024 * 1024)), "材料.zip")
    deep = zip_bytes({"a.txt": b"hello"})
    for _ in range(4):
        deep = nest(b"J" + deep)
    with pytest.raises(FileRejected, match="嵌套层数过多"):
        check(deep, "材料.zip")


def test_other_compressed_formats_inside_a_zip_are_refused():
    import gzip

    with pytest.raises(FileRejected, match="其他压缩格式"):
        check(zip_bytes({"日志.gz": gzip.compress(b"x" * 1000)}), "材料.zip")
