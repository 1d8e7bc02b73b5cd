"""Membership and UnitRoleGroup now live in workflows (workflows 0009): drop them from this app's
state only. The tables stay where they are, under their old names, with every row."""
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0002_unitrolegroup"),
        ("workflows", "0009_memberships"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="UnitRoleGroup"),
                              migrations.DeleteModel(name="Membership")],
            database_operations=[],
        ),
    ]
