"""A small world for workflow tests: the reference plan, dispatched, with one person per role."""
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.test import Client

from tests.conftest import REFERENCE_PLAN
from workflows.models import Assignment, Plan, Unit
from workflows.services import plan_import
from workflows.services.dispatch import plan_dispatch
from workflows.services.memberships import membership_grant


@dataclass
class World:
    plan: Plan
    supervisor: object  # 市政府法制办 督办验收人
    submitter: object  # 市财政局 承办人
    colleague: object  # a second 市财政局 承办人
    reviewer: object  # 市编办 牵头审核人 (leads task 1)
    second_reviewer: object  # 市政府法制办 牵头审核人 (also leads task 1)
    other_submitter: object  # 市民政局 承办人 (another unit)
    auditor: object  # 市审计局 审计人员
    assignment: Assignment  # task 1 × 市财政局

    def reload(self) -> Assignment:
        self.assignment = Assignment.objects.get(pk=self.assignment.pk)
        return self.assignment


def person(username: str, unit: str, role: str):
    user = get_user_model().objects.create_user(username, password="pass-1234")
    membership_grant(actor=None, user=user, unit=Unit.objects.get(short_name=unit), role=role)
    return user


def build_world(*, whole_plan: bool = False) -> World:
    """Import and dispatch the reference plan; by default only task 1 (cheap), else all 31 tasks."""
    legal = Unit.objects.get(short_name="市政府法制办")
    plan = plan_import(actor=None, data=REFERENCE_PLAN.read_bytes(), filename="169.txt", supervising_unit=legal)
    supervisor = person("supervisor", "市政府法制办", "supervisor")
    world = World(
        plan=plan,
        supervisor=supervisor,
        submitter=person("finance", "市财政局", "submitter"),
        colleague=person("finance2", "市财政局", "submitter"),
        reviewer=person("bianban", "市编办", "reviewer"),
        second_reviewer=person("fazhi-reviewer", "市政府法制办", "reviewer"),
        other_submitter=person("minzheng", "市民政局", "submitter"),
        auditor=person("shenji", "市审计局", "auditor"),
        assignment=None,
    )
    task_id = None if whole_plan else plan.tasks.get(number=1).pk
    plan_dispatch(actor=supervisor, plan_id=plan.pk, task_id=task_id)
    world.assignment = Assignment.objects.get(round__plan=plan, task__number=1, unit__short_name="市财政局")
    return world


def signed_in(user) -> Client:
    """A test client signed in as ``user``."""
    client = Client()
    client.force_login(user)
    return client
