"""Default risk questions, action types and partner agencies (cases.reference_data)."""

from django.db import migrations

from cases.reference_data import casework_reference_ensure


def forwards(apps, schema_editor):
    casework_reference_ensure(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_casework")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
