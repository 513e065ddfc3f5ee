"""Every URL, every role, partner agencies included (issue 11).

One case is shared with Leicestershire Police only (a live share at the evidence scope, one evidence file and one
person chosen, a referral to the police); another only with Housing providers; both agencies have an agreement in
force. Housing gets 404 for everything of the police's case (list, detail, note, referral, evidence, search,
exports), the police see it within its scope, council screens answer 404 to partners and partner screens 404 to
the council (a manager may read an agency's team page). A refusal is always 404, never 403.
"""

import html
import uuid
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.utils import timezone

from cases.models import (
    ActionType,
    AgencyMember,
    CaseShare,
    Channel,
    Evidence,
    LawfulBasis,
    PartnerAgency,
    PartyRole,
    PersonBasis,
    SharedPerson,
    ShareScope,
    SharingAgreement,
    TimelineEntry,
    Visibility,
)
from cases.roles import GROUP_NAMES, Role
from cases.services import action_record, note_add, party_add, referral_make, report_submit

from .cases.factories import UserFactory
from .cases.factories import report_submission as submission
from .conftest import PASSWORD

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
COUNCIL = ["anonymous", "call_centre", "officer", "manager"]
PARTNERS = ["police", "police_lead", "housing"]
ROLES = COUNCIL + PARTNERS
OK, LOGIN, NOT_FOUND, PARTNER_HOME = 200, "login", 404, "partners-home"


class RedirectTo(str):
    """A 302 to this URL (formatted with the ids)."""

# What the pages must never show a partner: the person not shared, and notes not marked for partners.
WITHHELD_NAME, WITHHELD_PHONE = "Bernadette Quinlan-Hargreaves", "07700 900987"
SHARED_NAME = "Margaret Ellis"
PARTNER_NOTE, STAFF_NOTE, INTERNAL_NOTE = ("Patrols asked for on Friday nights", "Officer visited number 16 again",
                                           "Internal: manager thinks the witness may be related")


def _partner(username, role, agency):
    user = UserFactory(username=username, password=PASSWORD)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    AgencyMember.objects.create(user=user, agency=agency)
    return user


def _agreement(agency):
    today = timezone.localdate()
    return SharingAgreement.objects.create(
        agency=agency, title=f"Agreement with {agency}", lawful_basis=LawfulBasis.CDA_S115_AND_PUBLIC_TASK,
        what_may_be_shared="Case summaries and people with consent", signed_on=today - timedelta(days=365),
        review_by=today + timedelta(days=365))


def _evidence(case, report, name, minutes):
    return Evidence.objects.create(
        case=case, report=report, file=SimpleUploadedFile(name, PNG), original_name=name, content_type="image/png",
        size=len(PNG), uploaded_at=report.received_at + timedelta(minutes=minutes))


@pytest.fixture
def agencies(db):
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    housing = PartnerAgency.objects.get(name="Housing providers")
    _agreement(police)
    _agreement(housing)
    return {"police": police, "housing": housing}


@pytest.fixture
def users(role_users, agencies):
    return {
        **role_users,
        "police": _partner("pc-smith", Role.PARTNER_USER, agencies["police"]),
        "police_lead": _partner("insp-jones", Role.PARTNER_LEAD, agencies["police"]),
        "housing": _partner("housing-officer", Role.PARTNER_USER, agencies["housing"]),
    }


@pytest.fixture
def ids(users, agencies, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}
    officer, today = users["officer"], timezone.localdate()
    report = report_submit(data=submission(incident_date=today - timedelta(days=3)), channel=Channel.PHONE,
                           submission_key=uuid.uuid4(), logged_by=users["call_centre"])
    case = report.case
    victim = report.reporter
    withheld = party_add(case=case, actor=officer, role=PartyRole.WITNESS, full_name=WITHHELD_NAME, phone=WITHHELD_PHONE)
    chosen = _evidence(case, report, "chosen.png", 1)
    not_chosen = _evidence(case, report, "not-chosen.png", 2)
    action = action_record(case=case, action_type=ActionType.objects.get(slug="warning-letter"), actor=officer)
    police_referral = referral_make(case=case, agency=agencies["police"], reason="Patrols please", referred_on=today, actor=officer)
    # A referral to housing on a case not shared with housing: housing still sees nothing of it.
    housing_referral = referral_make(case=case, agency=agencies["housing"], reason="Tenancy check", referred_on=today, actor=officer)
    note_add(case=case, text=PARTNER_NOTE, actor=officer, visibility=Visibility.PARTNERS)
    note_add(case=case, text=STAFF_NOTE, actor=officer, visibility=Visibility.STAFF)
    note_add(case=case, text=INTERNAL_NOTE, actor=officer, visibility=Visibility.INTERNAL)
    share = CaseShare.objects.create(case=case, agency=agencies["police"], reason="Joint problem solving",
                                     scope=ShareScope.EVIDENCE, shared_by=officer)
    share.evidence.set([chosen])
    SharedPerson.objects.create(share=share, party=victim, basis=PersonBasis.CONSENT)

    # The housing providers' own shared case, so their list is not empty by accident.
    other = report_submit(data=submission(incident_date=today - timedelta(days=2), full_name="Harold Pemberton",
                                          email="harold@example.com", phone="07700 900555", address="3 Moat Street",
                                          postcode="LE18 2GE"),
                          channel=Channel.ONLINE, submission_key=uuid.uuid4())
    CaseShare.objects.create(case=other.case, agency=agencies["housing"], reason="Tenancy", scope=ShareScope.SUMMARY,
                             shared_by=officer)

    from surveys.models import Invitation, Purpose, SurveyChannel
    from surveys.services import phone_survey_start, survey_submit

    answered = phone_survey_start(case=case, party=victim, actor=officer)
    response = survey_submit(invitation=answered, answers=dict.fromkeys(
        ("overall", "treated_fairly", "listened_to", "kept_updated", "first_contact_speed", "staff_polite"), "4"),
        comments="More updates please", entered_by=officer)
    listed = Invitation.objects.create(case=case, party=victim, purpose=Purpose.CLOSURE, channel=SurveyChannel.PHONE,
                                       sent_at=timezone.now(), expires_at=timezone.now() + timedelta(days=28))
    return {
        "reference": case.reference, "other_reference": other.case.reference, "party": victim.pk, "withheld": withheld.pk,
        "evidence": chosen.pk, "not_chosen": not_chosen.pk, "action": action.pk, "referral": police_referral.pk,
        "housing_referral": housing_referral.pk, "share": share.pk, "police_agency": agencies["police"].pk,
        "housing_agency": agencies["housing"].pk, "response": response.pk, "listed_invitation": listed.pk,
    }


def _row(url, anonymous=LOGIN, call_centre=NOT_FOUND, officer=NOT_FOUND, manager=NOT_FOUND, police=NOT_FOUND,
         police_lead=None, housing=NOT_FOUND):
    """One URL and what each role gets (404 unless said; the lead gets what the police user gets unless said)."""
    return (url, {"anonymous": anonymous, "call_centre": call_centre, "officer": officer, "manager": manager,
                  "police": police, "police_lead": police if police_lead is None else police_lead, "housing": housing})


def _council(url, call_centre=NOT_FOUND, officer=OK, manager=OK):
    """A council screen: partners get 404."""
    return _row(url, call_centre=call_centre, officer=officer, manager=manager)


def _partner_screen(url, police=OK, police_lead=None, housing=NOT_FOUND, manager=NOT_FOUND):
    """A partner screen: the council gets 404 (a manager where said)."""
    return _row(url, police=police, police_lead=police_lead, housing=housing, manager=manager)


EVERYONE = dict.fromkeys(ROLES, OK)
MATRIX = [
    # Public pages: the same for everyone.
    ("/report/", EVERYONE),
    ("/privacy/", EVERYONE),
    ("/healthz", EVERYONE),
    ("/staff/login/", {**dict.fromkeys(ROLES, 302), "anonymous": OK}),
    # The staff home sends a partner to their own home.
    _row("/staff/", call_centre=OK, officer=OK, manager=OK, police=PARTNER_HOME, housing=PARTNER_HOME),
    # Council screens: 404 to every partner.
    _council("/staff/cases/"),
    _council("/staff/cases/?q={reference}"),
    _council("/staff/cases/{reference}/"),
    *[_council(f"/staff/cases/{{reference}}/{path}") for path in (
        "contact/", "note/", "people/{party}/", "people/{withheld}/", "referrals/{referral}/", "actions/{action}/", "evidence/")],
    _council("/staff/evidence/{evidence}/"),
    _council("/staff/lookup/", call_centre=OK),
    _council("/staff/lookup/?q={reference}", call_centre=OK),
    _council("/staff/phone-report/", call_centre=OK),
    _council("/staff/phone-report/{reference}/", call_centre=OK),
    _council("/staff/surveys/", officer=NOT_FOUND),
    _council("/staff/surveys/phone/", call_centre=OK),
    _council("/staff/surveys/phone/{listed_invitation}/", call_centre=OK),
    _council("/staff/surveys/case/{reference}/"),
    _council("/staff/surveys/comments/{response}/", officer=NOT_FOUND),
    _council("/dashboard/", officer=NOT_FOUND),
    *[_council(f"/dashboard/export/{figure}.csv", officer=NOT_FOUND)
      for figure in ("reports", "first-contact", "updates", "open-cases", "overdue", "satisfaction")],
    _council("/staff/closure-days/", officer=NOT_FOUND),
    # Staff sharing screens: officers share, managers also run agencies, agreements and the access log.
    _council("/staff/partners/", officer=NOT_FOUND),
    _council("/staff/partners/{police_agency}/", officer=NOT_FOUND),
    _council("/staff/partners/{police_agency}/agreements/add/", officer=NOT_FOUND),
    _council("/staff/cases/{reference}/share/"),
    _council("/staff/cases/{reference}/shares/{share}/"),
    _council("/staff/cases/{reference}/shares/{share}/stop/"),
    _council("/staff/cases/{reference}/lock-down/"),
    _council("/staff/cases/{reference}/access-log/", officer=NOT_FOUND),
    _council("/staff/access-log/", officer=NOT_FOUND),
    # Partner screens. The police see their case within scope; housing nothing of it.
    _partner_screen("/partners/", housing=OK),
    _partner_screen("/partners/?q={reference}", housing=OK),
    _partner_screen("/partners/cases/{reference}/"),
    _partner_screen("/partners/cases/{reference}/note/"),
    _partner_screen("/partners/cases/{reference}/referrals/{referral}/"),
    _partner_screen("/partners/cases/{reference}/referrals/{housing_referral}/", police=NOT_FOUND),
    _partner_screen("/partners/evidence/{evidence}/"),
    _partner_screen("/partners/evidence/{not_chosen}/", police=NOT_FOUND),
    # Housing's own case: the police get 404.
    _partner_screen("/partners/cases/{other_reference}/", police=NOT_FOUND, housing=OK),
    # The agency's users and access log: the partner lead's (a manager reads any agency's team).
    _partner_screen("/partners/team/", police=NOT_FOUND, police_lead=RedirectTo("/partners/agencies/{police_agency}/team/")),
    _partner_screen("/partners/agencies/{police_agency}/team/", police=NOT_FOUND, police_lead=OK, manager=OK),
    _partner_screen("/partners/agencies/{housing_agency}/team/", police=NOT_FOUND, manager=OK),
    _partner_screen("/partners/access-log/", police=NOT_FOUND, police_lead=OK),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_url_for_every_role(client, users, ids, role, url, expected):
    if role != "anonymous":
        client.force_login(users[role])
    response = client.get(url.format(**ids))
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    elif want == PARTNER_HOME:
        assert response.status_code == 302 and response["Location"] == resolve_url("partners:home")
    elif isinstance(want, RedirectTo):
        assert response.status_code == 302 and response["Location"] == want.format(**ids)
    else:
        assert response.status_code == want


# --- What the pages reveal ------------------------------------------------------------------------------------

def _page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_the_police_case_page_shows_the_shared_scope_and_nothing_else(client, users, ids):
    page = _page(client, users["police"], f"/partners/cases/{ids['reference']}/")
    assert ids["reference"] in page and SHARED_NAME in page and PARTNER_NOTE in page
    for withheld in (WITHHELD_NAME, WITHHELD_PHONE, "900987", STAFF_NOTE, INTERNAL_NOTE, "Tenancy check", "not-chosen.png"):
        assert withheld not in page, withheld


def test_the_other_agency_list_does_not_name_the_case(client, users, ids):
    housing = _page(client, users["housing"], "/partners/")
    assert ids["other_reference"] in housing and ids["reference"] not in housing
    # Searching for it by reference finds nothing (the search box repeats what was typed, nothing more).
    searched = _page(client, users["housing"], f"/partners/?q={ids['reference']}")
    assert f"/partners/cases/{ids['reference']}/" not in searched and SHARED_NAME not in searched
    assert f"/partners/cases/{ids['other_reference']}/" not in searched
    client.logout()
    police = _page(client, users["police"], "/partners/")
    assert ids["reference"] in police and ids["other_reference"] not in police


@pytest.mark.parametrize("figure", ["reports", "open-cases"])
def test_an_export_has_the_case_for_a_manager_and_is_404_for_partners(client, users, ids, figure):
    start = (timezone.localdate() - timedelta(days=30)).isoformat()
    url = f"/dashboard/export/{figure}.csv?period=custom&start={start}&end={timezone.localdate().isoformat()}"
    client.force_login(users["manager"])
    response = client.get(url)
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert ids["reference"].encode() in body
    for role in PARTNERS:
        client.force_login(users[role])
        assert client.get(url).status_code == 404, role


@pytest.mark.parametrize("url, data", [
    ("/partners/cases/{reference}/note/", {"text": "Posted by the wrong agency"}),
    ("/partners/cases/{reference}/referrals/{referral}/", {"status": "accepted", "response": "Posted by the wrong agency"}),
    ("/partners/cases/{reference}/referrals/{housing_referral}/", {"status": "accepted", "response": "Posted by the wrong agency"}),
])
def test_the_other_agency_cannot_post_to_the_case_either(client, users, ids, url, data):
    client.force_login(users["housing"])
    assert client.post(url.format(**ids), data).status_code == 404
    assert not TimelineEntry.objects.filter(body__contains="Posted by the wrong agency").exists()
    from cases.models import Referral

    assert not Referral.objects.filter(response__contains="Posted by the wrong agency").exists()


@pytest.mark.parametrize("role", PARTNERS)
def test_a_partner_searching_the_staff_screens_learns_nothing(client, users, ids, role):
    client.force_login(users[role])
    for url in (f"/staff/cases/?q={ids['reference']}", f"/staff/lookup/?q={ids['reference']}",
                f"/staff/lookup/?q={WITHHELD_PHONE.replace(' ', '+')}", f"/staff/cases/{ids['reference']}/"):
        response = client.get(url)
        assert response.status_code == 404, url
        # The page may repeat the address asked for; nothing of the case itself.
        page = response.content.decode()
        for detail in (SHARED_NAME, "14 Bell Street", WITHHELD_NAME, "900987", "900123", f"/partners/cases/{ids['reference']}/"):
            assert detail in url or detail not in page, (url, detail)


# --- A share that ends ends everywhere at once ------------------------------------------------------------------

POLICE_URLS = ["/partners/cases/{reference}/", "/partners/cases/{reference}/note/",
               "/partners/cases/{reference}/referrals/{referral}/", "/partners/evidence/{evidence}/"]


def _stop(ids, agencies):
    CaseShare.objects.filter(pk=ids["share"]).update(stopped_at=timezone.now(), stop_reason="No longer needed")


def _ended_yesterday(ids, agencies):
    CaseShare.objects.filter(pk=ids["share"]).update(ends_on=timezone.localdate() - timedelta(days=1))


def _agreement_lapsed(ids, agencies):
    SharingAgreement.objects.filter(agency=agencies["police"]).update(review_by=timezone.localdate() - timedelta(days=1))


def _agreement_ended(ids, agencies):
    SharingAgreement.objects.filter(agency=agencies["police"]).update(ended_on=timezone.localdate())


def _agency_inactive(ids, agencies):
    PartnerAgency.objects.filter(pk=agencies["police"].pk).update(is_active=False)


@pytest.mark.parametrize("end", [_stop, _ended_yesterday, _agreement_lapsed, _agreement_ended, _agency_inactive],
                         ids=lambda f: f.__name__.strip("_"))
def test_when_a_share_ends_the_police_see_nothing_of_the_case_at_once(client, users, ids, agencies, end):
    client.force_login(users["police"])
    assert client.get(POLICE_URLS[0].format(**ids)).status_code == 200
    end(ids, agencies)
    for url in POLICE_URLS:
        assert client.get(url.format(**ids)).status_code == 404, url
    home = client.get("/partners/")
    # An inactive agency's users have no partner access at all; otherwise their list no longer shows the case.
    assert home.status_code == 404 if end is _agency_inactive else ids["reference"] not in home.content.decode()


def test_a_locked_down_case_shows_partners_only_its_reference_agencies_and_officer(client, users, ids):
    from cases.models import Case
    from cases.services.sharing import case_lock_down

    officer = users["officer"]
    Case.objects.filter(reference=ids["reference"]).update(officer=officer)
    # Locking down narrows every live share to the reference (the officer widens one again deliberately).
    case_lock_down(case=Case.objects.get(reference=ids["reference"]), locked=True, actor=officer)
    client.force_login(users["police"])
    page = _page(client, users["police"], f"/partners/cases/{ids['reference']}/")
    assert ids["reference"] in page and "Leicestershire Police" in page and html.escape(officer.get_full_name()) in page
    for hidden in (SHARED_NAME, "14 Bell Street", PARTNER_NOTE, "chosen.png", WITHHELD_NAME):
        assert hidden not in page, hidden
    assert client.get(f"/partners/evidence/{ids['evidence']}/").status_code == 404


@pytest.mark.parametrize("role", ["call_centre", *PARTNERS])
def test_only_the_council_team_can_post_to_the_sharing_screens(client, users, ids, agencies, role):
    client.force_login(users[role])
    posts = [
        (f"/staff/cases/{ids['reference']}/share/", {"agency": agencies["housing"].pk, "reason": "x", "scope": "summary"}),
        (f"/staff/cases/{ids['reference']}/shares/{ids['share']}/stop/", {"reason": "Stopping it"}),
        (f"/staff/cases/{ids['reference']}/lock-down/", {"locked": "true"}),
        (f"/staff/partners/{ids['police_agency']}/agreements/add/", {"title": "x"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    assert CaseShare.objects.filter(agency=agencies["housing"], case__reference=ids["reference"]).count() == 0
    assert CaseShare.objects.get(pk=ids["share"]).stopped_at is None
    assert SharingAgreement.objects.filter(agency=agencies["police"]).count() == 1
    from cases.models import Case

    assert Case.objects.get(reference=ids["reference"]).is_locked_down is False
