"""Every URL, every role: anonymous, call centre, officer, manager. Access is decided on the server.

A signed-in user without the capability gets 404, never 403 (cases.policy): a refusal must not
tell anyone that the page or record exists.
"""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cases.models import Channel, Evidence
from cases.services import report_submit

from .cases.factories import report_submission as submission

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ROLES = ["anonymous", "call_centre", "officer", "manager"]
OK, LOGIN, NOT_FOUND = 200, "login", 404


@pytest.fixture
def case_and_evidence(db, call_centre_user, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}
    report = report_submit(data=submission(), channel=Channel.PHONE, submission_key=uuid.uuid4(), logged_by=call_centre_user)
    evidence = Evidence.objects.create(
        case=report.case, report=report, file=SimpleUploadedFile("p.png", PNG), original_name="p.png",
        content_type="image/png", size=len(PNG), uploaded_at=report.received_at,
    )
    return report.case, evidence


@pytest.fixture
def ids(case_and_evidence, officer_user):
    """The ids every case URL needs: the case's reporter, an action and a referral."""
    from datetime import date, timedelta

    from cases.models import ActionType, PartnerAgency
    from cases.services import action_record, referral_make

    case, evidence = case_and_evidence
    action = action_record(case=case, action_type=ActionType.objects.get(slug="warning-letter"), actor=officer_user)
    referral = referral_make(case=case, agency=PartnerAgency.objects.first(), reason="x", referred_on=date.today(), actor=officer_user)
    from surveys.models import Purpose
    from surveys.services import invitation_token, phone_survey_start, survey_invite, survey_submit

    party = case.parties.first()
    answered = phone_survey_start(case=case, party=party, actor=officer_user)
    response = survey_submit(invitation=answered, answers=dict.fromkeys(
        ("overall", "treated_fairly", "listened_to", "kept_updated", "first_contact_speed", "staff_polite"), "4"),
        comments="More updates please", entered_by=officer_user)
    open_invitation = survey_invite(case=case, party=party, purpose=Purpose.MID_CASE)
    phone_invitation = phone_survey_start(case=case, party=party, actor=officer_user)
    # On the phone survey list: someone who prefers a call, asked at closure.
    from django.utils import timezone

    from surveys.models import Invitation, SurveyChannel

    listed = Invitation.objects.create(case=case, party=party, purpose=Purpose.CLOSURE, channel=SurveyChannel.PHONE,
                                       sent_at=timezone.now(), expires_at=timezone.now() + timedelta(days=28))
    return {"reference": case.reference, "evidence": evidence.pk, "party": party.pk, "action": action.pk, "referral": referral.pk,
            "token": invitation_token(open_invitation), "invitation": phone_invitation.pk, "response": response.pk,
            "listed_invitation": listed.pk, "email_invitation": open_invitation.pk}


# url (formatted with the case reference / evidence id), then what each role gets.
MATRIX = [
    ("/report/", {"anonymous": OK, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/report/begin/", {"anonymous": 302, "call_centre": 302, "officer": 302, "manager": 302}),
    ("/report/step/category/", {"anonymous": OK, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/report/step/check/", {"anonymous": 302, "call_centre": 302, "officer": 302, "manager": 302}),
    ("/report/confirmation/", {"anonymous": 302, "call_centre": 302, "officer": 302, "manager": 302}),
    ("/privacy/", {"anonymous": OK, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/accessibility/", {"anonymous": OK, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/healthz", {"anonymous": OK, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/staff/login/", {"anonymous": OK, "call_centre": 302, "officer": 302, "manager": 302}),
    ("/staff/", {"anonymous": LOGIN, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/staff/phone-report/", {"anonymous": LOGIN, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/staff/phone-report/{reference}/", {"anonymous": LOGIN, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/staff/lookup/", {"anonymous": LOGIN, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/staff/lookup/?q=LE18+1AA", {"anonymous": LOGIN, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/staff/cases/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": OK, "manager": OK}),
    ("/staff/cases/?q=noise&status=open_any", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": OK, "manager": OK}),
    ("/staff/cases/{reference}/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": OK, "manager": OK}),
    *[
        (f"/staff/cases/{{reference}}/{path}", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": OK, "manager": OK})
        for path in (
            "contact/", "risk/", "people/add/", "people/{party}/", "actions/add/", "actions/{action}/", "actions/{action}/breach/",
            "referrals/add/", "referrals/{referral}/", "note/", "evidence/", "status/", "close/", "merge/", "edit/",
        )
    ],
    ("/survey/thanks/", {"anonymous": OK, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/survey/not-a-real-token/", {"anonymous": 410, "call_centre": 410, "officer": 410, "manager": 410}),
    ("/survey/{token}/", {"anonymous": OK, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/survey/{token}/opt-out/", {"anonymous": OK, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/staff/surveys/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": NOT_FOUND, "manager": OK}),
    ("/staff/surveys/phone/", {"anonymous": LOGIN, "call_centre": OK, "officer": OK, "manager": OK}),
    # A survey an officer started from a case page; one on the phone list; one sent by email (the resident's own link).
    ("/staff/surveys/phone/{invitation}/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": OK, "manager": OK}),
    ("/staff/surveys/phone/{listed_invitation}/", {"anonymous": LOGIN, "call_centre": OK, "officer": OK, "manager": OK}),
    ("/staff/surveys/phone/{email_invitation}/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": NOT_FOUND, "manager": NOT_FOUND}),
    ("/staff/surveys/comments/{response}/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": NOT_FOUND, "manager": OK}),
    ("/staff/surveys/case/{reference}/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": OK, "manager": OK}),
    ("/dashboard/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": NOT_FOUND, "manager": OK}),
    ("/dashboard/?period=12m&channel=phone", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": NOT_FOUND, "manager": OK}),
    *[
        (f"/dashboard/export/{figure}.csv", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": NOT_FOUND, "manager": OK})
        for figure in ("reports", "first-contact", "updates", "open-cases", "overdue", "satisfaction")
    ],
    ("/staff/closure-days/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": NOT_FOUND, "manager": OK}),
    ("/staff/closure-days/remove/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": NOT_FOUND, "manager": 405}),
    ("/staff/cases/{reference}/assign/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": NOT_FOUND, "manager": OK}),
    ("/staff/cases/{reference}/take/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": 405, "manager": 405}),
    ("/staff/evidence/{evidence}/", {"anonymous": LOGIN, "call_centre": NOT_FOUND, "officer": OK, "manager": OK}),
    ("/admin/", {"anonymous": 302, "call_centre": 302, "officer": 302, "manager": 302}),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_url_for_every_role(client, role_users, ids, role, url, expected):
    if role != "anonymous":
        client.force_login(role_users[role])
    response = client.get(url.format(**ids))
    want = expected[role]
    if want == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith("/staff/login/")
    else:
        assert response.status_code == want


def test_phone_confirmation_of_someone_elses_report_is_hidden_from_other_call_centre_staff(client, case_and_evidence, db):
    from django.contrib.auth.models import Group

    from .cases.factories import UserFactory

    case, _ = case_and_evidence
    colleague = UserFactory(username="cc2")
    colleague.groups.add(Group.objects.get(name="Call centre"))
    client.force_login(colleague)
    assert client.get(f"/staff/phone-report/{case.reference}/").status_code == 404


def test_a_user_with_no_role_is_refused_everywhere_on_staff(client, no_role_user, case_and_evidence):
    case, evidence = case_and_evidence
    client.force_login(no_role_user)
    for url in ["/staff/", "/staff/phone-report/", f"/staff/cases/{case.reference}/", f"/staff/evidence/{evidence.pk}/"]:
        assert client.get(url).status_code == 404, url


def test_only_the_admin_site_for_superusers(client, officer_user):
    officer_user.is_staff = True  # even with the staff flag, an officer is no superuser
    officer_user.save()
    client.force_login(officer_user)
    response = client.get("/admin/cases/case/")
    assert response.status_code == 403


def test_evidence_download_is_the_file_as_an_attachment(client, officer_user, case_and_evidence):
    _, evidence = case_and_evidence
    client.force_login(officer_user)
    response = client.get(f"/staff/evidence/{evidence.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG


def test_evidence_is_not_served_by_url(client, manager_user, case_and_evidence):
    from django.conf import settings

    _, evidence = case_and_evidence
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))
    client.force_login(manager_user)
    for url in (evidence.file.url, f"/static/{evidence.file.name}", f"/{evidence.file.name}"):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("role", ROLES)
def test_sign_out_is_post_only_and_ends_the_session(client, role_users, role):
    if role != "anonymous":
        client.force_login(role_users[role])
    assert client.get("/staff/logout/").status_code == 405
    response = client.post("/staff/logout/")
    assert response.status_code == 302 and response["Location"] == "/staff/login/"
    assert client.get("/staff/").status_code == 302


@pytest.mark.parametrize("role, allowed", [("call_centre", False), ("officer", True), ("manager", True), ("anonymous", False)])
def test_posting_to_a_case_form_is_checked_on_the_server_too(client, role_users, ids, role, allowed):
    from cases.models import TimelineEntry

    if role != "anonymous":
        client.force_login(role_users[role])
    response = client.post(f"/staff/cases/{ids['reference']}/note/", {"text": "posted", "visibility": "staff"})
    assert TimelineEntry.objects.filter(kind="note", body="posted").exists() is allowed
    assert response.status_code == (302 if allowed or role == "anonymous" else 404)


def same_page(content: bytes) -> bytes:
    import re

    return re.sub(rb'(nonce|csrfmiddlewaretoken" value|data-csrf)="[^"]*"', b"", content)  # per-response tokens


def test_a_refusal_is_the_same_page_as_a_case_that_does_not_exist(client, call_centre_user, officer_user, ids):
    """Call-centre staff cannot tell a real case reference from a made-up one (cases.policy answers 404 for both)."""
    client.force_login(call_centre_user)
    for path in ("", "contact/", "people/{party}/", "referrals/{referral}/"):
        real = client.get(f"/staff/cases/{ids['reference']}/{path.format(**ids)}")
        made_up = client.get(f"/staff/cases/ASB-1999-00001/{path.format(**ids)}")
        assert real.status_code == made_up.status_code == 404
        assert same_page(real.content.replace(ids["reference"].encode(), b"ASB-1999-00001")) == same_page(made_up.content)
    client.force_login(officer_user)  # and an officer asking for another case's person or referral gets the same
    assert client.get(f"/staff/cases/ASB-1999-00001/people/{ids['party']}/").status_code == 404


def test_a_person_action_or_referral_of_another_case_is_404_under_this_case(client, officer_user, ids):
    from datetime import date

    from cases.models import ActionType, PartnerAgency
    from cases.services import action_record, referral_make

    from .cases.factories import CaseFactory, PartyFactory

    other = CaseFactory()
    PartyFactory(case=other)
    client.force_login(officer_user)
    here = ids["reference"]
    assert client.get(f"/staff/cases/{here}/people/{ids['party']}/").status_code == 200
    assert client.get(f"/staff/cases/{other.reference}/people/{ids['party']}/").status_code == 404
    assert client.get(f"/staff/cases/{other.reference}/actions/{ids['action']}/").status_code == 404
    assert client.get(f"/staff/cases/{other.reference}/actions/{ids['action']}/breach/").status_code == 404
    assert client.get(f"/staff/cases/{other.reference}/referrals/{ids['referral']}/").status_code == 404
    action = action_record(case=other, action_type=ActionType.objects.get(slug="warning-letter"), actor=officer_user)
    referral = referral_make(case=other, agency=PartnerAgency.objects.first(), reason="x", referred_on=date.today(), actor=officer_user)
    assert client.get(f"/staff/cases/{other.reference}/actions/{action.pk}/").status_code == 200
    assert client.get(f"/staff/cases/{other.reference}/referrals/{referral.pk}/").status_code == 200


def test_a_case_url_for_a_case_that_does_not_exist_is_404(client, officer_user):
    client.force_login(officer_user)
    assert client.get("/staff/cases/ASB-1999-00001/").status_code == 404
    assert client.get("/staff/cases/ASB-1999-00001/contact/").status_code == 404


@pytest.mark.parametrize(
    "url, data",
    [
        ("/staff/cases/{reference}/note/", {}),
        ("/staff/cases/{reference}/close/", {}),
        ("/staff/surveys/phone/{invitation}/", {}),
        ("/staff/surveys/comments/{response}/", {}),
        ("/staff/closure-days/", {}),
        ("/survey/{token}/", {}),
        ("/staff/phone-report/", {}),
        ("/report/step/category/", {"online_report_wizard-current_step": "category"}),
    ],
)
def test_a_page_with_errors_says_error_once_in_its_title(client, manager_user, ids, url, data):
    import re

    client.force_login(manager_user)
    if url.startswith("/report/"):
        client.get("/report/begin/")
    page = client.post(url.format(**ids), {"csrfmiddlewaretoken": "x", **data}).content.decode()
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip()
    assert title.startswith("Error: ") and "Error: Error:" not in title, title


def test_evidence_downloads_under_the_case_reference_and_number_never_the_uploaders_name(client, officer_user, case_and_evidence):
    from datetime import timedelta

    from .cases.test_evidence import real_jpeg

    case, first = case_and_evidence
    jpeg = real_jpeg()
    second = Evidence.objects.create(
        case=case, file=SimpleUploadedFile("x.jpg", jpeg), original_name='Margaret Ellis <diary> "flat 3".exe.jpg',
        content_type="image/jpeg", size=len(jpeg), uploaded_at=first.uploaded_at + timedelta(minutes=5),
    )
    client.force_login(officer_user)
    response = client.get(f"/staff/evidence/{second.pk}/")
    assert response["Content-Disposition"] == f'attachment; filename="{case.reference}-evidence-2.jpg"'
    assert b"".join(response.streaming_content) == jpeg
    response = client.get(f"/staff/evidence/{first.pk}/")
    assert response["Content-Disposition"] == f'attachment; filename="{case.reference}-evidence-1.png"'
    # Officers still see what the file was called, escaped, on the case page.
    page = client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Margaret Ellis &lt;diary&gt; &quot;flat 3&quot;.exe.jpg" in page
