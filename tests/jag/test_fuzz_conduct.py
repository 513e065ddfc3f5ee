"""Hostile input never gives a server error, and a refused post changes nothing: every form of the meeting, minutes and
action pages, by hypothesis (a valid post, with fields replaced, dropped or doubled by hostile values)."""
# ruff: noqa: F811 - the fixtures imported from test_views_conduct

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from jag.models import AgendaItem, Attendance, JagAction, JagEvent, Meeting, MinutesAmendment
from jag.services.meeting import item_record
from jag.services.minutes import minutes_approve, minutes_circulate

from ..test_fuzz_forms import FUZZ, NASTY, form_base, hostile
from .test_views_conduct import (  # noqa: F401 - fixtures
    NOW,
    agencies,
    fresh,
    frozen,
    held,
    jag,
    opened,
    users,
    with_actions,
)

pytestmark = pytest.mark.django_db


def state():
    meeting_rows = list(Meeting.objects.order_by("pk").values_list("version", "minutes", "opened_at", "closed_at",
                                                                   "minutes_circulated_at", "minutes_approved_at"))
    items = list(AgendaItem.objects.order_by("pk").values_list("notes", "decisions", "outcome"))
    actions = list(JagAction.objects.order_by("pk").values_list("status", "progress", "version"))
    return (meeting_rows, items, actions, JagEvent.objects.count(), Attendance.objects.count(), MinutesAmendment.objects.count())


def fuzz(client, url, *, overrides=None):
    page = client.get(url)
    assert page.status_code == 200
    base = {**form_base(page.content.decode(), past=NOW.date()), **(overrides or {})}

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


def test_the_open_form_survives_any_input(client, jag):
    client.force_login(jag["people"]["chair"])
    fuzz(client, f"/jag/meetings/{jag['meeting'].pk}/open/")


def test_the_item_form_survives_any_input(client, jag):
    opened(jag)
    client.force_login(jag["people"]["chair"])
    fuzz(client, f"/jag/items/{jag['items']['place'].pk}/", overrides={"outcome": "keep"})


def test_the_police_co_chairs_item_form_survives_any_input(client, jag):
    opened(jag)
    client.force_login(jag["people"]["police_chair"])
    fuzz(client, f"/jag/items/{jag['items']['shared'].pk}/")


def test_the_action_form_survives_any_input(client, jag):
    opened(jag)
    client.force_login(jag["people"]["chair"])
    fuzz(client, f"/jag/items/{jag['items']['place'].pk}/actions/add/",
         overrides={"owner_agency": str(jag["police"].pk), "owner": str(jag["people"]["police"].pk),
                    "due_on_0": "8", "due_on_1": "1", "due_on_2": "2027"})


def test_the_close_form_survives_any_input(client, jag):
    opened(jag)
    for item in jag["items"].values():
        item_record(item=item, notes="", decisions="", outcome="keep", actor=jag["people"]["chair"])
    client.force_login(jag["people"]["chair"])
    fuzz(client, f"/jag/meetings/{jag['meeting'].pk}/close/")


@pytest.mark.parametrize("what", ["circulate", "approve"])
def test_the_minutes_buttons_survive_any_input(client, jag, what):
    meeting = held(jag)
    if what == "approve":
        minutes_circulate(meeting=meeting, actor=jag["people"]["chair"])
        Meeting.objects.filter(pk=jag["following"].pk).update(opened_at=NOW)
    client.force_login(jag["people"]["chair"])
    fuzz(client, f"/jag/meetings/{meeting.pk}/minutes/", overrides={"what": what})


@pytest.mark.parametrize("approved", [False, True])
def test_the_minutes_edit_form_survives_any_input(client, jag, approved):
    meeting = held(jag)
    if approved:
        meeting = minutes_circulate(meeting=meeting, actor=jag["people"]["chair"])
        Meeting.objects.filter(pk=jag["following"].pk).update(opened_at=NOW)
        minutes_approve(meeting=fresh(meeting), approved_at_meeting=fresh(jag["following"]), actor=jag["people"]["chair"])
    client.force_login(jag["people"]["manager"])
    fuzz(client, f"/jag/meetings/{meeting.pk}/minutes/edit/", overrides={"text": "Changed minutes"})


@pytest.mark.parametrize("role", ["police", "manager"])
def test_the_action_update_form_survives_any_input(client, jag, role):
    action = with_actions(jag)["police_action"]
    client.force_login(jag["people"][role])
    fuzz(client, f"/jag/actions/{action.pk}/", overrides={"status": "done"})


@pytest.mark.parametrize("role", ["police", "officer"])
def test_the_action_list_survives_any_query(client, jag, role):
    with_actions(jag)
    client.force_login(jag["people"][role])

    @FUZZ
    @given(data=st.one_of(hostile({"show": "all", "state": "all", "page": "2"}),
                          st.dictionaries(st.sampled_from(["show", "state", "page"]), NASTY, max_size=3)))
    def get(data):
        response = client.get("/jag/actions/", data)
        values = [v for value in data.values() for v in (value if isinstance(value, list) else [value])]
        nul = any("\x00" in v for v in values)
        assert response.status_code == (400 if nul else 200)  # a NUL is refused by the middleware, as everywhere

    get()


def test_ids_in_the_path_that_are_not_there_are_404(client, jag):
    client.force_login(jag["people"]["chair"])
    for url in ("/jag/meetings/2147483647/open/", "/jag/items/2147483647/", "/jag/items/2147483647/actions/add/",
                "/jag/meetings/2147483647/close/", "/jag/meetings/2147483647/minutes/", "/jag/meetings/2147483647/minutes/edit/",
                "/jag/actions/2147483647/", "/jag/actions/99999999999999999999/"):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"x": "y"}).status_code == 404, url
