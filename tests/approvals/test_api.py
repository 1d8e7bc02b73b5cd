"""The JSON API: the whole path by token, every refusal's status and body, scoped lists."""
import hashlib
import io
import json

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from audit.models import AuditEvent
from tests.factories import UserFactory
from workflows.models import Assignment, Evidence, Unit
from workflows.services import plan_import
from workflows.services.dispatch import plan_dispatch, task_select_units
from workflows.services.memberships import membership_grant

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


class World:
    """The reference plan, its people, and the assignment of task 1 for 市财政局."""

    def __init__(self, reference_bytes):
        self.plan = plan_import(actor=None, data=reference_bytes, filename="169号.txt",
                                supervising_unit=Unit.objects.get(short_name="市政府法制办"))
        self.supervisor = self.person("duban", "市政府法制办", "supervisor")
        self.submitter = self.person("caizheng", "市财政局", "submitter")
        self.reviewer = self.person("bianban", "市编办", "reviewer")
        self.auditor = self.person("shenji", "市审计局", "auditor")
        self.other = self.person("fagai", "市发改委", "submitter")
        self.task1 = self.plan.tasks.get(number=1)

    @staticmethod
    def person(username, unit, role):
        user = UserFactory(username=username)
        membership_grant(actor=None, user=user, unit=Unit.objects.get(short_name=unit), role=role)
        return user

    def dispatch(self, **kwargs):
        return plan_dispatch(actor=self.supervisor, plan_id=self.plan.pk, **kwargs)

    @property
    def assignment(self) -> Assignment:
        return Assignment.objects.get(task=self.task1, unit__short_name="市财政局")


@pytest.fixture
def world(reference_bytes):
    return World(reference_bytes)


@pytest.fixture
def dispatched(world):
    world.dispatch(task_id=world.task1.pk)
    return world


def token_for(user) -> str:
    out = io.StringIO()
    call_command("api_token", user.username, stdout=out)
    return out.getvalue().strip()


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {token_for(user)}")
    return client


def url(assignment_id, action="") -> str:
    return f"/api/assignments/{assignment_id}/" + (f"{action}/" if action else "")


def pdf(name="进展情况.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def assignment_events(assignment_id):
    return list(AuditEvent.objects.filter(assignment_id=assignment_id).order_by("seq")
                .values_list("action", flat=True))


def start_and_submit(submitter, pk):
    api(submitter).post(url(pk, "start"))
    answer = api(submitter).post(url(pk, "submit"), {"report": "已完成", "no_file_statement": "无纸质材料"},
                                       format="json")
    assert answer.status_code == 200, answer.json()


# The whole path --------------------------------------------------------------------------


def test_an_assignment_goes_from_dispatched_to_accepted_by_token_with_one_return(dispatched):
    world, pk = dispatched, dispatched.assignment.pk
    submitter, reviewer, supervisor = api(world.submitter), api(world.reviewer), api(world.supervisor)

    def check(client, state, actions):
        body = client.get(url(pk)).json()
        assert (body["state"], body["available_actions"]) == (state, actions)
        return body

    body = check(submitter, "assigned", ["start", "upload_evidence"])
    assert body["state_label"] == "已交办" and body["unit"] == "市财政局" and body["rounds"] == []
    assert body["task"]["number"] == 1 and body["task"]["plan"] == world.plan.pk
    check(reviewer, "assigned", [])

    answer = submitter.post(url(pk, "start"))
    assert answer.status_code == 200 and answer.json()["state"] == "in_progress"
    assert answer.json()["available_actions"] == ["submit", "upload_evidence"]

    uploaded = submitter.post(url(pk, "evidence"), {"file": pdf()}, format="multipart")
    assert uploaded.status_code == 201, uploaded.json()
    evidence = uploaded.json()
    assert (evidence["name"], evidence["content_type"], evidence["size"]) == ("进展情况.pdf", "application/pdf",
                                                                             len(PDF))
    assert evidence["sha256"] == hashlib.sha256(PDF).hexdigest()
    check(submitter, "in_progress", ["submit", "upload_evidence"])

    answer = submitter.post(url(pk, "submit"), {"report": "已完成职责清单", "evidence_ids": [evidence["id"]]},
                            format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "submitted"
    [first] = answer.json()["rounds"]
    assert first["number"] == 1 and first["submitted_by"] == "caizheng"
    assert [f["id"] for f in first["files"]] == [evidence["id"]]
    check(submitter, "submitted", ["recall"])  # until the reviewer reads it
    check(reviewer, "submitted", ["approve", "return"])

    answer = reviewer.post(url(pk, "return"), {"reason": "缺少清单附件"}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "in_progress"
    [first] = answer.json()["rounds"]
    assert (first["return_reason"], first["returned_from"], first["returned_by"]) == (
        "缺少清单附件", "submitted", "bianban")
    check(submitter, "in_progress", ["submit", "upload_evidence"])
    check(reviewer, "in_progress", [])

    answer = submitter.post(url(pk, "submit"), {"report": "已补充清单"}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "submitted"
    assert [r["report"] for r in answer.json()["rounds"]] == ["已完成职责清单", "已补充清单"]
    check(reviewer, "submitted", ["approve", "return"])

    answer = reviewer.post(url(pk, "approve"), {"opinion": "同意"}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "lead_reviewed"
    assert answer.json()["rounds"][-1]["review_opinion"] == "同意"
    check(reviewer, "lead_reviewed", [])
    check(supervisor, "lead_reviewed", ["accept", "return"])

    answer = supervisor.post(url(pk, "accept"), {}, format="json")
    assert answer.status_code == 200 and answer.json()["state"] == "accepted"
    assert answer.json()["state_label"] == "已验收办结"
    for client in (submitter, reviewer, supervisor):
        check(client, "accepted", [])

    assert assignment_events(pk) == [
        "assignment.started", "assignment.evidence_uploaded", "assignment.submitted",
        "assignment.submission_opened", "assignment.returned", "assignment.submitted",
        "assignment.submission_opened", "assignment.approved", "assignment.accepted"]


# Refusals --------------------------------------------------------------------------------


def test_return_without_reason_is_400_naming_the_field_and_leaves_state_unchanged(dispatched):
    pk = dispatched.assignment.pk
    start_and_submit(dispatched.submitter, pk)
    answer = api(dispatched.reviewer).post(url(pk, "return"), {}, format="json")
    assert answer.status_code == 400
    assert answer.json() == {"detail": "退回必须填写理由", "errors": {"reason": ["请填写退回理由"]}}
    assert Assignment.objects.get(pk=pk).state == "submitted"


def test_submit_without_report_is_400_naming_the_field(dispatched):
    pk = dispatched.assignment.pk
    client = api(dispatched.submitter)
    client.post(url(pk, "start"))
    answer = client.post(url(pk, "submit"), {"no_file_statement": "无纸质材料"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"report": ["请填写书面报告"]}
    assert Assignment.objects.get(pk=pk).state == "in_progress" and not Assignment.objects.get(pk=pk).submissions.exists()


def test_a_badly_typed_field_is_400_with_a_chinese_message(dispatched):
    pk = dispatched.assignment.pk
    client = api(dispatched.submitter)
    client.post(url(pk, "start"))
    answer = client.post(url(pk, "submit"), {"report": "好", "evidence_ids": ["一"]}, format="json")
    assert answer.status_code == 400
    assert answer.json()["detail"] == "提交的数据有误"
    assert list(answer.json()["errors"]) == ["evidence_ids.0"]


def test_an_upload_without_a_file_is_400_naming_the_field(dispatched):
    answer = api(dispatched.submitter).post(url(dispatched.assignment.pk, "evidence"), {}, format="multipart")
    assert answer.status_code == 400
    assert answer.json()["errors"] == {"file": ["请选择要上传的文件"]}


def test_no_token_is_401_with_a_challenge_and_a_bad_token_too(dispatched):
    answer = APIClient().get("/api/assignments/")
    assert answer.status_code == 401 and answer["WWW-Authenticate"] == "Token"
    assert answer.json() == {"detail": "请先登录或提供有效的令牌"}
    forged = APIClient()
    forged.credentials(HTTP_AUTHORIZATION="Token " + "0" * 40)
    answer = forged.post(url(dispatched.assignment.pk, "start"))
    assert answer.status_code == 401 and answer.json()["detail"] == "令牌无效或账号已停用，请提供有效的令牌"
    assert dispatched.assignment.state == "assigned"


def test_an_auditor_approving_gets_403_which_is_audited_once_and_changes_nothing(dispatched):
    pk = dispatched.assignment.pk
    start_and_submit(dispatched.submitter, pk)
    client = api(dispatched.auditor)
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()

    answer = client.post(url(pk, "approve"), {"opinion": "同意"}, format="json")

    assert answer.status_code == 403
    assert answer.json() == {"detail": "您无权对该承办件执行“审核通过”"}
    [refusal] = AuditEvent.objects.filter(seq__gt=last)
    assert (refusal.action, refusal.actor, json.loads(refusal.details)["path"]) == (
        "access.denied", dispatched.auditor, url(pk, "approve"))
    assignment = Assignment.objects.get(pk=pk)
    assert assignment.state == "submitted" and assignment.submissions.get().reviewed_by is None


def test_another_units_assignment_and_a_missing_one_are_404_with_identical_bodies(dispatched):
    pk = dispatched.assignment.pk
    other = api(dispatched.other)
    hidden, missing = other.get(url(pk)), other.get(url(pk + 10_000))
    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content and hidden.json() == {"detail": "承办件不存在"}
    before = AuditEvent.objects.count()
    acting = other.post(url(pk, "start")), other.post(url(pk + 10_000, "start"))
    assert [a.status_code for a in acting] == [404, 404] and acting[0].content == acting[1].content == hidden.content
    assert AuditEvent.objects.count() == before and dispatched.assignment.state == "assigned"


def test_get_on_an_action_url_is_405(dispatched):
    answer = api(dispatched.submitter).get(url(dispatched.assignment.pk, "start"))
    assert answer.status_code == 405
    assert answer.json() == {"detail": "该地址不支持 GET 请求"} and "POST" in answer["Allow"]


def test_approving_twice_is_409_naming_the_current_state(dispatched):
    pk = dispatched.assignment.pk
    start_and_submit(dispatched.submitter, pk)
    client = api(dispatched.reviewer)
    assert client.post(url(pk, "approve")).status_code == 200
    events = AuditEvent.objects.count()

    answer = client.post(url(pk, "approve"))

    assert answer.status_code == 409
    assert answer.json() == {"detail": "承办件当前状态为“牵头审核通过”，不能执行“审核通过”", "state": "lead_reviewed"}
    assert AuditEvent.objects.count() == events


def test_an_oversize_upload_is_413_and_stores_nothing(dispatched, settings):
    settings.EVIDENCE_MAX_FILE_BYTES = 16
    answer = api(dispatched.submitter).post(url(dispatched.assignment.pk, "evidence"), {"file": pdf()},
                                            format="multipart")
    assert answer.status_code == 413
    assert answer.json()["detail"].startswith("文件过大") and "errors" not in answer.json()
    assert not Evidence.objects.exists()


def test_a_session_post_without_csrf_token_is_refused_in_chinese(dispatched):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(dispatched.submitter)
    assert client.get(url(dispatched.assignment.pk)).status_code == 200
    answer = client.post(url(dispatched.assignment.pk, "start"))
    assert answer.status_code == 403 and answer.json() == {"detail": "CSRF 校验失败，请刷新页面后重试"}
    assert dispatched.assignment.state == "assigned"


def test_malformed_oversize_or_misdirected_requests_are_refused_in_the_same_shape(dispatched, settings):
    client, pk = api(dispatched.submitter), dispatched.assignment.pk
    answer = client.post(url(pk, "start"), "{oops", content_type="application/json")
    assert (answer.status_code, answer.json()) == (400, {"detail": "请求内容无法解析，请提交有效的 JSON 或表单数据"})
    answer = client.post(url(pk, "evidence"), {"file": "x"}, format="json")
    assert (answer.status_code, answer.json()) == (415, {"detail": "不支持的请求内容类型“application/json”"})
    assert client.get("/api/nothing/here/").json() == {"detail": "接口不存在"}
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100
    client.post(url(pk, "start"))
    answer = client.post(url(pk, "submit"), {"report": "长" * 200, "no_file_statement": "无"}, format="json")
    assert (answer.status_code, answer.json()) == (413, {"detail": "请求内容过大"})
    assert Assignment.objects.get(pk=pk).state == "in_progress"


# Lists, filters, visibility -------------------------------------------------------------


def listed(client, query="") -> list[dict]:
    rows, address = [], f"/api/assignments/{query}"
    while address:
        page = client.get(address)
        assert page.status_code == 200, page.json()
        rows += page.json()["results"]
        address = page.json()["next"]
    return rows


def test_each_role_lists_exactly_what_it_may_see_by_due_date_then_id(world):
    world.dispatch()
    ids = lambda queryset: list(queryset.order_by("due_date", "id").values_list("id", flat=True))  # noqa: E731

    mine = listed(api(world.submitter))
    assert [r["id"] for r in mine] == ids(Assignment.objects.filter(unit__short_name="市财政局"))
    assert {r["unit"] for r in mine} == {"市财政局"}
    led = listed(api(world.reviewer))
    assert [r["id"] for r in led] == ids(Assignment.objects.filter(
        task__party_set__role="lead", task__party_set__unit__short_name="市编办"))
    # Task 16 names only "relevant" terms: nothing until its lead reviewer picks the units.
    assert {r["task"]["number"] for r in led} == {1, 2, 3, 4, 5, 15, 21, 27, 29}
    everything = ids(Assignment.objects.all())
    assert len(everything) == 879
    assert [r["id"] for r in listed(api(world.supervisor))] == everything
    assert [r["id"] for r in listed(api(world.auditor))] == everything


def test_the_list_filters_by_state_task_unit_and_plan(dispatched):
    world, pk = dispatched, dispatched.assignment.pk
    api(world.submitter).post(url(pk, "start"))
    client = api(world.auditor)
    assert [r["id"] for r in listed(client, "?state=in_progress")] == [pk]
    assert len(listed(client, f"?task={world.task1.pk}")) == 21
    assert [r["id"] for r in listed(client, "?unit=市财政局")] == [pk]
    assert len(listed(client, f"?plan={world.plan.pk}")) == 21
    assert listed(client, f"?plan={world.plan.pk + 1}") == []
    assert listed(client, "?unit=市财政局&state=assigned") == []
    refused = client.get("/api/assignments/?state=done&task=x")
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"state", "task"}


def test_list_rows_carry_each_callers_available_actions(dispatched):
    pk = dispatched.assignment.pk
    start_and_submit(dispatched.submitter, pk)
    rows = {r["id"]: r for r in listed(api(dispatched.reviewer))}
    assert rows[pk]["available_actions"] == ["approve", "return"]
    assert {tuple(r["available_actions"]) for i, r in rows.items() if i != pk} == {()}
    assert listed(api(dispatched.auditor))[0]["available_actions"] == []


def measured_list(user) -> tuple[int, int]:
    client = api(user)
    client.get("/api/assignments/")  # warm the content-type cache, as a running server has it
    with CaptureQueriesContext(connection) as queries:
        answer = client.get("/api/assignments/")
    assert answer.status_code == 200
    return len(answer.json()["results"]), len(queries)


def test_the_list_costs_the_same_number_of_queries_for_5_and_40_rows(world):
    municipal = list(Unit.objects.filter(kind="municipal", is_active=True).order_by("order", "short_name")
                     .values_list("short_name", flat=True))
    worker = UserFactory(username="duochu")
    for name in municipal:
        membership_grant(actor=None, user=worker, unit=Unit.objects.get(short_name=name), role="submitter")
    task16 = world.plan.tasks.get(number=16)

    task_select_units(actor=world.reviewer, task_id=task16.pk, unit_names=municipal[:5])
    first = Assignment.objects.filter(task=task16).order_by("id")
    start_and_submit(worker, first[0].pk)
    api(worker).post(url(first[1].pk, "start"))
    five = {user.username: measured_list(user) for user in (world.reviewer, world.auditor)}

    task_select_units(actor=world.reviewer, task_id=task16.pk, unit_names=municipal[5:19])
    world.dispatch(task_id=world.task1.pk)
    for assignment in Assignment.objects.filter(task=world.task1).order_by("id")[:6]:
        start_and_submit(worker, assignment.pk)
    api(world.reviewer).post(url(first[0].pk, "approve"))
    forty = {user.username: measured_list(user) for user in (world.reviewer, world.auditor)}

    assert five["bianban"][0] == 5 and forty["bianban"][0] == 40
    assert forty["shenji"][0] == 40
    assert five["bianban"][1] == forty["bianban"][1] and five["shenji"][1] == forty["shenji"][1]
    print("list queries (rows, queries):", five, forty)


# Plans and dispatch ---------------------------------------------------------------------


def test_plans_list_and_detail_show_sections_and_tasks_to_any_signed_in_user(world):
    client = api(world.other)
    [row] = client.get("/api/plans/").json()["results"]
    assert (row["id"], row["doc_number"], row["supervising_unit"], row["task_count"]) == (
        world.plan.pk, "昆政办发〔2017〕169号", "市政府法制办", 31)
    detail = client.get(f"/api/plans/{world.plan.pk}/").json()
    assert len(detail["sections"]) == 7 and sum(len(s["tasks"]) for s in detail["sections"]) == 31
    task2 = detail["sections"][0]["tasks"][1]
    assert task2["lead_units"] == ["市编办", "市财政局", "市物价局", "市国税局", "市地税局"]
    assert task2["responsible_terms"] == ["市政府各部门", "各区镇", "各城市管理办事处"]
    task24 = next(t for s in detail["sections"] for t in s["tasks"] if t["number"] == 24)
    assert [d["date"] for d in task24["deadlines"]] == ["2019-12-31", "2020-12-31"]
    assert [t["value"] for t in task24["targets"]] == ["100%", "100%", "90%"]
    assert client.get(f"/api/plans/{world.plan.pk + 1}/").json() == {"detail": "计划不存在"}
    assert APIClient().get("/api/plans/").status_code == 401


def test_the_supervisor_dispatches_the_plan_and_sees_its_problems(world):
    answer = api(world.supervisor).post(f"/api/plans/{world.plan.pk}/dispatch/", {}, format="json")
    assert answer.status_code == 200
    body = answer.json()
    assert body["round"]["name"] == "首轮" and body["created"] == 879 and len(body["problems"]) == 19
    assert {"task": 16, "term": "有关区镇"} in body["awaiting_selection"]
    again = api(world.supervisor).post(f"/api/plans/{world.plan.pk}/dispatch/", {}, format="json").json()
    assert again["created"] == 0


def test_dispatch_by_someone_else_is_403_and_a_foreign_task_is_400(world):
    path = f"/api/plans/{world.plan.pk}/dispatch/"
    refused = api(world.reviewer).post(path, {}, format="json")
    assert refused.status_code == 403 and refused.json() == {"detail": "只有该计划的督办单位可以交办"}
    bad = api(world.supervisor).post(path, {"task": 999_999, "round": 999_999}, format="json")
    assert bad.status_code == 400
    assert bad.json()["errors"] == {"round": ["该计划没有这个报送轮次"], "task": ["该计划没有这项任务"]}
    assert not Assignment.objects.exists()


def test_a_lead_reviewer_selects_the_relevant_units_of_a_task(world):
    task16 = world.plan.tasks.get(number=16)
    path = f"/api/tasks/{task16.pk}/select_units/"
    answer = api(world.reviewer).post(path, {"units": ["市财政局", "张浦镇"]}, format="json")
    assert answer.status_code == 200 and answer.json()["created"] == 2
    assert set(Assignment.objects.filter(task=task16).values_list("unit__short_name", flat=True)) == {
        "市财政局", "张浦镇"}
    unknown = api(world.reviewer).post(path, {"units": ["市不存在局"]}, format="json")
    assert unknown.status_code == 400 and "市不存在局" in unknown.json()["detail"]
    assert api(world.submitter).post(path, {"units": ["市财政局"]}, format="json").status_code == 403
    assert api(world.reviewer).post("/api/tasks/999999/select_units/", {}, format="json").status_code == 404


# Schema and tokens ----------------------------------------------------------------------


def test_the_schema_is_an_openapi_document_listing_every_endpoint(world):
    answer = api(world.other).get("/api/schema/")
    assert answer.status_code == 200
    document = yaml.safe_load(answer.content)
    assert document["openapi"].startswith("3.")
    paths = set(document["paths"])
    assert {"/api/assignments/", "/api/assignments/{id}/", "/api/assignments/{id}/evidence/",
            "/api/plans/", "/api/plans/{id}/", "/api/plans/{id}/dispatch/",
            "/api/tasks/{id}/select_units/"} <= paths
    for action in ("start", "submit", "approve", "return", "accept"):
        assert "post" in document["paths"][f"/api/assignments/{{id}}/{action}/"]
    assert APIClient().get("/api/schema/").status_code == 401


def test_api_token_prints_the_same_token_twice_and_refuses_an_unknown_user(world):
    first, second = token_for(world.other), token_for(world.other)
    assert first == second and len(first) == 40
    with pytest.raises(CommandError, match="用户“nobody”不存在"):
        call_command("api_token", "nobody")
