"""Role groups and the ASB categories (National Standard for Incident Recording types)."""

from django.db import migrations

from cases.reference_data import groups_and_categories_ensure


def forwards(apps, schema_editor):
    groups_and_categories_ensure(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
