"""One rule, one place: the preferred contact method decides how we reach someone (cases/contact_rules.py)."""

import re
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from cases import contact_rules, sla
from cases.contact_rules import Reach, how_to_reach, is_reachable, message_channel_for
from cases.models import Party, PartyRole
from cases.selectors import officer_home, parties_missing_final_update
from cases.services import case_assign, party_add, party_update
from surveys.models import SurveyChannel
from surveys.services import survey_channel_for

from .factories import PartyFactory, report_submission, submit_report

pytestmark = pytest.mark.django_db


def london(*args):
    return datetime(*args, tzinfo=sla.LONDON)


def person(**values) -> Party:
    defaults = {"role": PartyRole.VICTIM, "full_name": "Ann Shaw", "email": "", "phone": "", "address": "", "postcode": "",
                "preferred_contact_method": ""}
    return Party(**{**defaults, **values})


MOBILE, LANDLINE = "07700 900123", "0116 2888 961"


@pytest.mark.parametrize("values, reach, channel", [
    ({"preferred_contact_method": "email", "email": "a@example.com", "phone": MOBILE}, Reach("email", "a@example.com"), "email"),
    ({"preferred_contact_method": "text", "phone": MOBILE}, Reach("text", MOBILE), "text"),
    # A text needs a mobile: with a landline we phone instead.
    ({"preferred_contact_method": "text", "phone": LANDLINE}, Reach("phone", LANDLINE), None),
    ({"preferred_contact_method": "phone", "phone": LANDLINE, "email": "a@example.com"}, Reach("phone", LANDLINE), None),
    ({"preferred_contact_method": "letter", "address": "1 High St", "email": "a@example.com"}, Reach("letter", "1 High St"), None),
    # No usable preference: what we hold, email first, then a phone call; never a letter we were not asked to send.
    ({"preferred_contact_method": "email", "phone": MOBILE}, Reach("phone", MOBILE), None),
    ({"preferred_contact_method": "", "email": "a@example.com"}, Reach("email", "a@example.com"), None),
    ({"preferred_contact_method": "", "address": "1 High St"}, None, None),
])
def test_how_to_reach_and_which_message(values, reach, channel):
    party = person(**values)
    assert how_to_reach(party) == reach
    assert message_channel_for(party) == channel


def test_reachable_means_owed_updates_and_some_way_to_reach_them():
    assert is_reachable(person(address="1 High St"))
    assert not is_reachable(person())
    assert not is_reachable(person(role=PartyRole.WITNESS, phone=MOBILE))
    assert not is_reachable(person(is_unknown=True, description="Group of youths", phone=MOBILE))


def test_the_sql_form_agrees_with_the_python_form():
    cases = [
        {"preferred_contact_method": "email", "email": "a@example.com"}, {"preferred_contact_method": "email", "email": ""},
        {"preferred_contact_method": "text", "phone": MOBILE, "phone_normalised": "07700900123"},
        {"preferred_contact_method": "text", "phone": LANDLINE, "phone_normalised": "01162888961"},
        {"preferred_contact_method": "phone", "phone": MOBILE, "phone_normalised": "07700900123"},
        {"preferred_contact_method": "letter", "address": "1 High St"}, {"preferred_contact_method": ""},
    ]
    parties = [PartyFactory(**{"email": "", "phone": "", "phone_normalised": "", **values}) for values in cases]
    by_sql = set(Party.objects.filter(pk__in=[p.pk for p in parties]).filter(contact_rules.messageable()).values_list("pk", flat=True))
    assert by_sql == {p.pk for p in parties if message_channel_for(p)}


def test_surveys_go_by_the_shared_rule():
    assert survey_channel_for(person(preferred_contact_method="text", phone=MOBILE)) == SurveyChannel.SMS
    assert survey_channel_for(person(preferred_contact_method="letter", address="1 High St")) == SurveyChannel.PHONE
    assert survey_channel_for(person(preferred_contact_method="text", phone=LANDLINE)) == SurveyChannel.PHONE
    assert survey_channel_for(person(preferred_contact_method="", email="a@example.com")) == SurveyChannel.EMAIL
    assert survey_channel_for(person(address="1 High St")) is None


def test_someone_no_message_can_reach_becomes_an_officers_task(officer_user):
    # Preferred email, but the officer recorded only a phone number: no message goes, so a person must phone them.
    with time_machine.travel(london(2026, 12, 16, 12, 0), tick=False):  # first contact due tomorrow
        report = submit_report(report_submission(incident_date=london(2026, 12, 14).date()), received_at=london(2026, 12, 14, 9))
        case_assign(case=report.case, officer=officer_user, actor=officer_user)
        party_update(party=report.reporter, actor=officer_user, email="")
        tasks = officer_home(officer_user).tasks
    assert [t.text for t in tasks] == ["Phone Margaret Ellis to make first contact"]
    assert tasks[0].method == "phone"


def test_final_updates_are_owed_to_reachable_people_only(officer_user):
    report = submit_report(report_submission())
    party_add(case=report.case, actor=officer_user, role=PartyRole.VICTIM, full_name="No Details")
    party_add(case=report.case, actor=officer_user, role=PartyRole.VICTIM, full_name="Postal Only", address="2 Bell Street")
    assert [p.full_name for p in parties_missing_final_update(report.case)] == ["Margaret Ellis", "Postal Only"]


def test_the_rule_is_written_only_in_contact_rules():
    """No other code or template reads the preferred contact method to decide how to reach someone."""
    root = Path(settings.BASE_DIR)
    pattern = re.compile(r"preferred_contact_method\s*(==|!=|in\b)|preferred_contact_method__in|is_mobile\(")
    offenders = []
    for path in [*root.glob("*/**/*.py"), *root.glob("templates/**/*.html"), *root.glob("templates/**/*.txt")]:
        parts = path.relative_to(root).parts
        if parts[0] in {"tests", "bench", ".venv", "node_modules", "var"} or "migrations" in parts:
            continue
        if path.name in {"contact_rules.py", "validators.py"}:
            continue
        if pattern.search(path.read_text()):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
