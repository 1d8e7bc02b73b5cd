"""Layout profiles: a mapping of what a document's columns and labels mean, saved by name."""
from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import record_event

from ..access.policies import can_import_plans
from ..importers import LayoutMapping, PlanParseError, read_blocks
from ..importers.layout import DocumentLayout, read_layout
from ..models import LayoutProfile
from ..selectors.directory import unit_directory
from .errors import Invalid, NotAllowed, NotFound

PROFILE_NAME_MAX = LayoutProfile._meta.get_field("name").max_length


def plan_layout(*, data: bytes, filename: str, mapping: LayoutMapping | None = None) -> DocumentLayout:
    """The document's columns (or labels) and the role each is read as; writes nothing.

    Raises PlanParseError for a file that cannot be read at all (a .doc, a damaged .xlsx).
    """
    blocks, _format = read_blocks(data, filename)
    return read_layout(blocks, mapping, unit_directory().names())


def profile_mapping(name: str) -> LayoutMapping:
    """The saved mapping of the profile ``name``; NotFound if there is none."""
    profile = LayoutProfile.objects.filter(name=name.strip()).first()
    if profile is None:
        known = "、".join(LayoutProfile.objects.values_list("name", flat=True)) or _("（尚无）")
        raise NotFound(_("没有名为“%(name)s”的版式方案；已有：%(known)s") % {"name": name, "known": known})
    try:
        return LayoutMapping.from_dict(profile.mapping)
    except PlanParseError as exc:
        raise Invalid(_("版式方案“%(name)s”已损坏：%(error)s") % {"name": name, "error": exc.message}) from exc


def layout_profile_save(*, actor, name: str, mapping: LayoutMapping) -> LayoutProfile:
    """Create the profile ``name``, or replace its mapping; audited with the mapping before and after.

    Raises NotAllowed unless ``actor`` may import plans (None: a command on the server), Invalid
    for an empty name or an empty mapping.
    """
    if actor is not None and not can_import_plans(actor):
        raise NotAllowed(_("您无权保存版式方案"))
    name = (name or "").strip()
    if not name:
        raise Invalid(_("请填写版式方案的名称"))
    if len(name) > PROFILE_NAME_MAX:
        raise Invalid(_("版式方案名称不能超过 %(max)s 个字") % {"max": PROFILE_NAME_MAX})
    if mapping.empty:
        raise Invalid(_("映射为空：请至少为一列或一个标签指定用途"))
    with transaction.atomic(durable=True):
        profile = LayoutProfile.objects.select_for_update().filter(name=name).first()
        before = profile.mapping if profile is not None else None
        if profile is None:
            profile = LayoutProfile(name=name, created_by=actor if getattr(actor, "pk", None) else None)
        profile.mapping = mapping.to_dict()
        profile.save()
        record_event(action="layout_profile.saved", actor=actor, target=profile,
                     details={"name": name, "before": before, "after": profile.mapping})
    return profile


def layout_profile_delete(*, actor, name: str) -> None:
    if actor is not None and not can_import_plans(actor):
        raise NotAllowed(_("您无权删除版式方案"))
    with transaction.atomic(durable=True):
        profile = LayoutProfile.objects.select_for_update().filter(name=name).first()
        if profile is None:
            raise NotFound(_("没有名为“%(name)s”的版式方案") % {"name": name})
        record_event(action="layout_profile.deleted", actor=actor, target=profile,
                     details={"name": name, "mapping": profile.mapping})
        profile.delete()
