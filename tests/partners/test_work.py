"""Partner users' updates and answers to referrals: what is written, who sees it, and what is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import (
    AccessEvent,
    AccessLogEntry,
    Deadline,
    Referral,
    ReferralStatus,
    ShareScope,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.services import CaseError, partner_note_add, referral_answer, referral_outcome_record


def make_referral(world, agency=None, *, days_ago=2):
    return Referral.objects.create(case=world.case, agency=agency or world.police, reason="Threats made to the victim",
                                   referred_on=timezone.localdate() - timedelta(days=days_ago), created_by=world.officer)


def deadlines(case):
    return list(Deadline.objects.filter(case=case).order_by("id").values_list("kind", "due_at", "met_at", "cancelled_at"))


# --- updates ---------------------------------------------------------------------------------------

def test_a_partner_update_reaches_the_officer_marked_as_from_the_agency(client, world):
    before = deadlines(world.case)
    client.force_login(world.police_user)
    response = client.post(f"/partners/cases/{world.case.reference}/note/", {"text": "Patrols increased on Bell Street from tonight"})
    assert response.status_code == 302 and response["Location"] == f"/partners/cases/{world.case.reference}/"
    entry = TimelineEntry.objects.get(agency=world.police)
    assert (entry.kind, entry.visibility, entry.summary, entry.actor) == (
        TimelineKind.NOTE, Visibility.STAFF, "Update from Leicestershire Police", world.police_user)
    assert deadlines(world.case) == before
    assert "Patrols increased on Bell Street" in client.get(f"/partners/cases/{world.case.reference}/").content.decode()
    client.force_login(world.officer)
    staff_page = client.get(f"/staff/cases/{world.case.reference}/").content.decode()
    assert "Update from Leicestershire Police" in staff_page and "Patrols increased on Bell Street" in staff_page


def test_another_agency_does_not_see_the_update(client, world):
    from .helpers import share

    share(world.case, world.housing, scope=ShareScope.TIMELINE, by=world.officer)
    partner_note_add(case=world.case, author=world.police_user, text="Police intelligence: not for housing")
    client.force_login(world.housing_user)
    html = client.get(f"/partners/cases/{world.case.reference}/").content.decode()
    assert "Police intelligence" not in html and "Update from Leicestershire Police" not in html


def test_a_locked_down_case_still_takes_updates(client, world):
    world.case.is_locked_down = True
    world.case.save()
    world.share.scope = ShareScope.REFERENCE
    world.share.save()
    client.force_login(world.police_user)
    assert client.post(f"/partners/cases/{world.case.reference}/note/", {"text": "We need to speak to you"}).status_code == 302
    assert "We need to speak to you" in client.get(f"/partners/cases/{world.case.reference}/").content.decode()


@pytest.mark.parametrize("text, message", [("", "Enter your update"), ("   ", "Enter your update"),
                                           ("x" * 5001, "Your update must be 5,000 characters or fewer")])
def test_an_empty_or_too_long_update_is_refused_and_nothing_saved(client, world, text, message):
    client.force_login(world.police_user)
    response = client.post(f"/partners/cases/{world.case.reference}/note/", {"text": text})
    assert response.status_code == 200 and message in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not TimelineEntry.objects.filter(agency=world.police).exists()


def test_the_service_refuses_a_user_whose_agency_has_no_share(world):
    with pytest.raises(CaseError):
        partner_note_add(case=world.case, author=world.housing_user, text="Hello")
    with pytest.raises(CaseError):
        partner_note_add(case=world.case, author=world.officer, text="Hello")


# --- referrals -----------------------------------------------------------------------------------------

def test_accepting_a_referral(client, world):
    referral = make_referral(world)
    client.force_login(world.police_user)
    home = client.get("/partners/").content.decode()
    assert "Referrals waiting for your answer" in home and f"/partners/cases/{world.case.reference}/referrals/{referral.pk}/" in home
    url = f"/partners/cases/{world.case.reference}/referrals/{referral.pk}/"
    page = client.get(url).content.decode()
    assert "Threats made to the victim" in page and "Will your agency take this referral?" in page
    assert AccessLogEntry.objects.filter(event=AccessEvent.CASE_VIEW, detail="Referral page", username="police").count() == 1
    response = client.post(url, {"step": "answer", "answer": "accept", "reason": "Neighbourhood team will visit"})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.response, referral.responded_on, referral.responded_by) == (
        ReferralStatus.ACCEPTED, "Neighbourhood team will visit", timezone.localdate(), world.police_user)
    entry = TimelineEntry.objects.get(kind=TimelineKind.REFERRAL, agency=world.police)
    assert entry.summary == "Leicestershire Police accepted the referral" and entry.visibility == Visibility.STAFF
    assert "Referrals waiting for your answer" not in client.get("/partners/").content.decode()


def test_a_double_submitted_acceptance_is_harmless(client, world):
    referral = make_referral(world)
    client.force_login(world.police_user)
    url = f"/partners/cases/{world.case.reference}/referrals/{referral.pk}/"
    assert client.post(url, {"step": "answer", "answer": "accept", "reason": ""}).status_code == 302
    second = client.post(url, {"step": "answer", "answer": "accept", "reason": ""}, follow=True)
    assert "This referral is already accepted" in second.content.decode() and "There is a problem" not in second.content.decode()
    referral_answer(referral=referral, accept=True, reason="", actor=world.police_user)  # a race past the form: a no-op
    assert TimelineEntry.objects.filter(kind=TimelineKind.REFERRAL, agency=world.police).count() == 1


def test_sending_no_answer_at_all_is_a_form_error(client, world):
    referral = make_referral(world)
    client.force_login(world.police_user)
    response = client.post(f"/partners/cases/{world.case.reference}/referrals/{referral.pk}/", {"step": "answer"})
    assert response.status_code == 200 and "Select whether your agency accepts the referral" in response.content.decode()


def test_declining_needs_a_reason(client, world):
    referral = make_referral(world)
    client.force_login(world.police_user)
    url = f"/partners/cases/{world.case.reference}/referrals/{referral.pk}/"
    response = client.post(url, {"step": "answer", "answer": "decline", "reason": "  "})
    assert response.status_code == 200 and "Give the reason for declining the referral" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert client.post(url, {"step": "answer", "answer": "decline", "reason": "Not a police matter: civil dispute"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED and referral.response == "Not a police matter: civil dispute"
    assert TimelineEntry.objects.get(agency=world.police).summary == "Leicestershire Police declined the referral"
    # Declined is final here: a later post changes nothing.
    assert client.post(url, {"step": "answer", "answer": "accept"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED


def test_recording_the_outcome_completes_the_referral(client, world):
    referral = make_referral(world)
    referral_answer(referral=referral, accept=True, reason="", actor=world.police_user)
    client.force_login(world.police_user)
    url = f"/partners/cases/{world.case.reference}/referrals/{referral.pk}/"
    assert client.post(url, {"step": "outcome", "outcome": ""}).status_code == 200
    assert client.post(url, {"step": "outcome", "outcome": "Perpetrator warned by PC Shaw"}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED and referral.outcome == "Perpetrator warned by PC Shaw"
    assert TimelineEntry.objects.filter(agency=world.police, summary="Leicestershire Police completed the referral").count() == 1
    client.force_login(world.officer)
    assert "Leicestershire Police completed the referral" in client.get(f"/staff/cases/{world.case.reference}/").content.decode()


def test_referral_states_in_the_services(world):
    referral = make_referral(world)
    with pytest.raises(CaseError, match="Accept the referral"):
        referral_outcome_record(referral=referral, outcome="Done", actor=world.police_user)
    with pytest.raises(CaseError, match="reason for declining"):
        referral_answer(referral=referral, accept=False, reason="", actor=world.police_user)
    referral_answer(referral=referral, accept=False, reason="No", actor=world.police_user)
    with pytest.raises(CaseError, match="already been answered: declined"):
        referral_answer(referral=referral, accept=True, reason="", actor=world.police_user)
    other = make_referral(world)
    referral_answer(referral=other, accept=True, reason="", actor=world.police_user)
    referral_outcome_record(referral=other, outcome="Warned", actor=world.police_user)
    referral_outcome_record(referral=other, outcome="Warned", actor=world.police_user)  # a repeat: harmless
    with pytest.raises(CaseError, match="already been recorded"):
        referral_outcome_record(referral=other, outcome="Something else", actor=world.police_user)
    assert TimelineEntry.objects.filter(agency=world.police).count() == 3


def test_only_the_agency_the_referral_was_sent_to_can_answer_it(client, world):
    from .helpers import share

    share(world.case, world.housing, by=world.officer)
    police_referral = make_referral(world)
    with pytest.raises(CaseError):
        referral_answer(referral=police_referral, accept=True, reason="", actor=world.housing_user)
    with pytest.raises(CaseError):
        referral_answer(referral=police_referral, accept=True, reason="", actor=world.officer)
    client.force_login(world.housing_user)
    url = f"/partners/cases/{world.case.reference}/referrals/{police_referral.pk}/"
    assert client.get(url).status_code == 404 and client.post(url, {"step": "answer", "answer": "accept"}).status_code == 404
    police_referral.refresh_from_db()
    assert police_referral.status == ReferralStatus.SENT


def test_a_referral_under_another_case_reference_is_404(client, world):
    from ..cases.factories import submit_report
    from .helpers import share

    second = submit_report().case
    share(second, world.police, by=world.officer)
    referral = make_referral(world)
    client.force_login(world.police_user)
    assert client.get(f"/partners/cases/{second.reference}/referrals/{referral.pk}/").status_code == 404


def test_a_referral_on_a_locked_down_case_can_be_answered_without_showing_the_reason(client, world):
    referral = make_referral(world)
    from cases.services.sharing import case_lock_down

    case_lock_down(case=world.case, locked=True, actor=world.officer)
    client.force_login(world.police_user)
    url = f"/partners/cases/{world.case.reference}/referrals/{referral.pk}/"
    assert "Threats made to the victim" not in client.get(url).content.decode()
    assert "Threats made to the victim" not in client.get(f"/partners/cases/{world.case.reference}/").content.decode()
    assert client.post(url, {"step": "answer", "answer": "accept"}).status_code == 302
