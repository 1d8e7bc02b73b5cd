"""Labels auditors read instead of stored codes: ``{{ event.role|role_label }}``."""
from django import template

register = template.Library()


@register.filter
def role_label(code: str) -> str:
    from approvals.models import ROLE_LABELS

    return str(ROLE_LABELS.get(code, code)) if code else ""
