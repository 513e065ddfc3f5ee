"""Report.other_categories: what else is happening besides the report's main category."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_case_risk_not_assessed")]

    operations = [
        migrations.AddField(
            model_name="report",
            name="other_categories",
            field=models.ManyToManyField(blank=True, related_name="also_in_reports", to="cases.category"),
        ),
    ]
