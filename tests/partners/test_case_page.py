"""What a partner user sees of a shared case, scope by scope, and what they never see."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases.models import (
    AccessEvent,
    AccessLogEntry,
    CaseStatus,
    Evidence,
    ShareScope,
    TimelineEntry,
    TimelineKind,
    Visibility,
)

from .helpers import share

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def page(client, user, case):
    client.force_login(user)
    response = client.get(f"/partners/cases/{case.reference}/")
    assert response.status_code == 200
    return response.content.decode()


def entry(case, summary, visibility, *, agency=None, actor=None):
    return TimelineEntry.objects.create(case=case, kind=TimelineKind.NOTE, summary=summary, visibility=visibility, agency=agency,
                                        actor=actor, occurred_at=timezone.now())


@pytest.fixture
def evidence_files(world, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}

    def make(n):
        return Evidence.objects.create(case=world.case, file=SimpleUploadedFile(f"Margaret-{n}.png", PNG), original_name=f"Margaret-{n}.png",
                                       content_type="image/png", size=len(PNG), uploaded_at=timezone.now())

    return make(1), make(2)


def test_summary_scope_shows_the_case_and_the_shared_people_only(client, world):
    html = page(client, world.police_user, world.case)
    assert world.case.reference in html
    assert "Noise" in html and CaseStatus(world.case.status).label in html
    assert "14 Bell Street" in html and "Olivia Officer" in html
    assert "Threats of violence: police to visit" in html  # why it is shared
    assert "Margaret Ellis" in html and "Kyle Mercer" in html and "07700 900555" in html
    # The withheld witness: neither name, phone nor email, and not even how many are withheld.
    assert "Wendy" not in html and "07700 900777" not in html and "wendy@example.com" not in html
    assert "You see only the people whose details the officer has shared with your agency" in html
    # Staff entries (the officer adding the witness, the assignment) never reach a partner.
    assert "Added" not in html and "Assigned" not in html


def test_the_team_phone_and_the_agencies_involved_by_name_only(client, world, settings):
    share(world.case, world.housing, scope=ShareScope.SUMMARY, by=world.officer, reason="Tenancy breach at flat 3")
    html = page(client, world.police_user, world.case)
    assert settings.COUNCIL_PHONE in html
    assert "Housing providers" in html and "Leicestershire Police" in html
    assert "Tenancy breach" not in html  # why another agency has it is theirs


def test_locked_down_case_shows_only_reference_agencies_and_officer(client, world):
    world.case.is_locked_down = True
    world.case.save()
    world.share.scope = ShareScope.REFERENCE
    world.share.save()
    entry(world.case, "Partners briefing: dog on premises", Visibility.PARTNERS)
    html = page(client, world.police_user, world.case)
    assert world.case.reference in html and "Olivia Officer" in html and "Leicestershire Police" in html
    assert "The officer has limited what partners can see on this case." in html
    for hidden in ("14 Bell Street", "LE18", "Noise", "Margaret Ellis", "Kyle Mercer", "07700 900555", "Threats of violence",
                   "Partners briefing", "Not assessed"):
        assert hidden not in html, hidden


def test_locking_down_narrows_the_share_at_once_and_the_officer_widens_it_again(client, world):
    from cases.services.sharing import case_lock_down, share_change

    case_lock_down(case=world.case, locked=True, actor=world.officer)
    html = page(client, world.police_user, world.case)
    assert "The officer has limited what partners can see on this case." in html
    assert "Margaret Ellis" not in html and "14 Bell Street" not in html
    # Still locked down, the officer widens the police's share on purpose: the police see the summary again.
    world.share.refresh_from_db()
    share_change(share=world.share, scope=ShareScope.SUMMARY, people={world.perpetrator.pk: "crime"},
                 evidence_ids=[], ends_on=None, actor=world.officer)
    html = page(client, world.police_user, world.case)
    assert "14 Bell Street" in html and "The officer has limited what partners can see on this case." not in html


def test_timeline_scope_shows_partner_entries_and_own_agency_entries_only(client, world):
    world.share.scope = ShareScope.TIMELINE
    world.share.save()
    entry(world.case, "For partners: CPW served on Kyle", Visibility.PARTNERS, actor=world.officer)
    entry(world.case, "Internal: officer's view of the family", Visibility.INTERNAL)
    entry(world.case, "Staff: called the landlord", Visibility.STAFF)
    entry(world.case, "Resident: we spoke to your neighbour", Visibility.RESIDENT)
    entry(world.case, "Housing: tenancy warning issued", Visibility.STAFF, agency=world.housing)
    entry(world.case, "Housing partners-marked note", Visibility.PARTNERS, agency=world.housing)
    entry(world.case, "Police: patrols increased", Visibility.STAFF, agency=world.police, actor=world.police_user)
    html = page(client, world.police_user, world.case)
    assert "For partners: CPW served on Kyle" in html and "Police: patrols increased" in html
    for hidden in ("Internal:", "Staff: called", "Resident: we spoke", "Housing: tenancy", "Housing partners-marked"):
        assert hidden not in html, hidden


def test_summary_scope_shows_own_updates_but_not_partner_entries(client, world):
    entry(world.case, "For partners: CPW served", Visibility.PARTNERS)
    entry(world.case, "Police: patrols increased", Visibility.STAFF, agency=world.police)
    html = page(client, world.police_user, world.case)
    assert "Police: patrols increased" in html and "For partners: CPW served" not in html


def test_evidence_scope_lists_and_serves_chosen_files_only(client, world, evidence_files):
    chosen, other = evidence_files
    world.share.scope = ShareScope.EVIDENCE
    world.share.save()
    world.share.evidence.set([chosen])
    html = page(client, world.police_user, world.case)
    assert f"/partners/evidence/{chosen.pk}/" in html and f"/partners/evidence/{other.pk}/" not in html
    assert "Margaret-1.png" not in html  # the uploader's file name may name people
    response = client.get(f"/partners/evidence/{chosen.pk}/", REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="{world.case.reference}-evidence-1.png"'
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PNG
    logged = AccessLogEntry.objects.get(event=AccessEvent.EVIDENCE)
    assert (logged.username, logged.case_reference, logged.address) == ("police", world.case.reference, "192.0.2.7")
    assert client.get(f"/partners/evidence/{other.pk}/").status_code == 404


def test_evidence_is_refused_below_evidence_scope_and_on_a_locked_down_case(client, world, evidence_files):
    chosen, _ = evidence_files
    world.share.evidence.set([chosen])  # chosen, but the scope is summary
    client.force_login(world.police_user)
    assert client.get(f"/partners/evidence/{chosen.pk}/").status_code == 404
    world.share.scope = ShareScope.EVIDENCE
    world.share.save()
    assert client.get(f"/partners/evidence/{chosen.pk}/").status_code == 200
    from cases.services.sharing import case_lock_down

    case_lock_down(case=world.case, locked=True, actor=world.officer)  # narrows the share to reference only
    assert client.get(f"/partners/evidence/{chosen.pk}/").status_code == 404
    assert "Evidence" not in page(client, world.police_user, world.case)


def test_every_view_of_the_case_page_is_logged_with_the_address(client, world):
    client.force_login(world.police_user)
    for address in ("198.51.100.1", "198.51.100.2"):
        assert client.get(f"/partners/cases/{world.case.reference}/", REMOTE_ADDR=address).status_code == 200
    rows = list(AccessLogEntry.objects.filter(event=AccessEvent.CASE_VIEW).order_by("at", "id"))
    assert [(r.username, r.agency_name, r.case_reference, r.detail, r.address) for r in rows] == [
        ("police", "Leicestershire Police", world.case.reference, "Case page", "198.51.100.1"),
        ("police", "Leicestershire Police", world.case.reference, "Case page", "198.51.100.2"),
    ]


def test_another_agency_gets_404_on_every_url_of_the_case(client, world, evidence_files):
    from cases.models import Referral

    chosen, _ = evidence_files
    world.share.scope = ShareScope.EVIDENCE
    world.share.save()
    world.share.evidence.set([chosen])
    referral = Referral.objects.create(case=world.case, agency=world.police, reason="x", referred_on=timezone.localdate(),
                                       created_by=world.officer)
    housing_referral = Referral.objects.create(case=world.case, agency=world.housing, reason="x", referred_on=timezone.localdate(),
                                               created_by=world.officer)
    ref = world.case.reference
    client.force_login(world.housing_user)
    for url in (f"/partners/cases/{ref}/", f"/partners/cases/{ref}/note/", f"/partners/cases/{ref}/referrals/{referral.pk}/",
                f"/partners/cases/{ref}/referrals/{housing_referral.pk}/", f"/partners/evidence/{chosen.pk}/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"text": "x", "answer": "accept"}).status_code == 404, url
    assert ref not in client.get("/partners/").content.decode()
    assert not TimelineEntry.objects.filter(agency=world.housing).exists()
    assert not AccessLogEntry.objects.exists()


def test_a_case_not_shared_at_all_and_an_unknown_reference_are_404(client, world):
    from ..cases.factories import submit_report

    other = submit_report().case
    client.force_login(world.police_user)
    assert client.get(f"/partners/cases/{other.reference}/").status_code == 404
    assert client.get("/partners/cases/ASB-1999-00001/").status_code == 404
    assert client.get(f"/partners/evidence/{uuid.uuid4()}/").status_code == 404


def test_a_stopped_share_is_404_at_once(client, world):
    page(client, world.police_user, world.case)
    world.share.stopped_at = timezone.now()
    world.share.stopped_by = world.officer
    world.share.save()
    assert client.get(f"/partners/cases/{world.case.reference}/").status_code == 404
    assert world.case.reference not in client.get("/partners/").content.decode()


def test_an_expired_agreement_hides_the_case(client, world):
    from datetime import timedelta

    world.police.agreements.update(review_by=timezone.localdate() - timedelta(days=1), signed_on=timezone.localdate() - timedelta(days=400))
    client.force_login(world.police_user)
    assert client.get(f"/partners/cases/{world.case.reference}/").status_code == 404


@pytest.mark.parametrize("who", ["officer", "manager", "call_centre", "no_role"])
def test_council_staff_and_people_without_a_partner_role_get_404_on_partner_pages(client, world, who, manager_user, call_centre_user,
                                                                                  no_role_user):
    user = {"officer": world.officer, "manager": manager_user, "call_centre": call_centre_user, "no_role": no_role_user}[who]
    client.force_login(user)
    for url in ("/partners/", f"/partners/cases/{world.case.reference}/", f"/partners/cases/{world.case.reference}/note/",
                "/partners/access-log/", "/partners/team/"):
        assert client.get(url).status_code == 404, url


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.get(f"/partners/cases/{world.case.reference}/")
    assert response.status_code == 302 and "/staff/login/" in response["Location"]
