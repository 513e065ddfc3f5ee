"""A case with no risk assessment is "not assessed", no longer "standard"; an assessment records which answers forced
its band, and each band-forcing question gets the few words said beside the score ("violence or threats reported").

Only cases still at the old default (standard) with no assessment change: a level set by hand in the admin stays.
The short labels for the questions shipped in migration 0004 are frozen here (a migration must not import live code).
"""

from django.db import migrations, models
from django.db.models import Exists, OuterRef

SHORT_LABELS = {
    "Has there been violence, or threats of violence?": "violence or threats reported",
    "Has the victim spoken about harming themselves?": "victim has spoken about self-harm",
}


def cases_mark_not_assessed(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    RiskAssessment = apps.get_model("cases", "RiskAssessment")
    Case.objects.filter(risk_level="standard").exclude(
        Exists(RiskAssessment.objects.filter(case=OuterRef("pk")))
    ).update(risk_level="not_assessed")


def cases_unmark_not_assessed(apps, schema_editor):
    apps.get_model("cases", "Case").objects.filter(risk_level="not_assessed").update(risk_level="standard")


def risk_short_labels_fill(apps, schema_editor):
    """Label the shipped band-forcing questions, then record on past high assessments which answers forced them."""
    RiskQuestion = apps.get_model("cases", "RiskQuestion")
    RiskAssessment = apps.get_model("cases", "RiskAssessment")
    for text, label in SHORT_LABELS.items():
        RiskQuestion.objects.filter(text=text, forces_high=True, short_label="").update(short_label=label)
    forcing = {}  # question set id -> {question text: label}
    for question in RiskQuestion.objects.filter(forces_high=True):
        forcing.setdefault(question.question_set_id, {})[question.text] = question.short_label or question.text
    changed = []
    for assessment in RiskAssessment.objects.filter(level="high", forced_by=[]).iterator(chunk_size=2000):
        labels = forcing.get(assessment.question_set_id, {})
        forced_by = [labels[a["question"]] for a in assessment.answers if a.get("answer") and a.get("question") in labels]
        if forced_by:
            assessment.forced_by = forced_by
            changed.append(assessment)
    RiskAssessment.objects.bulk_update(changed, ["forced_by"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0013_merge_duplicate_parties"),
    ]

    operations = [
        migrations.AddField(
            model_name="riskassessment",
            name="forced_by",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="riskquestion",
            name="short_label",
            field=models.CharField(
                blank=True,
                help_text='A few words shown beside the score when a yes forces high risk, e.g. "violence or threats reported".',
                max_length=100,
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="risk_level",
            field=models.CharField(
                choices=[("not_assessed", "Not assessed"), ("standard", "Standard"), ("medium", "Medium"), ("high", "High")],
                default="not_assessed",
                max_length=20,
            ),
        ),
        migrations.RunPython(cases_mark_not_assessed, cases_unmark_not_assessed),
        migrations.RunPython(risk_short_labels_fill, migrations.RunPython.noop),
    ]
