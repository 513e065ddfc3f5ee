"""Trigram indexes for the case list's "contains" search (pg_trgm; trusted, so the database owner may add it)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

INDEXES = [
    ("case_reference_trgm_idx", "cases_case", "reference"),
    ("case_address_trgm_idx", "cases_case", "address"),
    ("case_place_trgm_idx", "cases_case", "location_description"),
    ("party_name_trgm_idx", "cases_party", "full_name"),
    ("party_address_trgm_idx", "cases_party", "address"),
]


class Migration(migrations.Migration):
    dependencies = [("cases", "0010_list_and_related_indexes")]

    operations = [
        TrigramExtension(),
        *[
            migrations.RunSQL(
                f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ((UPPER("{column}"::text)) gin_trgm_ops)',
                f'DROP INDEX IF EXISTS "{name}"',
            )
            for name, table, column in INDEXES
        ],
    ]
