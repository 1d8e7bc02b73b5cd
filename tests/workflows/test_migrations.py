"""Moving the unit roles from approvals to workflows (workflows 0009, approvals 0003) moves no data:
the same rows, in the same tables, under the new app label, and back again."""
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("approvals", "0002_unitrolegroup"), ("workflows", "0008_archive_render_seconds")]
AFTER = [("approvals", "0003_memberships_moved_to_workflows"), ("workflows", "0009_memberships")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _rows(apps, label: str):
    membership = apps.get_model(label, "Membership")
    link = apps.get_model(label, "UnitRoleGroup")
    return (sorted(membership.objects.values_list("pk", "user_id", "unit_id", "role", "created_at")),
            sorted(link.objects.values_list("pk", "unit_id", "role", "group_id")))


@pytest.mark.django_db(transaction=True)
def test_the_unit_roles_keep_every_row_and_their_content_types_when_they_move_to_workflows():
    old = _migrate(BEFORE)
    User, Group, Unit = (old.get_model("auth", "User"), old.get_model("auth", "Group"),
                         old.get_model("workflows", "Unit"))
    user = User.objects.create(username="li")
    units = list(Unit.objects.order_by("pk")[:2])
    for unit, role in ((units[0], "submitter"), (units[1], "reviewer")):
        old.get_model("approvals", "Membership").objects.create(user=user, unit=unit, role=role)
        group = Group.objects.create(name=f"unit-{unit.pk}-{role}")
        old.get_model("approvals", "UnitRoleGroup").objects.create(unit=unit, role=role, group=group)
    kinds = old.get_model("contenttypes", "ContentType")
    kinds.objects.get_or_create(app_label="approvals", model="membership")
    before = _rows(old, "approvals")

    new = _migrate(AFTER)
    assert _rows(new, "workflows") == before
    assert ContentType.objects.filter(app_label="workflows", model="membership").exists()
    assert not ContentType.objects.filter(app_label="approvals", model="membership").exists()
    with connection.cursor() as cursor:  # the tables kept their names
        assert {"approvals_membership", "approvals_unitrolegroup"} <= set(connection.introspection.table_names(cursor))

    assert _rows(_migrate(BEFORE), "approvals") == before  # and back, for a rollback
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
