"""Which groups, meetings, items and actions each user may open (jag.selectors): council staff who see JAG business
see every one; a partner sees the groups their active agency sits on and only their agency's actions; anyone else
sees nothing, and the *_or_404 readers answer 404 for what is not theirs."""

from datetime import date

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.utils import timezone

from cases.models import AgencyMember, PartnerAgency, Place
from cases.roles import Role
from jag.models import AgendaItem, ItemKind, ItemSource, JagAction, JagMember
from jag.selectors import (
    action_or_404,
    actions_visible_to,
    groups_visible_to,
    item_or_404,
    meeting_or_404,
    meetings_visible_to,
)

from ..casereview.factories import partner_user, staff
from ..test_access_partners import agencies, users  # noqa: F401 - fixtures
from .factories import group_make, meeting_make, member_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_groups(users, agencies):  # noqa: F811
    """Oadby (police sit on it) and Blaby (housing sits on it), each with a meeting, an item and actions."""
    police, housing, officer = agencies["police"], agencies["housing"], users["officer"]
    oadby, blaby = group_make(), group_make(name="Blaby JAG")
    member_make(oadby, officer, co_chair=True)
    member_make(oadby, users["police"], agency=police)
    member_make(blaby, users["housing"], agency=housing)
    place = Place.objects.create(address="Bell Street", postcode="LE18 2BB", key="BELLSTREET|LE182BB")
    w = {"oadby": oadby, "blaby": blaby}
    for name, group in (("oadby", oadby), ("blaby", blaby)):
        meeting = w[f"{name}_meeting"] = meeting_make(group, date(2026, 12, 8))
        item = w[f"{name}_item"] = AgendaItem.objects.create(meeting=meeting, position=1, kind=ItemKind.LOCATION, place=place,
                                                             source=ItemSource.ADDED, why="Why")
        for owner_name, agency in (("police", police), ("housing", housing), ("council", None)):
            w[f"{name}_{owner_name}_action"] = JagAction.objects.create(
                meeting=meeting, item=item, text=f"{name} {owner_name}", owner_agency=agency, owner=officer,
                due_on=date(2026, 12, 20), created_by=officer, created_at=timezone.now())
    return w


def _names(qs):
    return sorted(str(x) for x in qs)


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_council_staff_see_every_group_meeting_item_and_action(users, two_groups, role):  # noqa: F811
    user = users[role]
    assert _names(groups_visible_to(user)) == ["Blaby JAG", "Oadby and Wigston JAG"]
    assert meetings_visible_to(user).count() == 2
    assert actions_visible_to(user).count() == 6
    for name in ("oadby", "blaby"):
        assert meeting_or_404(user, two_groups[f"{name}_meeting"].pk) == two_groups[f"{name}_meeting"]
        assert item_or_404(user, two_groups[f"{name}_item"].pk) == two_groups[f"{name}_item"]
        assert action_or_404(user, two_groups[f"{name}_council_action"].pk) == two_groups[f"{name}_council_action"]


def test_a_partner_sees_their_agencys_groups_and_only_their_agencys_actions(users, two_groups):  # noqa: F811
    for role in ("police", "police_lead"):  # the lead is not a member, but the agency sits on the group
        user = users[role]
        assert _names(groups_visible_to(user)) == ["Oadby and Wigston JAG"]
        assert list(meetings_visible_to(user)) == [two_groups["oadby_meeting"]]
        assert item_or_404(user, two_groups["oadby_item"].pk) == two_groups["oadby_item"]
        with pytest.raises(Http404):
            meeting_or_404(user, two_groups["blaby_meeting"].pk)
        with pytest.raises(Http404):
            item_or_404(user, two_groups["blaby_item"].pk)
        assert sorted(a.text for a in actions_visible_to(user)) == ["blaby police", "oadby police"]
        for other in ("oadby_housing_action", "oadby_council_action", "blaby_council_action"):
            with pytest.raises(Http404):
                action_or_404(user, two_groups[other].pk)
    housing = users["housing"]
    assert _names(groups_visible_to(housing)) == ["Blaby JAG"]
    assert sorted(a.text for a in actions_visible_to(housing)) == ["blaby housing", "oadby housing"]


def test_an_agency_leaving_the_group_or_going_inactive_sees_nothing(users, agencies, two_groups):  # noqa: F811
    JagMember.objects.filter(group=two_groups["oadby"], agency=agencies["police"]).update(is_active=False)
    assert groups_visible_to(users["police"]).count() == 0
    with pytest.raises(Http404):
        meeting_or_404(users["police"], two_groups["oadby_meeting"].pk)
    PartnerAgency.objects.filter(pk=agencies["housing"].pk).update(is_active=False)
    housing = type(users["housing"]).objects.get(pk=users["housing"].pk)  # a new request: the agency is read again
    assert groups_visible_to(housing).count() == 0 and actions_visible_to(housing).count() == 0


def test_anyone_without_see_jag_sees_nothing(users, two_groups):  # noqa: F811
    no_agency = staff("orphan", Role.PARTNER_USER)  # a partner role with no agency
    for user in (AnonymousUser(), users["call_centre"], no_agency):
        assert groups_visible_to(user).count() == 0
        assert meetings_visible_to(user).count() == 0
        assert actions_visible_to(user).count() == 0
        with pytest.raises(Http404):
            meeting_or_404(user, two_groups["oadby_meeting"].pk)
        with pytest.raises(Http404):
            item_or_404(user, two_groups["oadby_item"].pk)
        with pytest.raises(Http404):
            action_or_404(user, two_groups["oadby_council_action"].pk)


def test_a_partner_moved_to_another_agency_sees_the_other_agencys_groups(users, agencies, two_groups):  # noqa: F811
    mover = partner_user("mover", Role.PARTNER_USER, agencies["police"])
    assert _names(groups_visible_to(mover)) == ["Oadby and Wigston JAG"]
    AgencyMember.objects.filter(user=mover).update(agency=agencies["housing"])
    mover = type(mover).objects.get(pk=mover.pk)
    assert _names(groups_visible_to(mover)) == ["Blaby JAG"]
    assert sorted(a.text for a in actions_visible_to(mover)) == ["blaby housing", "oadby housing"]


def test_unknown_ids_are_404(users, two_groups):  # noqa: F811
    for reader in (meeting_or_404, item_or_404, action_or_404):
        with pytest.raises(Http404):
            reader(users["manager"], 999999)
