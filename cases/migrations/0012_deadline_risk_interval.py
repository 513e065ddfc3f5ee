"""Each update deadline stores its interval (7 or 14 days), backfilled from London dates; closure days are audited;
deadlines cancelled after they fell due unmet (a case closed over a missed deadline) are marked breached."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# London dates, not the raw difference: across the October clock change a 7-day interval is 8 days and 1 hour long.
BACKFILL_INTERVAL = """
UPDATE cases_deadline
SET interval_days = (due_at AT TIME ZONE 'Europe/London')::date - (starts_at AT TIME ZONE 'Europe/London')::date
WHERE kind = 'victim_update' AND interval_days IS NULL
"""

BACKFILL_BREACHED = """
UPDATE cases_deadline SET breached = true
WHERE met_at IS NULL AND cancelled_at IS NOT NULL AND cancelled_at > due_at AND NOT breached
"""


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0011_trigram_search"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="closureday",
            name="created_at",
            field=models.DateTimeField(auto_now_add=True, null=True),
        ),
        migrations.AddField(
            model_name="closureday",
            name="created_by",
            field=models.ForeignKey(
                blank=True, null=True, editable=False, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="deadline",
            name="interval_days",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="ClosureDayChange",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("day", models.DateField()),
                (
                    "change",
                    models.CharField(
                        choices=[("added", "Added"), ("changed", "Reason changed"), ("removed", "Removed")], max_length=10
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=100)),
                ("occurred_at", models.DateTimeField(auto_now_add=True)),
                ("deadlines_moved", models.PositiveIntegerField(default=0)),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-occurred_at", "-id"]},
        ),
        migrations.RunSQL(BACKFILL_INTERVAL, reverse_sql=migrations.RunSQL.noop),
        migrations.RunSQL(BACKFILL_BREACHED, reverse_sql=migrations.RunSQL.noop),
    ]
