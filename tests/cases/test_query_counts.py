"""Staff pages make a fixed number of SQL queries whatever the data size (small vs ten times larger)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import ActionType, PartnerAgency, PartyRole
from cases.services import action_record, breach_record, case_assign, contact_record, note_add, party_add, referral_make

from .factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15
# The case page also lists the case's shares with partner agencies (issue 11): one more prefetch, whatever their number.
CASE_PAGE_MAX_QUERIES = MAX_QUERIES + 1
# The People table shows each person's register flags (issue 12): selectors_register.person_flags, called once for
# the page, reads the repeat rules and counts everyone's cases: two more, whatever the number of people.
CASE_PAGE_MAX_QUERIES += 2
# The ASB Case Review threshold banner (issue 13): casereview_tags.case_threshold_flag reads the case's flag, one query
# whatever the case holds (cases never imports casereview, so it cannot be prefetched with the case).
CASE_PAGE_MAX_QUERIES += 1
# "Nominate for JAG" (issue 14): jag_nominate.jag_next_meetings reads the next meeting of each group the user may see,
# one query whatever the number of groups or meetings (cases never imports jag).
CASE_PAGE_MAX_QUERIES += 1
# The letters and notices panel (issue 15): letters_case reads the case's latest documents, one query whatever their
# number (cases never imports letters).
CASE_PAGE_MAX_QUERIES += 1
# County scale (issue 16): no reports prefetch (the page never showed them), and breach dates read with the actions
# rather than by a nested prefetch: two fewer, and the same for a case with no actions.
CASE_PAGE_MAX_QUERIES -= 2


def worked_case(i, officer, *, extra=1):
    """A case with a victim, a perpetrator, contacts, notes, an action with a breach and a referral; `extra` multiplies them."""
    report = submit_report(report_submission(phone=f"07700 9{i:05d}", email=f"p{i}@example.com", address=f"{i} Bell Street",
                                             description=f"Noise number {i}"), received_at=timezone.now() - timedelta(days=3))
    case, victim = report.case, report.reporter
    case_assign(case=case, officer=officer, actor=officer)
    perpetrator = party_add(case=case, actor=officer, role=PartyRole.PERPETRATOR, full_name=f"Flat {i}")
    cpw = ActionType.objects.get(slug="cpw")
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    now = timezone.now()
    for n in range(extra):
        contact_record(case=case, party=victim, method="phone", direction="out", successful=True, summary=f"Call {n}",
                       occurred_at=now - timedelta(hours=n + 1), gave_update=True, actor=officer)
        note_add(case=case, text=f"Note {n}", actor=officer)
        action = action_record(case=case, action_type=cpw, perpetrator=perpetrator, served_on=timezone.localdate(),
                               review_on=timezone.localdate() + timedelta(days=7), actor=officer)
        breach_record(action=action, occurred_on=timezone.localdate(), description="Music again", actor=officer)
        referral_make(case=case, agency=police, reason="Threats", referred_on=timezone.localdate(), actor=officer)
        party_add(case=case, actor=officer, role=PartyRole.WITNESS, full_name=f"Witness {n}")
    return case


def queries_for(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return len(captured)


def counts_small_and_large(client, officer_user, url_for, *, small=3, factor=10, extra=1):
    cases = [worked_case(i, officer_user, extra=extra) for i in range(small)]
    client.force_login(officer_user)
    client.get(url_for(cases))  # warm the session and role caches the way a second request would find them
    before = queries_for(client, url_for(cases))
    cases += [worked_case(i, officer_user, extra=extra) for i in range(small, small * factor)]
    after = queries_for(client, url_for(cases))
    return before, after


def test_case_list_queries_do_not_grow(client, officer_user):
    before, after = counts_small_and_large(client, officer_user, lambda cases: "/staff/cases/")
    assert before == after <= MAX_QUERIES, (before, after)


def test_filtered_search_queries_do_not_grow(client, officer_user):
    url = "/staff/cases/?q=noise&status=open_any&risk_level=standard&channel=online&sort=-risk"
    before, after = counts_small_and_large(client, officer_user, lambda cases: url)
    assert before == after <= MAX_QUERIES, (before, after)


def test_home_queries_do_not_grow(client, officer_user):
    before, after = counts_small_and_large(client, officer_user, lambda cases: "/staff/")
    assert before == after <= MAX_QUERIES, (before, after)


def test_case_page_queries_do_not_grow_with_its_history(client, officer_user):
    client.force_login(officer_user)
    small = worked_case(1, officer_user, extra=1)
    large = worked_case(2, officer_user, extra=10)
    client.get(f"/staff/cases/{small.reference}/")
    before = queries_for(client, f"/staff/cases/{small.reference}/")
    after = queries_for(client, f"/staff/cases/{large.reference}/")
    assert large.timeline.count() >= 10 * small.timeline.count() // 2
    assert before == after <= CASE_PAGE_MAX_QUERIES, (before, after)


def test_call_centre_lookup_queries_do_not_grow(client, officer_user, call_centre_user):
    cases = [worked_case(i, officer_user) for i in range(3)]
    client.force_login(call_centre_user)
    client.get("/staff/lookup/", {"q": "LE18 1AA"})
    before = queries_for(client, "/staff/lookup/", q="LE18 1AA")
    cases += [worked_case(i, officer_user) for i in range(3, 30)]
    after = queries_for(client, "/staff/lookup/", q="LE18 1AA")
    assert before == after <= MAX_QUERIES, (before, after)
