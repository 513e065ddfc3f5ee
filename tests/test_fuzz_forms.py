"""No input makes a server error, and a refused submission saves nothing: every public and staff form, by hypothesis.

Each form is posted through Django's full request stack (middleware, view, form, service) with a valid
submission in which hypothesis replaces, drops or duplicates fields with hostile values: huge numbers, NUL
characters, very long strings, any unicode, wrong types. Plus the causes the fuzzer (bench/fuzz.py) found, each
as a plain regression test.
"""

import logging
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.fuzz import page_forms
from cases.models import ActionType, Case, ClosureDay, Evidence, PartnerAgency, Party, PartyRole, Report, TimelineEntry
from cases.services import action_record, party_add, referral_make
from surveys.models import Invitation, Response
from surveys.services import invitation_token, surveys_sweep

from .cases.factories import report_submission, submit_report
from .reporting.helpers import PREFIX, answers, post_step, walk
from .surveys.test_services import GOOD, closed_case

pytestmark = pytest.mark.django_db

FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
                database=None)
STEPS = ["category", "location", "when", "description", "people", "your-part", "support", "evidence", "anonymous",
         "about-you", "customer-group", "contact-preferences", "consent", "check"]

# Hostile values: what a fuzzer, a broken client or a curious person sends.
NASTY = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "\x00", "a\x00b", "99999999999999999999", "9999999999", "-1", "0", "1e309", "NaN", "９", "٣",
                     "x" * 6000, "😀" * 400, "' OR 1=1 --", "<script>", "2026-02-30", "9999-12-31", "0001-01-01", "1" * 5000]),
    st.integers().map(str),
)


def hostile(base: dict):
    """A valid submission with some fields replaced by hostile values, some dropped, some sent twice."""
    names = sorted(base) or ["x"]
    return st.tuples(
        st.dictionaries(st.sampled_from(names), NASTY, max_size=4),
        st.sets(st.sampled_from(names), max_size=3),
        st.dictionaries(st.sampled_from(names), NASTY, max_size=1),
    ).map(lambda t: _apply(base, *t))


def _apply(base, replaced, dropped, doubled):
    data = {k: v for k, v in {**base, **replaced}.items() if k not in dropped}
    for k, v in doubled.items():
        data[k] = [data.get(k, ""), v] if not isinstance(data.get(k), list) else [*data[k], v]
    return data


def counts():
    return (Case.objects.count(), Report.objects.count(), Party.objects.count(), TimelineEntry.objects.count(),
            Response.objects.count(), ClosureDay.objects.count(), Evidence.objects.count())


def assert_no_server_error_and_nothing_half_saved(before, response):
    assert response.status_code < 500
    if response.status_code != 302:  # refused: the form is shown again with its errors, and nothing was written
        assert counts() == before


def form_base(html: str, *, past) -> dict:
    """The valid values of the page's POST form, from its HTML: first choice of each question, sensible text."""
    form = next(f for f in page_forms(html) if f["method"] == "post" and "logout" not in f["action"])
    base = {}
    for name, candidates in form["fields"].items():
        options = [c for c in candidates if c]
        if options:
            base[name] = options[0]
        elif name.endswith(("_0", "_1", "_2")):
            base[name] = str({"0": past.day, "1": past.month, "2": past.year}[name[-1]])
        else:
            base[name] = "07700 900123" if "phone" in name else "LE18 1AA" if "postcode" in name else "Some words"
    return base


# --- the online journey, each step by its URL -------------------------------------------------------


@pytest.mark.parametrize("step", STEPS)
def test_each_online_step_survives_any_input(client, step):
    walk(client, answers(), until=step)
    base = {f"{PREFIX}-current_step": step, **answers()[step]}

    @FUZZ
    @given(data=hostile(base))
    def post(data):
        before = counts()
        response = client.post(f"/report/step/{step}/", data)
        assert response.status_code < 500
        if step != "check" and step != "evidence":
            assert counts() == before  # only "Send" makes a report

    post()


@pytest.mark.parametrize("anonymous", ["yes", "no"])
def test_any_current_step_name_is_answered_without_a_server_error(client, anonymous):
    walk(client, answers(anonymous={"anonymous-anonymous": anonymous}), until="customer-group")

    @FUZZ
    @given(current=st.one_of(st.sampled_from([*STEPS, "sent", "nope", "x" * 5000]), st.text(max_size=30)),
           url_step=st.sampled_from(STEPS))
    def post(current, url_step):
        response = client.post(f"/report/step/{url_step}/", {f"{PREFIX}-current_step": current, "x": "y"})
        assert response.status_code < 500
        assert Report.objects.count() == 0

    post()


# --- the call-centre phone report ---------------------------------------------------------------------


def _phone_base():
    fields = {k: v for step, d in answers().items() if step not in ("evidence", "check") for k, v in d.items()}
    return {**fields, "submission_key": "6b2f0f5e-9c1d-4d36-9e7a-0d3c4b9a1e99", "link_to": "new"}


def test_phone_report_survives_any_input(client, call_centre_user):
    client.force_login(call_centre_user)

    @FUZZ
    @given(data=hostile(_phone_base()))
    def post(data):
        before = counts()
        response = client.post("/staff/phone-report/", data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert counts() == before

    post()


@FUZZ
@given(reference=st.one_of(st.text(min_size=1, max_size=40), st.sampled_from(["ASB-2026-0\x0001", "\x00", "a" * 3000])))
def test_phone_report_confirmation_survives_any_reference(client, call_centre_user, reference):
    client.force_login(call_centre_user)
    from urllib.parse import quote

    assert client.get(f"/staff/phone-report/{quote(reference, safe='')}/").status_code < 500


# --- surveys, opt-out and the status lookup -----------------------------------------------------------


def test_survey_and_opt_out_survive_any_input(client, officer_user):
    closed_case(officer_user)
    surveys_sweep()
    token = invitation_token(Invitation.objects.get())

    @FUZZ
    @given(data=hostile({**GOOD, "comments": "", "may_contact": "no"}), bad_token=NASTY)
    def post(data, bad_token):
        before = counts()
        assert_no_server_error_and_nothing_half_saved(before, client.post(f"/survey/{token}/", data))
        from urllib.parse import quote

        forged = quote(bad_token, safe="") or "x"
        assert client.post(f"/survey/{forged}/opt-out/", data).status_code < 500
        assert client.get(f"/survey/{forged}/").status_code < 500

    post()


@FUZZ
@given(q=NASTY, extra=NASTY)
def test_status_lookup_survives_any_query(client, call_centre_user, q, extra):
    client.force_login(call_centre_user)
    assert client.get("/staff/lookup/", {"q": q, "page": extra}).status_code < 500


# --- staff forms: every form that works a case, as an officer -----------------------------------------


@pytest.fixture
def worked_case(officer_user):
    report = submit_report(report_submission(), received_at=timezone.now() - timedelta(days=3))
    case = report.case
    perpetrator = party_add(case=case, actor=officer_user, role=PartyRole.PERPETRATOR, full_name="Kyle Mercer")
    action = action_record(case=case, action_type=ActionType.objects.filter(is_active=True).first(), perpetrator=perpetrator,
                           served_on=timezone.localdate() - timedelta(days=1), actor=officer_user)
    referral = referral_make(case=case, agency=PartnerAgency.objects.filter(is_active=True).first(), reason="Support",
                             referred_on=timezone.localdate() - timedelta(days=1), actor=officer_user)
    return case, report.reporter, action, referral


CASE_FORMS = ["contact/", "risk/", "people/add/", "people/{party}/", "actions/add/", "actions/{action}/",
              "actions/{action}/breach/", "referrals/add/", "referrals/{referral}/", "note/", "status/", "close/",
              "merge/", "edit/"]


@pytest.mark.parametrize("path", CASE_FORMS)
def test_each_case_form_survives_any_input(client, officer_user, worked_case, path):
    case, reporter, action, referral = worked_case
    client.force_login(officer_user)
    url = f"/staff/cases/{case.reference}/" + path.format(party=reporter.pk, action=action.pk, referral=referral.pk)
    page = client.get(url)
    assert page.status_code == 200
    base = form_base(page.content.decode(), past=timezone.localdate() - timedelta(days=2))

    @FUZZ
    @given(data=hostile(base))
    def post(data):
        assert_no_server_error_and_nothing_half_saved(counts(), client.post(url, data))

    post()


def test_take_and_assign_survive_any_version(client, officer_user, manager_user, worked_case):
    case = worked_case[0]

    @FUZZ
    @given(version=NASTY, next_url=NASTY)
    def post(version, next_url):
        client.force_login(officer_user)
        assert client.post(f"/staff/cases/{case.reference}/take/", {"version": version, "next": next_url}).status_code < 500
        client.force_login(manager_user)
        assert client.post(f"/staff/cases/{case.reference}/assign/", {"version": version, "officer": next_url}).status_code < 500

    post()


def test_closure_days_survive_any_input(client, manager_user):
    client.force_login(manager_user)
    soon = timezone.localdate() + timedelta(days=30)
    base = {"day_0": soon.day, "day_1": soon.month, "day_2": soon.year, "reason": "Training day"}

    @FUZZ
    @given(data=hostile(base), removed=NASTY)
    def post(data, removed):
        assert_no_server_error_and_nothing_half_saved(counts(), client.post("/staff/closure-days/", data))
        assert client.post("/staff/closure-days/remove/", {"day": removed}).status_code < 500

    post()


def test_dashboard_filters_survive_any_input(client, manager_user):
    client.force_login(manager_user)
    base = {"period": "custom", "start_0": "1", "start_1": "1", "start_2": "2026", "end_0": "31", "end_1": "3", "end_2": "2026",
            "officer": "", "category": "", "channel": "", "risk_level": ""}

    @FUZZ
    @given(data=hostile(base))
    def get(data):
        assert client.get("/dashboard/", data).status_code < 500
        assert client.get("/dashboard/export/first-contact.csv", data).status_code < 500

    get()


def test_case_list_filters_survive_any_input(client, officer_user):
    client.force_login(officer_user)
    page = client.get("/staff/cases/").content.decode()
    base = {k: (v[0] if v else "") for f in page_forms(page) if f["method"] == "get" for k, v in f["fields"].items()}

    @FUZZ
    @given(data=hostile(base))
    def get(data):
        assert client.get("/staff/cases/", data).status_code < 500

    get()


# --- the causes the fuzzer found, one test each -----------------------------------------------------------


def test_an_unknown_step_name_goes_back_to_the_journey_and_is_not_logged_whole(client, caplog):
    walk(client, answers(), until="when")
    with caplog.at_level(logging.INFO):
        response = client.post("/report/step/when/", {f"{PREFIX}-current_step": "y" * 100_000})
    assert response.status_code == 302 and response["Location"] == "/report/step/when/"
    assert all(len(r.getMessage()) < 2000 for r in caplog.records)


def test_your_details_after_choosing_anonymous_go_back_to_the_journey(client):
    walk(client, answers(anonymous={"anonymous-anonymous": "yes"}), until="customer-group")
    for skipped in ("about-you", "contact-preferences"):
        response = post_step(client, skipped, answers()[skipped])
        assert response.status_code == 302 and response["Location"] == "/report/step/customer-group/"
    assert Report.objects.count() == 0


@pytest.mark.parametrize("day, year", [("99999999999999999999", "2026"), ("1", "9999999999"), ("31", "2026")])
def test_an_impossible_date_is_a_form_error_online_by_phone_and_for_staff(client, call_centre_user, officer_user, day, year):
    walk(client, answers(), until="when")
    when = {**answers()["when"], "when-incident_date_0": day, "when-incident_date_1": "2", "when-incident_date_2": year}
    page = post_step(client, "when", when)
    assert page.status_code == 200 and "must be a real date, like 27 3 2026" in page.content.decode()

    client.force_login(call_centre_user)
    phone = client.post("/staff/phone-report/", {**_phone_base(), **when})
    assert phone.status_code == 200 and "There is a problem" in phone.content.decode()
    assert Report.objects.count() == 0

    case = submit_report().case
    client.force_login(officer_user)
    before = counts()
    staff = client.post(f"/staff/cases/{case.reference}/note/",
                        {"text": "Visited", "visibility": "staff", "occurred_on_0": day, "occurred_on_1": "2", "occurred_on_2": year})
    assert staff.status_code == 200 and "There is a problem" in staff.content.decode() and counts() == before


@pytest.mark.parametrize("day", ["2026-02-30", "9999-99-99", "99999-01-01", "\x00", ""])
def test_removing_a_closure_day_that_is_not_a_real_date_changes_nothing(client, manager_user, day):
    client.force_login(manager_user)
    response = client.post("/staff/closure-days/remove/", {"day": day})
    assert response.status_code in (302, 400)


def test_a_far_future_custom_period_is_a_form_error_on_the_dashboard(client, manager_user):
    client.force_login(manager_user)
    response = client.get("/dashboard/", {"period": "custom", "start_0": "1", "start_1": "1", "start_2": "2026",
                                           "end_0": "31", "end_1": "12", "end_2": "9999"})
    assert response.status_code == 200 and "Enter a year between" in response.content.decode()


@pytest.mark.parametrize("url", ["/staff/cases/ASB-2026-0%0001/", "/staff/cases/%00/contact/", "/staff/phone-report/ASB%00/",
                                 "/survey/%00/"])
def test_a_nul_in_the_address_is_page_not_found(client, officer_user, url):
    client.force_login(officer_user)
    response = client.get(url)
    assert response.status_code == 404 and "Page not found" in response.content.decode()


def test_a_nul_in_a_query_or_form_field_is_a_clear_bad_request_page(client, call_centre_user):
    from urllib.parse import urlencode

    client.force_login(call_centre_user)
    form = "application/x-www-form-urlencoded"
    for response in (client.get("/staff/lookup/", {"q": "ASB\x00"}),
                     client.post("/staff/phone-report/", urlencode({"x\x00": "1"}), content_type=form),
                     client.post("/staff/phone-report/", urlencode({**_phone_base(), "location-address": "14\x00 Bell St"}),
                                 content_type=form)):
        assert response.status_code == 400
        assert "Sorry, there is a problem with what you sent" in response.content.decode()
        assert "govuk-template" in response.content.decode()
    # A multipart body is left to the forms (so views keep their upload handlers): the field is refused.
    response = client.post("/staff/phone-report/", {**_phone_base(), "location-address": "14\x00 Bell St"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()
    assert Report.objects.count() == 0


def test_a_nul_in_the_session_cookie_starts_a_new_session(client):
    client.cookies["sessionid"] = "abcdefgh\x00"
    assert client.get("/report/begin/").status_code == 302


def test_a_very_long_file_name_is_not_a_bare_bad_request(client, officer_user):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    walk(client, answers(), until="evidence")
    upload = SimpleUploadedFile("photo.png", png, content_type="image/png")
    upload._name = "a" * 1000 + ".png"  # as a client sends it, past UploadedFile's own trimming
    response = client.post("/report/step/evidence/", {f"{PREFIX}-current_step": "evidence", "evidence-files": upload, "upload": "1"})
    assert response.status_code < 500 and (response.status_code == 302 or "govuk-template" in response.content.decode())

    case = submit_report().case
    client.force_login(officer_user)
    upload = SimpleUploadedFile("photo.png", png, content_type="image/png")
    upload._name = "b" * 1000 + ".png"
    response = client.post(f"/staff/cases/{case.reference}/evidence/", {"file": upload, "description": ""})
    assert response.status_code < 500 and (response.status_code == 302 or "govuk-template" in response.content.decode())


def test_log_messages_and_traceback_lines_are_cut_to_a_bounded_length():
    from asb_portal.log_filters import MAX_MESSAGE, MAX_TRACEBACK_LINE, TruncateLongValues

    try:
        {}["y" * 100_000]
    except KeyError:
        import sys

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", ("/" + "x" * 50_000,),
                                   sys.exc_info())
    assert TruncateLongValues().filter(record)
    assert len(record.getMessage()) < MAX_MESSAGE + 50
    assert max(len(line) for line in record.exc_text.splitlines()) < MAX_TRACEBACK_LINE + 50
    assert len(logging.Formatter().format(record)) < 5000


# --- sharing with partner agencies (issue 11): the council's forms -------------------------------------------


def _sharing_counts():
    from cases.models import CaseShare, SharedPerson, SharingAgreement

    return (*counts(), CaseShare.objects.count(), SharedPerson.objects.count(), SharingAgreement.objects.count(),
            CaseShare.objects.filter(stopped_at__isnull=False).count())


@pytest.fixture
def shared_world(officer_user, worked_case):
    from cases.models import LawfulBasis, SharingAgreement
    from cases.services import case_share

    police = PartnerAgency.objects.get(name="Leicestershire Police")
    today = timezone.localdate()
    signed = SharingAgreement.objects.create(agency=police, title="Police ISA", lawful_basis=LawfulBasis.CDA_S115,
                                             what_may_be_shared="Summaries", signed_on=today - timedelta(days=30),
                                             review_by=today + timedelta(days=300))
    housing = PartnerAgency.objects.get(name="Housing providers")
    SharingAgreement.objects.create(agency=housing, title="Housing ISA", lawful_basis=LawfulBasis.PUBLIC_TASK,
                                    what_may_be_shared="Summaries", signed_on=today - timedelta(days=30),
                                    review_by=today + timedelta(days=300))
    case = worked_case[0]
    share = case_share(case=case, agency=police, reason="Threats", scope="summary", people={}, evidence_ids=[], ends_on=None,
                       actor=officer_user)
    return case, police, signed, share


SHARING_FORMS = ["share/", "shares/{share}/", "shares/{share}/stop/", "lock-down/"]


@pytest.mark.parametrize("path", SHARING_FORMS)
def test_each_sharing_form_survives_any_input(client, officer_user, shared_world, path):
    case, _, _, share = shared_world
    client.force_login(officer_user)
    url = f"/staff/cases/{case.reference}/" + path.format(share=share.pk)
    page = client.get(url)
    assert page.status_code == 200
    base = form_base(page.content.decode(), past=timezone.localdate() + timedelta(days=2))

    @FUZZ
    @given(data=hostile(base))
    def post(data):
        before = _sharing_counts()
        response = client.post(url, data)
        assert response.status_code < 500
        if response.status_code not in (302, 404):  # 404: the share was stopped by an earlier example
            assert _sharing_counts() == before

    post()


@pytest.mark.parametrize("path", ["agreements/add/", "agreements/{agreement}/end/"])
def test_agreement_forms_survive_any_input(client, manager_user, shared_world, path):
    _, police, signed, _ = shared_world
    client.force_login(manager_user)
    url = f"/staff/partners/{police.pk}/" + path.format(agreement=signed.pk)
    page = client.get(url)
    assert page.status_code == 200
    base = form_base(page.content.decode(), past=timezone.localdate())

    @FUZZ
    @given(data=hostile(base))
    def post(data):
        before = _sharing_counts()
        response = client.post(url, data)
        assert response.status_code < 500
        if response.status_code != 302:
            assert _sharing_counts() == before

    post()


def test_access_log_filters_survive_any_input(client, manager_user, shared_world):
    case = shared_world[0]
    client.force_login(manager_user)

    @FUZZ
    @given(data=hostile({"username": "pc", "agency": str(shared_world[1].pk), "reference": case.reference, "page": "1"}))
    def get(data):
        assert client.get("/staff/access-log/", data).status_code < 500
        assert client.get(f"/staff/cases/{case.reference}/access-log/", data).status_code < 500

    get()


# --- the partner screens (partners/) ---------------------------------------------------------------


@pytest.fixture
def partner_world(officer_user):
    from cases.models import Referral, ShareScope

    from .partners.helpers import agency, agreement, partner, share

    police = agency()
    agreement(police)
    report = submit_report(report_submission(), received_at=timezone.now() - timedelta(days=1))
    share(report.case, police, scope=ShareScope.TIMELINE, people=[report.reporter], by=officer_user)
    referral = Referral.objects.create(case=report.case, agency=police, reason="Threats", referred_on=timezone.localdate(),
                                       created_by=officer_user)
    lead = partner("fuzz-police-lead", police, lead=True)
    return report.case, referral, police, lead


PARTNER_FORMS = ["cases/{reference}/note/", "cases/{reference}/referrals/{referral}/", "agencies/{agency}/team/add/"]


@pytest.mark.parametrize("path", PARTNER_FORMS)
def test_each_partner_form_survives_any_input(client, partner_world, path):
    case, referral, police, lead = partner_world
    client.force_login(lead)
    url = "/partners/" + path.format(reference=case.reference, referral=referral.pk, agency=police.pk)
    page = client.get(url)
    assert page.status_code == 200
    base = form_base(page.content.decode(), past=timezone.localdate() - timedelta(days=2))

    @FUZZ
    @given(data=hostile(base))
    def post(data):
        assert_no_server_error_and_nothing_half_saved(counts(), client.post(url, data))

    post()


def test_partner_team_changes_survive_any_input(client, partner_world):
    from .partners.helpers import partner

    case, referral, police, lead = partner_world
    member = partner("fuzz-police-user", police)
    client.force_login(lead)

    @FUZZ
    @given(change=NASTY, user_id=st.one_of(st.just(member.pk), st.just(lead.pk), st.integers(min_value=0, max_value=2**31 - 1)))
    def post(change, user_id):
        assert client.post(f"/partners/agencies/{police.pk}/team/{user_id}/", {"change": change}).status_code < 500

    post()


def test_partner_list_and_access_log_filters_survive_any_input(client, partner_world):
    case, referral, police, lead = partner_world
    client.force_login(lead)

    @FUZZ
    @given(q=NASTY, user=NASTY, reference=NASTY, page=NASTY)
    def get(q, user, reference, page):
        assert client.get("/partners/", {"q": q, "page": page}).status_code < 500
        assert client.get("/partners/access-log/", {"user": user, "reference": reference, "page": page}).status_code < 500

    get()


# --- the register's screens (issue 12) ------------------------------------------------------------------------

@pytest.fixture
def register_world(officer_user):
    from cases.models import Person

    first = submit_report(report_submission()).case
    second = submit_report(report_submission(email="other@example.com", phone="07700 900777", reporter_address="",
                                             reporter_postcode="")).case
    person = first.parties.get(role=PartyRole.VICTIM).person
    stray = Person.objects.create(full_name="M Ellis")
    return person, stray, second


def test_register_forms_survive_any_input_and_refusals_change_nothing(client, manager_user, register_world):
    from cases.models import Person, PersonMerge, PossibleMatch, RepeatRule

    person, stray, second = register_world
    match = PossibleMatch.objects.filter(party__case=second).first()
    client.force_login(manager_user)

    @FUZZ
    @given(other=NASTY, other_id=NASTY, reason=NASTY, confirm=st.booleans(), vulnerable=NASTY, note=NASTY, same=NASTY,
           numbers=st.lists(NASTY, min_size=4, max_size=4), period=NASTY)
    def post(other, other_id, reason, confirm, vulnerable, note, same, numbers, period):
        rules_before = list(RepeatRule.objects.values_list("kind", "cases", "months"))
        merge_data = {"other": other, "other_id": other_id, "reason": reason}
        if confirm:
            merge_data = {"confirm": "1", "person_id": other_id, "reason": reason}
        assert client.post(f"/staff/people/{person.pk}/merge/", merge_data).status_code < 500
        assert client.post(f"/staff/people/{person.pk}/vulnerable/", {"vulnerable": vulnerable, "note": note}).status_code < 500
        if match is not None:
            assert client.post(f"/staff/cases/{second.reference}/matches/{match.pk}/", {"same": same}).status_code < 500
        rules = dict(zip(["victim_cases", "victim_months", "perpetrator_cases", "perpetrator_months"], numbers, strict=True))
        response = client.post("/staff/repeat-rules/", rules)
        assert response.status_code < 500
        if response.status_code == 200:  # refused: the rules are as they were
            assert list(RepeatRule.objects.values_list("kind", "cases", "months")) == rules_before
        assert client.get("/staff/places/", {"period": period}).status_code < 500
        # A vulnerable flag is never set without a reason.
        assert not Person.objects.filter(is_vulnerable=True, vulnerability_note="").exists()
        assert PersonMerge.objects.filter(kept=person, merged=person).count() == 0

    post()
