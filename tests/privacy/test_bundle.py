"""The access bundle: everything about the person from both their cases, nothing of a case they are not on, and
a redacted neighbour's name, phone, email and address nowhere in it."""

import hashlib
import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cases.models import Evidence
from privacy.bundle import REDACTED, Redactor, access_bundle_build
from privacy.models import RequestKind, ThirdParty
from privacy.services.rights import access_release, rights_request_record, third_party_decide

from .rights_helpers import rights_world

KYLE_STRINGS = ["Kyle", "Mercer", "07700 900555", "07700900555", "07700-900-555", "kyle@example.com", "16 Bell Street"]


@pytest.fixture
def world(db, officer_user, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}}}
    world = rights_world(officer_user)
    photo = Evidence(case=world.case_b, report=world.case_b.reports.get(), original_name="scratch.JPG", content_type="image/jpeg",
                     size=9, uploaded_at=timezone.now())
    photo.file.save("scratch", ContentFile(b"JPEGBYTES"), save=True)
    # Kyle's own evidence on his own case must never appear.
    theirs = Evidence(case=world.case_c, report=world.case_c.reports.get(), original_name="eggs.png", content_type="image/png",
                      size=4, uploaded_at=timezone.now())
    theirs.file.save("eggs", ContentFile(b"EGGS"), save=True)
    return world


@pytest.fixture
def request_for_margaret(world, manager_user):
    return rights_request_record(kind=RequestKind.ACCESS, received_on=timezone.localdate() - timedelta(days=2), person=world.margaret,
                                 actor=manager_user)


def unzip(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_bundle_holds_both_cases_and_none_of_the_redacted_neighbour(world, request_for_margaret):
    files = unzip(access_bundle_build(request=request_for_margaret))
    assert set(files) == {"index.html", "data.json", f"evidence/{world.case_b.reference}-1.jpg"}
    assert files[f"evidence/{world.case_b.reference}-1.jpg"] == b"JPEGBYTES"
    html, raw_json = files["index.html"].decode(), files["data.json"].decode()
    data = json.loads(raw_json)
    assert [c["reference"] for c in data["cases"]] == [world.case_a.reference, world.case_b.reference]
    case_a, case_b = data["cases"]
    assert case_a["your_role"] == "Victim" and case_a["your_details"][0]["name"] == "Margaret Ellis"
    assert case_a["reports"][0]["what_happened"] == f"Music until 3am from {REDACTED} at {REDACTED}. His number is {REDACTED}."
    assert case_a["contacts"][0]["summary"] == f"Told Margaret we have spoken to Mr {REDACTED}"
    assert f"We have written to the household at {REDACTED}" in [u["summary"] for u in case_a["updates"]]
    assert any(w["kind"] == "Note" for w in case_a["withheld"])  # the internal note: listed, its words withheld
    assert "denies it" not in raw_json and "denies it" not in html
    assert case_b["reports"][0]["what_happened"] == f"My car was scratched. {REDACTED} saw it happen."
    assert case_b["evidence"][0]["sent_as"] == "scratch.JPG"
    for text in (html, raw_json):
        assert "Margaret Ellis" in text and "I cannot sleep" in text and REDACTED in text
        for kyle in KYLE_STRINGS:
            assert kyle.lower() not in text.lower(), kyle
        assert "SECRET THIRD CASE" not in text and world.case_c.reference not in text and "eggs" not in text


def test_a_disclosed_third_party_appears_as_is(world, request_for_margaret, manager_user):
    for third_party in ThirdParty.objects.filter(request=request_for_margaret):
        third_party_decide(third_party=third_party, decision="disclose", reason="He agreed in writing", actor=manager_user)
    data = json.loads(unzip(access_bundle_build(request=request_for_margaret))["data.json"])
    assert data["cases"][0]["reports"][0]["what_happened"].startswith("Music until 3am from Kyle Mercer at 16 Bell Street")
    assert "SECRET THIRD CASE" not in json.dumps(data)


def test_the_released_digest_is_that_of_the_bundle_the_manager_checked(world, request_for_margaret, manager_user):
    downloaded = access_bundle_build(request=request_for_margaret)
    assert access_bundle_build(request=request_for_margaret) == downloaded  # the same bytes every time
    for third_party in ThirdParty.objects.filter(request=request_for_margaret):
        third_party_decide(third_party=third_party, decision="redact", reason="", actor=manager_user)
    release = access_release(request=request_for_margaret, method="Secure email", actor=manager_user)
    assert (release.sha256, release.size) == (hashlib.sha256(downloaded).hexdigest(), len(downloaded))


def test_the_requesters_own_details_are_not_redacted_when_a_third_party_shares_them():
    redactor = Redactor(subject_values=["Margaret Ellis", "01162 555000", "14 Bell Street"],
                        third_parties=[type("P", (), {"full_name": "John Ellis", "phone": "0116 2555 000", "email": "",
                                                      "address": "14 Bell Street", "description": ""})()])
    assert redactor.text("John Ellis and Margaret Ellis, 14 Bell Street, 01162555000") == (
        f"{REDACTED} and Margaret Ellis, 14 Bell Street, 01162555000")


def test_survey_answers_and_actions_are_the_persons_own_and_a_perpetrator_gets_no_one_elses_updates(world, manager_user):
    from cases.models import ActionType
    from cases.services import action_record
    from surveys.models import Invitation, Response

    now = timezone.now()
    for party, comment in ((world.margaret_a, "The officer was kind"), (world.case_c.reports.get().reporter, "KYLE'S OWN ANSWER")):
        invitation = Invitation.objects.create(case=party.case, party=party, purpose="closure", channel="email", sent_at=now,
                                               expires_at=now + timedelta(days=30), responded_at=now)
        Response.objects.create(invitation=invitation, overall=4, treated_fairly=5, listened_to=5, kept_updated=3,
                                first_contact_speed=4, staff_polite=5, comments=comment, category_name="Noise", report_channel="online",
                                submitted_at=now)
    action_record(case=world.case_a, action_type=ActionType.objects.get(slug="cpw"), perpetrator=world.kyle_a,
                  served_on=timezone.localdate(), actor=manager_user)

    margaret = json.loads(unzip(access_bundle_build(request=rights_request_record(
        kind=RequestKind.ACCESS, received_on=timezone.localdate(), person=world.margaret, actor=manager_user)))["data.json"])
    assert margaret["cases"][0]["survey_answers"][0]["comments"] == "The officer was kind"
    assert "KYLE'S OWN ANSWER" not in json.dumps(margaret) and margaret["cases"][0]["actions"] == []

    kyle = json.loads(unzip(access_bundle_build(request=rights_request_record(
        kind=RequestKind.ACCESS, received_on=timezone.localdate(), person=world.kyle, actor=manager_user)))["data.json"])
    by_reference = {c["reference"]: c for c in kyle["cases"]}
    assert set(by_reference) == {world.case_a.reference, world.case_b.reference, world.case_c.reference}
    case_a = by_reference[world.case_a.reference]
    assert case_a["your_role"] == "Alleged perpetrator" and case_a["actions"][0]["status"] == "In force"
    assert case_a["updates"] == [] and case_a["reports"] == []  # Margaret's report and her updates are not his
    assert "Margaret" not in json.dumps(kyle) and "I cannot sleep" not in json.dumps(kyle)
    assert by_reference[world.case_c.reference]["survey_answers"][0]["comments"] == "KYLE'S OWN ANSWER"


def test_a_request_follows_its_person_into_a_merge(world, request_for_margaret):
    from cases.models import Party

    from .rights_helpers import person

    kept = person(full_name="Margaret Ellis", phone="07700 900123")
    Party.objects.filter(person=world.margaret).update(person=kept)
    world.margaret.merged_into = kept
    world.margaret.save()
    data = json.loads(unzip(access_bundle_build(request=request_for_margaret))["data.json"])
    assert [c["reference"] for c in data["cases"]] == [world.case_a.reference, world.case_b.reference]
    assert "Mercer" not in json.dumps(data)


def test_her_case_review_application_is_in_the_bundle_and_the_son_who_applied_for_her_is_redacted(world, request_for_margaret,
                                                                                                  officer_user):
    from casereview.models import Application, Recommendation
    from casereview.services.common import application_reference_next

    for applicant_is_victim, name, email in [(False, "Trevor Whitlock", "trevor.w@example.com"), (True, "Margaret Ellis", "")]:
        application = Application.objects.create(
            reference=application_reference_next(year=2026), route="online", received_at=timezone.now(),
            applicant_is_victim=applicant_is_victim, applicant_name=name, email=email, phone="07700 900777" if email else "",
            relationship="family" if not applicant_is_victim else "", victim_consents=True if not applicant_is_victim else None,
            preferred_contact_method="email" if email else "phone", location="14 Bell Street",
            description="Music every night; Trevor Whitlock has heard it too." if not applicant_is_victim else "Still going on.",
            person=world.margaret, threshold_met=True, proceeds=True, decision_reasons="Three reports in four months.",
        )
    Recommendation.objects.create(application=application, text="Noise monitoring for four weeks", due_on=timezone.localdate(),
                                  created_by=officer_user)
    someone_else = Application.objects.create(reference="CR-2026-9999", route="phone", received_at=timezone.now(),
                                              applicant_name="Kyle Mercer", preferred_contact_method="phone", phone="07700 900555",
                                              location="16 Bell Street", description="About someone else entirely")
    files = unzip(access_bundle_build(request=request_for_margaret))
    data = json.loads(files["data.json"])
    reviews = data["case_reviews"]
    assert [r["applied_by"] for r in reviews] == ["Someone on your behalf (family member or friend)", "You"]
    assert reviews[0]["reasons"] == "Three reports in four months." and reviews[1]["recommendations"][0]["recommendation"] == (
        "Noise monitoring for four weeks")
    text = files["data.json"].decode() + files["index.html"].decode()
    for leak in ("Trevor", "Whitlock", "trevor.w@example.com", "07700 900777", someone_else.reference, "About someone else"):
        assert leak not in text
    assert reviews[0]["what_was_happening"] == f"Music every night; {REDACTED} has heard it too."
    assert "ASB Case Review" in files["index.html"].decode()


def test_a_jag_discussion_of_her_case_is_listed_and_what_was_said_withheld(world, request_for_margaret, officer_user):
    """Her case was tabled at a JAG: the bundle says so (when, which group) and withholds the partners' words, like
    any internal record; a JAG discussion of a case she is not on is not in it at all."""
    from datetime import date, time

    from jag.models import AgendaItem, JagGroup, Meeting

    group = JagGroup.objects.create(name="Oadby and Wigston JAG", starts_at=time(10), location="Council Offices",
                                    confidentiality_statement="Confidential to the members.")
    meeting = Meeting.objects.create(group=group, rule_date=date(2026, 3, 10), held_on=date(2026, 3, 10),
                                     starts_at=time(10), location="Council Offices")
    for position, case in enumerate((world.case_a, world.case_c), start=1):
        AgendaItem.objects.create(meeting=meeting, position=position, kind="case", case=case, source="nomination",
                                  why="Nominated by the police: JAGWHY", notes="JAGNOTES about the household")
    files = unzip(access_bundle_build(request=request_for_margaret))
    data = json.loads(files["data.json"])
    case_a = data["cases"][0]
    jag = [w for w in case_a["withheld"] if w["kind"].startswith("Discussed at a Joint Action Group")]
    assert jag == [{"when": "2026-03-10", "kind": "Discussed at a Joint Action Group meeting (Oadby and Wigston JAG)",
                    "reason": jag[0]["reason"]}] and "crime" in jag[0]["reason"]
    assert not any(w["kind"].startswith("Discussed at") for w in data["cases"][1]["withheld"])
    for text in (files["index.html"].decode(), files["data.json"].decode()):
        assert "JAGWHY" not in text and "JAGNOTES" not in text
