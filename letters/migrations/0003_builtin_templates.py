"""The built-in templates' wording (letters.builtin), for databases made before it was written. Never overwrites a
manager's wording."""

from django.db import migrations

from letters.builtin import templates_install_migration


class Migration(migrations.Migration):
    dependencies = [("letters", "0002_documents_immutable_and_builtin_templates")]
    operations = [migrations.RunPython(templates_install_migration, migrations.RunPython.noop)]
