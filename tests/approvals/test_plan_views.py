"""The administrator's import in the browser: upload, preview, map unknown names, confirm."""
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.factories import PlanAdministratorFactory, UserFactory
from workflows.models import Plan, Unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(PlanAdministratorFactory(username="importer"))
    return client


def upload(client, name: str, data: bytes):
    return client.post(reverse("plans:plan_import"), {"file": SimpleUploadedFile(name, data)})


def test_an_anonymous_visitor_is_sent_to_the_login_page(client):
    response = client.get(reverse("plans:plan_import"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_user_without_the_administrator_right_may_not_import(client):
    client.force_login(UserFactory())
    assert client.get(reverse("plans:plan_import")).status_code == 403
    assert client.get(reverse("plans:plan_list")).status_code == 200


def test_upload_preview_and_confirm_stores_the_reference_plan(admin_client, reference_bytes):
    response = upload(admin_client, "169号.txt", reference_bytes)
    assert response.status_code == 302
    preview = admin_client.get(response.url)
    page = preview.content.decode()
    assert preview.status_code == 200
    assert "7 个部分，31 项任务" in page
    assert "昆政办发〔2017〕169号" in page
    assert "至2019年底" in page and "行政复议决定的公开率达到90%" in page
    assert Plan.objects.count() == 0  # nothing is stored before confirmation

    supervisor = Unit.objects.get(short_name="市政府法制办")
    confirmed = admin_client.post(response.url, {"confirm": "1", "supervising_unit": supervisor.pk})
    plan = Plan.objects.get()
    assert confirmed.status_code == 302 and confirmed.url == plan.get_absolute_url()
    assert plan.tasks.count() == 31 and plan.supervising_unit == supervisor

    detail = admin_client.get(plan.get_absolute_url()).content.decode()
    assert "依法全面履行政府职能" in detail and "市政府各部门" in detail


def test_unknown_units_must_be_mapped_before_the_plan_is_stored(admin_client):
    text = "1．建设信用平台，2019年底前覆盖率达到95%。（市信用中心、市新局负责）\n"
    response = upload(admin_client, "plan.txt", text.encode("gb18030"))
    preview_url = response.url
    page = admin_client.get(preview_url).content.decode()
    assert "未知单位" in page and "市信用中心" in page and "市信用办" in page

    refused = admin_client.post(preview_url, {"confirm": "1"})
    assert refused.status_code == 400
    assert "请为“市信用中心”选择对应单位或新建" in refused.content.decode()
    assert Plan.objects.count() == 0

    credit = Unit.objects.get(short_name="市信用办")
    done = admin_client.post(preview_url, {"confirm": "1", "map_0": f"unit:{credit.pk}", "map_1": "new:municipal"})
    assert done.status_code == 302
    task = Plan.objects.get().tasks.get()
    assert task.responsible_names == ["市信用中心", "市新局"]
    assert Unit.objects.filter(short_name="市新局").exists()


def test_a_bad_file_shows_a_chinese_error_with_the_line_and_stores_nothing(admin_client):
    data = "1．甲。（市编办负责）\n2．乙。（市编办负责）\n".encode() + b"3\t\x80\x80\xff\n"
    response = upload(admin_client, "bad.txt", data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "无法导入：第 3 行：无法识别文件编码" in page
    assert Plan.objects.count() == 0


def test_a_repeated_task_number_is_a_warning_in_the_preview_not_a_refusal(admin_client):
    response = upload(admin_client, "dup.txt", "1．甲。（市编办负责）\n\n1．乙。（市编办负责）\n".encode())
    assert response.status_code == 302
    page = admin_client.get(response.url).content.decode()
    assert "已按出现顺序统一编为第 1–2 项" in page
    assert Plan.objects.count() == 0


def test_an_empty_or_binary_upload_is_refused_clearly(admin_client):
    assert "文件为空" in upload(admin_client, "empty.txt", b"").content.decode()
    binary = upload(admin_client, "image.txt", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    assert binary.status_code == 400 and "图片文件" in binary.content.decode()


def test_an_xlsx_plan_imports_through_the_browser(admin_client):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["序号", "工作任务", "牵头单位", "责任单位", "完成时限"])
    sheet.append([1, "完善行政复议制度", "市政府法制办", "各区镇", "2018年12月底前"])
    buffer = io.BytesIO()
    book.save(buffer)
    response = upload(admin_client, "plan.xlsx", buffer.getvalue())
    page = admin_client.get(response.url).content.decode()
    assert "完善行政复议制度" in page and "2018年12月31日" in page
    assert admin_client.post(response.url, {"confirm": "1"}).status_code == 302
    assert Plan.objects.get().source_format == "xlsx"


def test_importing_the_same_file_again_is_refused_in_the_preview(admin_client, reference_bytes):
    first = upload(admin_client, "a.txt", reference_bytes)
    admin_client.post(first.url, {"confirm": "1"})
    second = upload(admin_client, "b.txt", reference_bytes)
    page = admin_client.get(second.url).content.decode()
    assert "不能重复导入" in page
    refused = admin_client.post(second.url, {"confirm": "1"})
    assert refused.status_code == 409 and Plan.objects.count() == 1


def test_cancelling_removes_the_staged_upload(admin_client, reference_bytes, settings):
    response = upload(admin_client, "a.txt", reference_bytes)
    admin_client.post(response.url, {"cancel": "1"})
    assert admin_client.get(response.url).status_code == 404
    assert not list((settings.MEDIA_ROOT / "staging").iterdir())


def test_another_users_staged_upload_is_not_found(admin_client, client, reference_bytes):
    response = upload(admin_client, "a.txt", reference_bytes)
    other = PlanAdministratorFactory(username="other-admin")
    from django.test import Client

    intruder = Client()
    intruder.force_login(other)
    assert intruder.get(response.url).status_code == 404


def test_the_ui_speaks_chinese_by_default_and_english_on_request(client):
    client.force_login(UserFactory())
    assert "计划" in client.get(reverse("plans:plan_list")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/plans/"})
    english = client.get(reverse("plans:plan_list")).content.decode()
    assert "No plans have been imported yet." in english
    assert '<html lang="en">' in english


def test_the_login_page_is_in_chinese(client):
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="zh-hans">' in page and "用户名" in page and "密码" in page


# --- the mapping step -------------------------------------------------------------------------

NO_UNIT_HEADER = "\n".join([
    "某市2026年重点工作任务分解表",
    "序号\t工作任务\t抓总\t完成时限",
    "1\t推进政务服务一网通办，实现高频事项全程网办\t财政\t2026年6月底前",
    "2\t完成社会信用平台建设\t编办\t2026年底",
    "",
])


def test_a_table_without_a_recognised_unit_column_goes_to_the_mapping_step_and_imports_after_it(admin_client):
    from workflows.models import LayoutProfile

    data = NO_UNIT_HEADER.replace("\t财政\t", "\t市财政局\t").replace("\t编办\t", "\t市编办\t")
    # Cells too short to read as units ("财政"): detection falls short, the user maps the column.
    response = upload(admin_client, "plan.txt", NO_UNIT_HEADER.encode())
    assert response.status_code == 302 and response.url.endswith("/map/")
    page = admin_client.get(response.url).content.decode()
    assert "第 2 行像是表头（序号、工作任务、抓总、完成时限），但没有识别出牵头单位或责任单位列" in page
    assert "没有识别出牵头单位列" in page

    mapped = admin_client.post(response.url, {"column_0": "", "column_1": "", "column_2": "lead", "column_3": "",
                                              "profile_name": "某市抓总表"})
    assert mapped.status_code == 302 and "/map/" not in mapped.url
    assert LayoutProfile.objects.get(name="某市抓总表").mapping["columns"] == {"抓总": "lead"}
    preview = admin_client.get(mapped.url).content.decode()
    assert "按版式方案“某市抓总表”" in preview
    # The unknown short name is a problem beside its task, not only in a list at the top.
    assert 'data-task-problems' in preview and "未知单位“财政”（第 1 项任务）" in preview

    # The profile serves the next file of the same layout from the upload page.
    second = admin_client.post(reverse("plans:plan_import"), {
        "file": SimpleUploadedFile("second.txt", data.encode()), "profile": "某市抓总表"})
    assert second.status_code == 302 and "/map/" not in second.url
    supervisor = Unit.objects.get(short_name="市政府法制办")
    admin_client.post(second.url, {"confirm": "1", "supervising_unit": supervisor.pk})
    plan = Plan.objects.get()
    assert [t.lead_names for t in plan.tasks.order_by("number")] == [["市财政局"], ["市编办"]]


def test_two_columns_given_the_same_role_are_refused_and_what_was_chosen_is_kept(admin_client):
    response = upload(admin_client, "plan.txt", NO_UNIT_HEADER.encode())
    refused = admin_client.post(response.url, {"column_1": "task", "column_2": "task", "column_3": ""})
    page = refused.content.decode()
    assert refused.status_code == 400
    assert "“任务内容”只能指定给一列" in page
    assert page.count('<option value="task" selected>') == 2


def test_a_legacy_word_file_is_refused_on_the_upload_page_not_sent_to_mapping(admin_client):
    response = upload(admin_client, "plan.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100))
    assert response.status_code == 400
    assert "另存为" in response.content.decode()
