"""The assignment screens, driven as a browser would: real forms, real CSRF tokens, real POSTs."""
from __future__ import annotations

import re
from functools import partial
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from tests.world import build_world, person
from workflows.access.policies import (
    available_actions,
    decide_extension_request,
    decide_hand_over,
    decide_milestone_edit,
    decide_transfer_request,
)
from workflows.models import Assignment, Evidence, ReportingRound, Submission
from workflows.services import assignments as services
from workflows.services.dispatch import plan_dispatch

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


# ----- a tiny browser ---------------------------------------------------------------------------

class FormParser(HTMLParser):
    """Collect each <form>: its attributes and the values a browser would send by default."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"attrs": attrs, "fields": {}, "buttons": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag == "button" and attrs.get("data-action-button"):
            # A second action inside a form (上传所选文件 in the 报送 form): the whole form goes to formaction.
            self._form["buttons"][attrs["data-action-button"]] = attrs["formaction"]
        elif self._form is not None and tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form["fields"].setdefault(attrs["name"], []).append(attrs.get("value", "on"))
            elif kind != "file":
                self._form["fields"][attrs["name"]] = attrs.get("value", "")
        elif self._form is not None and tag == "textarea":
            self._textarea = attrs["name"]
            self._form["fields"][self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_on(response) -> list[dict]:
    parser = FormParser()
    parser.feed(response.content.decode())
    return parser.forms


def assignment_links(html: str) -> list[int]:
    return [int(pk) for pk in re.findall(r'href="/assignments/(\d+)/"', html)]


def main_of(response) -> str:
    html = response.content.decode()
    return html[html.index("<main>"):html.index("</main>")]


def action_buttons(response) -> set[str]:
    forms = forms_on(response)
    return ({f["attrs"]["data-action"] for f in forms if "data-action" in f["attrs"]}
            | {action for f in forms for action in f["buttons"]})


def form_for(response, **attr) -> dict:
    """The form for an action: its own form, or the form holding that action's button (posted to
    the button's formaction, with everything the form holds)."""
    (key, value), = attr.items()
    found = [f for f in forms_on(response) if f["attrs"].get(key) == value]
    if not found and key == "data-action":
        found = [{**f, "attrs": {**f["attrs"], "action": f["buttons"][value]}}
                 for f in forms_on(response) if value in f["buttons"]]
    assert len(found) == 1, f"expected one form with {key}={value!r}, found {len(found)}"
    return found[0]


class Browser:
    """A signed-in person with CSRF checks on, who fills in the forms the page shows."""

    def __init__(self, user):
        self.user = user
        self.client = Client(enforce_csrf_checks=True)
        self.client.force_login(user)

    def open(self, assignment):
        return self.client.get(reverse("approvals:assignment_detail", args=[assignment.pk]))

    def submit(self, page, action: str, *, key="data-action", files=None, headers=None, **values):
        form = form_for(page, **{key: action})
        data = {**form["fields"], **values, **(files or {})}
        return self.client.post(form["attrs"]["action"], data, headers=headers or {})

    def act(self, assignment, action: str, **values):
        """Open the page, fill in the action's form, post it and follow the redirect."""
        response = self.submit(self.open(assignment), action, **values)
        assert response.status_code == 302, response.content.decode()[:2000]
        return self.client.get(response["Location"])


def state_of(assignment) -> str:
    return Assignment.objects.get(pk=assignment.pk).state


@pytest.fixture
def world():
    return build_world()


# ----- the whole path in the browser ------------------------------------------------------------

def test_a_person_takes_an_assignment_from_assigned_to_accepted_with_one_return(world):
    a = world.assignment
    submitter, reviewer, supervisor = Browser(world.submitter), Browser(world.reviewer), Browser(world.supervisor)

    page = submitter.act(a, "start")
    assert state_of(a) == "in_progress" and "已开始办理" in page.content.decode()

    upload = submitter.submit(page, "upload_evidence", files={"file": SimpleUploadedFile("自查报告.pdf", PDF)})
    assert upload.status_code == 302
    page = submitter.act(a, "submit", report="已完成自查，形成报告。")
    assert state_of(a) == "submitted"
    assert list(Submission.objects.get(assignment=a).files.values_list("original_name", flat=True)) == ["自查报告.pdf"]

    page = reviewer.act(a, "return", reason="请补充整改台账")
    assert state_of(a) == "in_progress"

    page = submitter.open(a)
    html = page.content.decode()
    assert 'class="card returned"' in html and "请补充整改台账" in html

    upload = submitter.submit(page, "upload_evidence", headers={"X-Requested-With": "XMLHttpRequest"},
                              files={"file": SimpleUploadedFile("整改台账.txt", "整改台账：三项均已完成。".encode())})
    assert upload.status_code == 200 and upload.json()["ok"] is True
    page = submitter.act(a, "submit", report="已完成自查，并补充整改台账。")
    assert "书面报告已修改" in page.content.decode() and "新增材料" in page.content.decode()

    reviewer.act(a, "approve", opinion="同意")
    assert state_of(a) == "lead_reviewed"
    page = supervisor.act(a, "accept", opinion="验收通过")
    assert state_of(a) == "accepted"

    actions = list(AuditEvent.objects.filter(assignment_id=a.pk).order_by("seq").values_list("action", flat=True))
    assert actions == ["assignment.started", "assignment.evidence_uploaded", "assignment.submitted",
                       "assignment.submission_opened", "assignment.returned", "assignment.evidence_uploaded",
                       "assignment.submitted", "assignment.submission_opened", "assignment.approved",
                       "assignment.accepted"]
    html = page.content.decode()
    for label in ("开始办理", "上传佐证材料", "报送", "退回", "牵头审核通过", "验收办结", "请补充整改台账"):
        assert label in html
    assert action_buttons(page) == set()


def test_a_file_downloads_with_a_safe_header_and_the_download_is_recorded(world):
    a = world.assignment
    submitter = Browser(world.submitter)
    page = submitter.act(a, "start")
    submitter.submit(page, "upload_evidence", files={"file": SimpleUploadedFile("方案.pdf", PDF)})
    evidence = Evidence.objects.get(assignment=a)

    response = Browser(world.auditor).client.get(reverse("approvals:evidence_download", args=[evidence.pk]))

    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;") and "filename*=UTF-8''" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="assignment.evidence_downloaded", assignment_id=a.pk).count() == 1


def test_a_file_not_yet_submitted_can_be_withdrawn_from_its_button(world):
    a = world.assignment
    submitter = Browser(world.submitter)
    page = submitter.act(a, "start")
    submitter.submit(page, "upload_evidence", files={"file": SimpleUploadedFile("草稿.pdf", PDF)})

    response = submitter.submit(submitter.open(a), "withdraw", key="data-evidence-action")

    assert response.status_code == 302
    assert Evidence.objects.get(assignment=a).withdrawn_at is not None
    assert not any(f["attrs"].get("data-evidence-action") for f in forms_on(submitter.open(a)))


def test_an_oversized_upload_answers_413_on_the_page_and_in_json_and_stores_nothing(world, settings):
    settings.EVIDENCE_MAX_FILE_BYTES = 16
    submitter = Browser(world.submitter)
    page = submitter.open(world.assignment)

    plain = submitter.submit(page, "upload_evidence", files={"file": SimpleUploadedFile("大文件.pdf", PDF)})
    xhr = submitter.submit(page, "upload_evidence", headers={"X-Requested-With": "XMLHttpRequest"},
                           files={"file": SimpleUploadedFile("大文件.pdf", PDF)})

    assert plain.status_code == 413 and "文件过大" in plain.content.decode()
    assert "upload_evidence" in action_buttons(plain)
    assert xhr.status_code == 413 and xhr.json()["ok"] is False and "文件过大" in xhr.json()["message"]
    assert not Evidence.objects.exists()


def test_an_upload_without_a_file_answers_400_naming_the_field(world):
    submitter = Browser(world.submitter)
    page = submitter.open(world.assignment)

    plain = submitter.submit(page, "upload_evidence")
    xhr = submitter.submit(page, "upload_evidence", headers={"X-Requested-With": "XMLHttpRequest"})

    assert plain.status_code == 400 and "请选择要上传的文件" in plain.content.decode()
    assert xhr.status_code == 400 and xhr.json()["errors"] == {"file": ["请选择要上传的文件"]}


# ----- buttons == what the policy allows --------------------------------------------------------

EXPECTED_BUTTONS = {  # the world's due date has passed: no 延期申请 (its own test is in test_extensions)
    "assigned": {"submitter": {"start", "upload_evidence", "transfer_request", "hand_over", "milestone_add"},
                 "supervisor": {"milestone_add"}},
    "in_progress": {"submitter": {"submit", "upload_evidence", "transfer_request", "hand_over", "milestone_add"},
                    "supervisor": {"milestone_add"}},
    "submitted": {"submitter": {"recall", "milestone_add"}, "reviewer": {"approve", "return"},  # the submitter looks first
                  "supervisor": {"milestone_add"}},
    "lead_reviewed": {"submitter": {"milestone_add"}, "supervisor": {"accept", "return", "milestone_add"}},
    "accepted": {},
}


def test_the_buttons_shown_are_exactly_the_available_actions_for_each_role_and_state(world):
    a = world.assignment
    people = {"submitter": world.submitter, "reviewer": world.reviewer, "supervisor": world.supervisor,
              "auditor": world.auditor}
    steps = [
        lambda: services.assignment_start(actor=world.submitter, assignment_id=a.pk),
        lambda: services.assignment_submit(actor=world.submitter, assignment_id=a.pk, report="报告",
                                           no_file_statement="本项无纸质材料"),
        lambda: services.assignment_approve(actor=world.reviewer, assignment_id=a.pk),
        lambda: services.assignment_accept(actor=world.supervisor, assignment_id=a.pk),
    ]
    for index, state in enumerate(EXPECTED_BUTTONS):
        assert state_of(a) == state
        for role, user in people.items():
            page = Browser(user).open(a)
            assert page.status_code == 200
            shown = action_buttons(page)
            fresh = Assignment.objects.get(pk=a.pk)
            allowed = set(available_actions(user, fresh))
            # The changes panel (issue 8): asking for a transfer and handing over, by their own policies.
            # The year (issue 18): 节点 and 延期申请, by theirs.
            allowed |= {name for name, decide_ in (("transfer_request", decide_transfer_request),
                                                   ("hand_over", decide_hand_over),
                                                   ("milestone_add", decide_milestone_edit),
                                                   ("extension_request", partial(decide_extension_request,
                                                                                 today=timezone.localdate())))
                        if decide_(user, fresh).allowed}
            assert shown == allowed, (state, role)
            assert shown == EXPECTED_BUTTONS[state].get(role, set()), (state, role)
            due_date_form = any(f["attrs"].get("data-supervisor-action") == "due_date" for f in forms_on(page))
            # 调整期限 is the supervisor's, and only while the item is open.
            assert due_date_form is (role == "supervisor" and state != "accepted"), (state, role)
        if index < len(steps):
            steps[index]()


# ----- refusals ---------------------------------------------------------------------------------

def test_another_units_user_gets_the_not_found_page_for_the_assignment_and_its_actions(world):
    a = world.assignment
    outsider = Browser(world.other_submitter)
    page = Browser(world.submitter).open(a)
    start = form_for(page, **{"data-action": "start"})

    response = outsider.open(a)
    assert response.status_code == 404 and "承办件不存在" in response.content.decode()
    absent = outsider.client.get(reverse("approvals:assignment_detail", args=[a.pk + 10_000]))
    assert absent.status_code == 404 and main_of(absent) == main_of(response)  # hidden and absent look alike

    outsider.client.get(reverse("approvals:inbox"))  # a CSRF cookie of the outsider's own
    token = outsider.client.cookies["csrftoken"].value
    posted = outsider.client.post(start["attrs"]["action"], {"csrfmiddlewaretoken": token})
    assert posted.status_code == 404 and "承办件不存在" in posted.content.decode()
    assert state_of(a) == "assigned" and not AuditEvent.objects.filter(assignment_id=a.pk).exists()


def test_another_units_user_cannot_download_or_withdraw_the_file(world):
    a = world.assignment
    submitter = Browser(world.submitter)
    submitter.submit(submitter.open(a), "upload_evidence", files={"file": SimpleUploadedFile("a.pdf", PDF)})
    evidence = Evidence.objects.get(assignment=a)
    outsider = Browser(world.other_submitter)
    outsider.client.get(reverse("approvals:inbox"))

    download = outsider.client.get(reverse("approvals:evidence_download", args=[evidence.pk]))
    withdraw = outsider.client.post(reverse("approvals:evidence_withdraw", args=[evidence.pk]),
                                    {"csrfmiddlewaretoken": outsider.client.cookies["csrftoken"].value})

    assert download.status_code == 404 and withdraw.status_code == 404
    assert Evidence.objects.get(pk=evidence.pk).withdrawn_at is None


@pytest.mark.parametrize("name", ["assignment_start", "assignment_submit", "assignment_approve",
                                  "assignment_return", "assignment_accept", "assignment_due_date",
                                  "evidence_upload"])
def test_an_action_url_answers_get_with_405(world, name):
    response = Browser(world.submitter).client.get(reverse(f"approvals:{name}", args=[world.assignment.pk]))
    assert response.status_code == 405


def test_the_dispatch_and_file_action_urls_answer_get_with_405(world):
    client = Browser(world.supervisor).client
    task = world.plan.tasks.get(number=15)
    urls = [reverse("approvals:plan_dispatch", args=[world.plan.pk]), reverse("approvals:round_open", args=[world.plan.pk]),
            reverse("approvals:task_select_units", args=[task.pk]), reverse("approvals:evidence_withdraw", args=[1])]
    assert [client.get(url).status_code for url in urls] == [405, 405, 405, 405]


def test_a_post_without_the_csrf_token_is_refused(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.submitter)
    response = client.post(reverse("approvals:assignment_start", args=[world.assignment.pk]))
    assert response.status_code == 403 and state_of(world.assignment) == "assigned"


def test_return_without_reason_answers_400_with_the_error_and_changes_nothing(world):
    a = world.assignment
    services.assignment_start(actor=world.submitter, assignment_id=a.pk)
    services.assignment_submit(actor=world.submitter, assignment_id=a.pk, report="报告", no_file_statement="无")
    reviewer = Browser(world.reviewer)
    page = reviewer.open(a)  # opening it is recorded (the unit can no longer recall it)
    events = AuditEvent.objects.count()

    response = reviewer.submit(page, "return", reason="   ")

    assert response.status_code == 400
    assert "请填写退回理由" in response.content.decode()
    assert state_of(a) == "submitted" and AuditEvent.objects.count() == events
    assert Submission.objects.get(assignment=a).return_reason == ""
    assert "return" in action_buttons(response)  # the form is shown again, with the error


def test_an_action_in_the_wrong_state_answers_409_with_the_current_state(world):
    a = world.assignment
    submitter = Browser(world.submitter)
    page = submitter.open(a)
    services.assignment_start(actor=world.submitter, assignment_id=a.pk)  # someone was quicker

    response = submitter.submit(page, "start")

    assert response.status_code == 409 and "办理中" in response.content.decode()


def test_submitting_with_no_file_and_no_statement_names_the_field(world):
    a = world.assignment
    services.assignment_start(actor=world.submitter, assignment_id=a.pk)
    submitter = Browser(world.submitter)

    response = submitter.submit(submitter.open(a), "submit", report="报告")

    assert response.status_code == 400
    assert "请上传至少一份佐证材料，或说明无佐证材料的原因" in response.content.decode()
    assert state_of(a) == "in_progress"


def test_a_submitter_changing_the_due_date_is_refused_with_403(world):
    a = world.assignment
    submitter = Browser(world.submitter)
    submitter.open(a)
    response = submitter.client.post(reverse("approvals:assignment_due_date", args=[a.pk]), {
        "due_date": "2030-01-01", "csrfmiddlewaretoken": submitter.client.cookies["csrftoken"].value})
    assert response.status_code == 403 and "只有督办单位可以调整办理期限" in response.content.decode()


def test_the_supervisor_changes_the_due_date_on_the_assignment_page(world):
    supervisor = Browser(world.supervisor)
    response = supervisor.submit(supervisor.open(world.assignment), "due_date", key="data-supervisor-action",
                                 due_date="2030-06-30")
    assert response.status_code == 302
    assert Assignment.objects.get(pk=world.assignment.pk).due_date.isoformat() == "2030-06-30"
    assert "2030年6月30日" in supervisor.open(world.assignment).content.decode()


@pytest.mark.parametrize("url", ["/", "/inbox/", "/assignments/"])
def test_an_anonymous_visitor_is_sent_to_the_login_page(url, db):
    response = Client().get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_an_anonymous_post_to_an_action_is_sent_to_the_login_page(world):
    response = Client().post(reverse("approvals:assignment_start", args=[world.assignment.pk]))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert state_of(world.assignment) == "assigned"


# ----- lists keep a constant number of queries ----------------------------------------------------

def count_queries(client, url) -> tuple[int, str]:
    client.get(url)  # warm the session and per-process caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_inbox_and_list_keep_a_constant_query_count_with_few_and_many_assignments(world):
    submitter, auditor = Browser(world.submitter).client, Browser(world.auditor).client
    few_inbox, html = count_queries(submitter, reverse("approvals:inbox"))
    assert len(assignment_links(html)) == 1
    few_list, html = count_queries(auditor, reverse("approvals:assignment_list"))
    few_rows = html.count("<tr>") - 1

    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk)  # the whole plan: 879 assignments
    assert Assignment.objects.count() > 800

    many_inbox, html = count_queries(submitter, reverse("approvals:inbox"))
    assert len(assignment_links(html)) > 20
    many_list, html = count_queries(auditor, reverse("approvals:assignment_list"))
    assert html.count("<tr>") - 1 == 50 > few_rows
    next_page, _html = count_queries(auditor, reverse("approvals:assignment_list") + "?state=assigned&after=2017-12-31_1")

    assert few_inbox == many_inbox
    assert few_list == many_list == next_page


def test_the_list_pages_by_due_date_without_repeating_a_row(world):
    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk)
    client = Browser(world.auditor).client
    seen, url = [], reverse("approvals:assignment_list") + "?state=assigned"
    for _page in range(3):
        response = client.get(url)
        seen += assignment_links(response.content.decode())
        url = reverse("approvals:assignment_list") + "?" + response.context["next_query"]
    expected = list(Assignment.objects.order_by("due_date", "id").values_list("pk", flat=True)[:150])
    assert seen == expected


def test_a_bad_filter_answers_400_naming_the_field(world):
    response = Browser(world.auditor).client.get(reverse("approvals:assignment_list") + "?task=abc")
    assert response.status_code == 400 and "任务编号应为正整数" in response.content.decode()


# ----- the plan page: assignments per task, dispatch, relevant units, rounds ------------------------

def test_the_plan_page_shows_each_tasks_visible_assignments_in_constant_queries(world):
    client = Browser(world.submitter).client
    url = reverse("plans:plan_detail", args=[world.plan.pk])
    few, html = count_queries(client, url)
    assert len(assignment_links(html)) == 1
    plan_dispatch(actor=world.supervisor, plan_id=world.plan.pk)
    many, html = count_queries(client, url)
    visible = Assignment.objects.filter(unit__short_name="市财政局").count()
    assert len(assignment_links(html)) == visible > 20
    assert few == many
    assert not any(f["attrs"].get("data-supervisor-action") for f in forms_on(client.get(url)))


def test_the_supervisor_dispatches_from_the_plan_page_and_sees_the_problems(world):
    supervisor = Browser(world.supervisor)
    page = supervisor.client.get(reverse("plans:plan_detail", args=[world.plan.pk]))

    response = supervisor.submit(page, "dispatch", key="data-supervisor-action")

    html = response.content.decode()
    assert response.status_code == 200
    assert "有 19 处需要处理的问题" in html and html.count("“各城市管理办事处”在单位库中没有对应的启用单位") == 19
    assert "有关区镇" in html and "市政府相关部门" in html
    assert Assignment.objects.count() == 879


def test_someone_who_does_not_supervise_the_plan_cannot_dispatch_it(world):
    reviewer = Browser(world.reviewer)
    page = reviewer.client.get(reverse("plans:plan_detail", args=[world.plan.pk]))
    assert not any(f["attrs"].get("data-supervisor-action") for f in forms_on(page))
    before = Assignment.objects.count()

    response = reviewer.client.post(reverse("approvals:plan_dispatch", args=[world.plan.pk]),
                                    {"csrfmiddlewaretoken": reviewer.client.cookies["csrftoken"].value})

    assert response.status_code == 403 and "只有该计划的督办单位可以交办" in response.content.decode()
    assert Assignment.objects.count() == before


def test_a_lead_reviewer_selects_the_relevant_units_of_a_task(world):
    reviewer = Browser(world.reviewer)  # 市编办 leads task 15 (市政府各部门、有关区镇)
    page = reviewer.client.get(reverse("plans:plan_detail", args=[world.plan.pk]))
    task15 = world.plan.tasks.get(number=15)
    form = form_for(page, action=reverse("approvals:task_select_units", args=[task15.pk]))

    response = reviewer.client.post(form["attrs"]["action"], {**form["fields"], "units": ["张浦镇", "周市镇"]})

    assert response.status_code == 302 and response["Location"].endswith("#task-15")
    assert set(Assignment.objects.filter(task=task15).values_list("unit__short_name", flat=True)) == {"张浦镇", "周市镇"}
    empty = reviewer.client.post(form["attrs"]["action"], form["fields"])
    assert empty.status_code == 400 and "请至少选择一个单位" in empty.content.decode()


def test_only_lead_reviewers_of_the_task_are_offered_the_unit_choice(world):
    page = Browser(world.submitter).client.get(reverse("plans:plan_detail", args=[world.plan.pk]))
    assert not any(f["attrs"].get("data-lead-action") for f in forms_on(page))
    outsider = person("renshe", "市人社局", "reviewer")  # leads 7, 17, 20, 28, 29: not 15
    page = Browser(outsider).client.get(reverse("plans:plan_detail", args=[world.plan.pk]))
    offered = {f["attrs"]["action"] for f in forms_on(page) if f["attrs"].get("data-lead-action")}
    assert offered == {reverse("approvals:task_select_units", args=[world.plan.tasks.get(number=7).pk])}


def test_the_supervisor_opens_a_new_round_from_the_plan_page(world):
    supervisor = Browser(world.supervisor)
    page = supervisor.client.get(reverse("plans:plan_detail", args=[world.plan.pk]))

    response = supervisor.submit(page, "round_open", key="data-supervisor-action", name="2018年度")

    assert response.status_code == 302
    assert list(ReportingRound.objects.filter(plan=world.plan).values_list("name", flat=True)) == ["首轮", "2018年度"]
    again = supervisor.submit(page, "round_open", key="data-supervisor-action", name="2018年度")
    assert again.status_code == 400 and "已有名为“2018年度”的轮次" in again.content.decode()


def test_the_home_page_is_my_inbox_with_counts(world):
    client = Browser(world.submitter).client
    assert client.get("/")["Location"] == reverse("approvals:inbox")
    html = client.get(reverse("approvals:inbox")).content.decode()
    assert "待开始办理" in html and "市财政局" in html and "第 1 项" in html


# ----- the page by role: summary bar, the report before the decision, closed items -----------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 16


def summary_of(response) -> str:
    html = response.content.decode()
    start = html.index("data-summary")
    return html[start:html.index("</section>", start)]


def test_the_summary_bar_shows_state_light_time_limit_countdown_level_and_reminders(world):
    import datetime as dt

    from workflows.models import EscalationNotice
    from workflows.services.reminders import assignment_remind
    a = world.assignment
    from workflows.models import InboxItem
    Assignment.objects.filter(pk=a.pk).update(due_date=dt.date(2026, 11, 30))  # a Monday, before "today"
    InboxItem.objects.filter(assignment=a).update(due_date=dt.date(2026, 11, 30))
    assignment_remind(actor=world.supervisor, assignment_id=a.pk, message="请尽快报送")
    EscalationNotice.objects.create(assignment=a, level=2, issued_on=dt.date(2026, 12, 1),
                                    issued_at="2026-12-01T09:00:00+08:00", overdue_working_days=3)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.utils.timezone.localdate", lambda *args: dt.date(2026, 12, 4))  # a Friday
        bar = summary_of(Browser(world.submitter).open(a))

    assert "已交办" in bar and "红灯" in bar and "2026年11月30日" in bar
    assert "超期 4 个工作日" in bar  # 12-01, 12-02, 12-03, 12-04
    assert "二级督办" in bar or "badge-level-2" in bar
    assert "已催办 ×1" in bar


def test_the_reviewer_sees_the_report_and_previews_of_pdf_and_image_before_deciding(world):
    a = world.assignment
    submitter, reviewer = Browser(world.submitter), Browser(world.reviewer)
    page = submitter.act(a, "start")
    for name, data in (("自查报告.pdf", PDF), ("现场照片.png", PNG), ("清单.txt", "清单".encode())):
        submitter.submit(page, "upload_evidence", files={"file": SimpleUploadedFile(name, data)})
    submitter.act(a, "submit", report="已完成自查。")

    html = main_of(reviewer.open(a))
    pending = html[html.index('id="pending"'):html.index('class="actions"')]
    assert "已完成自查。" in pending
    pdf, png, txt = Evidence.objects.filter(assignment=a).order_by("id")
    pdf_url, png_url, txt_url = (reverse("approvals:evidence_download", args=[e.pk]) + "?inline=1" for e in (pdf, png, txt))
    assert f'<iframe src="{pdf_url}"' in pending
    assert f'<img src="{png_url}"' in pending
    assert txt_url not in pending  # no preview of what a browser cannot show safely

    shown = reviewer.client.get(pdf_url)
    assert shown.status_code == 200 and shown["Content-Type"] == "application/pdf"
    assert shown["Content-Disposition"].startswith("inline;") and shown["X-Frame-Options"] == "SAMEORIGIN"
    assert shown["Content-Security-Policy"] == "frame-ancestors 'self'"
    assert b"".join(shown.streaming_content) == PDF
    image = reviewer.client.get(png_url)
    assert image["Content-Disposition"].startswith("inline;") and "default-src 'none'" in image["Content-Security-Policy"]
    text = reviewer.client.get(txt_url)  # asked inline, still an attachment
    assert text["Content-Disposition"].startswith("attachment;")
    actions = list(AuditEvent.objects.filter(assignment_id=a.pk, action__startswith="assignment.evidence_")
                   .exclude(action="assignment.evidence_uploaded").values_list("action", flat=True).order_by("seq"))
    assert actions == ["assignment.evidence_previewed", "assignment.evidence_previewed",
                       "assignment.evidence_downloaded"]


def test_accept_comes_before_return_and_nothing_is_offered_on_a_closed_item(world):
    a = world.assignment
    services.assignment_start(actor=world.submitter, assignment_id=a.pk)
    services.assignment_submit(actor=world.submitter, assignment_id=a.pk, report="报告", no_file_statement="无")
    services.assignment_approve(actor=world.reviewer, assignment_id=a.pk)
    supervisor = Browser(world.supervisor)

    page = supervisor.open(a)
    order = [f["attrs"].get("data-action") or f["attrs"].get("data-supervisor-action") for f in forms_on(page)]
    assert order.index("accept") < order.index("return") < order.index("due_date") < order.index("remind")
    html = page.content.decode()
    assert html.index("待您决定的报送材料") < html.index("可执行的操作")

    page = supervisor.act(a, "accept", opinion="同意")
    kinds = {f["attrs"].get("data-supervisor-action") for f in forms_on(page)}
    assert "remind" not in kinds and "due_date" not in kinds
    assert "已办结" in summary_of(page) and "待您决定的报送材料" not in page.content.decode()
