"""Security review of the Case Review (issue 13): access and personal data. Each test shows one defect found in the
review (it failed before its fix) or pins down a hole that was checked and found closed."""

import pytest
import time_machine

from casereview.models import Stage

from ..test_access_partners import agencies, users  # noqa: F401 - fixtures
from .factories import application_make, fresh, london

pytestmark = pytest.mark.django_db
NOW = london(2026, 11, 4, 10, 0)  # Wednesday 4 November 2026
SCRIPT = '<script>alert("x")</script>'


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_the_not_met_letter_on_the_staff_page_escapes_what_the_applicant_typed(client, users):  # noqa: F811
    """The letter to print (a phone or letter applicant told no review is held) is rendered from a text template,
    which Django marks safe: shown with |linebreaks it was not escaped, so a name typed on the public form ran as
    script in the officer's browser."""
    application = application_make(method="letter", spoc=users["officer"], applicant_name=f"Ann {SCRIPT}")
    url = f"/staff/case-review/{application.reference}/decision/"
    client.force_login(users["manager"])
    response = client.post(url, {"threshold_met": "no", "proceeds": "no", "reasons": f"One report {SCRIPT}",
                                 "version": application.version})
    assert response.status_code == 302 and fresh(application).stage == Stage.NOT_MET
    html = client.get(url).content.decode()
    assert SCRIPT not in html
    assert "Ann &lt;script&gt;" in html


def _case_with_open_flag():
    from datetime import timedelta

    from casereview.models import ThresholdFlag

    from ..cases.factories import report_submission, submit_report

    report = submit_report(report_submission(incident_date=NOW.date() - timedelta(days=2)), received_at=NOW - timedelta(days=1))
    flag = ThresholdFlag.objects.create(case=report.case, person=report.reporter.person, rule_text="any hate incident",
                                        met_at=NOW - timedelta(days=1))
    return report, flag


APPLY = {
    "applicant_is_victim": "yes", "victim_kind": "individual", "applicant_name": "Gary Strangeways",
    "email": "gary.s@example.net", "preferred_contact_method": "email", "location": "Somewhere else entirely",
    "description": "Nothing to do with that case", "hate_related": "no",
}


def _apply(client, **data):
    import re

    page = client.get("/case-review/apply/").content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    return client.post("/case-review/apply/", {**APPLY, "submission_key": key, **data})


def test_a_stranger_quoting_a_case_reference_does_not_close_that_victims_threshold_flag(client):
    """Council case references are sequential (ASB-2026-00001, …). Anyone could apply online quoting one, and the
    case's open threshold flag was closed as if its victim had applied: the manager's list lost a victim who
    qualifies. The flag is closed only when the applicant is a victim or complainant on that case."""
    report, flag = _case_with_open_flag()
    response = _apply(client, case_references=report.case.reference)
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.closed_at is None


def test_the_victim_quoting_their_own_case_still_closes_its_flag(client):
    report, flag = _case_with_open_flag()
    response = _apply(client, case_references=report.case.reference, applicant_name="Margaret Ellis",
                      email="margaret@example.com")
    assert response.status_code == 302
    flag.refresh_from_db()
    assert flag.closed_at is not None


def test_a_withdrawn_review_sends_no_more_reminders_when_a_partner_reports_progress(client, users, agencies):  # noqa: F811
    """Withdrawal cancels the recommendations' deadlines; a partner (or the team) saving progress afterwards opened
    a new one, so the sweep reminded the agency's leads and the contact person about a review that had stopped."""
    from datetime import date

    from casereview.services.applications import application_withdraw
    from casereview.services.recommendations import recommendation_add, recommendation_token
    from cases.models import Deadline, DeadlineKind

    from .factories import decided, met

    application = met(decided(application_make(spoc=users["officer"]), users["manager"]), users["officer"],
                      agencies=[agencies["police"]])
    application = fresh(application)
    rec = recommendation_add(application=application, text="Patrol on Friday nights", owner_agency=agencies["police"],
                             due_on=date(2026, 12, 18), actor=users["officer"], version=application.version)
    application_withdraw(application=fresh(application), reason="The applicant moved away", actor=users["officer"],
                         version=fresh(application).version)
    open_ = Deadline.objects.open().filter(kind=DeadlineKind.CASE_REVIEW_RECOMMENDATION)
    assert not open_.exists()
    rec.refresh_from_db()
    client.force_login(users["police"])
    client.post(f"/partners/recommendations/{rec.pk}/", {"status": "in_progress", "progress": "Two patrols done",
                                                         "token": recommendation_token(rec)})
    assert not open_.exists()


def test_a_double_click_on_a_form_whose_session_expired_sends_one_application(client):
    """A form left open past the session's life (or the session cleared) posts a key the new session never gave. Each
    such post was given a fresh key, so two clicks (or a refresh) made two applications."""
    import re

    from casereview.models import Application

    page = client.get("/case-review/apply/").content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    client.session.flush()
    client.cookies.pop("sessionid", None)
    first = client.post("/case-review/apply/", {**APPLY, "submission_key": key})
    client.cookies.pop("sessionid", None)  # the second click left before the first one's answer set a cookie
    second = client.post("/case-review/apply/", {**APPLY, "submission_key": key})
    assert first.status_code == second.status_code == 302
    assert Application.objects.count() == 1


def test_someone_elses_key_does_not_open_their_confirmation(client):
    """Replaying the key another person's form was given (read off their screen, say) from another browser neither
    shows their reference or email nor makes a second application under their key."""
    import re

    from django.test import Client

    from casereview.models import Application

    page = client.get("/case-review/apply/").content.decode()
    key = re.search(r'name="submission_key" value="([^"]+)"', page).group(1)
    assert client.post("/case-review/apply/", {**APPLY, "submission_key": key}).status_code == 302
    theirs = Application.objects.get()
    other = Client()
    response = other.post("/case-review/apply/", {**APPLY, "email": "mallory@example.org", "submission_key": key}, follow=True)
    html = response.content.decode()
    assert theirs.reference not in html and APPLY["email"] not in html
    assert Application.objects.count() == 2 and Application.objects.filter(submission_key=key).count() == 1


# --- every Case Review URL for the users the role matrices leave out ---------------------------------------------

URLS = [
    "/staff/case-review/", "/staff/case-review/new/", "/staff/case-review/threshold/", "/staff/case-review/rules/",
    "/staff/case-review/timescales/", "/staff/case-review/{reference}/", "/staff/case-review/{reference}/acknowledge/",
    "/staff/case-review/{reference}/contact-person/", "/staff/case-review/{reference}/link/",
    "/staff/case-review/{reference}/withdraw/", "/staff/case-review/{reference}/decision/",
    "/staff/case-review/{reference}/meeting/", "/staff/case-review/{reference}/recommendations/add/",
    "/staff/case-review/{reference}/recommendations/{rec}/", "/staff/case-review/{reference}/outcome/",
    "/staff/case-review/{reference}/escalation/", "/staff/case-review/{reference}/escalation/outcome/",
    "/partners/recommendations/", "/partners/recommendations/{rec}/",
]


def _reviewed(users, agencies, **applicant):  # noqa: F811
    from datetime import date

    from casereview.services.recommendations import recommendation_add

    from .factories import decided, met

    application = met(decided(application_make(spoc=users["officer"], **applicant), users["manager"]), users["officer"],
                      agencies=[agencies["police"]])
    application = fresh(application)
    rec = recommendation_add(application=application, text="Patrol on Friday nights", owner_agency=agencies["police"],
                             due_on=date(2026, 12, 18), actor=users["officer"], version=application.version)
    return fresh(application), rec


def _odd_user(kind, agencies):  # noqa: F811
    from datetime import timedelta

    from django.contrib.auth.models import Group
    from django.utils import timezone

    from cases.models import SharingAgreement
    from cases.roles import GROUP_NAMES, Role

    from ..cases.factories import UserFactory
    from .factories import partner_user

    if kind == "no_role":
        return UserFactory(username="no-role")
    if kind == "council_and_partner":  # refused altogether: the two see different things
        user = partner_user("two-hats", Role.PARTNER_LEAD, agencies["police"])
        user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.OFFICER]))
        return user
    if kind == "inactive_agency":
        user = partner_user("ex-partner", Role.PARTNER_LEAD, agencies["police"])
        agencies["police"].is_active = False
        agencies["police"].save(update_fields=["is_active"])
        return user
    SharingAgreement.objects.filter(agency=agencies["police"]).update(review_by=timezone.localdate() - timedelta(days=1))
    return partner_user("lapsed-partner", Role.PARTNER_USER, agencies["police"])


@pytest.mark.parametrize("kind", ["no_role", "inactive_agency", "council_and_partner"])
def test_a_user_without_a_role_or_of_an_inactive_agency_gets_404_everywhere(client, users, agencies, kind):  # noqa: F811
    application, rec = _reviewed(users, agencies)
    client.force_login(_odd_user(kind, agencies))
    for url in URLS:
        url = url.format(reference=application.reference, rec=rec.pk)
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"status": "done", "progress": "x"}).status_code == 404, url
    rec.refresh_from_db()
    assert rec.status == "open"


def test_a_partner_whose_agreement_lapsed_sees_only_its_own_recommendation_and_no_applicant(client, users, agencies):  # noqa: F811
    """Recommendations carry no personal data, so a lapsed sharing agreement does not hide them (the case is no
    longer linked, as its share needs an agreement in force); the council's pages stay 404."""
    from .factories import APPLICANT_EMAIL, APPLICANT_NAME, APPLICANT_PHONE, VICTIM_NAME

    application, rec = _reviewed(users, agencies)
    client.force_login(_odd_user("lapsed", agencies))
    for url in URLS:
        url = url.format(reference=application.reference, rec=rec.pk)
        response = client.get(url)
        assert response.status_code == (200 if url.startswith("/partners/") else 404), url
        html = response.content.decode()
        for secret in (APPLICANT_NAME, APPLICANT_EMAIL, APPLICANT_PHONE, VICTIM_NAME):
            assert secret not in html, (url, secret)


# --- what users typed, on every page that shows it -----------------------------------------------------------------

def test_every_staff_and_partner_page_escapes_what_was_typed(client, users, agencies):  # noqa: F811
    from casereview.services.recommendations import recommendation_token
    from casereview.services.stages import EscalationAsk, escalation_record, outcome_send

    hostile = f'{SCRIPT}"\'><img src=x onerror=alert(1)>'
    application, rec = _reviewed(users, agencies, applicant_name=f"Ann {hostile}", location=hostile, description=hostile,
                                 victim_name=hostile, support_needs=hostile, impact=hostile, case_references=hostile,
                                 address=hostile, method="letter")
    client.force_login(users["police"])
    assert client.post(f"/partners/recommendations/{rec.pk}/", {"status": "in_progress", "progress": hostile,
                                                                "token": recommendation_token(rec)}).status_code == 302
    sent = outcome_send(application=application, letter=f"Dear Ann {hostile}", actor=users["officer"], version=application.version)
    escalation_record(application=sent, ask=EscalationAsk(requested_on=NOW.date(), route="phone", reasons=hostile),
                      actor=users["officer"], version=sent.version)
    pages = [u.format(reference=application.reference, rec=rec.pk) for u in URLS if not u.startswith("/partners/")]
    for role, urls in (("manager", pages), ("officer", pages),
                       ("police", [f"/partners/recommendations/{rec.pk}/", "/partners/recommendations/?show=all"])):
        client.force_login(users[role])
        shown = 0
        for url in urls:
            response = client.get(url)
            html = response.content.decode()
            # An action closed at this stage is a 404 (acknowledge, withdraw…); every page that shows what was typed opens.
            assert response.status_code in (200, 404), (role, url)
            shown += response.status_code == 200
            assert "<script>alert" not in html and "<img src=x" not in html, (role, url)
        assert shown >= (2 if role == "police" else 10), role


# --- CSRF, and what the deadline alerts tell partner leads -----------------------------------------------------------

def test_posts_without_the_csrf_token_are_refused(users, agencies):  # noqa: F811
    from django.test import Client

    from casereview.models import Application

    application, rec = _reviewed(users, agencies)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/case-review/apply/", {**APPLY, "submission_key": "x"}).status_code == 403
    strict.force_login(users["police"])
    assert strict.post(f"/partners/recommendations/{rec.pk}/", {"status": "done", "progress": "x"}).status_code == 403
    strict.force_login(users["manager"])
    assert strict.post(f"/staff/case-review/{application.reference}/withdraw/", {"reason": "x"}).status_code == 403
    assert Application.objects.count() == 1 and fresh(application).stage == Stage.MEETING_HELD


def test_the_recommendation_alerts_to_partner_leads_carry_no_applicant_or_victim_details(users, agencies):  # noqa: F811
    from datetime import timedelta

    from cases.models import Deadline, DeadlineKind
    from cases.roles import Role
    from cases.services.sweep import deadlines_sweep
    from notifications.models import Message

    from .factories import (
        APPLICANT_ADDRESS,
        APPLICANT_EMAIL,
        APPLICANT_NAME,
        APPLICANT_PHONE,
        VICTIM_NAME,
        partner_user,
    )

    lead = partner_user("insp-lead", Role.PARTNER_LEAD, agencies["police"], email="lead@police.example")
    housing_lead = partner_user("hsg-lead", Role.PARTNER_LEAD, agencies["housing"], email="lead@housing.example")
    application, rec = _reviewed(users, agencies)
    Deadline.objects.open().exclude(kind=DeadlineKind.CASE_REVIEW_RECOMMENDATION).update(met_at=NOW)
    due = Deadline.objects.open().get(subject=rec.subject).due_at
    with time_machine.travel(due + timedelta(minutes=1), tick=False):
        deadlines_sweep(now=due - timedelta(days=2))
        deadlines_sweep(now=due + timedelta(minutes=1))
    to_lead = Message.objects.filter(to=lead.email)
    assert to_lead.count() == 2 and not Message.objects.filter(to=housing_lead.email).exists()
    for message in to_lead:
        text = message.subject + message.body
        assert application.reference in text
        for secret in (APPLICANT_NAME, APPLICANT_EMAIL, APPLICANT_PHONE, APPLICANT_ADDRESS, VICTIM_NAME, "Quarryfield"):
            assert secret not in text, secret


# --- the retention schedule ---------------------------------------------------------------------------------------

def test_anonymising_a_case_file_removes_the_personal_data_of_its_case_review_application(client, users):  # noqa: F811
    """The retention schedule anonymises a case file six years after closure ("long enough for ASB Case Reviews"),
    but the Case Review application linked to it kept the applicant's and the victim's names, contact details and
    account, its history, the letters and the messages sent to them: personal data held with no end. The figures'
    rows stay (reference, dates, stages) so the published numbers do not change."""
    from casereview import figures
    from casereview.models import Application, ApplicationEvent
    from notifications.models import Message
    from privacy.models import RetentionRun
    from privacy.services.anonymise import case_file_anonymise

    report, _ = _case_with_open_flag()
    assert _apply(client, case_references=report.case.reference, applicant_name="Margaret Ellis",
                  email="margaret@example.com", applicant_is_victim="no", relationship="family", victim_consents="on",
                  victim_name="Ozymandias Featherstonehaugh", impact="Cannot sleep at 14 Bell Street",
                  support_needs="An interpreter").status_code == 302
    application = Application.objects.get()
    assert application.case == report.case and Message.objects.filter(key__startswith="cr-").exists()
    before = figures.yearly_figures()
    case_file_anonymise(case_id=report.case.pk, run=RetentionRun.objects.create(status="confirmed"))
    application.refresh_from_db()
    row = " ".join(str(getattr(application, f.attname)) for f in Application._meta.concrete_fields)
    row += " ".join(ApplicationEvent.objects.values_list("summary", flat=True))
    row += " ".join(m.to + m.body for m in Message.objects.filter(key__startswith="cr-"))
    for secret in ("Margaret", "margaret@example.com", "Ozymandias", "Bell Street", "interpreter", "Nothing to do with"):
        assert secret not in row, secret
    assert application.reference.startswith("CR-") and figures.yearly_figures() == before
