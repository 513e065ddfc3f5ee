"""Deadlines for cases that existed before deadlines were stored, worked out from the stored facts."""

from django.db import migrations
from django.db.models import Max, Q

from cases import sla

OPEN_STATUSES = ("new", "open", "monitoring")
UPDATE_ROLES = ("victim", "complainant", "reporter")


def backfill(apps, schema_editor):
    Report = apps.get_model("cases", "Report")
    Contact = apps.get_model("cases", "Contact")
    Party = apps.get_model("cases", "Party")
    Deadline = apps.get_model("cases", "Deadline")
    # No closure days exist before this migration, so the pure calendar is exact here.
    no_closures = frozenset()
    contacted = set(Contact.objects.filter(is_first_contact=True).values_list("party_id", flat=True))
    for report in Report.objects.filter(reporter__isnull=False, case__status__in=OPEN_STATUSES).select_related("case"):
        if report.reporter_id in contacted:
            continue
        Deadline.objects.get_or_create(
            kind="first_contact", party_id=report.reporter_id, met_at=None, cancelled_at=None,
            defaults={"case_id": report.case_id, "starts_at": report.received_at,
                      "due_at": sla.first_contact_due(report.received_at, no_closures)},
        )
    cases_contacted = set(Contact.objects.filter(is_first_contact=True).values_list("case_id", flat=True))
    parties = (
        Party.objects.filter(case_id__in=cases_contacted, case__status__in=OPEN_STATUSES, role__in=UPDATE_ROLES, is_unknown=False)
        .exclude(phone="", email="", address="")
        .annotate(last_update=Max("contacts__occurred_at", filter=Q(contacts__is_update=True) | Q(contacts__is_first_contact=True)))
        .select_related("case")
    )
    for party in parties:
        since = party.last_update or Contact.objects.filter(case_id=party.case_id, is_first_contact=True).aggregate(m=Max("occurred_at"))["m"]
        Deadline.objects.get_or_create(
            kind="victim_update", party_id=party.pk, met_at=None, cancelled_at=None,
            defaults={"case_id": party.case_id, "starts_at": since, "due_at": sla.update_due(since, party.case.risk_level)},
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0005_deadlines")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
