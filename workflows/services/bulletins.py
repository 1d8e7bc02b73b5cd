"""Issuing a period's 通报: the supervising office checks the draft, then the Word and PDF files are
made, stored with their SHA-256 in one transaction with one audit event, and mailed after the commit
to the people of every unit the plan has work for (one mail each, the two files attached, saying how
their own unit stood). An issued 通报 never changes; a correction is a new one with its own 文号."""
from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.services import record_event

from ..access.policies import can_read_bulletins, can_supervise, can_view_supervision
from ..models import PeriodBulletin, Plan
from ..supervision import bulletins as documents
from ..supervision.word import DOCX_TYPE
from .errors import Invalid, NotAllowed, NotFound
from .reminders.mail import compose, send_after_commit

LIMITS = {"masthead": 40, "number": 64, "title": 200, "addressees": 300, "issuer": 100, "requirements": 2000}
LABELS = {"masthead": "发文机关标志", "number": "文号", "title": "标题", "addressees": "主送机关",
          "issuer": "发文机关署名", "requirements": "有关要求", "issued_on": "成文日期", "period": "报告期"}


def _plan(plan_id: int) -> Plan:
    plan = Plan.objects.select_related("supervising_unit").filter(pk=plan_id).first()
    if plan is None:
        raise NotFound(_("计划不存在"))
    return plan


def _clean(fields: dict) -> dict:
    """Trimmed values; every field but the requirements is required; each within its length."""
    clean, errors = {}, {}
    for name, limit in LIMITS.items():
        value = (fields.get(name) or "").strip()
        if not value and name != "requirements":
            errors[name] = [_("请填写%(field)s") % {"field": _(LABELS[name])}]
        elif len(value) > limit:
            errors[name] = [_("%(field)s不能超过 %(n)s 个字") % {"field": _(LABELS[name]), "n": limit}]
        clean[name] = value
    if not documents.NUMBER_RE.match(clean["number"]) and "number" not in errors:
        errors["number"] = [_("文号应写作“机关代字〔年份〕序号号”，例如：督查通报〔2026〕3号")]
    elif PeriodBulletin.objects.filter(number=clean["number"]).exists():
        errors["number"] = [_("文号“%(number)s”已经用过，请换一个") % {"number": clean["number"]}]
    if not isinstance(fields.get("issued_on"), dt.date):
        errors["issued_on"] = [_("请填写成文日期")]
    clean["issued_on"] = fields.get("issued_on")
    if errors:
        first = next(iter(errors.values()))[0]
        raise Invalid(first, fields=errors)
    return clean


def _period_summary(actor, plan_id: int, period: str | None, today: dt.date, *, issuing: bool):
    """(plan, the periods, the chosen period, its summary): read by those who view the plan's
    supervision; issued (``issuing``) only by its supervising office."""
    plan = _plan(plan_id)
    if issuing and not can_supervise(actor, plan):
        raise NotAllowed(_("只有该计划的督办单位可以印发通报。"))
    if not can_view_supervision(actor, plan):
        raise NotFound(_("计划不存在，或您无权查看其督办情况。"))
    keys, key = documents.period_of(plan, period, today)
    if key is None:
        raise Invalid(_("该计划还没有这个报告期：请先设置报送周期。") if not keys else _("请选择报告期"),
                      fields={"period": [_("请选择报告期")]})
    return plan, keys, key, documents.period_summary(plan, key, today)


def bulletin_draft(*, actor, plan_id: int, period: str | None, today: dt.date | None = None):
    """(plan, the periods, the chosen period, its summary, the form's defaults) for the page."""
    today = today or timezone.localdate()
    plan, keys, key, summary = _period_summary(actor, plan_id, period, today, issuing=False)
    return plan, keys, key, summary, documents.defaults(plan, summary, today)


def bulletin_issue(*, actor, plan_id: int, period: str, fields: dict, today: dt.date | None = None) -> PeriodBulletin:
    """Make, store, audit and mail the 通报 of ``period``; refused as a whole if any field is wrong."""
    today = today or timezone.localdate()
    plan, _keys, key, summary = _period_summary(actor, plan_id, period, today, issuing=True)
    clean = _clean(fields)
    with translation.override(settings.LANGUAGE_CODE):
        content = documents.content_of(plan, summary, clean)
        docx = documents.bulletin_docx(content)
        pdf = documents.bulletin_pdf(content)
    docx_hash, pdf_hash = hashlib.sha256(docx).hexdigest(), hashlib.sha256(pdf).hexdigest()
    people = recipients_of(plan)
    try:
        with transaction.atomic():
            bulletin = PeriodBulletin.objects.create(
                plan=plan, starts_on=key.starts_on, ends_on=key.ends_on, period_label=key.label,
                number=clean["number"], title=clean["title"], issued_on=clean["issued_on"], as_of=today,
                content=content, issued_by=actor, issued_at=timezone.now(), docx=docx, docx_sha256=docx_hash,
                pdf=pdf, pdf_sha256=pdf_hash, recipients=[p.email for p, _unit in people])
            record_event(action="plan.bulletin_issued", actor=actor, unit=plan.supervising_unit, role="supervisor",
                         target=bulletin, target_label=f"{bulletin.number} {bulletin.title}", plan_id=plan.pk,
                         details={"number": bulletin.number, "title": bulletin.title, "period": key.label,
                                  "as_of": today.isoformat(), "issued_on": clean["issued_on"].isoformat(),
                                  "docx_sha256": docx_hash, "pdf_sha256": pdf_hash, "totals": content["totals"],
                                  "units": content["units"], "recipients": len(people)})
            send_after_commit([_mail(bulletin, content, person, unit, docx=docx, pdf=pdf) for person, unit in people])
    except IntegrityError:  # the same 文号 issued a moment ago
        text = _("文号“%(number)s”已经用过，请换一个") % {"number": clean["number"]}
        raise Invalid(text, fields={"number": [text]}) from None
    return bulletin


def recipients_of(plan: Plan) -> list[tuple]:
    """(person, their unit's short name) for the active people with an address in a unit the plan has
    work for, each once (their first such unit)."""
    seen, out = set(), []
    rows = list(get_user_model().objects.filter(is_active=True, memberships__unit__assignments__task__plan=plan)
                .exclude(email="").values_list("pk", "memberships__unit__short_name").distinct()
                .order_by("username", "memberships__unit__short_name"))
    people = {p.pk: p for p in get_user_model().objects.filter(pk__in={pk for pk, _u in rows})}
    for pk, unit in rows:
        if pk not in seen:
            seen.add(pk)
            out.append((people[pk], unit))
    return out


def _standing(content: dict, unit: str) -> str:
    units = content["units"]
    if unit in units["missing"]:
        return _("你单位（%(unit)s）本期有进展报告未报送，被通报批评，请尽快补报。") % {"unit": unit}
    if unit in units["late"]:
        return _("你单位（%(unit)s）本期逾期报送。") % {"unit": unit}
    if unit in units["on_time"]:
        return _("你单位（%(unit)s）本期按时报送，受到通报表扬。") % {"unit": unit}
    return ""


def _mail(bulletin: PeriodBulletin, content: dict, person, unit: str, *, docx: bytes, pdf: bytes):
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("【通报】%(number)s %(title)s") % {"number": bulletin.number, "title": bulletin.title}
        message = compose("bulletin", subject, {
            "name": person.get_full_name() or person.get_username(), "issuer": content["issuer"],
            "number": bulletin.number, "title": bulletin.title, **content["totals"],
            "standing": _standing(content, unit),
            "url": settings.SITE_URL.rstrip("/") + reverse("approvals:bulletin_detail", args=[bulletin.pk]),
        }, to=[person.email])
    name = f"{bulletin.number}{bulletin.title}"
    message.attach(f"{name}.pdf", pdf, "application/pdf")
    message.attach(f"{name}.docx", docx, DOCX_TYPE)
    return message


def bulletin_for(*, actor, bulletin_id: int, content: bool = False) -> PeriodBulletin:
    """An issued 通报 for those who may read it (its files only when ``content``)."""
    rows = PeriodBulletin.objects.select_related("plan", "plan__supervising_unit", "issued_by")
    if not content:
        rows = rows.defer("docx", "pdf")
    bulletin = rows.filter(pk=bulletin_id).first()
    if bulletin is None or not can_read_bulletins(actor, bulletin.plan):
        raise NotFound(_("通报不存在，或您无权查看。"))
    return bulletin
