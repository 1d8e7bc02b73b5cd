"""Ids in URLs and query strings: whole numbers from 1 to the largest a database column holds.

A larger id reaching the database raises an error (SQLite: OverflowError) instead of finding
nothing. The URL converter ``id`` (registered in ``WorkflowsConfig.ready``) refuses it before
any view runs, so the route does not match and the answer is 404; form fields refuse it with a
Chinese message (400).
"""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1  # the largest value of a 64-bit signed integer column


class IdConverter:
    """``<id:pk>``: like ``<int:pk>``, but only ids a database column can hold."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError("id out of range")  # Django: the route does not match, 404
        return number

    def to_url(self, value) -> str:
        return str(int(value))


class IdField(forms.IntegerField):
    """An optional id in a form or query string, refused (400) outside 1 … ``MAX_ID``."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        kwargs.setdefault("required", False)
        kwargs.setdefault("error_messages", {"max_value": _("编号超出范围"), "min_value": _("编号超出范围"),
                                             "invalid": _("编号应为正整数")})
        super().__init__(**kwargs)


class IdChoiceField(forms.ModelChoiceField):
    """``ModelChoiceField`` that refuses an out-of-range id as an invalid choice instead of a 500."""

    def to_python(self, value):
        if value not in self.empty_values:
            try:
                number = int(str(value))
            except ValueError:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None
            if not 1 <= number <= MAX_ID:
                raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


def parse_id(value) -> int | None:
    """The id in ``value`` (a query-string value), or None when it is not one in range."""
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_ID else None
