"""The forms of an assignment's year: a period report, its return, and the plan's reporting cadence."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from workflows.models import ReportCadence

from .assignments import Form


class PeriodReportForm(Form):
    text = forms.CharField(label=_("本期进展情况"), max_length=20_000, strip=True,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           error_messages={"required": _("请填写本期进展情况"), "max_length": _("进展情况不能超过 20000 字")})
    percent = forms.IntegerField(label=_("完成进度（%，可不填）"), required=False, min_value=0, max_value=100,
                                 widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": 100}),
                                 error_messages={"invalid": _("完成进度请填 0 到 100 的整数"),
                                                 "min_value": _("完成进度请填 0 到 100 的整数"),
                                                 "max_value": _("完成进度请填 0 到 100 的整数")})
    milestones = forms.TypedMultipleChoiceField(label=_("本期完成的节点"), required=False, coerce=int, choices=(),
                                                widget=forms.CheckboxSelectMultiple,
                                                error_messages={"invalid_choice": _("所选节点已完成或已删除，请刷新页面后重选")})

    def __init__(self, *args, milestones=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["milestones"].choices = [
            (m.pk, f"{m.title}（{m.due_on.year}年{m.due_on.month}月{m.due_on.day}日）") for m in milestones]


class PeriodReturnForm(Form):
    reason = forms.CharField(label=_("退回理由"), max_length=2000, strip=True, widget=forms.Textarea(attrs={"rows": 2}),
                             error_messages={"required": _("请填写退回理由")})


class CadenceForm(Form):
    report_cadence = forms.ChoiceField(label=_("报送周期"), choices=ReportCadence.choices,
                                       error_messages={"required": _("请选择报送周期"),
                                                       "invalid_choice": _("请选择报送周期")})
    report_day = forms.IntegerField(label=_("报送日"), min_value=0, max_value=28, initial=0,
                                    help_text=_("0 表示每期最后一天前报送；1—28 表示次月该日前报送（遇节假日顺延到下一个工作日）"),
                                    error_messages={"required": _("请填写报送日（0—28）"),
                                                    "invalid": _("报送日请填 0 到 28 的整数"),
                                                    "min_value": _("报送日请填 0 到 28 的整数"),
                                                    "max_value": _("报送日请填 0 到 28 的整数")})
    ends_on = forms.DateField(label=_("计划结束日期（长期坚持类任务报送到此日，可不填）"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"invalid": _("请按“2026-11-28”的格式填写日期")})


class ExtensionRequestForm(Form):
    requested_due = forms.DateField(label=_("申请延期至"), widget=forms.DateInput(attrs={"type": "date"}),
                                    error_messages={"required": _("请填写申请延期至的日期"),
                                                    "invalid": _("请按“2026-11-28”的格式填写日期")})
    reason = forms.CharField(label=_("延期理由"), max_length=2000, strip=True, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("写明未能按期完成的原因、目前进展和保证措施"),
                             error_messages={"required": _("请填写延期理由")})


class ExtensionApproveForm(Form):
    opinion = forms.CharField(label=_("审批意见（可不填）"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionRejectForm(Form):
    reason = forms.CharField(label=_("不予批准的理由"), max_length=2000, strip=True,
                             widget=forms.Textarea(attrs={"rows": 2}), error_messages={"required": _("不予批准须填写理由")})


class MilestoneForm(Form):
    title = forms.CharField(label=_("节点"), max_length=200, strip=True,
                            widget=forms.TextInput(attrs={"placeholder": _("例如：完成方案起草")}),
                            error_messages={"required": _("请填写节点名称"), "max_length": _("节点名称不超过 200 字")})
    target = forms.CharField(label=_("目标（可不填）"), required=False, max_length=500, strip=True,
                             error_messages={"max_length": _("目标不超过 500 字")})
    due_on = forms.DateField(label=_("计划完成日期"), widget=forms.DateInput(attrs={"type": "date"}),
                             error_messages={"required": _("请填写计划完成日期"),
                                             "invalid": _("请按“2026-11-28”的格式填写日期")})


class BulletinForm(Form):
    """The 通报 as the office issues it: every field starts from the draft and may be changed."""
    masthead = forms.CharField(label=_("发文机关标志"), max_length=40, error_messages={"required": _("请填写发文机关标志")})
    number = forms.CharField(label=_("文号"), max_length=64, error_messages={"required": _("请填写文号")},
                             help_text=_("例如：督查通报〔2026〕3号"))
    title = forms.CharField(label=_("标题"), max_length=200, error_messages={"required": _("请填写标题")})
    addressees = forms.CharField(label=_("主送机关"), max_length=300, error_messages={"required": _("请填写主送机关")})
    requirements = forms.CharField(label=_("有关要求（每段一行，可不填）"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    issuer = forms.CharField(label=_("发文机关署名"), max_length=100, error_messages={"required": _("请填写发文机关署名")})
    issued_on = forms.DateField(label=_("成文日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                                error_messages={"required": _("请填写成文日期"),
                                                "invalid": _("请按“2026-11-28”的格式填写日期")})
