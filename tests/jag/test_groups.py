"""Setting up a JAG (jag.services.groups and /jag/groups/): the group and its rule, its members and co-chairs.
Managers of JAG business only; everyone else gets 404."""

from datetime import date, datetime, time

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import PartnerAgency
from cases.roles import Role
from cases.sla import LONDON
from jag.models import JagGroup, JagMember, Meeting, Nomination
from jag.services.groups import GroupValues, group_save, member_add, member_update
from jag.services.schedule import JagError

from ..casereview.factories import partner_user, staff
from ..test_access_partners import _agreement
from .factories import group_make, member_make

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
VALUES = GroupValues(name="Blaby JAG", week=2, weekday=1, starts_at=time(10), location="Blaby Council Offices",
                     confidentiality_statement="Confidential to members.")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def people(db):
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    _agreement(police)
    return {"manager": staff("maria", Role.MANAGER), "officer": staff("omar", Role.OFFICER),
            "call_centre": staff("cc", Role.CALL_CENTRE), "pc": partner_user("pc-smith", Role.PARTNER_USER, police),
            "inspector": partner_user("insp", Role.PARTNER_LEAD, police), "police": police}


def test_a_new_group_has_its_next_twelve_meetings_by_its_rule(people):
    group = group_save(group=None, values=VALUES, actor=people["manager"])
    days = list(Meeting.objects.filter(group=group).values_list("held_on", flat=True))
    assert len(days) == 12 and days[0] == date(2026, 3, 10) and days[1] == date(2026, 4, 14)
    with pytest.raises(JagError, match="already a group"):
        group_save(group=None, values=VALUES, actor=people["manager"])


@pytest.mark.parametrize("who", ["officer", "pc", "call_centre"])
def test_only_a_manager_sets_up_a_group(people, who):
    from django.http import Http404

    with pytest.raises(Http404):
        group_save(group=None, values=VALUES, actor=people[who])


def test_a_new_rule_replans_empty_meetings_and_refuses_when_one_has_business(people):
    group = group_save(group=None, values=VALUES, actor=people["manager"])
    group = group_save(group=group, values=GroupValues(**{**VALUES.__dict__, "weekday": 3}), actor=people["manager"])
    days = list(Meeting.objects.filter(group=group).values_list("held_on", flat=True))
    assert len(days) == 12 and days[0] == date(2026, 3, 12) and all(d.weekday() == 3 for d in days)
    Nomination.objects.create(meeting=Meeting.objects.get(group=group, held_on=date(2026, 4, 9)), kind="theme", theme="Bikes",
                              reason="Up", nominated_by=people["officer"], created_at=NOW, accepted=True)
    with pytest.raises(JagError, match="move those meetings"):
        group_save(group=group, values=VALUES, actor=people["manager"])
    assert Meeting.objects.filter(group=group).count() == 12
    # A new time or place changes the meetings to come.
    group_save(group=group, values=GroupValues(**{**VALUES.__dict__, "weekday": 3, "starts_at": time(14), "location": "Hall"}),
               actor=people["manager"])
    assert set(Meeting.objects.filter(group=group).values_list("starts_at", "location")) == {(time(14), "Hall")}


def test_bad_values_are_refused_in_words(people):
    for change, message in (({"name": " "}, "name"), ({"location": ""}, "where"), ({"week": 6}, "week"),
                            ({"papers_cutoff_days": 2}, "papers go out after")):
        with pytest.raises(JagError, match=message):
            group_save(group=None, values=GroupValues(**{**VALUES.__dict__, **change}), actor=people["manager"])
    assert not JagGroup.objects.exists()


def test_members_sit_for_their_own_agency_and_co_chairs_are_at_most_two(people):
    group = group_make()
    officer = member_add(group=group, user=people["officer"], is_co_chair=True, actor=people["manager"])
    pc = member_add(group=group, user=people["pc"], is_co_chair=False, actor=people["manager"])
    assert officer.agency is None and pc.agency == people["police"]
    assert member_add(group=group, user=people["pc"], is_co_chair=False, actor=people["manager"]).pk == pc.pk  # double click
    member_add(group=group, user=people["inspector"], is_co_chair=True, actor=people["manager"])
    with pytest.raises(JagError, match="at most 2 co-chairs"):
        member_update(member=pc, is_co_chair=True, is_active=True, actor=people["manager"])
    with pytest.raises(JagError, match="can see JAG"):
        member_add(group=group, user=people["call_centre"], is_co_chair=False, actor=people["manager"])
    # The last co-chair cannot stand down; once another is made co-chair they can; a member who left comes back.
    member_update(member=JagMember.objects.get(user=people["inspector"]), is_co_chair=False, is_active=True, actor=people["manager"])
    with pytest.raises(JagError, match="needs a co-chair"):
        member_update(member=officer, is_co_chair=False, is_active=False, actor=people["manager"])
    member_update(member=pc, is_co_chair=True, is_active=True, actor=people["manager"])
    member_update(member=officer, is_co_chair=False, is_active=False, actor=people["manager"])
    assert not JagMember.objects.get(pk=officer.pk).is_active
    back = member_add(group=group, user=people["officer"], is_co_chair=False, actor=people["manager"])
    assert back.pk == officer.pk and back.is_active and JagMember.objects.filter(group=group).count() == 3


ROLES = ["anonymous", "officer", "call_centre", "pc", "inspector", "manager"]


@pytest.mark.parametrize("role", ROLES)
def test_every_group_url_for_every_role(client, people, role):
    group = group_make()
    member = member_make(group, people["officer"], co_chair=True)
    if role != "anonymous":
        client.force_login(people[role])
    urls = ["/jag/groups/", "/jag/groups/new/", f"/jag/groups/{group.pk}/", f"/jag/groups/{group.pk}/edit/"]
    for url in urls:
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "/staff/login/" in response["Location"], url
        else:
            assert response.status_code == (200 if role == "manager" else 404), (url, role)
    response = client.post(f"/jag/members/{member.pk}/", {"change": "remove"})
    assert response.status_code == {"anonymous": 302, "manager": 302}.get(role, 404)
    assert JagMember.objects.get(pk=member.pk).is_active  # nobody else changes anything
    if role == "manager":
        assert JagMember.objects.get(pk=member.pk).is_active  # the group's only co-chair stays
        assert client.get(f"/jag/members/{member.pk}/").status_code == 405


def test_the_manager_sets_up_a_group_through_the_pages(client, people):
    client.force_login(people["manager"])
    bad = client.post("/jag/groups/new/", {"name": "", "week": "9", "starts_at": "25:99"})
    assert bad.status_code == 200 and b"Enter the group&#x27;s name" in bad.content and not JagGroup.objects.exists()
    data = {"name": "Blaby JAG", "week": "2", "weekday": "1", "starts_at": "10:00", "location": "Blaby Council Offices",
            "confidentiality_statement": "Confidential.", "nomination_cutoff_days": "2", "papers_cutoff_days": "1",
            "is_active": "on"}
    response = client.post("/jag/groups/new/", data)
    group = JagGroup.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jag/groups/{group.pk}/"
    page = client.get(f"/jag/groups/{group.pk}/")
    assert b"The second Tuesday of every month at 10:00" in page.content and b"Inspector" not in page.content
    assert client.post(f"/jag/groups/{group.pk}/", {"user": str(people["inspector"].pk), "is_co_chair": "on"}).status_code == 302
    assert client.post(f"/jag/groups/{group.pk}/", {"user": str(people["officer"].pk)}).status_code == 302
    assert list(group.members.values_list("user__username", "is_co_chair")) == [("insp", True), ("omar", False)]
    refused = client.post(f"/jag/groups/{group.pk}/", {"user": "not-a-number"})
    assert refused.status_code == 200 and b"Choose who to add from the list" in refused.content
    assert client.post(f"/jag/members/{group.members.get(user=people['officer']).pk}/", {"change": "nonsense"}).status_code == 404


def test_the_members_page_keeps_a_fixed_number_of_queries(client, people):
    group = group_make()
    client.force_login(people["manager"])

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/jag/groups/{group.pk}/").status_code == 200
        return len(captured)

    member_make(group, people["officer"])
    count()  # warm: the session and the user's capabilities
    small = count()
    for n in range(15):
        member_make(group, staff(f"extra{n}", Role.OFFICER))
    assert count() == small


def test_hostile_input_to_the_group_forms_never_makes_a_server_error(client, people):
    """Hypothesis over the group form and the add-a-member form: never a 5xx; a refused post saves nothing."""
    from django.db import transaction
    from hypothesis import given

    from ..test_fuzz_forms import FUZZ, form_base, hostile

    group = group_make()
    client.force_login(people["manager"])

    def state():
        return (sorted(JagGroup.objects.values_list("pk", "name", "week", "weekday", "location")),
                sorted(JagMember.objects.values_list("pk", "user_id", "is_co_chair", "is_active")), Meeting.objects.count())

    def fuzz(url, extra):
        page = client.get(url)
        base = {**form_base(page.content.decode(), past=NOW.date()), **extra}

        @FUZZ
        @given(data=hostile(base))
        def post(data):
            sid = transaction.savepoint()
            try:
                before = state()
                response = client.post(url, data)
                assert response.status_code < 500
                if response.status_code != 302:
                    assert state() == before
            finally:
                transaction.savepoint_rollback(sid)

        post()

    fuzz("/jag/groups/new/", {})
    fuzz(f"/jag/groups/{group.pk}/edit/", {})
    fuzz(f"/jag/groups/{group.pk}/", {"user": str(people["pc"].pk)})
