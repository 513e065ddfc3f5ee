"""A partner lead manages their agency's users; a council manager manages any agency's."""

import pytest
from django.contrib.auth import get_user_model

from cases.models import AgencyMember
from cases.roles import Role, user_roles
from cases.services import CaseError, agency_user_add, agency_user_set_active, agency_user_set_role
from notifications.models import Message

NEW = {"first_name": "Sam", "last_name": "Patel", "email": "sam.patel@police.example", "username": "spatel", "is_lead": "no"}


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


def test_team_redirects_a_lead_to_their_agency_and_lists_its_users(client, world):
    client.force_login(world.police_lead)
    response = client.get("/partners/team/")
    assert response.status_code == 302 and response["Location"] == f"/partners/agencies/{world.police.pk}/team/"
    html = client.get(response["Location"]).content.decode()
    assert "Pat Constable" in html and "police-lead" in html and "Partner lead" in html and "Never" in html
    assert "Hana Housing" not in html


def test_a_lead_cannot_open_another_agencys_team(client, world):
    client.force_login(world.police_lead)
    for url in (f"/partners/agencies/{world.housing.pk}/team/", f"/partners/agencies/{world.housing.pk}/team/add/",
                f"/partners/agencies/{world.housing.pk}/team/{world.housing_user.pk}/"):
        assert client.get(url).status_code in (404, 405)
        assert client.post(url, {**NEW, "change": "deactivate"}).status_code == 404, url
    assert fresh(world.housing_user).is_active and not get_user_model().objects.filter(username="spatel").exists()
    # Nor one of their own agency's ids under another agency's address.
    assert client.post(f"/partners/agencies/{world.police.pk}/team/{world.housing_user.pk}/", {"change": "deactivate"}).status_code == 404


def test_a_manager_manages_any_agency(client, world, manager_user):
    client.force_login(manager_user)
    assert "Hana Housing" in client.get(f"/partners/agencies/{world.housing.pk}/team/").content.decode()
    assert client.post(f"/partners/agencies/{world.housing.pk}/team/add/", {**NEW, "username": "hnew"}).status_code == 302
    assert AgencyMember.objects.get(user__username="hnew").agency == world.housing


def test_adding_a_user_creates_them_without_a_password_and_emails_a_link(client, world, settings):
    settings.SITE_URL = "https://asb.example.gov.uk"
    client.force_login(world.police_lead)
    response = client.post(f"/partners/agencies/{world.police.pk}/team/add/", NEW)
    assert response.status_code == 302
    user = get_user_model().objects.get(username="spatel")
    assert not user.has_usable_password() and user.is_active and user.get_full_name() == "Sam Patel"
    member = AgencyMember.objects.get(user=user)
    assert member.agency == world.police and member.added_by == world.police_lead
    assert user_roles(user) == {Role.PARTNER_USER}
    message = Message.objects.get(to="sam.patel@police.example")
    assert "https://asb.example.gov.uk/staff/password/set/" in message.body and "spatel" in message.body
    assert world.case.reference not in message.body and "Margaret" not in message.body
    assert "We have emailed them a link" in client.get(response["Location"]).content.decode()
    # The link works: the set-password page opens for them.
    link = message.body.split("https://asb.example.gov.uk")[1].split()[0]
    client.logout()
    assert client.get(link, follow=True).status_code == 200


def test_adding_a_lead(client, world):
    client.force_login(world.police_lead)
    client.post(f"/partners/agencies/{world.police.pk}/team/add/", {**NEW, "is_lead": "yes"})
    assert user_roles(get_user_model().objects.get(username="spatel")) == {Role.PARTNER_LEAD}


@pytest.mark.parametrize("taken", ["police", "POLICE", "Police"])
def test_a_username_already_taken_is_refused_clearly(client, world, taken):
    client.force_login(world.police_lead)
    response = client.post(f"/partners/agencies/{world.police.pk}/team/add/", {**NEW, "username": taken})
    assert response.status_code == 200
    assert f"The username {taken} is already taken" in response.content.decode()
    assert not Message.objects.filter(subject__contains="password").exists() and AgencyMember.objects.filter(agency=world.police).count() == 2


def test_deactivate_and_reactivate(client, world):
    client.force_login(world.police_lead)
    url = f"/partners/agencies/{world.police.pk}/team/{world.police_user.pk}/"
    assert client.post(url, {"change": "deactivate"}).status_code == 302
    assert not fresh(world.police_user).is_active
    html = client.get(f"/partners/agencies/{world.police.pk}/team/").content.decode()
    assert "Deactivated" in html and "Pat Constable can no longer sign in" in html
    client.force_login(world.police_user)  # a deactivated user is signed out and cannot open a case
    assert client.get(f"/partners/cases/{world.case.reference}/").status_code == 302
    client.force_login(world.police_lead)
    client.post(url, {"change": "reactivate"})
    assert fresh(world.police_user).is_active


def test_a_lead_cannot_deactivate_or_demote_themselves(client, world):
    client.force_login(world.police_lead)
    url = f"/partners/agencies/{world.police.pk}/team/{world.police_lead.pk}/"
    html = client.post(url, {"change": "deactivate"}, follow=True).content.decode()
    assert "You cannot deactivate your own account" in html
    html = client.post(url, {"change": "make_user"}, follow=True).content.decode()
    assert "You cannot stop being a lead yourself" in html
    lead = fresh(world.police_lead)
    assert lead.is_active and user_roles(lead) == {Role.PARTNER_LEAD}


def test_make_lead_and_make_user(client, world):
    client.force_login(world.police_lead)
    url = f"/partners/agencies/{world.police.pk}/team/{world.police_user.pk}/"
    client.post(url, {"change": "make_lead"})
    assert user_roles(fresh(world.police_user)) == {Role.PARTNER_LEAD}
    client.post(url, {"change": "make_user"})
    assert user_roles(fresh(world.police_user)) == {Role.PARTNER_USER}


def test_an_unknown_change_changes_nothing(client, world):
    client.force_login(world.police_lead)
    response = client.post(f"/partners/agencies/{world.police.pk}/team/{world.police_user.pk}/", {"change": "delete"}, follow=True)
    assert response.status_code == 200 and "Choose what to change" in response.content.decode()
    assert fresh(world.police_user).is_active


def test_the_services_refuse_a_lead_of_another_agency_and_an_ordinary_user(world):
    with pytest.raises(CaseError):
        agency_user_add(agency=world.police, username="x1", first_name="X", last_name="Y", email="x@example.com", is_lead=False,
                        actor=world.housing_lead)
    with pytest.raises(CaseError):
        agency_user_set_active(agency=world.police, user=world.police_lead, active=False, actor=world.police_user)
    with pytest.raises(CaseError):
        agency_user_set_role(agency=world.housing, user=world.housing_user, is_lead=True, actor=world.police_lead)
