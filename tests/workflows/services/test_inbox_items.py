"""我的待办's table (InboxItem): it follows every state, due-date and permission change, lists an
item once for a person in two waiting groups, and ``rebuild_inbox`` finds and mends any damage.

Every database test also ends with the table compared with the permissions (tests/conftest.py).
"""
import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from tests.world import build_world, person
from workflows.access.groups import unit_role_group
from workflows.models import InboxItem, Unit
from workflows.selectors.inbox import assignments_awaiting
from workflows.services import assignments as services
from workflows.services.dispatch import assignment_set_due_date
from workflows.services.inbox import inbox_drift
from workflows.services.memberships import membership_grant

pytestmark = pytest.mark.django_db


def waiting_groups(assignment) -> set[tuple[str, str]]:
    """(group name, state) of every group the assignment waits for, read from the table."""
    rows = InboxItem.objects.filter(assignment=assignment).values_list("group__name", "state")
    return {(name, state) for name, state in rows}


def group_name(unit: str, role: str) -> str:
    return unit_role_group(Unit.objects.get(short_name=unit), role).name


def test_the_table_follows_the_assignment_through_its_states_and_due_date():
    world = build_world()
    a = world.assignment
    submitters = group_name("市财政局", "submitter")
    reviewers = {group_name("市编办", "reviewer"), group_name("市政府法制办", "reviewer")}
    supervisors = group_name("市政府法制办", "supervisor")
    assert waiting_groups(a) == {(submitters, "assigned")}

    services.assignment_start(actor=world.submitter, assignment_id=a.pk)
    assert waiting_groups(a) == {(submitters, "in_progress")}
    services.assignment_submit(actor=world.submitter, assignment_id=a.pk, report="已完成", no_file_statement="无")
    assert waiting_groups(a) == {(name, "submitted") for name in reviewers}
    assert a in assignments_awaiting(world.reviewer) and a not in assignments_awaiting(world.submitter)
    services.assignment_approve(actor=world.reviewer, assignment_id=a.pk)
    assert waiting_groups(a) == {(supervisors, "lead_reviewed")}
    services.assignment_return(actor=world.supervisor, assignment_id=a.pk, reason="材料不全")
    state = world.reload().state
    assert waiting_groups(a) == {(submitters, state)}

    later = a.due_date + dt.timedelta(days=30)
    assert assignment_set_due_date(actor=world.supervisor, assignment_id=a.pk, due_date=later,
                                   reason="市政府决定延后").due_date == later
    assert set(InboxItem.objects.filter(assignment=a).values_list("due_date", flat=True)) == {later}

    if state == "assigned":
        services.assignment_start(actor=world.submitter, assignment_id=a.pk)
    services.assignment_submit(actor=world.submitter, assignment_id=a.pk, report="已补充", no_file_statement="无")
    services.assignment_approve(actor=world.reviewer, assignment_id=a.pk)
    services.assignment_accept(actor=world.supervisor, assignment_id=a.pk)
    assert waiting_groups(a) == set()
    assert inbox_drift() == {"missing": [], "extra": []}


def test_a_person_in_two_waiting_groups_sees_the_item_once_and_counts_it_once():
    world = build_world()
    both = person("both-leads", "市编办", "reviewer")
    membership_grant(actor=None, user=both, unit=Unit.objects.get(short_name="市政府法制办"), role="reviewer")
    a = world.assignment
    services.assignment_start(actor=world.submitter, assignment_id=a.pk)
    services.assignment_submit(actor=world.submitter, assignment_id=a.pk, report="已完成", no_file_statement="无")
    assert InboxItem.objects.filter(assignment=a).count() == 2  # one row per lead department's group
    assert list(assignments_awaiting(both).values_list("pk", flat=True)) == [a.pk]
    client = Client()
    client.force_login(both)
    html = client.get(reverse("approvals:inbox")).content.decode()
    assert html.count(f'href="/assignments/{a.pk}/"') == 1
    assert "<strong>1</strong> 件待办" in html


def test_rebuild_inbox_check_names_the_damage_and_rebuild_mends_it(capsys):
    world = build_world()
    a = world.assignment
    InboxItem.objects.filter(assignment=a).delete()  # a row lost
    stray = InboxItem.objects.create(group=unit_role_group(Unit.objects.get(short_name="市民政局"), "submitter"),
                                     assignment=a, state="assigned", due_date=a.due_date)  # a row too many
    with pytest.raises(CommandError) as caught:
        call_command("rebuild_inbox", "--check")
    assert "缺少 1 条，多出 1 条" in str(caught.value)
    out = capsys.readouterr().out
    assert f"缺少：用户组 {unit_role_group(Unit.objects.get(short_name='市财政局'), 'submitter').pk} · 承办件 {a.pk} · assigned" in out
    assert f"多出：用户组 {stray.group_id} · 承办件 {a.pk} · assigned" in out

    call_command("rebuild_inbox")
    assert "重建前不一致 2 条" in capsys.readouterr().out
    assert waiting_groups(a) == {(group_name("市财政局", "submitter"), "assigned")}
    call_command("rebuild_inbox", "--check")
    assert "一致" in capsys.readouterr().out
