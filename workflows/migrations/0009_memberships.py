"""Unit roles (Membership, UnitRoleGroup) belong to the domain now: the models move from approvals to
workflows in Django's state only. Their tables keep their names (approvals_membership,
approvals_unitrolegroup), so no row moves and nothing is copied."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models



def content_types_follow(apps, schema_editor):
    """Keep the two models' content types (and the permissions that point at them) under the new label."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="approvals", model__in=["membership", "unitrolegroup"]).update(app_label="workflows")


def content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label="workflows", model__in=["membership", "unitrolegroup"]).update(app_label="approvals")


ROLES = [("submitter", "承办人"), ("reviewer", "牵头审核人"), ("supervisor", "督办验收人"),
         ("auditor", "审计人员"), ("admin", "管理员")]


class Migration(migrations.Migration):

    dependencies = [
        ("approvals", "0002_unitrolegroup"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflows", "0008_archive_render_seconds"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("role", models.CharField(choices=ROLES, max_length=16, verbose_name="角色")),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="授予时间")),
                        ("unit", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                   related_name="memberships", to="workflows.unit",
                                                   verbose_name="单位")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="memberships", to=settings.AUTH_USER_MODEL,
                                                   verbose_name="用户")),
                    ],
                    options={
                        "verbose_name": "单位角色",
                        "verbose_name_plural": "单位角色",
                        "db_table": "approvals_membership",
                        "ordering": ["unit__order", "unit__short_name", "role", "user__username"],
                        "constraints": [models.UniqueConstraint(fields=("user", "unit", "role"),
                                                                name="membership_unique")],
                    },
                ),
                migrations.CreateModel(
                    name="UnitRoleGroup",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("role", models.CharField(choices=ROLES, max_length=16)),
                        ("group", models.OneToOneField(on_delete=django.db.models.deletion.CASCADE,
                                                       related_name="unit_role", to="auth.group")),
                        ("unit", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="role_groups", to="workflows.unit")),
                    ],
                    options={
                        "db_table": "approvals_unitrolegroup",
                        "constraints": [models.UniqueConstraint(fields=("unit", "role"),
                                                                name="unit_role_group_unique")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, content_types_back),
    ]
