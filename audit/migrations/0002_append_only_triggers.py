from django.db import migrations

from audit import triggers
from audit.chain import GENESIS_HASH


def forwards(apps, schema_editor):
    triggers.install(schema_editor.connection)
    apps.get_model("audit", "AuditHead").objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS_HASH})


def backwards(apps, schema_editor):
    triggers.remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
