"""The forms people act through: the assignment actions, uploads, filters and dispatch choices.

Forms only check what a person typed; whether the action is allowed is the services' answer.
"""
from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from workflows.ids import MAX_ID, IdChoiceField, parse_id
from workflows.lights import DONE, LIGHTS, light_q
from workflows.models import AssignmentState, Plan, Unit
from workflows.selectors.inbox import inbox_items
from workflows.services.batch import BATCH_ACTIONS


class Form(forms.Form):
    """Chinese labels carry no trailing colon (Django sets the suffix per instance, so pass it in)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def add_refusal(self, exc, rename: dict[str, str] | None = None) -> None:
        """Put a refused service's field messages (``exc.fields``) under the fields they name (the
        service's name, or ``rename``'s for it), the rest above the form."""
        for field, errors in exc.fields.items():
            name = (rename or {}).get(field, field)
            for message in errors:
                self.add_error(name if name in self.fields else None, message)


class StartForm(Form):
    """Nothing to fill in: the button is the whole form."""


class OpinionForm(Form):
    opinion = forms.CharField(label=_("意见（可不填）"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class RecallForm(Form):
    reason = forms.CharField(label=_("撤回说明（可不填）"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("牵头审核单位查阅前可以撤回；撤回后修改，再重新报送"))


class ReturnForm(Form):
    reason = forms.CharField(label=_("退回理由"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("请填写退回理由")})


class SubmitForm(Form):
    """The written report, which current files go in (all by default) and a "no file" statement."""

    report = forms.CharField(label=_("书面报告"), max_length=50000, widget=forms.Textarea(attrs={"rows": 8}),
                             error_messages={"required": _("请填写书面报告")})
    evidence_ids = forms.TypedMultipleChoiceField(
        label=_("随本次报送的佐证材料"), required=False, coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("所选佐证材料不属于该承办件")})
    no_file_statement = forms.CharField(
        label=_("无佐证材料说明"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不附任何文件时，请说明原因"))

    def __init__(self, *args, files_available=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(f.pk, f.original_name) for f in files_available]
        self.fields["evidence_ids"].choices = choices
        self.fields["evidence_ids"].initial = [pk for pk, _name in choices]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one input, each checked as a FileField checks one (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data] if data else [single(None, initial)]
        return [single(data, initial)]


class UploadForm(Form):
    file = MultipleFileField(label=_("佐证材料文件"), help_text=_("可一次选择多个文件"), error_messages={
        "required": _("请选择要上传的文件"), "empty": _("文件为空"), "invalid": _("请选择要上传的文件")})


class DueDateForm(Form):
    due_date = forms.DateField(label=_("办理期限"), widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"required": _("请填写办理期限"),
                                               "invalid": _("请按“2026-11-28”的格式填写日期")})
    reason = forms.CharField(label=_("调整理由（承办单位已开始办理的须填写）"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("开始办理后延后期限，记为督办单位批准的延期；考核按原定期限计算，经批准延期的除外"))


class BatchForm(Form):
    """批量操作 on the 承办件 list: the action, the ticked assignments and what the action needs."""
    action = forms.ChoiceField(label=_("批量操作"), choices=[("", _("请选择"))] + list(BATCH_ACTIONS.items()),
                               error_messages={"required": _("请选择批量操作"), "invalid_choice": _("请选择批量操作")})
    ids = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=(),
                                         error_messages={"invalid_choice": _("所选承办件无效")})
    message = forms.CharField(label=_("催办内容"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    opinion = forms.CharField(label=_("验收意见（可不填）"), required=False, max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    due_date = forms.DateField(label=_("新的办理期限"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                               error_messages={"invalid": _("请按“2026-11-28”的格式填写日期")})
    reason = forms.CharField(label=_("调整理由（承办单位已开始办理的须填写）"), required=False, max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("开始办理后延后期限，记为督办单位批准的延期；考核按原定期限计算，经批准延期的除外"))
    back = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        # Any positive id is a choice; the service says which the person may act on.
        self.fields["ids"].choices = [(v, v) for v in values if parse_id(v) is not None]


class RoundOpenForm(Form):
    name = forms.CharField(label=_("轮次名称"), max_length=64, error_messages={"required": _("请填写轮次名称")},
                           widget=forms.TextInput(attrs={"placeholder": _("例如：2018年度")}))


class DispatchForm(Form):
    round = forms.TypedChoiceField(label=_("报送轮次"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, rounds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].choices = [("", _("默认（首轮）"))] + [(r.pk, r.name) for r in rounds]


class SelectUnitsForm(Form):
    """The units behind a task's "relevant" terms, offered from the active units of the matching kind."""

    units = forms.MultipleChoiceField(label=_("承办单位"), widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("请至少选择一个单位"),
                                                      "invalid_choice": _("“%(value)s”不在可选单位中")})

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].choices = [(u.short_name, u.short_name) for u in units]


def plan_label(plan) -> str:
    title = plan.title if len(plan.title) <= 40 else plan.title[:39] + "…"
    return f"{plan.doc_number} {title}" if plan.doc_number else title


class AssignmentFilterForm(Form):
    field_order = ["q", "mine", "plan", "unit", "state", "light", "task"]
    state = forms.ChoiceField(label=_("状态"), required=False,
                              choices=[("", _("全部"))] + list(AssignmentState.choices))
    plan = IdChoiceField(label=_("计划"), required=False, empty_label=_("全部"),
                                  queryset=Plan.objects.only("id", "title").order_by("-imported_at", "-id"),
                                  error_messages={"invalid_choice": _("所选计划不存在")})
    unit = IdChoiceField(label=_("责任单位"), required=False, empty_label=_("全部"),
                                  queryset=Unit.objects.only("id", "short_name").order_by("order", "short_name"),
                                  error_messages={"invalid_choice": _("所选单位不存在")})
    light = forms.ChoiceField(label=_("灯号"), required=False,
                              choices=[("", _("全部"))] + [(k, v) for k, v in LIGHTS.items()]
                              + [(DONE, _("已办结"))],
                              error_messages={"invalid_choice": _("灯号只能是绿灯、黄灯、红灯或已办结")})
    q = forms.CharField(label=_("关键词"), required=False, max_length=100, strip=True,
                        widget=forms.TextInput(attrs={"placeholder": _("任务内容、单位、计划或文号"),
                                                      "type": "search"}),
                        error_messages={"max_length": _("关键词不超过 100 个字")})
    mine = forms.BooleanField(label=_("只看我的待办"), required=False)
    task = forms.IntegerField(label=_("任务编号"), required=False, min_value=1, max_value=MAX_ID,
                              error_messages={"invalid": _("任务编号应为正整数"),
                                              "min_value": _("任务编号应为正整数"),
                                              "max_value": _("任务编号超出范围")})
    after = forms.RegexField(regex=r"^\d{4}-\d{2}-\d{2}_\d+$", required=False, widget=forms.HiddenInput,
                             error_messages={"invalid": _("翻页参数无效")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A plan is known by its 文号 first: titles of one city's plans often begin alike.
        self.fields["plan"].label_from_instance = plan_label
        self.fields["plan"].queryset = self.fields["plan"].queryset.only("id", "title", "doc_number")

    def filter(self, queryset, *, user=None):
        """Apply the chosen filters and the keyset position (due date, id) to ``queryset``;
        ``user``, for 只看我的待办 (what waits for that person in 我的待办)."""
        data = self.cleaned_data
        if data.get("q"):
            words = data["q"].split()
            for word in words:
                match = (Q(task__text__icontains=word) | Q(unit__short_name__icontains=word)
                         | Q(unit__full_name__icontains=word) | Q(task__plan__title__icontains=word)
                         | Q(task__plan__doc_number__icontains=word))
                queryset = queryset.filter(match)
        if data.get("mine") and user is not None:
            queryset = queryset.filter(pk__in=inbox_items(user).values("assignment_id"))
        if data.get("state"):
            queryset = queryset.filter(state=data["state"])
        if data.get("plan"):
            queryset = queryset.filter(task__plan=data["plan"])
        if data.get("unit"):
            queryset = queryset.filter(unit=data["unit"])
        if data.get("task"):
            queryset = queryset.filter(task__number=data["task"])
        if data.get("light"):
            queryset = queryset.filter(light_q(data["light"]))
        if data.get("after"):
            due, pk = data["after"]
            queryset = queryset.filter(Q(due_date__gt=due) | Q(due_date=due, pk__gt=pk))
        return queryset

    def clean_after(self):
        value = self.cleaned_data.get("after")
        if not value:
            return None
        due, _sep, pk = value.partition("_")
        try:
            day, number = dt.date.fromisoformat(due), int(pk)
        except ValueError:
            raise forms.ValidationError(_("翻页参数无效")) from None
        if parse_id(number) is None:
            raise forms.ValidationError(_("翻页参数无效"))
        return day, number
