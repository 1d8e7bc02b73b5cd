"""Reminders (催办) and escalation (督办): the daily digest, the 督办 ladder on the working calendar,
and the supervisor's 催办 for one assignment or for all of a unit's overdue ones.

Every test pins ``today``; mail goes to Django's locmem outbox, except one test that talks SMTP
to a local aiosmtpd server.
"""
import datetime as dt
import email
import email.policy
import io
import json
import socket
import threading

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from tests.conftest import REFERENCE_PLAN
from tests.world import build_world, person
from workflows.calendar import is_working_day, working_days_between
from workflows.models import Assignment, DigestSent, EscalationNotice, Reminder, Unit
from workflows.services import assignments as flow
from workflows.services import plan_import
from workflows.services.dispatch import plan_dispatch, round_open
from workflows.services.errors import Invalid, NotAllowed, NotFound, WrongState
from workflows.services.inbox import refresh_inbox
from workflows.services.reminders import assignment_remind, reminders_daily, unit_remind_overdue

D = dt.date
FRIDAY = D(2026, 11, 27)  # a working day; the 28th and 29th are a weekend
FAR = D(2027, 12, 31)  # green for every date these tests use
SUP, FIN, MIN, REV = "sup@fazhi.example.gov.cn", "fin@czj.example.gov.cn", "min@mzj.example.gov.cn", "rev@bb.example.gov.cn"


@pytest.fixture
def world(db, settings):
    settings.SITE_URL = "https://duban.example.gov.cn/"
    settings.SUPERVISION_YELLOW_WORKING_DAYS = 5
    settings.SUPERVISION_ESCALATION_WORKING_DAYS = [3, 10, 20]
    w = build_world()
    # A second reporting round of task 1: 市财政局 now has two assignments in the plan.
    second = round_open(actor=w.supervisor, plan_id=w.plan.pk, name="2018年度")
    plan_dispatch(actor=w.supervisor, plan_id=w.plan.pk, round_id=second.pk, task_id=w.assignment.task_id)
    w.second = Assignment.objects.get(round=second, unit__short_name="市财政局")
    w.minzheng = Assignment.objects.get(round__position=1, task=w.assignment.task, unit__short_name="市民政局")
    Assignment.objects.filter(task__plan=w.plan).update(due_date=FAR)
    refresh_inbox()  # the arrangement skipped the services, which keep 我的待办's table in step
    User = get_user_model()
    for user, address in ((w.supervisor, SUP), (w.submitter, FIN), (w.other_submitter, MIN), (w.reviewer, REV)):
        User.objects.filter(pk=user.pk).update(email=address)
        user.email = address
    return w  # finance2 (市财政局) has no e-mail address


def due(assignment, day):
    Assignment.objects.filter(pk=assignment.pk).update(due_date=day)
    refresh_inbox([assignment.pk])


def run(capture, today, **options):
    with capture(execute=True):
        return reminders_daily(today=today, **options)


def digests():
    return [m for m in mail.outbox if m.subject.startswith("【督办提醒】")]


def notices():
    return [m for m in mail.outbox if not m.subject.startswith(("【督办提醒】", "【催办】"))]


def html_of(message):
    (html, mimetype), = message.alternatives
    assert mimetype == "text/html"
    return html


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def audit_verifies():
    call_command("verify_audit", stdout=io.StringIO())  # raises on a broken chain
    return True


# ----- the daily digest ----------------------------------------------------------------------------

@pytest.fixture
def digest_world(world, settings):
    settings.SUPERVISION_ESCALATION_WORKING_DAYS = [50, 60, 70]  # keep the ladder out of the digest tests
    due(world.assignment, D(2026, 11, 20))  # red: five working days late
    due(world.second, D(2026, 12, 2))  # yellow: three working days ahead
    due(world.minzheng, D(2026, 12, 3))  # yellow, for 市民政局
    return world


def test_each_person_gets_one_digest_of_their_red_then_yellow_items(digest_world, django_capture_on_commit_callbacks):
    w = digest_world
    result = run(django_capture_on_commit_callbacks, FRIDAY)

    assert sorted(m.to[0] for m in mail.outbox) == [FIN, MIN]  # one mail each, however many items
    fin, = [m for m in mail.outbox if m.to == [FIN]]
    assert fin.subject == "【督办提醒】2026年11月27日：您有 1 项逾期、1 项临近期限的待办"
    text, html = fin.body, html_of(fin)
    first, second = (f"https://duban.example.gov.cn/assignments/{a.pk}/" for a in (w.assignment, w.second))
    for part in (text, html):
        assert part.index("红灯：已逾期") < part.index(first) < part.index("黄灯：临近办理期限") < part.index(second)
        assert "2026年11月20日" in part and "2026年12月2日" in part
        assert "逾期 5 个工作日" in part and "还剩 3 个工作日" in part
        assert "2020-12" not in part and "Nov" not in part
    assert w.minzheng.task.text[:20] in text
    assert [d["user"] for d in result.digests] == ["finance", "minzheng"]
    assert result.no_email == [{"user": "finance2", "red": 1, "yellow": 1}]  # reported, not silently skipped
    assert {(d.user.username, d.red, d.yellow) for d in DigestSent.objects.all()} == {("finance", 1, 1),
                                                                                      ("minzheng", 0, 1)}
    recorded = events("reminders.digest_sent")
    assert len(recorded) == 2 and all(e.actor is None and e.role == "system" for e in recorded)
    fin_event, = [e for e in recorded if e.target_id == str(w.submitter.pk)]
    assert json.loads(fin_event.details)["red"] == 1 and json.loads(fin_event.details)["yellow"] == 1
    assert audit_verifies()


def test_a_second_run_the_same_day_sends_nothing_and_the_next_working_day_sends_again(
        digest_world, django_capture_on_commit_callbacks):
    run(django_capture_on_commit_callbacks, FRIDAY)
    assert len(mail.outbox) == 2
    again = run(django_capture_on_commit_callbacks, FRIDAY)
    assert len(mail.outbox) == 2 and again.digests == [] and sorted(again.already_sent) == ["finance", "minzheng"]
    assert DigestSent.objects.count() == 2 and len(events("reminders.digest_sent")) == 2

    saturday = run(django_capture_on_commit_callbacks, D(2026, 11, 28))
    assert not saturday.working_day and saturday.skipped and len(mail.outbox) == 2

    monday = run(django_capture_on_commit_callbacks, D(2026, 11, 30))
    assert sorted(d["user"] for d in monday.digests) == ["finance", "minzheng"] and len(mail.outbox) == 4
    assert "2026年11月30日" in mail.outbox[-1].subject
    assert audit_verifies()


def test_no_mail_on_a_holiday_unless_forced_and_the_make_up_saturday_is_a_working_day(
        digest_world, django_capture_on_commit_callbacks):
    national_day, make_up = D(2026, 10, 5), D(2026, 10, 10)
    assert not is_working_day(national_day) and is_working_day(make_up)
    due(digest_world.assignment, D(2026, 9, 30))
    held = run(django_capture_on_commit_callbacks, national_day)
    assert held.skipped and mail.outbox == [] and DigestSent.objects.count() == 0 and AuditEvent.objects.filter(
        action__startswith="reminders.").count() == 0
    forced = run(django_capture_on_commit_callbacks, national_day, force=True)
    assert [d["user"] for d in forced.digests] == ["finance"] and len(mail.outbox) == 1
    saturday = run(django_capture_on_commit_callbacks, make_up)
    assert saturday.working_day and [d["user"] for d in saturday.digests] == ["finance"]


def test_a_dry_run_lists_the_digests_and_writes_and_sends_nothing(digest_world, django_capture_on_commit_callbacks):
    before = AuditEvent.objects.count()
    result = run(django_capture_on_commit_callbacks, FRIDAY, dry_run=True)
    assert [d["user"] for d in result.digests] == ["finance", "minzheng"]
    assert mail.outbox == [] and DigestSent.objects.count() == 0 and AuditEvent.objects.count() == before


def test_the_command_reports_in_chinese_and_as_json(digest_world):
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-11-27", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "2026年11月27日（工作日）" in text and "finance <fin@czj.example.gov.cn>：红灯 1 项，黄灯 1 项" in text
    assert "未登记邮箱，无法发送摘要：finance2" in text
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-11-28", "--json", stdout=out)
    payload = json.loads(out.getvalue())
    assert payload["working_day"] is False and payload["skipped"] and payload["digests"] == []
    assert mail.outbox == []


def test_the_celery_task_is_the_one_beat_names():
    from django.conf import settings

    from workflows.tasks import send_reminders

    assert send_reminders.name == settings.CELERY_BEAT_SCHEDULE["send-reminders"]["task"]


@pytest.mark.django_db(transaction=True)  # real commits: the mail leaves on commit, inside the command
def test_a_failed_delivery_is_reported_and_the_command_fails(digest_world, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 5  # nobody listens
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="2 封邮件发送失败"):
        call_command("send_reminders", "--date", "2026-11-27", stdout=out, stderr=err)
    assert "发送失败：【督办提醒】" in err.getvalue()
    assert DigestSent.objects.count() == 2  # recorded as sent: a later run the same day does not retry


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_each_digest_and_each_notice_once(world, postgres_only):
    due(world.assignment, D(2026, 6, 1))
    due(world.minzheng, D(2026, 11, 20))
    barrier, errors, results = threading.Barrier(2), [], []

    def job():
        try:
            barrier.wait()
            results.append(reminders_daily(today=FRIDAY))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(d["user"] for r in results for d in r.digests) == ["finance", "minzheng"]
    assert sorted(e["level"] for r in results for e in r.escalations) == [1, 3]
    assert len(digests()) == 2 and len(notices()) == 2
    assert DigestSent.objects.count() == 2 and EscalationNotice.objects.count() == 2
    assert len(events("assignment.escalated")) == 2 and len(events("reminders.digest_sent")) == 2
    assert audit_verifies()


# ----- the 督办 ladder -----------------------------------------------------------------------------

def test_the_ladder_climbs_on_working_days_across_national_day(world, django_capture_on_commit_callbacks):
    """Due on 29 September 2026: the National Day week (1–7 October) does not count, the make-up
    Saturday (10 October) does. Calendar days would have reached the second rung on 9 October."""
    w = world
    due(w.assignment, D(2026, 9, 29))
    assert working_days_between(D(2026, 9, 29), D(2026, 10, 9)) == 3
    assert working_days_between(D(2026, 9, 29), D(2026, 10, 19)) == 10
    assert working_days_between(D(2026, 9, 29), D(2026, 11, 2)) == 20

    def levels():
        return list(EscalationNotice.objects.filter(assignment=w.assignment).values_list("level", flat=True))

    run(django_capture_on_commit_callbacks, D(2026, 10, 7), force=True)  # a holiday: 1 working day late
    run(django_capture_on_commit_callbacks, D(2026, 10, 8))
    assert levels() == [] and notices() == []

    first = run(django_capture_on_commit_callbacks, D(2026, 10, 9))
    assert levels() == [1]
    notice, = notices()
    assert notice.subject == "【首次督办通知】市财政局：1 项任务已逾期（昆政办发〔2017〕169号）"
    assert notice.to == [FIN] and notice.cc == [SUP]  # to the unit, copied to the plan's supervisor
    assert "逾期 3 个工作日" in notice.body and "2026年9月29日" in notice.body and "报告领导" not in notice.body
    assert first.escalations[0]["without_email"] == ["finance2"]

    run(django_capture_on_commit_callbacks, D(2026, 10, 10))  # the make-up Saturday: 4 days, no new rung
    run(django_capture_on_commit_callbacks, D(2026, 10, 16))
    assert levels() == [1] and len(notices()) == 1

    run(django_capture_on_commit_callbacks, D(2026, 10, 19))
    run(django_capture_on_commit_callbacks, D(2026, 10, 19))  # twice the same day: nothing new
    assert levels() == [1, 2] and notices()[-1].subject.startswith("【再次督办通知】") and len(notices()) == 2

    run(django_capture_on_commit_callbacks, D(2026, 11, 2))
    assert levels() == [1, 2, 3]
    leadership = notices()[-1]
    assert leadership.subject.startswith("【报告领导】") and len(notices()) == 3
    assert "市政府法制办已将逾期情况报告领导" in leadership.body and "data-leadership" in html_of(leadership)
    assert SUP in leadership.cc

    recorded = events("assignment.escalated")
    assert [json.loads(e.details)["level"] for e in recorded] == [1, 2, 3]
    assert [json.loads(e.details)["overdue_working_days"] for e in recorded] == [3, 10, 20]
    assert all(e.actor is None and e.role == "system" and e.assignment_id == w.assignment.pk for e in recorded)
    assert audit_verifies()


def test_a_jump_past_several_rungs_issues_only_the_highest_and_names_the_skipped_ones(
        world, django_capture_on_commit_callbacks):
    w = world
    due(w.assignment, D(2026, 6, 1))
    due(w.minzheng, D(2026, 11, 10))  # 13 working days: second rung straight away
    result = run(django_capture_on_commit_callbacks, FRIDAY)
    assert {(e["unit"], e["level"], tuple(e["skipped_levels"])) for e in result.escalations} == {
        ("市财政局", 3, (1, 2)), ("市民政局", 2, (1,))}
    assert set(EscalationNotice.objects.values_list("assignment_id", "level")) == {
        (w.assignment.pk, 3), (w.minzheng.pk, 2)}
    assert len(notices()) == 2
    skipped = {e.assignment_id: json.loads(e.details)["skipped_levels"] for e in events("assignment.escalated")}
    assert skipped == {w.assignment.pk: [1, 2], w.minzheng.pk: [1]}
    # Each level once: the next day neither climbs back down nor repeats.
    run(django_capture_on_commit_callbacks, D(2026, 11, 30))
    assert EscalationNotice.objects.count() == 2 and len(notices()) == 2


def test_one_notice_mail_per_unit_and_level_lists_all_its_assignments(world, django_capture_on_commit_callbacks):
    w = world
    due(w.assignment, D(2026, 11, 20))
    due(w.second, D(2026, 11, 19))
    run(django_capture_on_commit_callbacks, FRIDAY)
    notice, = notices()
    assert notice.subject.startswith("【首次督办通知】市财政局：2 项任务已逾期")
    for a in (w.assignment, w.second):
        assert f"/assignments/{a.pk}/" in notice.body and f"/assignments/{a.pk}/" in html_of(notice)
    assert EscalationNotice.objects.count() == 2 and len(events("assignment.escalated")) == 2


def test_accepted_work_is_neither_escalated_nor_in_a_digest(world, django_capture_on_commit_callbacks):
    w = world
    accept(w)
    due(w.assignment, D(2026, 9, 1))
    result = run(django_capture_on_commit_callbacks, FRIDAY)
    assert result.escalations == [] and EscalationNotice.objects.count() == 0 and mail.outbox == []


def test_the_assignment_page_shows_the_notices_to_everyone_who_sees_it(world, django_capture_on_commit_callbacks):
    w = world
    due(w.assignment, D(2026, 6, 1))
    run(django_capture_on_commit_callbacks, FRIDAY)
    url = reverse("approvals:assignment_detail", args=[w.assignment.pk])
    for user in (w.submitter, w.reviewer, w.auditor, w.supervisor):
        client = Client()
        client.force_login(user)
        page = client.get(url).content.decode()
        assert 'data-escalation-level="3"' in page and "报告领导" in page


# ----- the supervisor's 催办 ------------------------------------------------------------------------

def accept(w):
    a = w.assignment
    flow.assignment_start(actor=w.submitter, assignment_id=a.pk)
    flow.assignment_submit(actor=w.submitter, assignment_id=a.pk, report="已完成。", no_file_statement="无纸质材料")
    flow.assignment_approve(actor=w.reviewer, assignment_id=a.pk)
    flow.assignment_accept(actor=w.supervisor, assignment_id=a.pk)  # the archive job is never run here


def other_plans_supervisor():
    """The supervisor of a second plan, supervised by another office."""
    data = REFERENCE_PLAN.read_bytes().replace("169号".encode(), "170号".encode())
    plan_import(actor=None, data=data, filename="170.txt",
                supervising_unit=Unit.objects.get(short_name="市监察局"))
    return person("jiancha-sup", "市监察局", "supervisor")


def test_the_supervisor_reminds_a_unit_and_the_unit_gets_one_mail(world, django_capture_on_commit_callbacks):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        reminder = assignment_remind(actor=w.supervisor, assignment_id=w.assignment.pk,
                                     message="请于本周五前报送办理情况。", today=FRIDAY)
    assert (reminder.unit, reminder.sent_by, reminder.sent_on) == (w.assignment.unit, w.supervisor, FRIDAY)
    assert reminder.recipients == [FIN]
    message, = mail.outbox
    assert message.subject.startswith("【催办】市财政局：第1项任务") and message.to == [FIN]
    assert message.reply_to == [SUP]
    assert "请于本周五前报送办理情况。" in message.body and "请于本周五前报送办理情况。" in html_of(message)
    assert f"https://duban.example.gov.cn/assignments/{w.assignment.pk}/" in message.body
    event, = events("assignment.reminded")
    assert (event.actor, event.role, event.assignment_id) == (w.supervisor, "supervisor", w.assignment.pk)
    assert json.loads(event.details)["message"] == "请于本周五前报送办理情况。"
    assert audit_verifies()


@pytest.mark.parametrize("who, error", [("submitter", NotAllowed), ("colleague", NotAllowed),
                                        ("reviewer", NotAllowed), ("auditor", NotAllowed),
                                        ("other_submitter", NotFound), ("other_plans_supervisor", NotFound)])
def test_only_the_plans_supervisor_may_remind(world, who, error, django_capture_on_commit_callbacks):
    actor = other_plans_supervisor() if who == "other_plans_supervisor" else getattr(world, who)
    before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(error):
        assignment_remind(actor=actor, assignment_id=world.assignment.pk, message="请尽快办理", today=FRIDAY)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises((NotAllowed, NotFound)):
        unit_remind_overdue(actor=actor, plan_id=world.plan.pk, unit_id=world.assignment.unit_id,
                            message="请尽快办理", today=FRIDAY)
    assert Reminder.objects.count() == 0 and AuditEvent.objects.count() == before and mail.outbox == []


def test_a_second_reminder_the_same_day_is_refused_and_writes_nothing(world, django_capture_on_commit_callbacks):
    w = world
    with django_capture_on_commit_callbacks(execute=True):
        assignment_remind(actor=w.supervisor, assignment_id=w.assignment.pk, message="第一次催办", today=FRIDAY)
    before = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WrongState) as refused:
        assignment_remind(actor=w.supervisor, assignment_id=w.assignment.pk, message="第二次催办", today=FRIDAY)
    assert refused.value.status == 409 and "今天已对该承办件催办过" in refused.value.message
    assert Reminder.objects.count() == 1 and AuditEvent.objects.count() == before and len(mail.outbox) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assignment_remind(actor=w.supervisor, assignment_id=w.assignment.pk, message="次日再催", today=D(2026, 11, 30))
    assert Reminder.objects.count() == 2 and len(mail.outbox) == 2


def test_an_empty_message_or_accepted_work_is_refused(world, django_capture_on_commit_callbacks):
    w = world
    with pytest.raises(Invalid) as empty:
        assignment_remind(actor=w.supervisor, assignment_id=w.assignment.pk, message="  ", today=FRIDAY)
    assert empty.value.status == 400 and "message" in empty.value.fields
    accept(w)
    with pytest.raises(WrongState):
        assignment_remind(actor=w.supervisor, assignment_id=w.assignment.pk, message="请办理", today=FRIDAY)
    assert Reminder.objects.count() == 0 and events("assignment.reminded") == []


def test_a_unit_wide_reminder_sends_one_mail_listing_every_overdue_assignment(
        world, django_capture_on_commit_callbacks):
    w = world
    due(w.assignment, D(2026, 11, 20))
    due(w.second, D(2026, 11, 26))
    due(w.minzheng, D(2026, 11, 20))  # another unit: not part of it
    with django_capture_on_commit_callbacks(execute=True):
        reminders = unit_remind_overdue(actor=w.supervisor, plan_id=w.plan.pk, unit_id=w.assignment.unit_id,
                                        message="以下任务均已逾期，请抓紧办理。", today=FRIDAY)
    assert {r.assignment_id for r in reminders} == {w.assignment.pk, w.second.pk}
    message, = mail.outbox
    assert message.subject.startswith("【催办】市财政局：2 项逾期任务") and message.to == [FIN]
    assert message.body.index(f"/assignments/{w.assignment.pk}/") < message.body.index(f"/assignments/{w.second.pk}/")
    assert [e.assignment_id for e in events("assignment.reminded")] == [w.assignment.pk, w.second.pk]

    with pytest.raises(WrongState):  # all reminded today already
        unit_remind_overdue(actor=w.supervisor, plan_id=w.plan.pk, unit_id=w.assignment.unit_id,
                            message="再催", today=FRIDAY)
    with pytest.raises(WrongState):  # nothing overdue
        unit_remind_overdue(actor=w.supervisor, plan_id=w.plan.pk, unit_id=Unit.objects.get(short_name="市编办").pk,
                            message="再催", today=FRIDAY)
    assert Reminder.objects.count() == 2 and audit_verifies()


def test_a_unit_wide_reminder_leaves_out_what_was_reminded_today(world, django_capture_on_commit_callbacks):
    w = world
    due(w.assignment, D(2026, 11, 20))
    due(w.second, D(2026, 11, 26))
    with django_capture_on_commit_callbacks(execute=True):
        assignment_remind(actor=w.supervisor, assignment_id=w.assignment.pk, message="单件催办", today=FRIDAY)
        reminders = unit_remind_overdue(actor=w.supervisor, plan_id=w.plan.pk, unit_id=w.assignment.unit_id,
                                        message="整体催办", today=FRIDAY)
    assert [r.assignment_id for r in reminders] == [w.second.pk] and len(mail.outbox) == 2


# ----- the screens -----------------------------------------------------------------------------------

def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_assignment_page_shows_the_history_to_all_and_the_form_only_to_the_supervisor(
        world, django_capture_on_commit_callbacks):
    w = world
    url = reverse("approvals:assignment_detail", args=[w.assignment.pk])
    assert 'data-supervisor-action="remind"' in client_for(w.supervisor).get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(w.supervisor).post(reverse("approvals:assignment_remind", args=[w.assignment.pk]),
                                                 {"message": "请<b>尽快</b>报送"})
    assert response.status_code == 302 and response["Location"] == url
    assert len(mail.outbox) == 1
    for user in (w.submitter, w.reviewer, w.auditor):
        page = client_for(user).get(url).content.decode()
        assert "请&lt;b&gt;尽快&lt;/b&gt;报送" in page and "催办记录" in page
        assert 'data-supervisor-action="remind"' not in page
    page = client_for(w.supervisor).get(url).content.decode()
    assert "今天已催办过该承办件" in page and 'name="message" id="id_remind_message"' not in page


def test_the_remind_view_answers_refusals_with_their_status(world):
    w = world
    url = reverse("approvals:assignment_remind", args=[w.assignment.pk])
    assert client_for(w.submitter).post(url, {"message": "催"}).status_code == 403
    assert client_for(w.other_submitter).post(url, {"message": "催"}).status_code == 404
    empty = client_for(w.supervisor).post(url, {"message": ""})
    assert empty.status_code == 400 and "请填写催办内容" in empty.content.decode()
    assert client_for(w.supervisor).post(url, {"message": "第一次"}).status_code == 302
    again = client_for(w.supervisor).post(url, {"message": "第二次"}, headers={"X-Requested-With": "XMLHttpRequest"})
    assert again.status_code == 409 and "今天已对该承办件催办过" in again.json()["message"]
    assert Reminder.objects.count() == 1
    assert client_for(w.supervisor).get(url).status_code == 405


def test_the_unit_wide_view_lists_the_overdue_work_and_redirects_after_sending(
        world, django_capture_on_commit_callbacks):
    w = world
    yesterday = timezone.localdate() - dt.timedelta(days=1)  # the screen works on the real date
    due(w.assignment, yesterday)
    due(w.second, yesterday)
    url = reverse("approvals:unit_remind_overdue", args=[w.plan.pk, w.assignment.unit_id])
    page = client_for(w.supervisor).get(url)
    assert page.status_code == 200 and 'data-supervisor-action="remind-overdue"' in page.content.decode()
    assert f"/assignments/{w.second.pk}/" in page.content.decode()
    assert client_for(w.submitter).get(url).status_code == 403
    assert client_for(w.submitter).post(url, {"message": "催"}).status_code == 403
    assert client_for(w.supervisor).post(url, {"message": " "}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        sent = client_for(w.supervisor).post(url, {"message": "请抓紧", "next": "/plans/"})
    assert sent.status_code == 302 and sent["Location"] == "/plans/" and len(mail.outbox) == 1
    assert Reminder.objects.count() == 2
    refused = client_for(w.supervisor).post(url, {"message": "再催", "next": "https://evil.example.com/"})
    assert refused.status_code == 409
    other = Unit.objects.get(short_name="市信访局").pk
    with django_capture_on_commit_callbacks(execute=True):
        due(Assignment.objects.get(round__position=1, task=w.assignment.task, unit_id=other), yesterday)
        back = client_for(w.supervisor).post(reverse("approvals:unit_remind_overdue", args=[w.plan.pk, other]),
                                             {"message": "请抓紧", "next": "https://evil.example.com/"})
    assert back["Location"] == reverse("approvals:dashboard", args=[w.plan.pk])


# ----- real SMTP -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    def __init__(self):
        self.envelopes, self.arrived = [], threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        self.arrived.set()
        return "250 OK"


def test_a_reminder_goes_out_through_the_smtp_backend_as_utf8_multipart(
        world, settings, django_capture_on_commit_callbacks):
    from aiosmtpd.controller import Controller

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        get_user_model().objects.filter(pk=world.colleague.pk).update(email="fin2@czj.example.gov.cn")
        with django_capture_on_commit_callbacks(execute=True):
            assignment_remind(actor=world.supervisor, assignment_id=world.assignment.pk,
                              message="请于 12 月 4 日前报送办理情况。", today=FRIDAY)
        assert inbox.arrived.wait(10)
    finally:
        controller.stop()
    envelope, = inbox.envelopes
    assert sorted(envelope.rcpt_tos) == sorted([FIN, "fin2@czj.example.gov.cn"])
    received = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    # Django folds the encoded subject onto continuation lines; unfolded, it is the Chinese subject.
    assert str(received["Subject"]).strip() == "【催办】市财政局：第1项任务（昆政办发〔2017〕169号）"
    assert received.get_content_type() == "multipart/alternative"
    assert "请于 12 月 4 日前报送办理情况。" in received.get_body(("plain",)).get_content()
    assert "请于 12 月 4 日前报送办理情况。" in received.get_body(("html",)).get_content()
    assert received["Reply-To"] == SUP


def test_an_overdue_milestone_is_in_the_digest_with_its_own_date_not_the_due_date(world, settings,
                                                                                django_capture_on_commit_callbacks):
    from workflows.services.periods import milestone_add

    settings.SUPERVISION_ESCALATION_WORKING_DAYS = [50, 60, 70]
    Assignment.objects.filter(pk=world.minzheng.pk).update(created_at=timezone.now() - dt.timedelta(days=60))
    milestone = milestone_add(actor=world.other_submitter, assignment_id=world.minzheng.pk, title="完成摸底调查",
                              due_on=FRIDAY - dt.timedelta(days=3))  # Tuesday: two working days before
    result = run(django_capture_on_commit_callbacks, FRIDAY)
    assert [d["user"] for d in result.digests] == ["minzheng"] and result.digests[0]["red"] == 1
    (message,) = digests()
    for part in (message.body, html_of(message)):
        assert "进展报告或节点应报期限" in part and "2026年11月24日" in part and "逾期 3 个工作日" in part
        assert "2027年12月31日" not in part  # the final due date is far off: the line is about the milestone
    assert milestone.due_on == D(2026, 11, 24)
