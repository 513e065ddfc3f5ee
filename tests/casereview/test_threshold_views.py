"""The threshold screens: every URL for every role, what the list and the case page's banner reveal (and to whom),
closing a flag, the rules and timescales forms (their rules, double posts, stale forms), hostile input, and a fixed
number of queries whatever the data."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given

from casereview.defaults import case_review_defaults_ensure
from casereview.models import RuleKind, ThresholdFlag, ThresholdRule, Timescales
from casereview.selectors_threshold import explained_counts
from cases.models import CaseShare, Channel, ContactPrompt, Party, PartyRole, SharedPerson, ShareScope
from cases.services import contact_record, report_submit

from ..cases.factories import report_submission
from ..test_access_partners import LOGIN, NOT_FOUND, OK, ROLES, agencies, users  # noqa: F401 (fixtures)
from ..test_fuzz_forms import FUZZ, form_base, hostile

pytestmark = pytest.mark.django_db

MARGARET = {"full_name": "Margaret Ellis", "email": "margaret@example.com", "phone": "07700 900123"}
BANNER = "This case meets the ASB Case Review threshold"


def report(person=None, *, days_ago, case=None, address="14 Bell Street", postcode="LE18 1AA", **overrides):
    """A report `days_ago` days before now, about an incident that day, through intake (the hook runs)."""
    received_at = timezone.now() - timedelta(days=days_ago)
    data = report_submission(address=address, postcode=postcode, incident_date=timezone.localtime(received_at).date(),
                             **(person or MARGARET), **overrides)
    return report_submit(data=data, channel=Channel.ONLINE, submission_key=uuid.uuid4(), received_at=received_at,
                         existing_case=case)


def flagged_case(person=None, *, address="14 Bell Street"):
    """A case whose victim made three reports in three months: the third flags it."""
    first = report(person, days_ago=60, address=address)
    report(person, days_ago=30, case=first.case, address=address)
    report(person, days_ago=3, case=first.case, address=address)
    return first.case


@pytest.fixture(autouse=True)
def _rules(db):
    case_review_defaults_ensure()


@pytest.fixture
def ids(users, agencies):  # noqa: F811 (the fixture imported above)
    case = flagged_case()
    flag = ThresholdFlag.objects.get(case=case)
    # The case is shared with the police (summary scope, the victim included): their case page still has no banner.
    share = CaseShare.objects.create(case=case, agency=agencies["police"], reason="Joint problem solving",
                                     scope=ShareScope.SUMMARY, shared_by=users["officer"])
    SharedPerson.objects.create(share=share, party=Party.objects.filter(case=case, role=PartyRole.VICTIM).first(), basis="consent")
    return {"reference": case.reference, "flag": flag.pk, "rule": ThresholdRule.objects.first().pk}


def _row(url, officer=OK, manager=OK):
    return (url, {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": officer, "manager": manager,
                  "police": NOT_FOUND, "police_lead": NOT_FOUND, "housing": NOT_FOUND})


MATRIX = [
    _row("/staff/case-review/threshold/"),
    _row("/staff/case-review/threshold/?page=2"),
    _row("/staff/case-review/threshold/{flag}/close/"),
    _row("/staff/case-review/threshold/999999/close/", officer=NOT_FOUND, manager=NOT_FOUND),
    _row("/staff/case-review/rules/"),
    _row("/staff/case-review/rules/add/", officer=NOT_FOUND),
    _row("/staff/case-review/rules/{rule}/", officer=NOT_FOUND),
    _row("/staff/case-review/rules/999999/", officer=NOT_FOUND, manager=NOT_FOUND),
    _row("/staff/case-review/timescales/", officer=NOT_FOUND),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_url_for_every_role(client, users, ids, role, url, expected):  # noqa: F811
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(url.format(**ids))
    if expected[role] == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert response.status_code == expected[role]


POSTS = [
    ("/staff/case-review/threshold/{flag}/close/", {"note": "Posted by the wrong person"}, ("officer", "manager")),
    ("/staff/case-review/rules/add/", {"kind": "hate", "min_reports": "1", "window_months": "3", "is_active": "on",
                                       "display_order": "5"}, ("manager",)),
    ("/staff/case-review/rules/{rule}/", {"activate": "off"}, ("manager",)),
    ("/staff/case-review/timescales/", {"acknowledge_days": "9", "decision_days": "10", "meeting_days": "15", "outcome_days": "5",
                                        "escalation_request_days": "20", "escalation_decision_days": "15"}, ("manager",)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, data, allowed", POSTS, ids=[p[0] for p in POSTS])
def test_a_post_by_anyone_not_allowed_changes_nothing(client, users, ids, role, url, data, allowed):  # noqa: F811
    if role in allowed:
        return
    if role != "anonymous":
        client.force_login(users[role])
    response = client.post(url.format(**ids), data)
    assert response.status_code == (302 if role == "anonymous" else 404)
    assert ThresholdFlag.objects.get(pk=ids["flag"]).closed_at is None
    assert ThresholdRule.objects.count() == 3 and ThresholdRule.objects.filter(is_active=True).count() == 3
    assert Timescales.current().acknowledge_days == 3


# --- what the pages show, and to whom -----------------------------------------------------------------------------

def _page(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_list_shows_the_case_the_victim_the_rule_the_date_and_the_reports(client, users, ids):  # noqa: F811
    flag = ThresholdFlag.objects.get(pk=ids["flag"])
    for role in ("officer", "manager"):
        page = _page(client, users[role], "/staff/case-review/threshold/")
        assert f'href="/staff/cases/{ids["reference"]}/"' in page
        assert "Margaret Ellis" in page
        assert "3 separate incidents reported by one person within 6 months" in page
        assert timezone.localtime(flag.met_at).strftime("%-d %b %Y") in page
        assert "None yet" in page
        assert f"/staff/case-review/threshold/{flag.pk}/close/" in page


def test_the_banner_is_on_the_case_page_for_the_team_and_never_for_partners(client, users, ids):  # noqa: F811
    flag = ThresholdFlag.objects.get(pk=ids["flag"])
    for role in ("officer", "manager"):
        page = _page(client, users[role], f"/staff/cases/{ids['reference']}/")
        assert (f"{BANNER}: 3 separate incidents reported by one person within 6 months, met on "
                f"{timezone.localtime(flag.met_at).strftime('%-d %B %Y')}") in page
        assert 'href="/staff/case-review/threshold/"' in page
    # The police see the case, and the victim, through their share: never the banner or the Case Review.
    police = _page(client, users["police"], f"/partners/cases/{ids['reference']}/")
    assert ids["reference"] in police and "Margaret Ellis" in police
    main = police.split("<main")[1].split("</main>")[0]  # the footer links to the public Case Review page
    assert BANNER not in police and "Case Review" not in main and "threshold" not in main.lower()


def test_a_case_below_the_threshold_has_no_banner(client, officer_user):
    case = report(days_ago=5).case
    assert BANNER not in _page(client, officer_user, f"/staff/cases/{case.reference}/")


def test_a_closed_flag_leaves_the_list_and_the_banner_says_how_it_was_dealt_with(client, users, ids):  # noqa: F811
    client.force_login(users["officer"])
    empty = client.post(f"/staff/case-review/threshold/{ids['flag']}/close/", {"note": "   "})
    assert empty.status_code == 200 and "Say how the threshold was dealt with" in empty.content.decode()
    assert "<title>Error: " in empty.content.decode()
    response = client.post(f"/staff/case-review/threshold/{ids['flag']}/close/",
                           {"note": "Explained by phone; she does not want a review"}, follow=True)
    assert response.redirect_chain[-1][0] == "/staff/case-review/threshold/"
    page = response.content.decode()
    assert f"Case {ids['reference']} closed on the threshold list" in page and "No case meets the threshold" in page
    flag = ThresholdFlag.objects.get(pk=ids["flag"])
    assert (flag.closed_by, flag.closed_note) == (users["officer"], "Explained by phone; she does not want a review")
    # A second click finds it gone from the list: 404, and nothing changes.
    assert client.post(f"/staff/case-review/threshold/{ids['flag']}/close/", {"note": "Again"}).status_code == 404
    assert ThresholdFlag.objects.get(pk=ids["flag"]).closed_note == "Explained by phone; she does not want a review"
    case_page = _page(client, users["officer"], f"/staff/cases/{ids['reference']}/")
    assert BANNER not in case_page and "Explained by phone; she does not want a review" in case_page


def test_the_list_shows_the_second_report_explanations_of_the_last_twelve_months(client, manager_user, officer_user):
    # Three people made a second report: one was told, one was not, one has not been contacted yet.
    cases = []
    for n, name in enumerate(["Agnes Whitfield", "Bernard Tolley", "Cecily Marsh"]):
        person = {"full_name": name, "email": f"p{n}@example.com", "phone": f"07700 90030{n}"}
        first = report(person, days_ago=40, address=f"{n} Mill Lane")
        report(person, days_ago=2, case=first.case, address=f"{n} Mill Lane")
        cases.append(first.case)
    prompts = list(ContactPrompt.objects.order_by("id"))
    assert len(prompts) == 3
    for prompt, answer in zip(prompts[:2], (True, False), strict=True):
        contact_record(case=prompt.case, party=prompt.party, method="phone", direction="out", successful=True, summary="Called",
                       occurred_at=timezone.now() - timedelta(hours=1), gave_update=False, actor=officer_user,
                       prompt_answers={prompt.pk: answer})
    page = _page(client, manager_user, "/staff/case-review/threshold/")
    section = page[page.index("Explained at a second report"):]
    for label, n in (("Second reports to explain", 3), ("Explained", 1), ("Not explained", 1), ("Not asked yet", 1)):
        assert f'{label}</dt><dd class="govuk-summary-list__value">{n}<' in section, label
    now = timezone.now()
    assert explained_counts(now - timedelta(days=365), now) == {"raised": 3, "explained": 1, "not_explained": 1, "not_asked": 1}
    assert explained_counts(now, now + timedelta(days=1))["raised"] == 0


# --- the rules and the timescales -------------------------------------------------------------------------------

RULE = {"kind": RuleKind.SEVERAL_REPORTS, "min_reports": "5", "window_months": "6", "is_active": "on", "display_order": "40"}


def test_the_rules_page_lists_the_rules_in_words_with_the_acts_cap(client, officer_user, manager_user):
    page = _page(client, officer_user, "/staff/case-review/rules/")
    for words in ("3 separate incidents reported by one person within 6 months", "3 different people reporting the same problem",
                  "Any hate incident reported within 6 months", "more than three complaints"):
        assert words in page
    assert "/staff/case-review/rules/add/" not in page and "Switch off" not in page  # an officer reads them
    page = _page(client, manager_user, "/staff/case-review/rules/")
    assert "/staff/case-review/rules/add/" in page and "Switch off" in page and "/staff/case-review/timescales/" in page
    assert "not let a council require more than 3" in _page(client, manager_user, "/staff/case-review/rules/add/")


def test_a_manager_adds_a_rule_once_however_often_the_form_is_posted(client, manager_user):
    client.force_login(manager_user)
    first = client.post("/staff/case-review/rules/add/", RULE, follow=True)
    assert "Rule saved: 5 reports about the same problem from more than one person within 6 months" in first.content.decode()
    client.post("/staff/case-review/rules/add/", RULE)
    rule = ThresholdRule.objects.get(kind=RuleKind.SEVERAL_REPORTS)
    assert (rule.min_reports, rule.window_months, rule.is_active, rule.updated_by) == (5, 6, True, manager_user)


@pytest.mark.parametrize(("field", "value", "error"), [
    ("min_reports", "0", "Enter at least 1"),
    ("min_reports", "21", "Enter 20 or fewer"),
    ("min_reports", "three", "Enter how many reports as a whole number"),
    ("window_months", "13", "Enter 12 or fewer"),
    ("kind", "weekly", "Select what must happen"),
    ("min_reports", "1", "Reports from more than one person means at least 2 reports"),
])
def test_a_rule_out_of_bounds_is_refused_with_a_message(client, manager_user, field, value, error):
    client.force_login(manager_user)
    response = client.post("/staff/case-review/rules/add/", {**RULE, field: value})
    page = response.content.decode()
    assert response.status_code == 200 and error in page and "<title>Error: " in page
    assert ThresholdRule.objects.count() == 3


def test_a_manager_changes_a_rule_and_a_stale_form_is_refused(client, manager_user):
    rule = ThresholdRule.objects.get(kind=RuleKind.ONE_PERSON)
    client.force_login(manager_user)
    page = client.get(f"/staff/case-review/rules/{rule.pk}/").content.decode()
    seen = page.split('name="seen" value="')[1].split('"')[0]
    client.post(f"/staff/case-review/rules/{rule.pk}/", {**RULE, "kind": RuleKind.ONE_PERSON, "min_reports": "2", "seen": seen})
    rule.refresh_from_db()
    assert rule.describe() == "2 separate incidents reported by one person within 6 months"
    # The same form again (opened before that change): someone else has changed it.
    stale = client.post(f"/staff/case-review/rules/{rule.pk}/", {**RULE, "kind": RuleKind.ONE_PERSON, "min_reports": "4", "seen": seen})
    assert "Someone else has changed this" in stale.content.decode()
    forged = client.post(f"/staff/case-review/rules/{rule.pk}/", {**RULE, "kind": RuleKind.ONE_PERSON, "min_reports": "4", "seen": "x"})
    assert "Someone else has changed this" in forged.content.decode()
    rule.refresh_from_db()
    assert rule.min_reports == 2


def test_switching_rules_off_keeps_at_least_one_in_force(client, manager_user):
    client.force_login(manager_user)
    rules = list(ThresholdRule.objects.order_by("display_order"))
    for rule in rules[:2]:
        response = client.post(f"/staff/case-review/rules/{rule.pk}/", {"activate": "off"}, follow=True)
        assert "switched off" in response.content.decode()
    last = client.post(f"/staff/case-review/rules/{rules[2].pk}/", {"activate": "off"}, follow=True)
    assert "Keep at least one rule active" in last.content.decode()
    assert list(ThresholdRule.objects.filter(is_active=True)) == [rules[2]]
    client.post(f"/staff/case-review/rules/{rules[0].pk}/", {"activate": "on"})
    assert ThresholdRule.objects.filter(is_active=True).count() == 2


def test_a_manager_sets_the_timescales_and_the_contact_person(client, manager_user, officer_user, call_centre_user):
    client.force_login(manager_user)
    base = {"acknowledge_days": "5", "decision_days": "15", "meeting_days": "20", "outcome_days": "10",
            "escalation_request_days": "20", "escalation_decision_days": "15"}
    refused = client.post("/staff/case-review/timescales/", {**base, "default_spoc": call_centre_user.pk})
    assert "Choose someone from the list" in refused.content.decode()
    too_long = client.post("/staff/case-review/timescales/", {**base, "acknowledge_days": "31"})
    assert "Enter 30 or fewer" in too_long.content.decode()
    assert Timescales.current().acknowledge_days == 3
    response = client.post("/staff/case-review/timescales/", {**base, "default_spoc": officer_user.pk}, follow=True)
    assert "Timescales saved" in response.content.decode()
    row = Timescales.current()
    assert (row.acknowledge_days, row.decision_days, row.meeting_days, row.outcome_days, row.default_spoc, row.updated_by) == (
        5, 15, 20, 10, officer_user, manager_user)


# --- hostile input ----------------------------------------------------------------------------------------------

def _fuzz(client, user, url, *, check):
    client.force_login(user)
    base = form_base(client.get(url).content.decode(), past=timezone.localdate() - timedelta(days=2))

    @FUZZ
    @given(data=hostile(base))
    def post(data):
        response = client.post(url, data)
        assert response.status_code < 500
        check(response)

    post()


def test_the_rule_forms_survive_any_input(client, manager_user):
    rule = ThresholdRule.objects.get(kind=RuleKind.HATE)

    def sane(response):
        for r in ThresholdRule.objects.all():
            assert 1 <= r.min_reports <= 20 and 1 <= r.window_months <= 12
        assert ThresholdRule.objects.filter(is_active=True).exists()

    _fuzz(client, manager_user, "/staff/case-review/rules/add/", check=sane)
    _fuzz(client, manager_user, f"/staff/case-review/rules/{rule.pk}/", check=sane)


def test_the_timescales_form_survives_any_input(client, manager_user):
    def sane(response):
        row = Timescales.current()
        assert 1 <= row.acknowledge_days <= 30 and 1 <= row.escalation_request_days <= 60

    _fuzz(client, manager_user, "/staff/case-review/timescales/", check=sane)


def test_the_close_form_survives_any_input(client, officer_user):
    case = flagged_case()
    flag = ThresholdFlag.objects.get(case=case)

    def sane(response):
        closed = ThresholdFlag.objects.get(pk=flag.pk)
        if response.status_code == 200:
            assert closed.closed_at is None
        elif closed.closed_at is not None:
            assert closed.closed_note.strip() and len(closed.closed_note) <= 300

    _fuzz(client, officer_user, f"/staff/case-review/threshold/{flag.pk}/close/", check=sane)


@given(page=hostile({"page": "2"}))
@FUZZ
def test_the_list_survives_any_page_number(client, officer_user, page):
    client.force_login(officer_user)
    assert client.get("/staff/case-review/threshold/", page).status_code in (200, 400)  # 400: a NUL character


# --- a fixed number of queries ----------------------------------------------------------------------------------

def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_list_and_the_rules_make_a_fixed_number_of_queries(client, manager_user):
    client.force_login(manager_user)
    for n in range(2):
        flagged_case({"full_name": f"Victim {n} Small", "email": f"s{n}@example.com", "phone": f"07700 90010{n}"}, address=f"{n} Small Road")
    client.get("/staff/case-review/threshold/")
    small = _queries(client, "/staff/case-review/threshold/"), _queries(client, "/staff/case-review/rules/")
    for n in range(2, 20):
        flagged_case({"full_name": f"Victim {n} Large", "email": f"l{n}@example.com", "phone": f"07700 9002{n:02d}"}, address=f"{n} Large Road")
    ThresholdRule.objects.bulk_create([ThresholdRule(kind=RuleKind.HATE, min_reports=1, window_months=m, is_active=False)
                                       for m in range(1, 6)])
    assert ThresholdFlag.objects.filter(closed_at__isnull=True).count() == 20
    large = _queries(client, "/staff/case-review/threshold/"), _queries(client, "/staff/case-review/rules/")
    assert small == large, (small, large)
    assert large[0] <= 10


def test_the_banner_costs_the_case_page_one_query(client, officer_user):
    from ..cases.test_query_counts import CASE_PAGE_MAX_QUERIES

    plain = report(days_ago=5).case
    flagged = flagged_case({"full_name": "Winifred Ashdown", "email": "w@example.com", "phone": "07700 900777"}, address="8 Bell Street")
    client.force_login(officer_user)
    client.get(f"/staff/cases/{plain.reference}/")
    assert BANNER in client.get(f"/staff/cases/{flagged.reference}/").content.decode()
    without, with_banner = _queries(client, f"/staff/cases/{plain.reference}/"), _queries(client, f"/staff/cases/{flagged.reference}/")
    assert without == with_banner <= CASE_PAGE_MAX_QUERIES, (without, with_banner)
