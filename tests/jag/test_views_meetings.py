"""The JAG schedule, the meeting page (its pack on screen), nominations, a co-chair's decision and moving a meeting:
every URL for every role (a refusal is 404), what a partner's page reveals, the journeys through the forms (errors,
late nominations, double posts), and a fixed number of queries whatever the data size."""

import re
from datetime import date, datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Place, ShareScope
from cases.roles import Role
from cases.sla import LONDON
from jag.models import (
    ActionStatus,
    AgendaItem,
    ItemKind,
    ItemSource,
    JagAction,
    JagEvent,
    Meeting,
    MeetingStatus,
    Nomination,
)
from jag.selectors import NOT_SHARED_LABEL
from jag.services.nominations import nomination_make

from ..casereview.factories import partner_user
from ..test_access_partners import agencies, users  # noqa: F401 - fixtures
from .factories import group_make, meeting_make, member_make
from .test_packs import _case, _share

pytestmark = pytest.mark.django_db

MEETING_DAY = date(2026, 12, 8)  # the second Tuesday of December 2026
NOW = datetime(2026, 11, 30, 10, 0, tzinfo=LONDON)  # Monday: nominations close at the end of Friday 4 December
LATE = datetime(2026, 12, 7, 9, 0, tzinfo=LONDON)  # Monday before the meeting: after the cut-off
ROLES = ["anonymous", "call_centre", "officer", "manager", "police", "police_lead", "housing", "police_chair"]
LOGIN, OK, NOT_FOUND, REDIRECT = "login", 200, 404, 302


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(users, agencies):  # noqa: F811
    """A group with a council co-chair (the officer) and a police co-chair; the police user sits on it; housing does
    not. Its December meeting has a shared case (summary), a case not shared with police, a location and a theme."""
    police = agencies["police"]
    chair = partner_user("insp-chair", Role.PARTNER_LEAD, police)
    chair.first_name, chair.last_name = "Ivy", "Inspector"
    chair.save()
    group = group_make()
    member_make(group, users["officer"], co_chair=True)
    member_make(group, chair, agency=police, co_chair=True)
    member_make(group, users["police"], agency=police)
    meeting = meeting_make(group, MEETING_DAY)
    shared, shared_chosen, _ = _case("shared")
    _share(shared, police, ShareScope.SUMMARY, users["officer"], shared_chosen)
    secret, _, _ = _case("secret")
    place = Place.objects.create(address="Bell Street Car Park", postcode="LE18 2BB", key="BELLSTREETCARPARK|LE182BB")
    items = [
        AgendaItem.objects.create(meeting=meeting, position=1, kind=ItemKind.CASE, case=shared, source=ItemSource.NOMINATION,
                                  why="Why shared: repeat noise"),
        AgendaItem.objects.create(meeting=meeting, position=2, kind=ItemKind.CASE, case=secret, source=ItemSource.HIGH_RISK,
                                  why="Why secret: Withheld secret was threatened"),
        AgendaItem.objects.create(meeting=meeting, position=3, kind=ItemKind.LOCATION, place=place, source=ItemSource.ADDED,
                                  why="Youths gathering at night"),
        AgendaItem.objects.create(meeting=meeting, position=4, kind=ItemKind.THEME, theme="Off-road bikes",
                                  source=ItemSource.NOMINATION, why="Reports up across the borough"),
    ]
    # A council nomination of the secret case (its reason names someone), and a late police one, waiting.
    secret_nomination = nomination_make(meeting=meeting, kind=ItemKind.CASE, case=secret, reason="Secret reason: Withheld secret",
                                        actor=users["officer"])
    with time_machine.travel(LATE, tick=False):
        urgent = nomination_make(meeting=meeting, kind=ItemKind.THEME, theme="Fly-tipping behind the shops",
                                 reason="Police urgent reason", actor=users["police"])
    return {"group": group, "meeting": meeting, "chair": chair, "shared": shared, "secret": secret, "place": place,
            "items": items, "secret_nomination": secret_nomination, "urgent": urgent}


def who(users, world, role):  # noqa: F811
    return world["chair"] if role == "police_chair" else users[role]


def ids(world) -> dict:
    return {"meeting": world["meeting"].pk, "urgent": world["urgent"].pk, "item": world["items"][2].pk}


def expect(*, default=NOT_FOUND, **roles):
    return {**dict.fromkeys(ROLES, default), "anonymous": LOGIN, **roles}


SEES_JAG = {r: OK for r in ("officer", "manager", "police", "police_lead", "police_chair")}
CHAIRS = {"officer": OK, "police_chair": OK}

MATRIX = [
    ("/jag/", expect(**SEES_JAG, housing=OK)),
    ("/jag/meetings/{meeting}/", expect(**SEES_JAG)),
    ("/jag/meetings/999999/", expect()),
    ("/jag/meetings/{meeting}/nominate/", expect(**SEES_JAG)),
    ("/jag/meetings/{meeting}/nominate/?case=ASB-2026-SECRET", expect(**SEES_JAG)),
    ("/jag/nominations/{urgent}/decide/", expect(**CHAIRS)),
    ("/jag/nominations/999999/decide/", expect()),
    ("/jag/meetings/{meeting}/move/", expect(manager=OK)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_url_for_every_role(client, users, world, role, url, expected):  # noqa: F811
    if role != "anonymous":
        client.force_login(who(users, world, role))
    response = client.get(url.format(**ids(world)))
    if expected[role] == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    else:
        assert response.status_code == expected[role]


POSTS = [
    ("/jag/meetings/{meeting}/nominate/", {"kind": "theme", "theme": "Posted by the wrong person", "reason": "x"},
     ("call_centre", "housing")),
    ("/jag/nominations/{urgent}/decide/", {"decision": "accept", "reason": "Posted by the wrong person"},
     ("call_centre", "manager", "police", "police_lead", "housing")),
    ("/jag/meetings/{meeting}/move/", {"held_on_0": "9", "held_on_1": "12", "held_on_2": "2026", "reason": "Wrong person",
                                       "version": "1"}, ("call_centre", "officer", "police", "police_lead", "housing", "police_chair")),
]


@pytest.mark.parametrize("url, data, roles", POSTS, ids=[p[0] for p in POSTS])
def test_a_post_that_is_not_allowed_is_404_and_changes_nothing(client, users, world, url, data, roles):  # noqa: F811
    before = (Nomination.objects.count(), JagEvent.objects.count(), Meeting.objects.get(pk=world["meeting"].pk).version)
    for role in roles:
        client.force_login(who(users, world, role))
        assert client.post(url.format(**ids(world)), data).status_code == 404, role
    assert (Nomination.objects.count(), JagEvent.objects.count(), Meeting.objects.get(pk=world["meeting"].pk).version) == before


# --- the schedule --------------------------------------------------------------------------------------------------

def test_the_schedule_lists_the_next_twelve_meetings_with_cut_offs_and_the_last_held(client, users, world):  # noqa: F811
    earlier = meeting_make(world["group"], date(2026, 11, 10), status=MeetingStatus.HELD)
    client.force_login(users["officer"])
    html = client.get("/jag/").content.decode()
    assert Meeting.objects.filter(group=world["group"], held_on__gte=NOW.date()).count() == 12
    assert "Tuesday 8 December 2026" in html and "10:00" in html and "Council Offices, Station Road, Wigston" in html
    assert "End of Friday 4 December" in html  # nominations: two working days before
    assert "End of Monday 7 December" in html  # papers: one working day before
    assert f'href="/jag/meetings/{earlier.pk}/"' in html and "Tuesday 10 November 2026" in html
    assert "Tuesday 9 November 2027" in html  # the twelfth
    assert "Urgent nominations waiting for your decision" in html
    assert f"/jag/nominations/{world['urgent'].pk}/decide/" in html
    client.get("/jag/")
    assert Meeting.objects.filter(group=world["group"]).count() == 13  # idempotent


def test_a_moved_meeting_shows_why_and_a_partner_not_on_a_group_sees_none(client, users, world):  # noqa: F811
    Meeting.objects.filter(pk=world["meeting"].pk).update(held_on=date(2026, 12, 9), moved_reason="The chair is in court",
                                                          moved_at=timezone.now())
    client.force_login(users["police"])
    html = client.get("/jag/").content.decode()
    assert "Wednesday 9 December 2026" in html and "Moved: The chair is in court" in html
    assert "Urgent nominations waiting" not in html  # not a co-chair
    client.force_login(users["housing"])
    html = client.get("/jag/").content.decode()
    assert "You are not on any Joint Action Group" in html and "Oadby and Wigston JAG" not in html


def test_the_schedule_keeps_a_fixed_number_of_queries(client, users, world):  # noqa: F811
    client.force_login(world["chair"])
    client.get("/jag/")
    with CaptureQueriesContext(connection) as small:
        assert client.get("/jag/").status_code == 200
    for month in range(1, 13):  # a year of held meetings, each with nominations waiting
        m = meeting_make(world["group"], date(2025, month, 14))
        Meeting.objects.filter(pk=m.pk).update(status=MeetingStatus.HELD)
    for n in range(30):
        Nomination.objects.create(meeting=world["meeting"], kind=ItemKind.THEME, theme=f"Late theme {n}", reason="r",
                                  nominated_by=users["police"], agency=world["urgent"].agency, created_at=timezone.now(),
                                  is_urgent=True)
    with CaptureQueriesContext(connection) as large:
        html = client.get("/jag/").content.decode()
    assert "Late theme 29" in html
    assert len(large) == len(small), [q["sql"] for q in large]


# --- the meeting page ----------------------------------------------------------------------------------------------

def test_the_council_sees_the_whole_pack_nominations_links_and_history(client, users, world):  # noqa: F811
    client.force_login(users["officer"])  # the council co-chair
    html = client.get(f"/jag/meetings/{world['meeting'].pk}/").content.decode()
    for seen in ("ASB-2026-SHARED", "ASB-2026-SECRET", "Why secret: Withheld secret was threatened", "Bell Street Car Park",
                 "Off-road bikes", "Secret reason: Withheld secret", "Police urgent reason", "Urgent: waiting for a co-chair"):
        assert seen in html, seen
    for link in ("nominate/", "agenda/", "papers/", "pack.pdf"):
        assert f"/jag/meetings/{world['meeting'].pk}/{link}" in html, link
    assert f"/jag/nominations/{world['urgent'].pk}/decide/" in html
    assert "/move/" not in html and "/open/" not in html and "/minutes/" not in html  # not a manager; not the day; not held
    assert "History" in html and "A theme nominated after the cut-off (urgent)" in html


def test_the_partner_page_holds_nothing_of_a_case_not_shared_with_their_agency(client, users, world):  # noqa: F811
    for role in ("police", "police_lead", "police_chair"):
        client.force_login(who(users, world, role))
        html = client.get(f"/jag/meetings/{world['meeting'].pk}/").content.decode()
        assert "ASB-2026-SHARED" in html and "Chosen shared" in html and "Why shared: repeat noise" in html
        assert NOT_SHARED_LABEL in html
        for secret in ("ASB-2026-SECRET", "secret Close", "Behind the secret shops", "Chosen secret", "Withheld secret",
                       "Why secret", "Secret reason"):
            assert secret not in html, (role, secret)
        # Their own agency's nominations only; no history (reasons may name people), no papers.
        assert "Police urgent reason" in html and "History" not in html and "/papers/" not in html
        assert "pack.pdf" in html


def test_the_police_co_chair_gets_the_agenda_and_decide_links(client, users, world):  # noqa: F811
    client.force_login(world["chair"])
    html = client.get(f"/jag/meetings/{world['meeting'].pk}/").content.decode()
    assert f"/jag/meetings/{world['meeting'].pk}/agenda/" in html and f"/jag/nominations/{world['urgent'].pk}/decide/" in html
    client.force_login(users["police"])
    html = client.get(f"/jag/meetings/{world['meeting'].pk}/").content.decode()
    assert "/agenda/" not in html and "/decide/" not in html


def test_links_follow_the_meeting_through_the_day(client, users, world):  # noqa: F811
    meeting = world["meeting"]
    client.force_login(users["manager"])
    assert f"/jag/meetings/{meeting.pk}/move/" in client.get(f"/jag/meetings/{meeting.pk}/").content.decode()
    with time_machine.travel(datetime(2026, 12, 8, 9, 30, tzinfo=LONDON), tick=False):
        client.force_login(users["officer"])
        html = client.get(f"/jag/meetings/{meeting.pk}/").content.decode()
        assert f"/jag/meetings/{meeting.pk}/open/" in html
        Meeting.objects.filter(pk=meeting.pk).update(opened_at=timezone.now())
        html = client.get(f"/jag/meetings/{meeting.pk}/").content.decode()
        assert f"/jag/meetings/{meeting.pk}/close/" in html and f"/jag/items/{world['items'][0].pk}/" in html
        assert "/open/" not in html and "In progress" in html
        Meeting.objects.filter(pk=meeting.pk).update(closed_at=timezone.now(), status=MeetingStatus.HELD)
        html = client.get(f"/jag/meetings/{meeting.pk}/").content.decode()
        assert f"/jag/meetings/{meeting.pk}/minutes/" in html and "/nominate/" not in html


def test_actions_show_a_status_tag_in_words(client, users, world, agencies):  # noqa: F811
    item = world["items"][0]
    for text, due, status in (("Overdue patrol", date(2026, 11, 20), ActionStatus.OPEN),
                              ("Soon letter", date(2026, 12, 3), ActionStatus.OPEN),
                              ("Later visit", date(2027, 1, 20), ActionStatus.OPEN)):
        JagAction.objects.create(meeting=world["meeting"], item=item, text=text, owner_agency=agencies["police"],
                                 owner=users["police"], due_on=due, status=status, created_by=users["officer"],
                                 created_at=timezone.now())
    client.force_login(users["police"])
    html = client.get(f"/jag/meetings/{world['meeting'].pk}/").content.decode()
    assert 'govuk-tag--red">Overdue' in html and 'govuk-tag--yellow">Due soon' in html and 'govuk-tag--blue">On track' in html


def _crowd(world, users, agencies, n_items, n_actions, tag):  # noqa: F811
    """`n_items` more location items on the meeting and `n_actions` open actions on them, half the police's."""
    meeting = world["meeting"]
    places = Place.objects.bulk_create([Place(address=f"{i} {tag} Road", postcode="LE18 1AA", key=f"{i}{tag}ROAD|LE181AA")
                                        for i in range(n_items)])
    start = AgendaItem.objects.filter(meeting=meeting).count() + 1
    items = AgendaItem.objects.bulk_create([AgendaItem(meeting=meeting, position=start + i, kind=ItemKind.LOCATION, place=p,
                                                       source=ItemSource.ADDED, why=f"{tag} {i}") for i, p in enumerate(places)])
    JagAction.objects.bulk_create([
        JagAction(meeting=meeting, item=items[i % n_items], text=f"{tag} action {i}",
                  owner_agency=agencies["police"] if i % 2 else None, owner=users["police"] if i % 2 else users["officer"],
                  due_on=date(2026, 12, 20), created_by=users["officer"], created_at=timezone.now()) for i in range(n_actions)])
    for i in range(n_items // 10 + 1):
        nomination_make(meeting=meeting, kind=ItemKind.THEME, theme=f"{tag} theme {i}", reason="Many", actor=users["police"])


@pytest.mark.parametrize("role", ["officer", "police"])
def test_the_meeting_page_keeps_a_fixed_number_of_queries(client, users, world, agencies, role):  # noqa: F811
    client.force_login(users[role])
    url = f"/jag/meetings/{world['meeting'].pk}/"
    _crowd(world, users, agencies, 3, 5, "Small")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _crowd(world, users, agencies, 200, 1000, "Big")
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    assert "199 Big Road" in html and "Big action 999" in html
    assert len(large) == len(small), [q["sql"] for q in large]


# --- nominating ----------------------------------------------------------------------------------------------------

def _nominate(client, world, **data):
    return client.post(f"/jag/meetings/{world['meeting'].pk}/nominate/", data)


def test_the_officer_nominates_a_case_a_location_and_a_theme(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    other, _, _ = _case("other")
    page = client.get(f"/jag/meetings/{world['meeting'].pk}/nominate/?case={other.reference}").content.decode()
    assert f'value="{other.reference}"' in page and "Nominations close at the end of Friday 4 December 2026" in page
    response = _nominate(client, world, kind="case", case_reference=other.reference.lower(), reason="Repeat victim")
    assert response.status_code == 302 and response["Location"] == f"/jag/meetings/{world['meeting'].pk}/"
    followed = client.get(response["Location"]).content.decode()
    assert "Nomination made in time for the meeting on Tuesday 8 December 2026" in followed
    n = Nomination.objects.get(case=other)
    assert n.accepted is True and not n.is_urgent and n.agency is None and n.reason == "Repeat victim"

    assert _nominate(client, world, kind="location", address="Brookside Recreation Ground", postcode="le18 9zz",
                     reason="Drug dealing").status_code == 302
    n = Nomination.objects.get(kind=ItemKind.LOCATION)
    assert n.place.address == "Brookside Recreation Ground" and n.place.postcode == "LE18 9ZZ"
    assert _nominate(client, world, kind="theme", theme="Nitrous oxide canisters", reason="Rising").status_code == 302
    assert Nomination.objects.filter(kind=ItemKind.THEME, theme="Nitrous oxide canisters").count() == 1


def test_the_form_says_what_is_missing(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    html = _nominate(client, world).content.decode()
    assert "<title>Error: " in html and "Choose whether it is a case, a location or a theme" in html
    assert "Enter why it should be discussed" in html
    html = _nominate(client, world, kind="location", address="", reason="r").content.decode()
    assert "Enter the address of the location" in html
    html = _nominate(client, world, kind="theme", theme="  ", reason="r").content.decode()
    assert "Enter the theme" in html
    html = _nominate(client, world, kind="location", address="1 Road", postcode="not a postcode", reason="r").content.decode()
    assert "<title>Error: " in html
    assert Nomination.objects.count() == 2


def _same_page(html: str, typed: str) -> str:
    return re.sub(r'(nonce|value)="[^"]*"', "", html.replace(typed, "X"))


def test_a_partner_nominates_a_shared_case_but_an_unseen_one_is_not_revealed(client, users, world):  # noqa: F811
    client.force_login(users["police"])
    unknown = _nominate(client, world, kind="case", case_reference="ASB-2099-00001", reason="r").content.decode()
    unseen = _nominate(client, world, kind="case", case_reference="ASB-2026-SECRET", reason="r").content.decode()
    for html in (unknown, unseen):
        assert "Enter a case reference you can see" in html
    # The same page whether the case exists or not (beyond the reference typed back).
    assert _same_page(unknown, "ASB-2099-00001") == _same_page(unseen, "ASB-2026-SECRET")
    # A ?case= prefill of an unseen case says nothing either.
    page = client.get(f"/jag/meetings/{world['meeting'].pk}/nominate/?case=ASB-2026-SECRET").content.decode()
    assert "secret Close" not in page and "Chosen secret" not in page
    assert _nominate(client, world, kind="case", case_reference="ASB-2026-SHARED", reason="Patrols found nothing").status_code == 302
    n = Nomination.objects.get(case=world["shared"])
    assert n.agency.name == "Leicestershire Police" and n.nominated_by == users["police"] and n.accepted is True


def test_a_late_nomination_is_urgent_and_says_so(client, users, world):  # noqa: F811
    with time_machine.travel(LATE, tick=False):
        client.force_login(users["police"])
        page = client.get(f"/jag/meetings/{world['meeting'].pk}/nominate/").content.decode()
        assert "A nomination now is urgent" in page
        response = _nominate(client, world, kind="case", case_reference="ASB-2026-SHARED", reason="New incident")
        assert response.status_code == 302
        html = client.get(response["Location"]).content.decode()
    assert "it is urgent, and goes on the agenda only if a co-chair accepts it" in html
    n = Nomination.objects.get(case=world["shared"])
    assert n.is_urgent and n.accepted is None


def test_a_double_post_makes_one_nomination(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    for _ in range(2):
        assert _nominate(client, world, kind="case", case_reference="ASB-2026-SHARED", reason="Twice").status_code == 302
        assert _nominate(client, world, kind="location", address="Bell Street Car Park", postcode="LE18 2BB",
                         reason="Twice").status_code == 302
        assert _nominate(client, world, kind="theme", theme="Graffiti", reason="Twice").status_code == 302
    assert Nomination.objects.filter(case=world["shared"]).count() == 1
    assert Nomination.objects.filter(place=world["place"]).count() == 1
    assert Nomination.objects.filter(theme="Graffiti").count() == 1
    assert JagEvent.objects.filter(kind="nomination.made").count() == 5  # two in the fixture and three here


def test_no_nominations_for_a_held_meeting(client, users, world):  # noqa: F811
    Meeting.objects.filter(pk=world["meeting"].pk).update(status=MeetingStatus.HELD)
    client.force_login(users["officer"])
    page = client.get(f"/jag/meetings/{world['meeting'].pk}/nominate/").content.decode()
    assert "has been held or cancelled" in page and "<form method=\"post\" novalidate>" not in page
    html = _nominate(client, world, kind="theme", theme="Too late", reason="r").content.decode()
    assert "has been held or cancelled" in html and not Nomination.objects.filter(theme="Too late").exists()


def test_the_case_page_links_to_nominate_for_the_next_meeting(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    html = client.get(f"/staff/cases/{world['shared'].reference}/").content.decode()
    assert f"/jag/meetings/{world['meeting'].pk}/nominate/?case={world['shared'].reference}" in html and "Nominate for JAG" in html
    client.force_login(users["call_centre"])
    response = client.get(f"/staff/cases/{world['shared'].reference}/")
    assert "Nominate for JAG" not in response.content.decode()


# --- deciding on an urgent nomination ------------------------------------------------------------------------------

def test_a_co_chair_decides_an_urgent_nomination_once(client, users, world):  # noqa: F811
    url = f"/jag/nominations/{world['urgent'].pk}/decide/"
    client.force_login(world["chair"])
    page = client.get(url).content.decode()
    assert "Fly-tipping behind the shops" in page and "Police urgent reason" in page
    html = client.post(url, {"decision": "accept"}).content.decode()
    assert "<title>Error: " in html and "Enter the reason for the decision" in html
    data = {"decision": "accept", "reason": "A new pattern this week"}
    first = client.post(url, data)
    assert first.status_code == 302 and first["Location"] == f"/jag/meetings/{world['meeting'].pk}/"
    assert client.post(url, data).status_code == 302  # a double click: the same decision
    n = Nomination.objects.get(pk=world["urgent"].pk)
    assert n.accepted is True and n.decided_by == world["chair"] and n.decision_reason == "A new pattern this week"
    assert JagEvent.objects.filter(kind="nomination.decided").count() == 1
    refused = client.post(url, {"decision": "decline", "reason": "Changed my mind"})
    assert refused.status_code == 200 and "already decided" in refused.content.decode()
    assert "already decided" in client.get(url).content.decode()


def test_a_partner_co_chair_sees_nothing_of_an_unshared_case_nomination(client, users, world):  # noqa: F811
    with time_machine.travel(LATE, tick=False):
        late = nomination_make(meeting=world["meeting"], kind=ItemKind.CASE, case=world["shared"], reason="x",
                               actor=users["officer"])
        Nomination.objects.filter(pk=world["secret_nomination"].pk).update(is_urgent=True, accepted=None)
    client.force_login(world["chair"])
    html = client.get(f"/jag/nominations/{world['secret_nomination'].pk}/decide/").content.decode()
    assert NOT_SHARED_LABEL in html and "ASB-2026-SECRET" not in html and "Secret reason" not in html
    assert "Withheld secret" not in html
    assert "ASB-2026-SHARED" in client.get(f"/jag/nominations/{late.pk}/decide/").content.decode()


def test_a_nomination_in_time_needs_no_decision(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    url = f"/jag/nominations/{world['secret_nomination'].pk}/decide/"
    assert "made in time: it needs no decision" in client.get(url).content.decode()
    html = client.post(url, {"decision": "accept", "reason": "r"}).content.decode()
    assert "Only a late (urgent) nomination needs a decision" in html


# --- moving a meeting ----------------------------------------------------------------------------------------------

def test_a_manager_moves_a_meeting_with_a_reason_and_a_stale_form_is_refused(client, users, world):  # noqa: F811
    meeting = world["meeting"]
    url = f"/jag/meetings/{meeting.pk}/move/"
    client.force_login(users["manager"])
    page = client.get(url).content.decode()
    assert 'name="held_on_0" type="text" value="8"' in page or 'value="8"' in page
    data = {"held_on_0": "9", "held_on_1": "12", "held_on_2": "2026", "reason": "The room is flooded", "version": meeting.version}
    weekend = client.post(url, {**data, "held_on_0": "12"}).content.decode()
    assert "must be a working day" in weekend and "<title>Error: " in weekend
    assert "Enter why the meeting is moving" in client.post(url, {**data, "reason": " "}).content.decode()
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"] == f"/jag/meetings/{meeting.pk}/"
    moved = Meeting.objects.get(pk=meeting.pk)
    assert moved.held_on == date(2026, 12, 9) and moved.moved_reason == "The room is flooded" and moved.moved_by == users["manager"]
    stale = client.post(url, {**data, "held_on_0": "10"})
    assert stale.status_code == 200 and "Someone else has changed this meeting" in stale.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).held_on == date(2026, 12, 9)
    assert "Moved" in client.get(f"/jag/meetings/{meeting.pk}/").content.decode()
    assert JagEvent.objects.filter(kind="meeting.moved").count() == 1


def test_a_past_date_is_refused(client, users, world):  # noqa: F811
    client.force_login(users["manager"])
    meeting = world["meeting"]
    html = client.post(f"/jag/meetings/{meeting.pk}/move/", {"held_on_0": "27", "held_on_1": "11", "held_on_2": "2026",
                                                             "reason": "r", "version": meeting.version}).content.decode()
    assert "The new date must be today or in the future" in html



# --- markup ----------------------------------------------------------------------------------------------------------

def test_every_page_has_one_h1_unique_ids_and_labelled_fields(client, users, world):  # noqa: F811
    m, urgent, item = world["meeting"].pk, world["urgent"].pk, world["items"][2].pk
    pages = {"officer": ["/jag/", f"/jag/meetings/{m}/", f"/jag/meetings/{m}/nominate/", f"/jag/nominations/{urgent}/decide/",
                         f"/jag/meetings/{m}/agenda/", f"/jag/meetings/{m}/agenda/add/", f"/jag/items/{item}/remove/"],
             "manager": [f"/jag/meetings/{m}/move/"]}
    for role, urls in pages.items():
        client.force_login(users[role])
        for url in urls:
            html = client.get(url).content.decode()
            main = html[html.index("<main"):html.index("</main>")]
            assert main.count("<h1") == 1, url
            found = re.findall(r'\sid="([^"]+)"', html)
            assert len(found) == len(set(found)), (url, sorted(i for i in found if found.count(i) > 1))
            for field in re.findall(r'<(?:input|textarea|select)\b[^>]*>', main):
                if 'type="hidden"' in field or 'name="csrfmiddlewaretoken"' in field:
                    continue
                field_id = re.search(r'\sid="([^"]+)"', field)
                assert field_id and f'for="{field_id.group(1)}"' in main, (url, field)
            for table in re.findall(r"<table\b.*?</table>", main, flags=re.S):
                assert "<caption" in table and 'scope="col"' in table, url
