"""A small world for rights requests: Margaret Ellis on two cases with her neighbour Kyle Mercer (the alleged
perpetrator on one, a witness on the other), and a third case of Kyle's that Margaret is not on."""

from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone

from cases.models import Party, PartyRole, Person, Visibility
from cases.services import contact_record, note_add, party_add

from ..cases.factories import category, report_submission, submit_report

KYLE = {"full_name": "Kyle Mercer", "phone": "07700 900555", "email": "kyle@example.com", "address": "16 Bell Street"}


def person(**values) -> Person:
    from cases.validators import normalise_phone

    values.setdefault("phone_normalised", normalise_phone(values.get("phone", "")))
    return Person.objects.create(**values)


def link(party: Party, to: Person) -> Party:
    Party.objects.filter(pk=party.pk).update(person=to)
    party.refresh_from_db()
    return party


def rights_world(officer) -> SimpleNamespace:
    now = timezone.now()
    margaret = person(full_name="Margaret Ellis", phone="+44 7700 900123", email="margaret@example.com", address="14 Bell Street",
                      postcode="LE18 1AA")
    kyle = person(postcode="LE18 1AA", **KYLE)
    noise = submit_report(report_submission(incident_date=None,
        description="Music until 3am from Kyle Mercer at 16 Bell Street. His number is 07700900555.",
        impact="I cannot sleep",
    ), received_at=now - timedelta(days=20))
    case_a = noise.case
    link(noise.reporter, margaret)
    kyle_a = link(party_add(case=case_a, actor=officer, role=PartyRole.PERPETRATOR, postcode="LE18 1AA", **KYLE), kyle)
    note_add(case=case_a, text="Visited Kyle Mercer; he denies it", actor=officer, visibility=Visibility.INTERNAL)
    note_add(case=case_a, text="We have written to the household at 16 Bell Street", actor=officer, visibility=Visibility.RESIDENT)
    contact_record(case=case_a, party=noise.reporter, method="phone", direction="out", successful=True,
                   summary="Told Margaret we have spoken to Mr Mercer", occurred_at=now - timedelta(days=19), gave_update=True,
                   actor=officer)

    damage = submit_report(report_submission(incident_date=None,
        category=category("graffiti-vandalism-or-criminal-damage"), reporter_role=PartyRole.VICTIM,
        description="My car was scratched. Kyle saw it happen.", address="Car park, Bell Street",
    ), received_at=now - timedelta(days=10))
    case_b = damage.case
    link(damage.reporter, margaret)
    kyle_b = link(party_add(case=case_b, actor=officer, role=PartyRole.WITNESS, full_name="Kyle Mercer", phone="07700-900-555"), kyle)

    own = submit_report(report_submission(incident_date=None,
        full_name="Kyle Mercer", email="kyle@example.com", phone="07700 900555", address="16 Bell Street",
        description="Someone threw eggs at my window: SECRET THIRD CASE",
    ), received_at=now - timedelta(days=5))
    case_c = own.case
    link(own.reporter, kyle)
    return SimpleNamespace(margaret=margaret, kyle=kyle, case_a=case_a, case_b=case_b, case_c=case_c,
                           margaret_a=noise.reporter, margaret_b=damage.reporter, kyle_a=kyle_a, kyle_b=kyle_b)
