"""The names the archive stores give their files (the file store and the S3 bucket alike)."""
import secrets

from django.utils import timezone


def new_name(assignment_id: int) -> str:
    """A fresh server-chosen name, relative to the store: ``YYYY/MM/<assignment>-<96 random bits>.pdf``."""
    now = timezone.localtime()
    return f"{now:%Y}/{now:%m}/{assignment_id}-{secrets.token_hex(12)}.pdf"
