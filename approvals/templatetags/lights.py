"""``{% light_badge assignment %}``: the traffic light (红黄绿灯) wherever an assignment is listed.

Uses the ``light`` the list's query annotated (``workflows.lights.with_light``) when present, so a
page of rows costs no extra work; otherwise computes it for the one assignment.
"""
from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from workflows.lights import DONE, LIGHT_HELP, LIGHTS, light_of

register = template.Library()


@register.simple_tag
def light_badge(assignment, today=None):
    light = getattr(assignment, "light", None) or light_of(assignment, today)
    if light == DONE:
        if assignment.on_time is None:
            return ""
        label = _("按期办结") if assignment.on_time else _("逾期办结")
        return format_html('<span class="light light-done-{}" title="{}">{}</span>',
                           "ontime" if assignment.on_time else "late", label, label)
    return format_html('<span class="light light-{}" title="{}">{}</span>', light, LIGHT_HELP[light], LIGHTS[light])
