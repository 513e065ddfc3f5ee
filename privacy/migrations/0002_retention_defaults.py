"""The retention schedule's defaults (documented in the README; managers edit them at /staff/privacy/retention/).

The rows are written here as data, not imported from privacy.services, so later edits there do not rewrite history.
"""

from django.db import migrations

DEFAULTS = [
    ("case_file", 2190, "Six years after closure, as Bury; long enough for complaints, ASB Case Reviews and claims "
                        "(six years is the usual limitation period)."),
    ("anonymous_report", 2190, "As the case file they belong to: six years after the case's closure."),
    ("evidence", 2190, "As the case file: evidence goes into court bundles (injunctions, closure orders, CPN appeals, "
                       "breaches), and a breach can come to court years after the case closed."),
    ("survey_response", 730, "Two years after the answer: enough for two years of yearly satisfaction reporting; the "
                             "scores stay, only the comments go."),
    ("message_body", 90, "Ninety days after delivery: long enough to answer \"what did you send me?\"; the case file "
                         "records what was said."),
    ("access_log", 2190, "Six years after the access: the log must outlive the case files it audits, so a complaint "
                         "about who saw a file can still be answered."),
]


def add_defaults(apps, schema_editor):
    RetentionRule = apps.get_model("privacy", "RetentionRule")
    for record_class, keep_days, reason in DEFAULTS:
        RetentionRule.objects.get_or_create(record_class=record_class, defaults={"keep_days": keep_days, "reason": reason})


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
