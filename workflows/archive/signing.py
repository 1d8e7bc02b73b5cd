"""Sign archived PDFs (PAdES baseline, pyHanko) and validate them with pyHanko's validator.

The key and certificate come from files named in settings (``ARCHIVE_SIGNING_KEY``,
``ARCHIVE_SIGNING_CERT``, ``ARCHIVE_SIGNING_CHAIN``); validation trusts the roots in
``ARCHIVE_TRUST_ROOTS``. Nothing about the key is ever stored in the database.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _


class SigningNotConfigured(RuntimeError):
    """The signing key or certificate is missing or unreadable."""


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    message: str  # for people, in their language
    signed_at: dt.datetime | None = None
    signer: str = ""


def _signer():
    from pyhanko.sign import signers

    key, cert = Path(settings.ARCHIVE_SIGNING_KEY), Path(settings.ARCHIVE_SIGNING_CERT)
    for path in (key, cert):
        if not path.is_file():
            raise SigningNotConfigured(
                _("签章证书未配置：找不到 %(path)s（设置 ARCHIVE_SIGNING_KEY / ARCHIVE_SIGNING_CERT，"
                  "或运行 python manage.py archive_demo_cert 生成演示证书）") % {"path": path})
    chain = [p for p in settings.ARCHIVE_SIGNING_CHAIN if p and Path(p).is_file()]
    passphrase = settings.ARCHIVE_SIGNING_PASSPHRASE.encode() or None
    signer = signers.SimpleSigner.load(str(key), str(cert), ca_chain_files=chain or None,
                                       key_passphrase=passphrase)
    if signer is None:
        raise SigningNotConfigured(_("签章证书或私钥无法读取：%(cert)s、%(key)s") % {"cert": cert, "key": key})
    return signer


# The certificate subject's parts as an office writes them (asn1crypto's names of the attributes).
SUBJECT_LABELS = {"common_name": "名称", "organization_name": "单位", "organizational_unit_name": "部门",
                  "locality_name": "城市", "state_or_province_name": "省份", "country_name": "国家"}
COUNTRIES = {"CN": "中国"}
# What asn1crypto's ``human_friendly`` wrote for archives signed before the subject was put in Chinese.
_ENGLISH_LABELS = {"Common Name": "名称", "Organization": "单位", "Organizational Unit": "部门",
                   "Locality": "城市", "State/Province": "省份", "Country": "国家"}


def subject_of(signer) -> str:
    """名称：…；单位：…；国家：中国 (the signing certificate's subject, in Chinese)."""
    parts = []
    subject = signer.signing_cert.subject.native
    for key, label in SUBJECT_LABELS.items():  # in this order, whatever the certificate's
        value = subject.get(key)
        if value is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            parts.append(f"{label}：{COUNTRIES.get(one, one) if key == 'country_name' else one}")
    return "；".join(parts) or signer.signing_cert.subject.human_friendly


def subject_label(text: str) -> str:
    """A stored subject for the page: one written in English by an earlier version is put in Chinese."""
    if "：" in text or not any(f"{name}: " in text for name in _ENGLISH_LABELS):
        return text
    for name, label in sorted(_ENGLISH_LABELS.items(), key=lambda item: -len(item[0])):
        text = text.replace(f", {name}: ", f"；{label}：")
        if text.startswith(f"{name}: "):
            text = f"{label}：" + text[len(name) + 2:]
    return text.replace("国家：CN", "国家：中国")


def organisation() -> str:
    """The signing certificate's organisation (its O, else its CN), for the seal image; "" without one."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    try:
        cert = x509.load_pem_x509_certificate(Path(settings.ARCHIVE_SIGNING_CERT).read_bytes())
    except (OSError, ValueError, TypeError):
        return ""
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        values = cert.subject.get_attributes_for_oid(oid)
        if values:
            return str(values[0].value)
    return ""


def sign_pdf(pdf: bytes, *, reason: str, location: str = "") -> tuple[bytes, dt.datetime, str]:
    """Return (signed PDF bytes, signing time, signer subject)."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    signer = _signer()
    signed_at = timezone.now()
    meta = signers.PdfSignatureMetadata(
        field_name="ArchiveSignature", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=location or None, name=subject_of(signer),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    data = signers.PdfSigner(meta, signer=signer).sign_pdf(writer).getvalue()
    check = validate_pdf(data)
    return data, check.signed_at or signed_at, subject_of(signer)


def _trust_roots():
    from pyhanko.keys import load_cert_from_pemder

    roots = [load_cert_from_pemder(p) for p in settings.ARCHIVE_TRUST_ROOTS if p and Path(p).is_file()]
    if not roots:
        raise SigningNotConfigured(_("未配置验证签章所用的根证书（ARCHIVE_TRUST_ROOTS）"))
    return roots


def validate_pdf(data: bytes) -> SignatureCheck:
    """Validate the archive's one signature: intact, trusted, covering the whole file."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        signatures = reader.embedded_signatures
    except Exception as exc:  # a file that does not parse as a PDF at all
        return SignatureCheck(False, _("无法读取为 PDF：%(error)s") % {"error": exc})
    if not signatures:
        return SignatureCheck(False, _("文件没有签章"))
    if len(signatures) != 1:
        return SignatureCheck(False, _("文件有 %(count)s 个签章，归档文件应只有一个") % {"count": len(signatures)})
    context = ValidationContext(trust_roots=_trust_roots(), allow_fetching=False)
    try:
        status = validate_pdf_signature(signatures[0], context)
    except Exception as exc:
        return SignatureCheck(False, _("签章无法验证：%(error)s") % {"error": exc})
    signer = status.signing_cert.subject.human_friendly if status.signing_cert else ""
    signed_at = status.signer_reported_dt
    if not status.intact:
        return SignatureCheck(False, _("签章后文件内容被改动（摘要不符）"), signed_at, signer)
    if not status.valid:
        return SignatureCheck(False, _("签章密码学校验失败"), signed_at, signer)
    if not status.trusted:
        return SignatureCheck(False, _("签章证书不受信任"), signed_at, signer)
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        return SignatureCheck(False, _("签章后文件被追加了内容"), signed_at, signer)
    return SignatureCheck(True, _("签章有效，文件签章后未被改动"), signed_at, signer)


def make_demo_pair(directory: Path, organisation: str) -> dict[str, Path]:
    """Write a demo root certificate and a signing certificate issued by it, with its key.

    For local use and tests only: production configures the organisation's real certificate.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                          x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
                          x509.NameAttribute(NameOID.COMMON_NAME, common)])

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = name(f"{organisation} 演示根证书")
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       key_cert_sign=True, crl_sign=True, encipher_only=False,
                                       decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name(f"{organisation} 电子归档签章"))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now).not_valid_after(now + dt.timedelta(days=1825))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
                           critical=False)
            .sign(ca_key, hashes.SHA256()))
    paths = {"ca": directory / "ca.pem", "cert": directory / "signer.pem", "key": directory / "signer.key"}
    paths["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths["key"].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                               serialization.NoEncryption()))
    paths["key"].chmod(0o600)
    return paths
