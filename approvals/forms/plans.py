from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from workflows.importers import LayoutMapping
from workflows.importers.mapping import COLUMN_ROLES, LABEL_ROLES, ROLE_NAMES
from workflows.models import LayoutProfile, PlanOrigin, Unit, UnitKind
from workflows.services import UnitMapping

ACCEPTED_SUFFIXES = (".txt", ".csv", ".tsv", ".docx", ".xlsx")


class PlanUploadForm(forms.Form):
    file = forms.FileField(
        label=_("计划文件"),
        help_text=_("支持 .txt（UTF-8 或 GB18030）、.csv、.docx、.xlsx"),
        error_messages={"required": _("请选择要导入的文件"), "empty": _("文件为空，没有可导入的内容")},
    )
    profile = forms.ModelChoiceField(
        label=_("版式方案"), queryset=LayoutProfile.objects.all(), required=False, to_field_name="name",
        empty_label=_("（自动识别）"),
        help_text=_("以前为同样版式的文件保存过列映射时选用；不选则自动识别各列"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.PLAN_UPLOAD_MAX_BYTES:
            raise forms.ValidationError(
                _("文件过大（%(size)s 字节），上限为 %(limit)s 字节")
                % {"size": upload.size, "limit": settings.PLAN_UPLOAD_MAX_BYTES}
            )
        if upload.size == 0:
            raise forms.ValidationError(_("文件为空，没有可导入的内容"))
        return upload


class PlanConfirmForm(forms.Form):
    """One choice per unknown unit name, and the plan's supervising office."""

    supervising_unit = forms.ModelChoiceField(
        label=_("督办单位"), queryset=Unit.objects.filter(is_active=True), required=False,
        help_text=_("负责督办验收的单位，例如市政府法制办"),
    )

    def __init__(self, *args, unknown=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.unknown = list(unknown)
        units = list(Unit.objects.filter(is_active=True).only("id", "short_name"))
        for index, item in enumerate(self.unknown):
            suggested = [u for name in item.suggestions for u in units if u.short_name == name]
            others = [u for u in units if u not in suggested]
            choices = [("", _("请选择"))]
            if suggested:
                choices.append((_("最接近的单位"), [(f"unit:{u.pk}", u.short_name) for u in suggested]))
            choices.append((_("新建单位"), [(f"new:{value}", _("新建为“%(kind)s”") % {"kind": label})
                                          for value, label in UnitKind.choices]))
            choices.append((_("其他已有单位"), [(f"unit:{u.pk}", u.short_name) for u in others]))
            self.fields[f"map_{index}"] = forms.ChoiceField(
                label=item.name, choices=choices,
                error_messages={"required": _("请为“%(name)s”选择对应单位或新建") % {"name": item.name}},
            )

    def mapping_fields(self):
        return [(item, self[f"map_{index}"]) for index, item in enumerate(self.unknown)]

    def mappings(self):
        result = []
        for index, item in enumerate(self.unknown):
            kind, _sep, value = self.cleaned_data[f"map_{index}"].partition(":")
            if kind == "unit":
                result.append(UnitMapping(name=item.name, unit_id=int(value)))
            else:
                result.append(UnitMapping(name=item.name, create_kind=value))
        return result


class LayoutMappingForm(forms.Form):
    """One role per column (or label) the document shows; optionally saved as a named profile."""

    profile_name = forms.CharField(
        label=_("保存为版式方案"), required=False, max_length=100,
        help_text=_("填写名称即保存本次映射，以后导入同样版式的文件时可直接选用；不填则只用于本次导入"),
    )

    def __init__(self, *args, layout, **kwargs):
        super().__init__(*args, **kwargs)
        self.layout = layout
        column_choices = [("", _("（自动识别）"))] + [(r, ROLE_NAMES[r]) for r in COLUMN_ROLES]
        label_choices = [("", _("（自动识别）"))] + [(r, ROLE_NAMES[r]) for r in LABEL_ROLES]
        for column in layout.columns:
            self.fields[f"column_{column.index}"] = forms.ChoiceField(
                label=column.header or _("第 %(n)s 列（无表头）") % {"n": column.number},
                choices=column_choices, required=False, initial=column.role or "",
            )
        for index, label in enumerate(layout.labels):
            self.fields[f"label_{index}"] = forms.ChoiceField(
                label=label.label, choices=label_choices, required=False, initial=label.role or "",
            )

    def column_rows(self):
        return [(c, self[f"column_{c.index}"]) for c in self.layout.columns]

    def label_rows(self):
        return [(lab, self[f"label_{i}"]) for i, lab in enumerate(self.layout.labels)]

    def clean(self):
        data = super().clean()
        roles = [data.get(f"column_{c.index}") for c in self.layout.columns]
        for role in ("task", "lead", "responsible", "cooperating", "deadline", "seq", "section"):
            if roles.count(role) > 1:
                raise forms.ValidationError(_("“%(role)s”只能指定给一列") % {"role": ROLE_NAMES[role]})
        return data

    def mapping(self) -> LayoutMapping:
        columns = {c.key: self.cleaned_data[f"column_{c.index}"] for c in self.layout.columns
                   if self.cleaned_data.get(f"column_{c.index}")}
        labels = {lab.label: self.cleaned_data[f"label_{i}"] for i, lab in enumerate(self.layout.labels)
                  if self.cleaned_data.get(f"label_{i}")}
        return LayoutMapping(columns=columns, labels=labels)


class PlanEntryForm(forms.Form):
    """A plan that came without a document. The service checks everything; the form only carries it."""

    title = forms.CharField(label=_("标题"), max_length=300, required=False,
                            help_text=_("例如：关于落实市政府第12次常务会议议定事项的督办"))
    origin = forms.ChoiceField(label=_("来源"), required=False,
                               choices=[("", _("请选择"))] + list(PlanOrigin.choices))
    origin_reference = forms.CharField(
        label=_("来源说明"), max_length=300, required=False,
        help_text=_("批示编号、会议纪要名称或文件名称；来源为“其他”时可不填"))
    supervising_unit = forms.ModelChoiceField(label=_("督办单位"), queryset=Unit.objects.none(), required=False,
                                              empty_label=_("请选择"))
    doc_number = forms.CharField(label=_("文号"), max_length=64, required=False)
    issued_on = forms.DateField(label=_("成文日期"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}),
                                error_messages={"invalid": _("请按“2026-12-06”的格式填写日期")})

    def __init__(self, *args, units, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["supervising_unit"].queryset = units
        only = list(units[:2])
        if len(only) == 1:
            self.fields["supervising_unit"].initial = only[0].pk


class ItemEntryForm(forms.Form):
    """One typed item; names are typed or picked from the directory, several joined by “、”."""

    text = forms.CharField(label=_("事项内容"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    lead = forms.CharField(label=_("牵头单位"), required=False,
                           widget=forms.TextInput(attrs={"list": "unit-names", "data-names": ""}),
                           help_text=_("多个单位用“、”分隔；可从名录中选"))
    responsible = forms.CharField(label=_("责任单位"), required=False,
                                  widget=forms.TextInput(attrs={"list": "unit-names", "data-names": ""}),
                                  help_text=_("可写单位统称，如“各区人民政府”；不填则由牵头单位承办"))
    cooperating = forms.CharField(label=_("配合单位"), required=False,
                                  widget=forms.TextInput(attrs={"list": "unit-names", "data-names": ""}))
    deadline = forms.CharField(label=_("完成时限"), max_length=200, required=False,
                               help_text=_("如“2026年6月底前”“每季度”“长期坚持”"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any((data.get(name) or "").strip() for name in self.fields)


ItemEntryFormSet = forms.formset_factory(ItemEntryForm, extra=0, min_num=1, max_num=200, absolute_max=200)
