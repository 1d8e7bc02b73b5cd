"""The 报告期报送情况 page and the 通报 it issues: the office sees each unit's figures and the draft,
issues it (a wrong field keeps what was typed), downloads Word and PDF; auditors read without the
form; the units' people read the issued one; anyone else gets not-found."""
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from tests.workflows.services.test_bulletins import monthly_world
from tests.world import person, signed_in
from workflows.models import PeriodBulletin, PeriodReport, Unit

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def world():
    return monthly_world(70)


def form_data(page_context, **changes):
    form = page_context["form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    data["issued_on"] = data["issued_on"].isoformat()
    return {**data, "period": page_context["period"].value, **changes}


def test_the_office_sees_the_period_and_issues_the_bulletin_and_a_bad_number_keeps_what_was_typed(world):
    client = signed_in(world.supervisor)
    url = reverse("approvals:bulletin_new", args=[world.plan.pk])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-unit="市财政局"' in body and 'data-standing="missing"' in body and "印发通报" in body
    refused = client.post(url, form_data(page.context, number="第七期", title="我改过的标题"))
    assert refused.status_code == 400 and "文号应写作" in refused.content.decode()
    assert "我改过的标题" in refused.content.decode() and not PeriodBulletin.objects.exists()
    issued = client.post(url, form_data(page.context))
    bulletin = PeriodBulletin.objects.get()
    assert issued.status_code == 302 and issued["Location"] == reverse("approvals:bulletin_detail", args=[bulletin.pk])
    detail = client.get(issued["Location"]).content.decode()
    assert bulletin.number in detail and bulletin.docx_sha256 in detail and "市财政局" in detail
    docx = client.get(reverse("approvals:bulletin_download", args=[bulletin.pk, "docx"]))
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert bulletin.number in text and "市财政局" in text
    pdf = client.get(reverse("approvals:bulletin_download", args=[bulletin.pk, "pdf"]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    listing = client.get(reverse("approvals:plan_bulletins", args=[world.plan.pk])).content.decode()
    assert f'data-bulletin="{bulletin.number}"' in listing


def test_auditors_read_without_the_form_units_read_the_issued_one_and_others_get_not_found(world):
    client = signed_in(world.supervisor)
    url = reverse("approvals:bulletin_new", args=[world.plan.pk])
    client.post(url, form_data(client.get(url).context))
    bulletin = PeriodBulletin.objects.get()
    auditor = signed_in(world.auditor)
    page = auditor.get(url)
    assert page.status_code == 200 and page.context["form"] is None
    assert auditor.post(url, {"period": page.context["period"].value}).status_code == 403
    detail = reverse("approvals:bulletin_detail", args=[bulletin.pk])
    assert signed_in(world.submitter).get(detail).status_code == 200
    assert signed_in(world.submitter).get(url).status_code == 404  # the office's page is not theirs
    Unit.objects.get_or_create(short_name="市档案局")
    stranger = person("stranger", "市档案局", "submitter")
    assert signed_in(stranger).get(detail).status_code == 404
    assert signed_in(stranger).get(reverse("approvals:bulletin_download", args=[bulletin.pk, "pdf"])).status_code == 404
    assert PeriodReport.objects.filter(assignment__task__plan=world.plan).exists()
