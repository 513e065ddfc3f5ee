"""No input makes a server error on the JAG schedule and agenda forms, and a refused post saves nothing (hypothesis):
nominate, decide, move, add an item, remove an item, reorder. Each example starts from the same state: a valid post is
undone before the next."""

import pytest
import time_machine
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Place
from jag.models import AgendaItem, JagEvent, Meeting, Nomination
from jag.services.nominations import nomination_make

from ..test_access_partners import agencies, users  # noqa: F401 - fixtures
from ..test_fuzz_forms import FUZZ, NASTY, form_base, hostile
from .test_views_meetings import LATE, NOW, world  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def state(meeting_id: int) -> tuple:
    return (Nomination.objects.count(), sorted(Nomination.objects.values_list("pk", "accepted", "decision_reason")),
            list(AgendaItem.objects.order_by("pk").values_list("pk", "position", "removed_at")),
            JagEvent.objects.count(), Meeting.objects.get(pk=meeting_id).version, Meeting.objects.get(pk=meeting_id).held_on,
            Place.objects.count())


def _fuzz(client, url, meeting_id, *, overrides=None, page_url=None):
    page = client.get(page_url or url)
    assert page.status_code == 200
    base = {**form_base(page.content.decode(), past=NOW.date()), **(overrides or {})}

    @FUZZ
    @given(data=hostile(base))
    def post(data):
        sid = transaction.savepoint()
        try:
            before = state(meeting_id)
            response = client.post(url, data)
            assert response.status_code < 500
            if response.status_code != 302:
                assert state(meeting_id) == before
        finally:
            transaction.savepoint_rollback(sid)

    post()


@pytest.mark.parametrize("overrides", [
    {"kind": "case", "case_reference": "ASB-2026-SHARED", "reason": "Repeat"},
    {"kind": "location", "address": "Brookside Park", "postcode": "LE18 9ZZ", "reason": "Fires"},
    {"kind": "theme", "theme": "Scooters", "reason": "Complaints"},
], ids=["case", "location", "theme"])
@pytest.mark.parametrize("role", ["officer", "police"])
def test_nominate_survives_any_input(client, users, world, role, overrides):  # noqa: F811
    client.force_login(users[role])
    _fuzz(client, f"/jag/meetings/{world['meeting'].pk}/nominate/", world["meeting"].pk, overrides=overrides)


def test_decide_survives_any_input(client, world):  # noqa: F811
    client.force_login(world["chair"])
    _fuzz(client, f"/jag/nominations/{world['urgent'].pk}/decide/", world["meeting"].pk,
          overrides={"decision": "accept", "reason": "A new pattern"})


def test_move_survives_any_input(client, users, world):  # noqa: F811
    client.force_login(users["manager"])
    _fuzz(client, f"/jag/meetings/{world['meeting'].pk}/move/", world["meeting"].pk,
          overrides={"held_on_0": "9", "held_on_1": "12", "held_on_2": "2026", "reason": "Flooded"})


@pytest.mark.parametrize("overrides", [
    {"kind": "case", "case_reference": "ASB-2026-OTHER", "reason": "Escalating"},
    {"kind": "location", "address": "Brookside Park", "postcode": "LE18 9ZZ", "reason": "Fires"},
    {"kind": "theme", "theme": "Scooters", "reason": "Complaints"},
], ids=["case", "location", "theme"])
def test_item_add_survives_any_input(client, users, world, overrides):  # noqa: F811
    from .test_packs import _case

    _case("other")
    client.force_login(users["officer"])
    _fuzz(client, f"/jag/meetings/{world['meeting'].pk}/agenda/add/", world["meeting"].pk, overrides=overrides)


@pytest.mark.parametrize("role", ["officer", "police_chair"])
def test_item_remove_survives_any_input(client, users, world, role):  # noqa: F811
    client.force_login(world["chair"] if role == "police_chair" else users[role])
    for item in (world["items"][1], world["items"][2]):  # a case the police co-chair may not see, and a location
        _fuzz(client, f"/jag/items/{item.pk}/remove/", world["meeting"].pk, overrides={"reason": "Dealt with"})


def test_reorder_survives_any_input(client, users, world):  # noqa: F811
    client.force_login(users["officer"])
    ids = [str(i.pk) for i in world["items"]]
    base = {"item": ids, "move": f"up:{ids[2]}", "version": "1"}

    @FUZZ
    @given(data=hostile(base), extra=st.lists(NASTY, max_size=5))
    def post(data, extra):
        sid = transaction.savepoint()
        try:
            if extra:
                data = {**data, "item": [*(data.get("item") if isinstance(data.get("item"), list) else [data.get("item", "")]), *extra]}
            before = list(AgendaItem.objects.order_by("pk").values_list("pk", "position", "removed_at"))
            response = client.post(f"/jag/meetings/{world['meeting'].pk}/agenda/order/", data)
            assert response.status_code == 302
            after = list(AgendaItem.objects.order_by("pk").values_list("pk", "position", "removed_at"))
            # Either untouched or the same items in some order (positions 1..n).
            assert [p for p, _, _ in after] == [p for p, _, _ in before]
            assert sorted(pos for _, pos, _ in after) == sorted(pos for _, pos, _ in before) or \
                sorted(pos for _, pos, _ in after) == list(range(1, len(after) + 1))
        finally:
            transaction.savepoint_rollback(sid)

    post()


def test_a_late_nomination_form_survives_any_input(client, users, world):  # noqa: F811
    with time_machine.travel(LATE, tick=False):
        client.force_login(users["police"])
        nomination_make(meeting=world["meeting"], kind="theme", theme="Already", reason="r", actor=users["police"])
        _fuzz(client, f"/jag/meetings/{world['meeting'].pk}/nominate/", world["meeting"].pk,
              overrides={"kind": "theme", "theme": "Already", "reason": "Again"})
