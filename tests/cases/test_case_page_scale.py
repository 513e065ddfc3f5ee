"""The case page at county scale (issue 16): a fixed number of queries whatever the case holds, and what it shows
from rows it no longer joins again (breach dates, each row's person, whether a referred agency can answer)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.services import breach_record, evidence_add, referral_make
from cases.services.risk import risk_assess
from cases.services.sharing import share_stop

from .factories import report_submission, submit_report
from .test_casework import PNG, answers
from .test_query_counts import CASE_PAGE_MAX_QUERIES, queries_for, worked_case
from .test_sharing import agency, agreement, partner, share

pytestmark = pytest.mark.django_db

LONDON = ZoneInfo("Europe/London")
WHEN = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)  # after the factories' incident date


@pytest.fixture
def at_fixed_time():
    with time_machine.travel(WHEN, tick=False):
        yield


def page(client, case):
    response = client.get(f"/staff/cases/{case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def test_case_page_makes_the_same_queries_for_a_bare_case_and_a_full_one(client, officer_user, at_fixed_time):
    bare = submit_report(report_submission(phone="07700 900001", email="bare@example.com", address="1 Mill Lane")).case
    full = worked_case(2, officer_user, extra=6)
    victim = full.parties.order_by("id").first()
    risk_assess(case=full, answers=answers(0, 1), actor=officer_user, party=victim)
    risk_assess(case=full, answers=answers(0, 1, 2), actor=officer_user)
    for n in range(3):
        evidence_add(case=full, uploaded=SimpleUploadedFile(f"photo{n}.png", PNG), actor=officer_user)
    police = agency()
    agreement(police)
    partner("pc", police)
    share_stop(share=share(full, officer_user, police), reason="Done", actor=officer_user)
    share(full, officer_user, police)
    client.force_login(officer_user)
    page(client, bare)  # warm the session and role caches
    counts = [queries_for(client, f"/staff/cases/{case.reference}/") for case in (bare, full, bare)]
    assert counts[0] == counts[1] == counts[2] <= CASE_PAGE_MAX_QUERIES, counts


def test_case_page_shows_breach_dates_newest_first_and_each_rows_person(client, officer_user, at_fixed_time):
    case = worked_case(3, officer_user, extra=1)
    action = case.actions.get()
    with time_machine.travel(WHEN + timedelta(days=5), tick=False):
        breach_record(action=action, occurred_on=date(2026, 12, 7), description="Shouting", actor=officer_user)
        client.force_login(officer_user)
        html = page(client, case)
    assert "<br>Breached 7 Dec 2026<br>Breached 2 Dec 2026</td>" in html
    victim = case.parties.order_by("id").first()
    assert f"Phone to {victim}" in html  # the contact names the case's own person
    assert '<td class="govuk-table__cell">Flat 3</td>' in html  # the action's perpetrator


def test_referral_says_the_agency_can_answer_only_while_a_share_is_in_effect(client, officer_user, at_fixed_time):
    case = worked_case(4, officer_user, extra=0)
    police = agency()
    referral_make(case=case, agency=police, reason="Threats", referred_on=timezone.localdate(), actor=officer_user)
    partner("pc", police)
    client.force_login(officer_user)
    assert "Answers outside ASB Portal" in page(client, case)  # no share
    agreement(police)
    live = share(case, officer_user, police)
    assert "Can answer in ASB Portal" in page(client, case)
    share_stop(share=live, reason="Done", actor=officer_user)
    assert "Answers outside ASB Portal" in page(client, case)
    share(case, officer_user, police, ends_on=timezone.localdate() + timedelta(days=1))
    with time_machine.travel(WHEN + timedelta(days=3), tick=False):  # the share has run past its end date
        client.force_login(officer_user)
        assert "Answers outside ASB Portal" in page(client, case)
