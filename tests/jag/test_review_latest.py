"""Review of the latest JAG changes (reviewer r4): the figures' promise from a group's start, bringing back a member."""

from datetime import date, datetime, time

import pytest
import time_machine

from cases.models import AgencyMember, PartnerAgency
from cases.roles import Role
from cases.sla import LONDON
from jag.figures import monthly_figures
from jag.models import JagMember, MeetingStatus
from jag.selectors import groups_visible_to
from jag.services.groups import GroupValues, group_save, member_add, member_update
from jag.services.schedule import JagError

from ..casereview.factories import partner_user, staff
from ..test_access_partners import _agreement
from .factories import group_make, meeting_make

pytestmark = pytest.mark.django_db
VALUES = GroupValues(name="Blaby JAG", week=2, weekday=1, starts_at=time(10), location="Blaby Council Offices",
                     confidentiality_statement="Confidential to members.")


def test_a_group_set_up_after_its_months_meeting_day_is_not_promised_that_month():
    """Set up on 20 March 2026, after March's second Tuesday (the 10th): its first meeting is April's, so March is no
    missed month (it could never have been kept)."""
    manager = staff("maria", Role.MANAGER)
    with time_machine.travel(datetime(2026, 3, 20, 9, tzinfo=LONDON), tick=False):
        group = group_save(group=None, values=VALUES, actor=manager)
        rows = monthly_figures(start=date(2026, 3, 1), end=date(2026, 4, 30), group=group)
        assert [(f.promised, f.held) for f in rows] == [(0, 0), (1, 0)]
        rows = monthly_figures(start=date(2026, 3, 1), end=date(2026, 4, 30))
        assert [f.promised for f in rows] == [0, 1]


def test_a_group_that_stopped_meeting_does_not_keep_another_groups_promise():
    """Two groups set up in January; Blaby stopped meeting (inactive) after holding February's meeting, Wigston (still
    meeting) missed February's. February is not 'met': held counts the groups that were promised a meeting."""
    with time_machine.travel(datetime(2026, 1, 5, 9, tzinfo=LONDON), tick=False):
        group_make(name="Wigston JAG")
        stopped = group_make(name="Blaby JAG")
    meeting_make(stopped, date(2026, 2, 10), status=MeetingStatus.HELD)
    stopped.is_active = False
    stopped.save()
    with time_machine.travel(datetime(2026, 3, 20, 9, tzinfo=LONDON), tick=False):
        [february] = monthly_figures(start=date(2026, 2, 1), end=date(2026, 2, 28))
    assert (february.promised, february.held) == (1, 0)


@pytest.fixture
def people(db):
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    housing = PartnerAgency.objects.get(name="Housing providers")
    _agreement(police)
    _agreement(housing)
    return {"manager": staff("maria", Role.MANAGER), "pc": partner_user("pc-smith", Role.PARTNER_USER, police),
            "colleague": partner_user("pc-jones", Role.PARTNER_USER, police), "police": police, "housing": housing}


def test_bringing_back_a_partner_who_moved_agency_sits_them_for_their_agency_now(people):
    """Taken off the group, then moved from the police to housing, then brought back ('Bring back'): they sit for
    housing now, as adding them again would; the police do not see the group through someone who left them."""
    group = group_make()
    member = member_add(group=group, user=people["pc"], is_co_chair=False, actor=people["manager"])
    member_update(member=member, is_co_chair=False, is_active=False, actor=people["manager"])
    AgencyMember.objects.filter(user=people["pc"]).update(agency=people["housing"])
    member_update(member=JagMember.objects.get(pk=member.pk), is_co_chair=False, is_active=True, actor=people["manager"])
    member.refresh_from_db()
    assert (member.is_active, member.agency_id) == (True, people["housing"].pk)
    assert not groups_visible_to(people["colleague"]).filter(pk=group.pk).exists()


def test_bringing_back_someone_who_can_no_longer_see_jag_business_is_refused(people, client):
    """A partner whose account was switched off is not brought back onto the group (adding them is refused too)."""
    group = group_make()
    member = member_add(group=group, user=people["pc"], is_co_chair=False, actor=people["manager"])
    member_update(member=member, is_co_chair=False, is_active=False, actor=people["manager"])
    type(people["pc"]).objects.filter(pk=people["pc"].pk).update(is_active=False)
    with pytest.raises(JagError, match="can see JAG business"):
        member_update(member=JagMember.objects.get(pk=member.pk), is_co_chair=False, is_active=True, actor=people["manager"])
    assert not JagMember.objects.get(pk=member.pk).is_active
    client.force_login(people["manager"])
    response = client.post(f"/jag/members/{member.pk}/", {"change": "restore"}, follow=True)
    assert response.status_code == 200 and "can see JAG business" in response.content.decode()
    assert not JagMember.objects.get(pk=member.pk).is_active
