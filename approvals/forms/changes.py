"""Forms for changes after dispatch: transfer requests, decisions, handing over, delegations.

They check only what was typed; whether the action is allowed is the services' answer.
"""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.models import Role, TransferKind
from workflows.services.delegation import DELEGABLE_ROLES

from .assignments import Form


class TransferRequestForm(Form):
    kind = forms.ChoiceField(label=_("申请类型"), choices=TransferKind.choices, widget=forms.RadioSelect,
                             initial=TransferKind.TRANSFER)
    unit = forms.CharField(label=_("建议承办单位"), required=False, max_length=64,
                           widget=forms.TextInput(attrs={"list": "transfer-units", "autocomplete": "off"}),
                           help_text=_("选择“改由其他单位承办”时填写：输入单位名称的几个字，从列表中选择"))
    reason = forms.CharField(label=_("申请理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写申请理由")})


class TransferApproveForm(Form):
    opinion = forms.CharField(label=_("审批意见（可不填）"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class TransferRejectForm(Form):
    reason = forms.CharField(label=_("驳回理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写驳回理由")})


class HandOverForm(Form):
    to = forms.ChoiceField(label=_("转交给"), choices=())
    note = forms.CharField(label=_("说明（可不填）"), required=False, max_length=500)

    def __init__(self, *args, colleagues=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(u.username, u.get_full_name() or u.username) for u in colleagues]


class DelegationForm(Form):
    """Whom, for which of my unit roles, from when to when."""

    membership = forms.ChoiceField(label=_("委托的单位角色"), choices=())
    substitute = forms.CharField(label=_("代理人"), max_length=150,
                                 widget=forms.TextInput(attrs={"list": "substitutes", "autocomplete": "off"}),
                                 help_text=_("同一单位、同一角色的同事：输入姓名或用户名的几个字，从列表中选择"))
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("事由（可不填）"), required=False, max_length=200)

    def __init__(self, *args, memberships=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(Role.choices)
        self.fields["membership"].choices = [
            (f"{m.unit_id}:{m.role}", f"{m.unit.short_name} · {labels.get(m.role, m.role)}")
            for m in memberships if m.role in DELEGABLE_ROLES]

    def unit_and_role(self) -> tuple[int, str]:
        unit_id, role = self.cleaned_data["membership"].split(":", 1)
        return int(unit_id), role
