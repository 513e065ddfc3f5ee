"""Meeting packs per agency (jag.selectors.pack_for): each agency's pack holds exactly what the access policy lets it
see of the agenda, for every kind of item, and nothing else; the council's holds everything; the query count is
fixed whatever the agenda's size."""

import json
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import CaseShare, PersonBasis, Place, SharedPerson, ShareScope, SharingAgreement
from cases.roles import GROUP_NAMES, Role
from jag.models import ActionStatus, AgendaItem, ItemKind, ItemSource, JagAction
from jag.selectors import LIMITED_LABEL, NOT_SHARED_LABEL, pack_for

from ..cases.factories import CaseFactory, PartyFactory, UserFactory
from ..test_access_partners import agencies, users  # noqa: F401 (fixtures)
from .factories import group_make, meeting_make

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HELD_ON, PREVIOUS_ON = date(2026, 3, 10), date(2026, 2, 10)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _case(tag: str, *, locked: bool = False):
    """A case whose every detail carries `tag`, with two people: one a share may include, one it never does."""
    case = CaseFactory(reference=f"ASB-2026-{tag.upper()}", address=f"{tag} Close", postcode="LE18 1AA",
                       location_description=f"Behind the {tag} shops", is_locked_down=locked)
    chosen = PartyFactory(case=case, full_name=f"Chosen {tag}")
    withheld = PartyFactory(case=case, full_name=f"Withheld {tag}")
    return case, chosen, withheld


def _share(case, agency, scope, officer, *people):
    share = CaseShare.objects.create(case=case, agency=agency, reason=f"Reason {case.reference}", scope=scope, shared_by=officer)
    for party in people:
        SharedPerson.objects.create(share=share, party=party, basis=PersonBasis.CONSENT)
    return share


def _item(meeting, position, *, kind=ItemKind.CASE, case=None, place=None, theme="", why="", source=ItemSource.NOMINATION,
          **extra):
    return AgendaItem.objects.create(meeting=meeting, position=position, kind=kind, case=case, place=place, theme=theme,
                                     source=source, why=why or f"Why item {position}", **extra)


def _action(item, text, agency, officer, *, status=ActionStatus.OPEN):
    return JagAction.objects.create(meeting=item.meeting, item=item, text=text, owner_agency=agency, owner=officer,
                                    due_on=HELD_ON + timedelta(days=14), status=status, created_by=officer, created_at=NOW)


@pytest.fixture
def agenda(users, agencies):  # noqa: F811
    police, housing, officer = agencies["police"], agencies["housing"], users["officer"]
    group = group_make()
    previous = meeting_make(group, PREVIOUS_ON)
    meeting = meeting_make(group, HELD_ON)
    c = {}
    for tag in ("reference", "summary", "timeline", "evidence", "unshared", "locked", "housingonly", "removed", "carried"):
        c[tag] = _case(tag, locked=tag == "locked")
    _share(c["reference"][0], police, ShareScope.REFERENCE, officer, c["reference"][1])
    for scope in ("summary", "timeline", "evidence"):
        _share(c[scope][0], police, scope, officer, c[scope][1])
    _share(c["locked"][0], police, ShareScope.REFERENCE, officer, c["locked"][1])  # locking down narrowed it
    _share(c["housingonly"][0], housing, ShareScope.SUMMARY, officer, c["housingonly"][1])
    _share(c["removed"][0], police, ShareScope.SUMMARY, officer, c["removed"][1])
    _share(c["carried"][0], police, ShareScope.SUMMARY, officer, c["carried"][1])
    place = Place.objects.create(address="Brookside Recreation Ground", postcode="LE18 9ZZ", key="BROOKSIDE|LE189ZZ")
    gone_place = Place.objects.create(address="Removed Lane Garages", postcode="LE18 8XX", key="REMOVEDLANE|LE188XX")

    earlier = _item(previous, 1, case=c["carried"][0], why="Why carried earlier")
    earlier_unshared = _item(previous, 2, case=c["unshared"][0], why="Why unshared earlier")
    items = {}
    for n, tag in enumerate(("reference", "summary", "timeline", "evidence", "unshared", "locked", "housingonly"), start=1):
        items[tag] = _item(meeting, n, case=c[tag][0], why=f"Why {tag}", notes=f"Notes {tag}", decisions=f"Decided {tag}")
    items["location"] = _item(meeting, 8, kind=ItemKind.LOCATION, place=place, why="Why location")
    items["theme"] = _item(meeting, 9, kind=ItemKind.THEME, theme="Off-road bikes on the estate", why="Why theme")
    items["removed"] = _item(meeting, 10, case=c["removed"][0], why="Why removed", removed_at=NOW, removed_by=officer,
                             removed_reason="Dealt with")
    items["removed_place"] = _item(meeting, 11, kind=ItemKind.LOCATION, place=gone_place, why="Why removed place",
                                   removed_at=NOW, removed_by=officer, removed_reason="Dealt with")
    items["carried"] = _item(meeting, 12, case=c["carried"][0], why="Why carried", carried_from=earlier,
                             source=ItemSource.CARRIED_OVER)
    actions = {
        "police_open": _action(items["summary"], "Police action on summary", police, officer),
        "police_on_unshared": _action(items["unshared"], "Police to patrol the unshared street", police, officer),
        "housing_open": _action(items["housingonly"], "Housing action on its case", housing, officer),
        "council_open": _action(items["location"], "Council action on location", None, officer),
        "police_done": _action(items["summary"], "Police action already done", police, officer, status=ActionStatus.DONE),
        "police_on_removed": _action(items["removed"], "Police action on removed", police, officer),
        "carried_police": _action(earlier, "Carried police action", police, officer),
        "carried_housing": _action(earlier, "Carried housing action", housing, officer),
        "earlier_police_done": _action(earlier_unshared, "Earlier police action done", police, officer, status=ActionStatus.DONE),
    }
    return {"meeting": meeting, "previous": previous, "cases": c, "items": items, "actions": actions, "place": place}


def _text(pack) -> str:
    return json.dumps(asdict(pack), default=str)


def _by_id(pack):
    return {i.item_id: i for i in pack.items}


def _assert_case_absent(text, tag, *, why=True):
    for secret in (f"ASB-2026-{tag.upper()}", f"{tag} Close", f"Behind the {tag} shops", f"Chosen {tag}", f"Withheld {tag}"):
        assert secret not in text, secret
    if why:
        for secret in (f"Why {tag}", f"Notes {tag}", f"Decided {tag}"):
            assert secret not in text, secret


def test_police_pack_holds_exactly_what_its_shares_allow(agenda, users):  # noqa: F811
    pack = pack_for(meeting=agenda["meeting"], viewer=users["police"])
    items, text = _by_id(pack), _text(pack)
    it = agenda["items"]
    assert pack.agency_name == "Leicestershire Police" and not pack.is_full

    ref = items[it["reference"].pk]
    assert ref.case.reference == "ASB-2026-REFERENCE" and ref.case.category and ref.case.summary is None
    assert ref.case.scope_label == LIMITED_LABEL and ref.why == ref.notes == ref.decisions == ""
    assert "reference Close" not in text and "Chosen reference" not in text and "Why reference" not in text

    for scope in ("summary", "timeline", "evidence"):
        item = items[it[scope].pk]
        assert item.case.reference == f"ASB-2026-{scope.upper()}"
        assert item.case.summary.address == f"{scope} Close"
        assert [p.name for p in item.case.summary.people] == [f"Chosen {scope}"]
        assert item.why == f"Why {scope}" and item.notes == f"Notes {scope}"
        assert f"Withheld {scope}" not in text

    for tag in ("unshared", "housingonly"):
        item = items[it[tag].pk]
        assert item.withheld and item.title == NOT_SHARED_LABEL and item.case is None and item.can_offer_share
        assert item.why == item.notes == item.decisions == "" and item.place_address == ""
        _assert_case_absent(text, tag)

    locked = items[it["locked"].pk]
    assert locked.case.reference == "ASB-2026-LOCKED" and locked.case.summary is None and not locked.can_offer_share
    _assert_case_absent(text.replace("ASB-2026-LOCKED", ""), "locked")

    assert items[it["location"].pk].title == "Brookside Recreation Ground, LE18 9ZZ"
    assert items[it["theme"].pk].theme == "Off-road bikes on the estate"
    assert it["removed"].pk not in items and it["removed_place"].pk not in items
    _assert_case_absent(text, "removed")
    assert "Removed Lane" not in text and "Why removed" not in text

    carried = items[it["carried"].pk]
    assert carried.carried_over and carried.case.summary.people[0].name == "Chosen carried"
    assert [i.position for i in pack.items] == sorted(i.position for i in pack.items) and len(items) == 10

    a = agenda["actions"]
    assert [x.action_id for x in pack.actions] == sorted([a["police_open"].pk, a["police_on_unshared"].pk, a["carried_police"].pk])
    unshared_action = next(x for x in pack.actions if x.action_id == a["police_on_unshared"].pk)
    assert unshared_action.item_title == NOT_SHARED_LABEL
    assert {x.action_id for x in pack.previous_actions} == {a["carried_police"].pk, a["earlier_police_done"].pk}
    assert pack.previous_held_on == PREVIOUS_ON
    for secret in ("Housing action", "Council action", "Carried housing", "Police action on removed"):
        assert secret not in text


def test_housing_pack_sees_only_its_own_case(agenda, users):  # noqa: F811
    pack = pack_for(meeting=agenda["meeting"], viewer=users["housing"])
    items, text = _by_id(pack), _text(pack)
    it = agenda["items"]
    assert pack.agency_name == "Housing providers"
    own = items[it["housingonly"].pk]
    assert own.case.summary.address == "housingonly Close" and [p.name for p in own.case.summary.people] == ["Chosen housingonly"]
    assert "Withheld housingonly" not in text
    for tag in ("reference", "summary", "timeline", "evidence", "unshared", "locked", "carried"):
        item = items[it[tag].pk]
        assert item.withheld and item.case is None and item.title == NOT_SHARED_LABEL
        _assert_case_absent(text, tag)
    assert not items[it["locked"].pk].can_offer_share and items[it["summary"].pk].can_offer_share
    assert items[it["location"].pk].place_address == "Brookside Recreation Ground"
    assert items[it["theme"].pk].theme == "Off-road bikes on the estate"
    assert it["removed"].pk not in items and "Removed Lane" not in text
    a = agenda["actions"]
    assert [x.action_id for x in pack.actions] == sorted([a["housing_open"].pk, a["carried_housing"].pk])
    assert [x.action_id for x in pack.previous_actions] == [a["carried_housing"].pk]
    assert pack.previous_actions[0].item_title == NOT_SHARED_LABEL
    for secret in ("Police", "Council action"):
        assert secret not in text.replace("Leicestershire Police", "")


def test_police_lead_gets_the_police_pack(agenda, users):  # noqa: F811
    assert pack_for(meeting=agenda["meeting"], viewer=users["police_lead"]) == pack_for(meeting=agenda["meeting"], viewer=users["police"])


@pytest.mark.parametrize("role", ["officer", "manager"])
def test_council_sees_everything(agenda, users, role):  # noqa: F811
    pack = pack_for(meeting=agenda["meeting"], viewer=users[role])
    items, text = _by_id(pack), _text(pack)
    assert pack.is_full and pack.agency_name == ""
    for tag in ("reference", "summary", "timeline", "evidence", "unshared", "locked", "housingonly"):
        item = items[agenda["items"][tag].pk]
        assert not item.withheld and item.case.summary.address == f"{tag} Close" and item.why == f"Why {tag}"
        assert {p.name for p in item.case.summary.people} == {f"Chosen {tag}", f"Withheld {tag}"}
    assert len(items) == 10 and "Removed Lane" not in text and agenda["items"]["removed"].pk not in items
    a = agenda["actions"]
    assert {x.action_id for x in pack.actions} == {a[k].pk for k in ("police_open", "police_on_unshared", "housing_open",
                                                                        "council_open", "carried_police", "carried_housing")}
    assert {x.action_id for x in pack.previous_actions} == {a[k].pk for k in ("carried_police", "carried_housing",
                                                                                 "earlier_police_done")}


def test_council_previews_an_agencys_pack(agenda, users, agencies):  # noqa: F811
    preview = pack_for(meeting=agenda["meeting"], viewer=users["officer"], agency=agencies["police"])
    assert preview == pack_for(meeting=agenda["meeting"], viewer=users["police"])
    # A partner cannot ask for another agency's pack: they get their own.
    assert pack_for(meeting=agenda["meeting"], viewer=users["housing"], agency=agencies["police"]).agency_name == "Housing providers"


def test_lapsed_agreement_shows_no_case_details(agenda, users, agencies):  # noqa: F811
    SharingAgreement.objects.filter(agency=agencies["police"]).update(review_by=timezone.localdate() - timedelta(days=1))
    pack = pack_for(meeting=agenda["meeting"], viewer=users["police"])
    text = _text(pack)
    case_items = [i for i in pack.items if i.kind == ItemKind.CASE]
    assert case_items and all(i.withheld and i.case is None and not i.can_offer_share for i in case_items)
    for tag in ("reference", "summary", "timeline", "evidence", "unshared", "locked", "housingonly", "carried"):
        _assert_case_absent(text, tag)


def test_partner_without_an_agency_and_call_centre_get_nothing(agenda, users, agencies):  # noqa: F811
    orphan = UserFactory(username="no-agency")
    orphan.groups.add(Group.objects.get(name=GROUP_NAMES[Role.PARTNER_USER]))
    inactive = users["police"]
    for viewer in (orphan, users["call_centre"]):
        pack = pack_for(meeting=agenda["meeting"], viewer=viewer)
        assert pack.items == pack.actions == pack.previous_actions == []
        _assert_case_absent(_text(pack), "summary")
    agencies["police"].__class__.objects.filter(pk=agencies["police"].pk).update(is_active=False)
    inactive = type(inactive).objects.get(pk=inactive.pk)  # a fresh user: the agency is read once per request
    assert pack_for(meeting=agenda["meeting"], viewer=inactive).items == []


def _big_agenda(officer, police, n):
    group = group_make(name=f"JAG {n}")
    previous = meeting_make(group, PREVIOUS_ON)
    meeting = meeting_make(group, HELD_ON)
    actions = []
    for k in range(n):
        case, chosen, _ = _case(f"bulk{n}x{k}")
        if k % 3:
            _share(case, police, ShareScope.SUMMARY if k % 3 == 1 else ShareScope.REFERENCE, officer, chosen)
        earlier = _item(previous, k, case=case)
        item = _item(meeting, k, case=case, carried_from=earlier)
        # Five open actions an item: 1,000 with 200 items.
        actions.extend(JagAction(meeting=on.meeting, item=on, text=f"Action {k}.{j}", owner_agency=police if j % 2 else None,
                                 owner=officer, due_on=HELD_ON, created_by=officer, created_at=NOW)
                       for j, on in enumerate((item, item, item, earlier, earlier)))
    JagAction.objects.bulk_create(actions)
    place = Place.objects.create(address=f"Place {n}", postcode="LE1 1AA", key=f"PLACE{n}|LE11AA")
    _item(meeting, n + 1, kind=ItemKind.LOCATION, place=place)
    _item(meeting, n + 2, kind=ItemKind.THEME, theme="A theme")
    return meeting


@pytest.mark.parametrize("role", ["police", "officer"])
def test_query_count_is_fixed(users, agencies, role):  # noqa: F811
    small = _big_agenda(users["officer"], agencies["police"], 3)
    large = _big_agenda(users["officer"], agencies["police"], 200)
    counts = []
    for meeting in (small, large):
        viewer = type(users[role]).objects.get(pk=users[role].pk)  # nothing cached from before
        with CaptureQueriesContext(connection) as queries:
            pack = pack_for(meeting=meeting, viewer=viewer)
        counts.append(len(queries))
    assert len(pack.items) == 202
    assert len(pack.actions) == (1000 if role == "officer" else 400)  # the police own j = 1 and 3
    assert len(pack.previous_actions) == (400 if role == "officer" else 200)
    assert counts[0] == counts[1], counts


def test_previous_meeting_is_the_last_one_not_cancelled(agenda, users):  # noqa: F811
    from jag.models import MeetingStatus

    group, officer = agenda["meeting"].group, users["officer"]
    cancelled = meeting_make(group, date(2026, 3, 3), rule_date=date(2026, 3, 3), status=MeetingStatus.CANCELLED)
    _action(_item(cancelled, 1, kind=ItemKind.THEME, theme="Cancelled theme"), "Cancelled meeting action", None, officer)
    later = meeting_make(group, date(2026, 4, 14))
    pack = pack_for(meeting=later, viewer=officer)
    assert pack.previous_held_on == HELD_ON and pack.items == []
    assert "Cancelled meeting action" not in _text(pack)
    assert {x.text for x in pack.previous_actions} >= {"Police action on summary", "Council action on location"}
    assert "Police action on removed" not in _text(pack)  # its item was removed from the agenda


def test_a_pack_lists_the_actions_agreed_at_its_meeting_whatever_their_status(agenda, users, agencies):  # noqa: F811
    """A held meeting's page and PDF show what it agreed, done ones too; a partner sees only their agency's."""
    meeting = agenda["meeting"]
    item = AgendaItem.objects.create(meeting=meeting, position=90, kind=ItemKind.THEME, theme="Fireworks",
                                     source=ItemSource.ADDED, why="Added")
    done = JagAction.objects.create(meeting=meeting, item=item, text="POLICE DONE", owner_agency=agencies["police"],
                                    owner=users["police"], due_on=HELD_ON, status=ActionStatus.DONE,
                                    created_by=users["officer"], created_at=NOW)
    JagAction.objects.create(meeting=meeting, item=item, text="HOUSING OPEN", owner_agency=agencies["housing"],
                             owner=users["housing"], due_on=HELD_ON, created_by=users["officer"], created_at=NOW)
    council = pack_for(meeting=meeting, viewer=users["officer"])
    police = pack_for(meeting=meeting, viewer=users["police"])
    assert {a.text for a in council.agreed_actions} >= {"POLICE DONE", "HOUSING OPEN"}
    assert [a.action_id for a in police.agreed_actions if a.text in ("POLICE DONE", "HOUSING OPEN")] == [done.pk]
    assert all(a.owner_agency == "Leicestershire Police" for a in police.agreed_actions)
    assert "POLICE DONE" not in {a.text for a in police.actions}  # done: not open


def test_an_action_two_meetings_back_on_the_same_subject_is_in_the_pack(agenda, users, agencies):  # noqa: F811
    """October agreed an action on a place; November carried the place over (kept); December carries it from November.
    The October action, still open, is in December's action plan: the chain never drops it."""
    group = agenda["meeting"].group
    place = agenda["place"]
    october = meeting_make(group, date(2025, 10, 14))
    november = meeting_make(group, date(2025, 11, 11))
    december = meeting_make(group, date(2025, 12, 9))
    first = AgendaItem.objects.create(meeting=october, position=1, kind=ItemKind.LOCATION, place=place, source=ItemSource.ADDED,
                                      why="Fires")
    second = AgendaItem.objects.create(meeting=november, position=1, kind=ItemKind.LOCATION, place=place,
                                       source=ItemSource.CARRIED_OVER, carried_from=first, why="Kept on")
    AgendaItem.objects.create(meeting=december, position=1, kind=ItemKind.LOCATION, place=place, source=ItemSource.CARRIED_OVER,
                              carried_from=second, why="Kept on")
    october_action = JagAction.objects.create(meeting=october, item=first, text="OCTOBER STILL OPEN", owner_agency=agencies["police"],
                                              owner=users["police"], due_on=date(2025, 10, 30), created_by=users["officer"],
                                              created_at=NOW)
    for viewer in (users["officer"], users["police"]):
        pack = pack_for(meeting=december, viewer=viewer)
        assert october_action.pk in [a.action_id for a in pack.actions], viewer
    assert october_action.pk not in [a.action_id for a in pack_for(meeting=december, viewer=users["housing"]).actions]
