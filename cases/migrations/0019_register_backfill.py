"""The person and place register for the cases already held (issue 12).

Every known party gets a Person: parties on different cases that are strong matches of each other (the same phone
number or email address with a similar name, the same name and date of birth, the same name and address) share one.
Every case with an address gets its Place; the repeat rules get their defaults. The same code as
`manage.py register_rebuild` (cases.services.register.register_rebuild), run with the historical models, in bulk.
Weak matches are left alone (staff see them as new reports come in). Reversing it is a no-op: the links stay.

Also indexes on UPPER(full_name) of people and parties for the register's "same name" lookup (person_candidates;
the trigram index of migration 0011 answers equality too, but some hundred times slower).
"""

from django.db import migrations


def backfill(apps, schema_editor):
    from cases.services.register import register_rebuild

    register_rebuild(apps=apps, using=schema_editor.connection.alias)


class Migration(migrations.Migration):

    dependencies = [("cases", "0018_person_register")]

    operations = [
        *[
            migrations.RunSQL(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ((UPPER("full_name"::text)))',
                f'DROP INDEX IF EXISTS "{name}"',
            )
            for name, table in (("person_name_upper_idx", "cases_person"), ("party_name_upper_idx", "cases_party"))
        ],
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
