from django import forms
from django.utils.translation import gettext_lazy as _

from audit.actions import ACTIONS
from workflows.ids import IdField
from workflows.selectors.trail import TimelineFilter


class TimelineForm(forms.Form):
    since = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    actor = forms.CharField(label=_("操作人（登录名）"), required=False, max_length=150)
    unit = forms.CharField(label=_("单位（简称）"), required=False, max_length=64)
    action = forms.ChoiceField(label=_("操作"), required=False)
    plan = IdField(label=_("计划编号"))
    task = IdField(label=_("任务编号（内部 ID）"))
    assignment = IdField(label=_("承办件编号"))
    hide_anonymous = forms.BooleanField(
        label=_("隐藏未登录来源的记录"), required=False,
        help_text=_("登录失败、被拒绝的匿名请求及其合并记录"))
    user = IdField(label=_("用户编号"), widget=forms.HiddenInput)
    before = IdField(label=_("翻页位置"), widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部操作"))] + [(k, v) for k, v in ACTIONS.items()]

    def clean(self):
        data = super().clean()
        for field in ("since", "until"):
            day = data.get(field)
            if day is not None and not 1900 <= day.year <= 9000:  # a day the database's timestamps can hold
                self.add_error(field, _("日期超出范围（1900 年至 9000 年）"))
                data[field] = None
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期"))
        return data

    def to_filter(self, **extra) -> TimelineFilter:
        """The filter the form describes; ``extra`` (a history page's subject) overrides it."""
        data = self.cleaned_data
        fields = {
            "since": data.get("since"), "until": data.get("until"), "actor": data.get("actor") or "",
            "unit": data.get("unit") or "", "action": data.get("action") or "", "plan": data.get("plan"),
            "task": data.get("task"), "assignment": data.get("assignment"), "user": data.get("user"),
            "hide_anonymous": bool(data.get("hide_anonymous")),
        }
        return TimelineFilter(**{**fields, **extra})
