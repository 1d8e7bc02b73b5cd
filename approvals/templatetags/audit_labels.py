"""Labels auditors read instead of stored codes: ``{{ event.role|role_label }}``."""
from django import template

from workflows.models import ROLE_LABELS

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    return str(ROLE_LABELS.get(code, code)) if code else ""
