"""This council's threshold (Oadby and Wigston's published community trigger): three separate incidents reported
by one person within six months; three different people reporting the same problem; any hate incident. And the
default timescales row. Managers change both on the rules page; other councils' rules are the same kinds of row."""

from django.db import migrations

DEFAULT_RULES = [  # the same as casereview.defaults.DEFAULT_RULES (a migration keeps its own copy)
    {"kind": "one_person", "min_reports": 3, "window_months": 6, "display_order": 10},
    {"kind": "different_people", "min_reports": 3, "window_months": 6, "display_order": 20},
    {"kind": "hate", "min_reports": 1, "window_months": 6, "display_order": 30},
]


def add_defaults(apps, schema_editor):
    ThresholdRule = apps.get_model("casereview", "ThresholdRule")
    Timescales = apps.get_model("casereview", "Timescales")
    if not ThresholdRule.objects.exists():
        ThresholdRule.objects.bulk_create([ThresholdRule(**rule) for rule in DEFAULT_RULES])
    Timescales.objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    dependencies = [("casereview", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
