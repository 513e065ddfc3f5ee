"""The partner's list of shared cases and the partner lead's access log."""

from datetime import timedelta

from django.utils import timezone

from cases.models import AccessEvent, ShareScope
from cases.services.access_log import access_record

from ..cases.factories import submit_report
from .helpers import partner, share


def test_the_list_shows_shared_cases_newest_share_first_with_what_each_shows(client, world):
    older = world.share
    older.shared_at = timezone.now() - timedelta(days=3)
    older.save()
    locked = submit_report().case
    locked.is_locked_down = True
    locked.save()
    share(locked, world.police, scope=ShareScope.REFERENCE, by=world.officer)
    not_shared = submit_report().case
    housing_only = submit_report().case
    share(housing_only, world.housing, by=world.officer)
    client.force_login(world.police_user)
    html = client.get("/partners/").content.decode()
    assert html.index(locked.reference) < html.index(world.case.reference)  # newest share first
    assert not_shared.reference not in html and housing_only.reference not in html
    assert "Noise" in html and "Olivia Officer" in html and "Summary and people" in html
    assert "Reference only (locked down)" in html
    assert "2 cases" in html


def test_the_list_finds_a_case_by_reference(client, world):
    second = submit_report().case
    share(second, world.police, by=world.officer)
    client.force_login(world.police_user)
    html = client.get("/partners/", {"q": second.reference.lower()}).content.decode()
    assert second.reference in html and world.case.reference not in html
    html = client.get("/partners/", {"q": "ASB-1999"}).content.decode()
    assert "No shared case has a reference like that" in html


def test_a_partner_with_nothing_shared_sees_a_helpful_empty_state(client, world):
    client.force_login(world.housing_user)
    html = client.get("/partners/").content.decode()
    assert "No cases are shared with Housing providers at the moment" in html
    assert world.case.reference not in html


def test_a_partner_user_signing_in_lands_on_the_shared_cases(client, world):
    client.force_login(world.police_user)
    response = client.get("/staff/")
    assert response.status_code == 302 and response["Location"] == "/partners/"


def test_the_lead_reads_their_agencys_access_log_only(client, world):
    access_record(user=world.police_user, event=AccessEvent.CASE_VIEW, case=world.case, detail="Case page")
    access_record(user=world.housing_user, event=AccessEvent.CASE_VIEW, case=world.case, detail="Case page")
    access_record(user=world.officer, event=AccessEvent.EXPORT, detail="Cases CSV")
    client.force_login(world.police_lead)
    html = client.get("/partners/access-log/").content.decode()
    assert "police" in html and world.case.reference in html and "Opened the case" in html
    assert ">housing<" not in html and "Cases CSV" not in html and "1 entry" in html


def test_the_access_log_filters_by_user_and_reference(client, world):
    other = partner("police-2", world.police)
    second = submit_report().case
    access_record(user=world.police_user, event=AccessEvent.CASE_VIEW, case=world.case, detail="Case page")
    access_record(user=other, event=AccessEvent.CASE_VIEW, case=second, detail="Case page")
    client.force_login(world.police_lead)
    html = client.get("/partners/access-log/", {"user": other.pk}).content.decode()
    assert second.reference in html and world.case.reference not in html.split("<table")[1]
    html = client.get("/partners/access-log/", {"reference": world.case.reference.lower()}).content.decode()
    assert world.case.reference in html.split("<table")[1] and second.reference not in html
    # A user of another agency in the filter is not a choice: the form says so and the log is not narrowed to them.
    response = client.get("/partners/access-log/", {"user": world.housing_user.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_a_partner_user_who_is_not_a_lead_has_no_access_log_or_team(client, world):
    client.force_login(world.police_user)
    assert client.get("/partners/access-log/").status_code == 404
    assert client.get("/partners/team/").status_code == 404
    assert client.get(f"/partners/agencies/{world.police.pk}/team/").status_code == 404
