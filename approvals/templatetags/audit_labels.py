"""Labels auditors read instead of stored codes: ``{{ event.role|role_label }}``, ``{{ code|state_label }}``."""
from django import template

from workflows.selectors import trail

register = template.Library()
register.filter("role_label", trail.role_label)
register.filter("state_label", trail.state_label)
