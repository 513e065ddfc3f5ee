"""The agenda pages (a co-chair's): every URL for every role, building, adding, reordering and removing through the
pages (errors, double posts, stale orders), what a partner co-chair's page reveals, and a fixed number of queries."""

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Place
from jag.models import AgendaItem, ItemKind, ItemSource, JagEvent, Meeting, MeetingStatus
from jag.selectors import NOT_SHARED_LABEL
from jag.services.nominations import nomination_make

from ..test_access_partners import agencies, users  # noqa: F401 - fixtures
from .test_packs import _case
from .test_views_meetings import LOGIN, NOT_FOUND, NOW, OK, REDIRECT, ROLES, expect, who, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def ids(world):  # noqa: F811
    return {"meeting": world["meeting"].pk, "item": world["items"][2].pk}


def live(world):  # noqa: F811
    return list(AgendaItem.objects.filter(meeting=world["meeting"], removed_at__isnull=True).order_by("position", "id")
                .values_list("pk", flat=True))


CHAIRS = {"officer": OK, "police_chair": OK}
CHAIRS_REDIRECT = {"officer": REDIRECT, "police_chair": REDIRECT}
MATRIX = [
    ("/jag/meetings/{meeting}/agenda/", expect(**CHAIRS)),
    ("/jag/meetings/999999/agenda/", expect()),
    ("/jag/meetings/{meeting}/agenda/build/", expect(**CHAIRS_REDIRECT)),
    ("/jag/meetings/{meeting}/agenda/add/", expect(**CHAIRS)),
    ("/jag/meetings/{meeting}/agenda/order/", expect(**CHAIRS_REDIRECT)),
    ("/jag/items/{item}/remove/", expect(**CHAIRS)),
    ("/jag/items/999999/remove/", expect()),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url, expected", MATRIX, ids=[m[0] for m in MATRIX])
def test_every_url_for_every_role(client, users, world, role, url, expected):  # noqa: F811
    if role != "anonymous":
        client.force_login(who(users, world, role))
    response = client.get(url.format(**ids(world)))
    if expected[role] == LOGIN:
        assert response.status_code == 302 and response["Location"].startswith(resolve_url(settings.LOGIN_URL))
    elif expected[role] == REDIRECT:
        assert response.status_code == 302 and response["Location"] == f"/jag/meetings/{world['meeting'].pk}/agenda/"
    else:
        assert response.status_code == expected[role]


@pytest.mark.parametrize("role", ["call_centre", "manager", "police", "police_lead", "housing"])
def test_nobody_but_a_co_chair_can_post_to_the_agenda(client, users, world, role):  # noqa: F811
    client.force_login(who(users, world, role))
    order = list(reversed(live(world)))
    before = (live(world), JagEvent.objects.count(), AgendaItem.objects.count())
    posts = [("/jag/meetings/{meeting}/agenda/build/", {}),
             ("/jag/meetings/{meeting}/agenda/add/", {"kind": "theme", "theme": "Wrong person", "reason": "x"}),
             ("/jag/meetings/{meeting}/agenda/order/", {"item": order}),
             ("/jag/items/{item}/remove/", {"reason": "Wrong person"})]
    for url, data in posts:
        assert client.post(url.format(**ids(world)), data).status_code == 404, url
    assert (live(world), JagEvent.objects.count(), AgendaItem.objects.count()) == before


# --- the agenda page -------------------------------------------------------------------------------------------------

def test_the_council_co_chair_sees_the_agenda_in_order_with_why_and_buttons(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    html = client.get(f"/jag/meetings/{world['meeting'].pk}/agenda/").content.decode()
    for seen in ("ASB-2026-SHARED", "ASB-2026-SECRET", "Why secret: Withheld secret was threatened", "Bell Street Car Park",
                 "Off-road bikes", "Build the agenda", "Add an item"):
        assert seen in html, seen
    assert html.index("ASB-2026-SHARED") < html.index("ASB-2026-SECRET") < html.index("Bell Street Car Park")
    assert html.count('name="move" value="up:') == 3 and html.count('name="move" value="down:') == 3
    for item in world["items"]:
        assert f"/jag/items/{item.pk}/remove/" in html


def test_a_partner_co_chair_sees_nothing_of_a_case_not_shared_with_their_agency(client, users, world):  # noqa: F811
    AgendaItem.objects.filter(pk=world["items"][1].pk).update(removed_at=timezone.now(), removed_by=users["officer"],
                                                              removed_reason="Secret removal: Withheld secret moved")
    AgendaItem.objects.create(meeting=world["meeting"], position=5, kind=ItemKind.CASE, case=_case("other")[0],
                              source=ItemSource.CASE_REVIEW, why="Why other: Chosen other")
    client.force_login(world["chair"])
    html = client.get(f"/jag/meetings/{world['meeting'].pk}/agenda/").content.decode()
    assert "ASB-2026-SHARED" in html and NOT_SHARED_LABEL in html
    for secret in ("ASB-2026-SECRET", "Why secret", "Withheld secret", "Secret removal", "ASB-2026-OTHER", "Chosen other"):
        assert secret not in html, secret
    other = AgendaItem.objects.get(case__reference="ASB-2026-OTHER")
    page = client.get(f"/jag/items/{other.pk}/remove/").content.decode()
    assert NOT_SHARED_LABEL in page and "ASB-2026-OTHER" not in page and "Chosen other" not in page


def test_the_agenda_page_keeps_a_fixed_number_of_queries(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    url = f"/jag/meetings/{world['meeting'].pk}/agenda/"
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    places = Place.objects.bulk_create([Place(address=f"{i} Big Road", postcode="LE18 1AA", key=f"{i}BIGROAD|LE181AA")
                                        for i in range(200)])
    AgendaItem.objects.bulk_create([AgendaItem(meeting=world["meeting"], position=10 + i, kind=ItemKind.LOCATION, place=p,
                                               source=ItemSource.ADDED, why=f"Big {i}",
                                               **({"removed_at": timezone.now(), "removed_by": users["officer"],
                                                   "removed_reason": f"Gone {i}"} if i % 5 == 0 else {}))
                                    for i, p in enumerate(places)])
    cases = [_case(f"many{i}")[0] for i in range(20)]
    AgendaItem.objects.bulk_create([AgendaItem(meeting=world["meeting"], position=300 + i, kind=ItemKind.CASE, case=c,
                                               source=ItemSource.ADDED, why="Many") for i, c in enumerate(cases)])
    with CaptureQueriesContext(connection) as large:
        html = client.get(url).content.decode()
    assert "199 Big Road" in html and "Gone 195" in html and "ASB-2026-MANY19" in html
    assert len(large) == len(small), [q["sql"] for q in large]


# --- building ------------------------------------------------------------------------------------------------------

def test_building_adds_what_is_missing_and_says_how_many(client, users, world):  # noqa: F811
    nomination_make(meeting=world["meeting"], kind=ItemKind.THEME, theme="Nitrous oxide", reason="Canisters everywhere",
                    actor=users["police"])
    client.force_login(users["officer"])
    url = f"/jag/meetings/{world['meeting'].pk}/agenda/build/"
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == f"/jag/meetings/{world['meeting'].pk}/agenda/"
    html = client.get(response["Location"]).content.decode()
    assert "The agenda was built: 1 item added" in html and "Nitrous oxide" in html
    assert "Nominated by Leicestershire Police: Canisters everywhere" in html
    client.post(url)  # a double click adds nothing
    assert "nothing new to add" in client.get(response["Location"]).content.decode()
    assert AgendaItem.objects.filter(theme="Nitrous oxide").count() == 1


def test_building_a_held_meetings_agenda_is_refused_with_a_message(client, users, world):  # noqa: F811
    Meeting.objects.filter(pk=world["meeting"].pk).update(status=MeetingStatus.HELD)
    client.force_login(users["officer"])
    response = client.post(f"/jag/meetings/{world['meeting'].pk}/agenda/build/", follow=True)
    html = response.content.decode()
    assert response.status_code == 200 and "cannot change" in html and "Build the agenda" not in html


# --- adding ----------------------------------------------------------------------------------------------------------

def test_a_co_chair_adds_a_case_a_location_and_a_theme(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    url = f"/jag/meetings/{world['meeting'].pk}/agenda/add/"
    other = _case("other")[0]
    response = client.post(url, {"kind": "case", "case_reference": other.reference, "reason": "Escalating"})
    assert response.status_code == 302 and response["Location"] == f"/jag/meetings/{world['meeting'].pk}/agenda/"
    assert "Item 5 added to the agenda" in client.get(response["Location"]).content.decode()
    item = AgendaItem.objects.get(case=other)
    assert item.position == 5 and item.source == ItemSource.ADDED and item.why == "Added by a co-chair: Escalating"
    assert client.post(url, {"kind": "location", "address": "Brookside Park", "postcode": "LE18 9ZZ", "reason": "Fires"}).status_code == 302
    assert client.post(url, {"kind": "theme", "theme": "Scooters", "reason": "Complaints"}).status_code == 302
    assert live(world)[-2:] == list(AgendaItem.objects.filter(theme__in=["", "Scooters"], kind__in=["location", "theme"],
                                                              position__gt=4).order_by("position").values_list("pk", flat=True))
    again = client.post(url, {"kind": "theme", "theme": "scooters", "reason": "Twice"})
    assert again.status_code == 200 and "That is already on the agenda" in again.content.decode()
    missing = client.post(url, {"kind": "theme", "theme": "Graffiti"}).content.decode()
    assert "<title>Error: " in missing and "Enter why it is being added" in missing
    assert AgendaItem.objects.filter(meeting=world["meeting"]).count() == 7


def test_a_partner_co_chair_cannot_add_a_case_they_cannot_see(client, users, world):  # noqa: F811
    other = _case("other")[0]
    client.force_login(world["chair"])
    html = client.post(f"/jag/meetings/{world['meeting'].pk}/agenda/add/",
                       {"kind": "case", "case_reference": other.reference, "reason": "x"}).content.decode()
    assert "Enter a case reference you can see" in html and not AgendaItem.objects.filter(case=other).exists()


# --- reordering ------------------------------------------------------------------------------------------------------

def test_moving_an_item_up_and_down_and_a_double_click_moves_it_once(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    url = f"/jag/meetings/{world['meeting'].pk}/agenda/order/"
    a, b, c, d = live(world)
    data = {"item": [a, b, c, d], "move": f"up:{c}", "version": "1"}
    response = client.post(url, data)
    assert response.status_code == 302 and response["Location"].startswith(f"/jag/meetings/{world['meeting'].pk}/agenda/")
    assert live(world) == [a, c, b, d]
    client.post(url, data)  # the same button again, from the page as it was drawn
    assert live(world) == [a, c, b, d]
    client.post(url, {"item": [a, c, b, d], "move": f"down:{a}"})
    assert live(world) == [c, a, b, d]
    client.post(url, {"item": [c, a, b, d], "move": f"up:{c}"})  # already first: nothing moves
    assert live(world) == [c, a, b, d]
    client.post(url, {"item": [d, b, a, c]})  # the whole order, no button
    assert live(world) == [d, b, a, c]
    assert "The agenda is in its new order" in client.get(f"/jag/meetings/{world['meeting'].pk}/agenda/").content.decode()


def test_a_stale_order_is_refused_with_a_message(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    a, b, c, d = live(world)
    AgendaItem.objects.filter(pk=d).update(removed_at=timezone.now())
    response = client.post(f"/jag/meetings/{world['meeting'].pk}/agenda/order/", {"item": [a, b, c, d], "move": f"up:{b}"},
                           follow=True)
    assert "The agenda has changed since you opened the page" in response.content.decode()
    assert live(world) == [a, b, c]
    for nonsense in ({"item": [a, a, b, c]}, {"item": ["x"]}, {}, {"item": [a, b, c], "move": "sideways:1"}):
        response = client.post(f"/jag/meetings/{world['meeting'].pk}/agenda/order/", nonsense, follow=True)
        assert response.status_code == 200 and "The agenda has changed" in response.content.decode()
    assert live(world) == [a, b, c]


# --- removing --------------------------------------------------------------------------------------------------------

def test_a_co_chair_removes_an_item_with_a_reason_once(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    item = world["items"][2]
    url = f"/jag/items/{item.pk}/remove/"
    page = client.get(url).content.decode()
    assert "Bell Street Car Park" in page and "Youths gathering at night" in page
    html = client.post(url, {"reason": " "}).content.decode()
    assert "<title>Error: " in html and "Enter why it is being removed" in html
    response = client.post(url, {"reason": "Dealt with by the police"})
    assert response.status_code == 302 and response["Location"] == f"/jag/meetings/{world['meeting'].pk}/agenda/"
    assert client.post(url, {"reason": "Dealt with by the police"}).status_code == 302  # a double click
    assert JagEvent.objects.filter(kind="item.removed").count() == 1
    html = client.get(response["Location"]).content.decode()
    removed = html[html.index("Taken off the agenda"):]
    assert "Bell Street Car Park" in removed and "Dealt with by the police" in removed
    assert "taken off the agenda on" in client.get(url).content.decode().lower()
    client.post(f"/jag/meetings/{world['meeting'].pk}/agenda/build/")
    assert item.pk not in live(world)
