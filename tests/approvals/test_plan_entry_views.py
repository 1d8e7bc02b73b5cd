"""新建计划（无文件） and 添加督办事项 in the browser: rows added and removed keep what was typed,
errors stand beside the field at fault, nothing is stored until everything is right."""
import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.world import person
from workflows.models import Plan, PlanOrigin, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client):
    client.force_login(person("duchashi", "市政府法制办", "supervisor"))
    return client


def management(total: int) -> dict:
    return {"items-TOTAL_FORMS": str(total), "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "1",
            "items-MAX_NUM_FORMS": "200"}


def plan_fields(**overrides) -> dict:
    legal = Unit.objects.get(short_name="市政府法制办")
    data = {"title": "市长关于2026年老旧小区改造的批示", "origin": PlanOrigin.INSTRUCTION,
            "origin_reference": "市长批示〔2026〕12号", "supervising_unit": str(legal.pk)}
    data.update(overrides)
    return data


def item(index: int, **fields) -> dict:
    return {f"items-{index}-{name}": value for name, value in fields.items()}


def test_only_supervisors_and_administrators_may_enter_plans(client):
    client.force_login(UserFactory())
    assert client.get(reverse("plans:plan_create")).status_code == 403
    assert "新建计划（无文件）" not in client.get(reverse("plans:plan_list")).content.decode()


def test_the_form_offers_the_directory_and_only_the_supervisors_own_office(supervisor_client):
    page = supervisor_client.get(reverse("plans:plan_create")).content.decode()
    assert '<datalist id="unit-names">' in page and '<option value="市财政局">' in page
    assert '<option value="市政府各部门" label="单位统称">' in page
    assert "市政府法制办</option>" in page and "市财政局</option>" not in page  # 督办单位 choices
    assert "新建计划（无文件）" in supervisor_client.get(reverse("plans:plan_list")).content.decode()


def test_adding_and_removing_rows_keeps_everything_typed_and_stores_nothing(supervisor_client):
    data = {**plan_fields(), **management(1), **item(0, text="制定改造方案", lead="市财政局", deadline="2026年6月底前"),
            "add_item": "1"}
    page = supervisor_client.post(reverse("plans:plan_create"), data).content.decode()
    assert page.count('class="card entry-item"') == 2 and 'id="new-item"' in page
    assert "制定改造方案" in page and 'value="2026年6月底前"' in page and 'value="市长批示〔2026〕12号"' in page

    data = {**plan_fields(), **management(2), **item(0, text="第一项", lead="市财政局"),
            **item(1, text="第二项", lead="市民政局"), "remove_item": "0"}
    page = supervisor_client.post(reverse("plans:plan_create"), data).content.decode()
    assert page.count('class="card entry-item"') == 1 and "第二项" in page and "第一项" not in page
    assert Plan.objects.count() == 0


def test_errors_name_the_item_and_field_and_keep_what_was_typed(supervisor_client):
    data = {**plan_fields(origin_reference=""), **management(2),
            **item(0, text="制定改造方案", lead="市财政局"),
            **item(1, text="建立台账", lead="市新局", deadline="尽快吧")}
    response = supervisor_client.post(reverse("plans:plan_create"), data)
    page = response.content.decode()
    assert response.status_code == 400 and Plan.objects.count() == 0
    assert "请填写来源说明" in page
    assert "第 2 项：牵头单位“市新局”不在单位名录中" in page
    assert "第 2 项：完成时限“尽快吧”无法识别" in page
    assert "建立台账" in page and 'value="市新局"' in page and "制定改造方案" in page


def test_saving_stores_the_plan_and_its_page_shows_the_source_and_the_items(supervisor_client):
    data = {**plan_fields(), **management(3),
            **item(0, text="制定改造方案", lead="市财政局", responsible="市财政局、市民政局", deadline="2026年6月底前"),
            **item(1),  # a row left blank is not an item
            **item(2, text="建立工作台账", lead="市民政局", deadline="每季度")}
    response = supervisor_client.post(reverse("plans:plan_create"), data)
    plan = Plan.objects.get()
    assert response.status_code == 302 and response.url == plan.get_absolute_url()
    assert [t.text for t in plan.tasks.order_by("number")] == ["制定改造方案", "建立工作台账"]
    page = supervisor_client.get(plan.get_absolute_url()).content.decode()
    assert "领导批示：市长批示〔2026〕12号" in page and "原始文件" not in page
    assert "添加督办事项" in page and "交办" in page


def test_an_item_is_added_to_a_typed_plan_and_refused_on_an_imported_one(supervisor_client):
    data = {**plan_fields(), **management(1), **item(0, text="制定改造方案", lead="市财政局")}
    supervisor_client.post(reverse("plans:plan_create"), data)
    plan = Plan.objects.get()
    url = reverse("plans:plan_item_add", args=[plan.pk])

    refused = supervisor_client.post(url, {"text": "", "lead": "市财政局"})
    assert refused.status_code == 400 and "第 2 项：请填写事项内容" in refused.content.decode()
    added = supervisor_client.post(url, {"text": "开展专项检查", "lead": "市民政局", "deadline": "2026年9月—12月"})
    assert added.status_code == 302
    assert plan.tasks.get(number=2).text == "开展专项检查"

    plan.source_sha256 = "0" * 64
    plan.save(update_fields=["source_sha256"])
    assert supervisor_client.get(url).status_code == 403
