"""Decide what an uploaded evidence file is by its content, and refuse what we do not accept.

Pure: no Django models, no database (only Django's translations, for the messages). ``sniff``
looks at the bytes, never trusts the name for the type, and insists that the name's extension
agrees with what the bytes are. Zip-based files are examined through their central directory
only; nothing is ever extracted.
"""
from __future__ import annotations

import codecs
import io
import re
import struct
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

HEAD_BYTES = 64 * 1024  # how much of the start callers should pass as ``head``
EDGE_BYTES = 64 * 1024  # how much of each end is searched for a second, hidden format
MAX_NAME_CHARS = 255
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100
# Below this size a member's ratio is not judged: small, repetitive XML (styles, empty sheets)
# compresses beyond 100:1 and is harmless; the total above still bounds the whole archive.
ZIP_RATIO_FLOOR_BYTES = 1024 * 1024
ZIP_MAX_MEMBERS = 10_000

ALLOWED_SUMMARY = gettext_lazy("PDF、Word（.doc/.docx）、Excel（.xls/.xlsx）、OFD、JPEG、PNG、ZIP 或纯文本（.txt/.csv）")

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "ofd": "application/ofd",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "zip": "application/zip",
    "text": "text/plain",
}
# What a browser shows inline without running anything of the file's own (the reviewer's 在线预览).
PREVIEWABLE = frozenset({CONTENT_TYPES["pdf"], CONTENT_TYPES["jpeg"], CONTENT_TYPES["png"]})
# The extensions each kind may carry.
EXTENSIONS = {
    "pdf": {".pdf"}, "docx": {".docx"}, "xlsx": {".xlsx"}, "doc": {".doc"}, "xls": {".xls"},
    "ofd": {".ofd"}, "jpeg": {".jpg", ".jpeg"}, "png": {".png"}, "zip": {".zip"}, "text": {".txt", ".csv"},
}
_KIND_OF_EXTENSION = {ext: kind for kind, exts in EXTENSIONS.items() for ext in exts}

_PDF = b"%PDF-"
_JPEG = b"\xff\xd8\xff"
_PNG = b"\x89PNG\r\n\x1a\n"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_EXECUTABLES = (b"MZ", b"\x7fELF", b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",
                b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe", b"#!")
# Formats we name so the refusal is clear (BMP, WAV and the like fail the text check anyway).
_OTHER_BINARY = (b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")
_ZIP_DIRECTORY = (b"PK\x01\x02", b"PK\x05\x06")
_MARKUP = re.compile(rb"<\s*(script|html|svg|iframe)\b|<!doctype\s+html", re.IGNORECASE)
# OLE2 directory entries name their streams in UTF-16LE: Word keeps "WordDocument", Excel "Workbook"/"Book".
_OLE_STREAMS = {"doc": ("WordDocument",), "xls": ("Workbook", "Book")}
# Bidirectional controls and marks that can make "invoice‮fdp.exe" read as "invoiceexe.pdf".
_BIDI = {0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_TEXT_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f]")  # tab, LF, FF and CR are text


class FileRejected(Exception):
    """An upload we do not accept; ``message`` says why, in the user's language.

    ``code`` names the refusals a caller tells apart ("too_large", "ratio"), whatever the language.
    """

    def __init__(self, message: str, code: str = ""):
        self.message = str(message)  # a lazy constant is read in the language of the moment
        self.code = code
        super().__init__(self.message)


@dataclass(frozen=True)
class FileKind:
    kind: str  # pdf, docx, xlsx, doc, xls, ofd, jpeg, png, zip, text
    content_type: str


def clean_name(name: str) -> str:
    """Return the base name to keep as metadata, or raise FileRejected.

    Any directory part (``../``, ``..\\``, ``C:\\``, ``/etc/``) is dropped; control, format and
    bidirectional characters anywhere in the name refuse it, as do an empty or over-long name.
    """
    name = name or ""
    for ch in name:
        if ord(ch) in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            raise FileRejected(_("文件名含有不可见或控制字符"))
    base = re.sub(r"^[A-Za-z]:", "", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    if base in ("", ".", ".."):
        raise FileRejected(_("文件名不能为空"))
    if len(base) > MAX_NAME_CHARS:
        raise FileRejected(_("文件名过长（不能超过 %(limit)s 个字符）") % {"limit": MAX_NAME_CHARS})
    return base


def extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    return f".{ext.lower()}" if dot and stem.strip() else ""


def sniff(head: bytes, name: str, *, read_more: Callable[[], BinaryIO] | None = None) -> FileKind:
    """Decide the kind of a file from its content and check that its name agrees.

    ``head`` is the start of the content (``HEAD_BYTES`` is plenty). ``read_more`` returns a
    seekable binary file holding the whole content, for the checks that need more than the
    start (zip directories, the end of the file, text decoding); without it ``head`` is taken
    to be the whole content. Raise FileRejected with a message for anything refused.
    """
    base = clean_name(name)
    handle = read_more() if read_more is not None else io.BytesIO(head)
    expected = _KIND_OF_EXTENSION.get(extension(base))
    if expected is None:
        raise FileRejected(_("不支持的文件扩展名：仅接受 %(allowed)s") % {"allowed": ALLOWED_SUMMARY})
    kind = _detect(head, handle, expected)
    if kind != expected and not (expected == "zip" and kind in ("docx", "xlsx", "ofd")):
        raise FileRejected(_("文件内容与扩展名不符"))
    if expected == "zip":
        kind = "zip"  # a container named .zip is kept and served as a zip
    content_type = CONTENT_TYPES[kind]
    if kind == "text":
        content_type += f"; charset={_text_encoding(handle)}"
    return FileKind(kind=kind, content_type=content_type)


def _detect(head: bytes, handle: BinaryIO, expected: str) -> str:
    if not head:
        raise FileRejected(_("文件为空"))
    for magic, kind in ((_PDF, "pdf"), (_JPEG, "jpeg"), (_PNG, "png")):
        if head.startswith(magic):
            _refuse_polyglot(handle)
            return kind
    if head.startswith(_OLE2):
        return _ole_kind(handle, expected)
    if head.startswith(_ZIP):
        return _zip_kind(handle)
    if head.startswith(_EXECUTABLES):
        raise FileRejected(_("不接受可执行文件或脚本"))
    if _MARKUP.search(head[:EDGE_BYTES]):
        raise FileRejected(_("不接受网页（HTML）、SVG 或含脚本的文件"))
    if head.startswith(_OTHER_BINARY):
        raise FileRejected(_("不支持的文件类型：仅接受 %(allowed)s") % {"allowed": ALLOWED_SUMMARY})
    if _text_encoding(handle, strict=False):
        _refuse_markup_at_end(handle)
        return "text"
    raise FileRejected(_("不支持的文件类型：仅接受 %(allowed)s") % {"allowed": ALLOWED_SUMMARY})


def _edges(handle: BinaryIO) -> tuple[bytes, bytes]:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    first = handle.read(EDGE_BYTES)
    handle.seek(max(0, size - EDGE_BYTES))
    return first, handle.read(EDGE_BYTES)


def _refuse_polyglot(handle: BinaryIO) -> None:
    """Refuse a PDF or image that is also a zip or a web page (it would open as either)."""
    for part in _edges(handle):
        if any(marker in part for marker in _ZIP_DIRECTORY):
            raise FileRejected(_("文件中夹带了压缩包内容，已拒绝"))
        if _MARKUP.search(part):
            raise FileRejected(_("文件中夹带了网页或脚本内容，已拒绝"))


def _refuse_markup_at_end(handle: BinaryIO) -> None:
    for part in _edges(handle):
        if _MARKUP.search(part):
            raise FileRejected(_("不接受网页（HTML）、SVG 或含脚本的文件"))


def _ole_kind(handle: BinaryIO, expected: str) -> str:
    """Tell a legacy Word file from an Excel one by the stream names in its directory."""
    if expected not in _OLE_STREAMS:
        return "ole"
    patterns = [(s + "\x00").encode("utf-16-le") for s in _OLE_STREAMS[expected]]
    handle.seek(0)
    tail = b""
    while chunk := handle.read(1024 * 1024):
        window = tail + chunk
        if any(p in window for p in patterns):
            return expected
        tail = window[-64:]
    return "ole"


def _zip_kind(handle: BinaryIO) -> str:
    """Classify a zip by its members, refusing bombs and damaged or encrypted archives.

    The central directory's sizes are a first, cheap refusal; then every member is really
    inflated, in chunks, into nothing (a zip inside is kept to be examined in turn, up to
    ``ZIP_MAX_DEPTH`` levels), counting what actually comes out, since a header can claim
    400 KB for what unpacks to 200 MiB. Nothing is ever written out under the member's name.
    """
    names = check_zip_contents(handle)
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "OFD.xml" in names:
        return "ofd"
    return "zip"


ZIP_MAX_DEPTH = 3  # a zip, a zip inside it, and one more inside that
ZIP_CHUNK = 1024 * 1024
_LOCAL_HEADER = struct.Struct("<4s5H3I2H")  # signature … name length, extra length (30 bytes)
_DAMAGED = gettext_lazy("压缩文件已损坏，无法读取")


@dataclass
class _Budget:
    """What the whole upload may unpack to, across every member and every nested zip."""

    limit: int = 0  # bytes; 0: ZIP_MAX_TOTAL_BYTES as it is when checked
    total: int = 0
    members: int = 0

    def refuse_beyond(self, total: int) -> None:
        limit = self.limit or ZIP_MAX_TOTAL_BYTES
        if total > limit:
            raise FileRejected(_("压缩文件解压后过大（不能超过 %(limit)s MB）") % {"limit": max(limit // (1024 * 1024), 1)},
                               code="too_large")

    def add(self, size: int) -> None:
        self.total += size
        self.refuse_beyond(self.total)


def _examine_zip(handle: BinaryIO, *, depth: int, budget: _Budget) -> set[str]:
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise FileRejected(_DAMAGED) from exc
    budget.members += len(members)
    if budget.members > ZIP_MAX_MEMBERS:
        raise FileRejected(_("压缩文件内的文件过多（不能超过 %(limit)s 个）") % {"limit": ZIP_MAX_MEMBERS})
    declared = 0
    for member in members:  # what the headers claim: refuse the obvious at no cost
        declared += member.file_size
        budget.refuse_beyond(budget.total + declared)
        _check_ratio(member.file_size, member)
    for member in members:
        if member.is_dir():
            continue
        nested = _inflate(archive, handle, member, budget)
        if nested is not None:
            with nested:
                if depth >= ZIP_MAX_DEPTH:
                    raise FileRejected(_("压缩文件嵌套层数过多（不能超过 %(limit)s 层）") % {"limit": ZIP_MAX_DEPTH})
                _examine_zip(nested, depth=depth + 1, budget=budget)
    return {m.filename for m in members}


def _check_ratio(size: int, member: zipfile.ZipInfo) -> None:
    if size > ZIP_RATIO_FLOOR_BYTES and size > ZIP_MAX_RATIO * max(member.compress_size, 1):
        raise FileRejected(_("压缩文件压缩比异常（超过 %(ratio)s:1），疑似压缩炸弹") % {"ratio": ZIP_MAX_RATIO},
                           code="ratio")


# Compressed formats inside a zip whose real size we cannot count as we go: refused, not trusted.
_OTHER_COMPRESSED = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"7z\xbc\xaf", b"Rar!", b"\x28\xb5\x2f\xfd")


def _inflate(archive: zipfile.ZipFile, handle: BinaryIO, member: zipfile.ZipInfo, budget: _Budget):
    """Inflate one member, counting its real size; return a file holding it if it is a zip itself.

    Every member is kept in a spooled file while it is counted (memory up to 8 MB, then an
    unnamed temporary file), so that a zip inside, even one with bytes in front of it as unzip
    tools accept, is found by its end-of-directory record and examined in turn.
    """
    size, first = 0, True
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    try:
        for chunk in _member_chunks(archive, handle, member):
            if first and chunk:
                first = False
                if chunk.startswith(_OTHER_COMPRESSED):
                    raise FileRejected(_("压缩文件内含有 gz、7z、rar 等其他压缩格式，无法检查其内容，请解压后重新打包为 zip"))
            size += len(chunk)
            budget.add(len(chunk))
            _check_ratio(size, member)
            spool.write(chunk)
        spool.seek(0)
        if size >= 22 and zipfile.is_zipfile(spool):
            spool.seek(0)
            return spool
    except BaseException:
        spool.close()
        raise
    spool.close()
    return None


def _member_chunks(archive: zipfile.ZipFile, handle: BinaryIO, member: zipfile.ZipInfo):
    """The member's bytes as they really inflate, whatever its headers claim.

    Only stored and deflated members are read (what Office, OFD and ordinary zips use): zipfile
    inflates a bzip2 or lzma read in one piece, with no bound, so those are refused.
    """
    if member.flag_bits & 0x1:
        raise FileRejected(_("压缩文件已加密，无法检查其中的内容，请解密后再上传"))
    if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise FileRejected(_("压缩文件使用了不支持的压缩方式（仅接受常见的 Deflate 压缩），请重新打包后再上传"))
    handle.seek(member.header_offset)
    header = handle.read(_LOCAL_HEADER.size)
    if len(header) < _LOCAL_HEADER.size or header[:4] != b"PK\x03\x04":
        raise FileRejected(_DAMAGED)
    fields = _LOCAL_HEADER.unpack(header)
    handle.seek(member.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1])
    left = member.compress_size
    if member.compress_type == zipfile.ZIP_STORED:
        while left > 0 and (chunk := handle.read(min(ZIP_CHUNK, left))):
            left -= len(chunk)
            yield chunk
        return
    inflater = zlib.decompressobj(-15)
    pending = b""
    try:
        while not inflater.eof:
            if not pending:
                if left <= 0:
                    break
                pending = handle.read(min(ZIP_CHUNK, left))
                if not pending:
                    break
                left -= len(pending)
            out = inflater.decompress(pending, ZIP_CHUNK)  # at most a chunk out per call
            pending = inflater.unconsumed_tail
            yield out
    except zlib.error as exc:
        raise FileRejected(_DAMAGED) from exc


def check_zip_contents(handle: BinaryIO, *, max_total_bytes: int = 0) -> set[str]:
    """Examine a zip (or a docx/xlsx/OFD package) as uploads are examined; return its member names.

    Raise FileRejected for a bomb, a damaged or encrypted member, too deep a nesting, or an
    unsupported compression method. The plan importer uses it before any library parses a package.
    """
    return _examine_zip(handle, depth=1, budget=_Budget(limit=max_total_bytes))


def _text_encoding(handle: BinaryIO, *, strict: bool = True) -> str:
    """Return "utf-8" or "gb18030" if the whole content is text in it, else "" (or refuse when strict)."""
    for encoding in ("utf-8-sig", "gb18030"):
        if _decodes(handle, encoding):
            return "utf-8" if encoding == "utf-8-sig" else encoding
    if strict:
        raise FileRejected(_("不支持的文件类型：仅接受 %(allowed)s") % {"allowed": ALLOWED_SUMMARY})
    return ""


def _decodes(handle: BinaryIO, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)()
    handle.seek(0)
    try:
        while chunk := handle.read(1024 * 1024):
            # In UTF-8 and GB18030 every byte below 0x20 is the control character itself.
            if _TEXT_CONTROLS.search(chunk):
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True
