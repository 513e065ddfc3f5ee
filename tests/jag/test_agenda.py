"""The agenda: built by the system (accepted nominations, items carried over, high-risk cases with a missed update,
Case Review recommendations due), each with why it is on, idempotently and in a fixed number of queries; then a
co-chair adds, removes (never put back by a rebuild) and reorders, with reasons."""

from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from casereview.models import Recommendation, RecommendationStatus
from cases.models import CaseStatus, Deadline, DeadlineKind, RiskLevel
from jag.models import ActionStatus, AgendaItem, ItemKind, ItemOutcome, ItemSource, JagAction, MeetingStatus
from jag.services.agenda import agenda_build, agenda_item_add, agenda_item_remove, agenda_reorder
from jag.services.nominations import nomination_decide, nomination_make
from jag.services.schedule import JagError, StaleError

from ..casereview.factories import application_make
from ..cases.factories import CaseFactory, PartyFactory
from .factories import group_make, meeting_make
from .test_nominations import CUT_OFF, LONDON, NOW, world_make

pytestmark = pytest.mark.django_db
PREVIOUS_DAY = date(2026, 11, 10)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
    """The nominations' world: co-chairs for the council and the police, a meeting on 8 December, a case shared with
    the police and one not, a location."""
    return world_make()


def high_risk_case(reference, *, due_at, risk=RiskLevel.HIGH, status=CaseStatus.OPEN, met=False):
    """A case whose victim is owed an update by `due_at`."""
    case = CaseFactory(reference=reference, risk_level=risk, status=status)
    party = PartyFactory(case=case)
    Deadline.objects.create(kind=DeadlineKind.VICTIM_UPDATE, case=case, party=party, starts_at=due_at - timedelta(days=7),
                            due_at=due_at, interval_days=7, met_at=due_at - timedelta(days=1) if met else None)
    return case


def recommendation_on(case, *, due_on, status=RecommendationStatus.OPEN, officer=None, agency=None):
    application = application_make(case=case, received_at=NOW - timedelta(days=90))
    return Recommendation.objects.create(application=application, text="Joint visit with the housing provider",
                                         owner_agency=agency, due_on=due_on, status=status, created_by=officer)


def previous_meeting(w, *, status=MeetingStatus.HELD):
    return meeting_make(w["group"], PREVIOUS_DAY, status=status)


def item_on(meeting, position, *, outcome="", case=None, place=None, theme="", removed=False, source=ItemSource.NOMINATION):
    kind = ItemKind.CASE if case else ItemKind.LOCATION if place else ItemKind.THEME
    return AgendaItem.objects.create(meeting=meeting, position=position, kind=kind, case=case, place=place, theme=theme,
                                     source=source, why="On last month", outcome=outcome,
                                     removed_at=NOW - timedelta(days=30) if removed else None)


def action_on(item, user, *, status=ActionStatus.OPEN, n=1):
    JagAction.objects.bulk_create([
        JagAction(meeting=item.meeting, item=item, text=f"Action {i}", owner=user, due_on=date(2026, 12, 20), status=status,
                  created_by=user, created_at=NOW - timedelta(days=20)) for i in range(n)])


def _summary(items):
    return [(i.position, i.source, i.kind, i.case_id, i.place_id, i.theme) for i in items]


def test_the_agenda_is_built_from_every_source_in_order_with_why(world):
    w, officer = world, world["officer"]
    # Accepted nominations, oldest first; an urgent one waits for a co-chair; a declined one stays off.
    nominated = nomination_make(meeting=w["meeting"], kind=ItemKind.CASE, case=w["shared"], reason="Repeat victim",
                                actor=w["pc"], at=NOW - timedelta(days=3))
    themed = nomination_make(meeting=w["meeting"], kind=ItemKind.THEME, theme="Fireworks", reason="Bonfire night",
                             actor=officer, at=NOW - timedelta(days=2))
    nomination_make(meeting=w["meeting"], kind=ItemKind.THEME, theme="Waiting", reason="Late", actor=officer,
                    at=CUT_OFF + timedelta(hours=1))
    declined = nomination_make(meeting=w["meeting"], kind=ItemKind.THEME, theme="Declined", reason="Late",
                               actor=officer, at=CUT_OFF + timedelta(hours=2))
    nomination_decide(nomination=declined, accept=False, reason="Not urgent", actor=w["chair"])
    # Last month's meeting: kept; with open actions; closed (no actions); closed with only done actions; removed.
    previous = previous_meeting(w)
    kept = item_on(previous, 1, outcome=ItemOutcome.KEEP, place=w["place"])
    with_actions = item_on(previous, 2, outcome=ItemOutcome.CLOSE, theme="Off-road bikes")
    action_on(with_actions, officer, n=2)
    action_on(with_actions, officer, status=ActionStatus.DONE)
    item_on(previous, 3, outcome=ItemOutcome.CLOSE, theme="Closed")
    done = item_on(previous, 4, outcome=ItemOutcome.ESCALATE, theme="Done")
    action_on(done, officer, status=ActionStatus.DONE)
    item_on(previous, 5, outcome=ItemOutcome.KEEP, theme="Removed", removed=True)
    # High risk with an update missed (and others that do not qualify).
    missed = high_risk_case("ASB-2026-00201", due_at=datetime(2026, 11, 30, 23, 59, 59, tzinfo=LONDON))
    high_risk_case("ASB-2026-00202", due_at=NOW + timedelta(days=1))  # not yet due
    high_risk_case("ASB-2026-00203", due_at=NOW - timedelta(days=3), risk=RiskLevel.MEDIUM)
    high_risk_case("ASB-2026-00204", due_at=NOW - timedelta(days=3), status=CaseStatus.CLOSED)
    high_risk_case("ASB-2026-00205", due_at=NOW - timedelta(days=3), met=True)
    # Case Review recommendations due by the meeting (and others that do not qualify).
    reviewed = CaseFactory(reference="ASB-2026-00301")
    recommendation_on(reviewed, due_on=date(2026, 12, 8), status=RecommendationStatus.IN_PROGRESS, officer=officer)
    recommendation_on(CaseFactory(reference="ASB-2026-00302"), due_on=date(2026, 12, 9), officer=officer)
    recommendation_on(CaseFactory(reference="ASB-2026-00303"), due_on=date(2026, 12, 1), officer=officer,
                      status=RecommendationStatus.DONE)

    items = agenda_build(meeting=w["meeting"])

    assert _summary(items) == [
        (1, ItemSource.NOMINATION, ItemKind.CASE, w["shared"].pk, None, ""),
        (2, ItemSource.NOMINATION, ItemKind.THEME, None, None, "Fireworks"),
        (3, ItemSource.CARRIED_OVER, ItemKind.LOCATION, None, w["place"].pk, ""),
        (4, ItemSource.CARRIED_OVER, ItemKind.THEME, None, None, "Off-road bikes"),
        (5, ItemSource.HIGH_RISK, ItemKind.CASE, missed.pk, None, ""),
        (6, ItemSource.CASE_REVIEW, ItemKind.CASE, reviewed.pk, None, ""),
    ]
    assert [i.nomination_id for i in items[:2]] == [nominated.pk, themed.pk]
    assert [i.carried_from_id for i in items[2:4]] == [kept.pk, with_actions.pk]
    reference = Recommendation.objects.get(application__case=reviewed).application.reference
    assert [i.why for i in items] == [
        "Nominated by Leicestershire Police: Repeat victim",
        "Nominated by the council: Bonfire night",
        "Carried over from the meeting on 10 November 2026: kept on the agenda",
        "Carried over from the meeting on 10 November 2026: 2 open actions",
        "High-risk case: a victim update was due by 30 November 2026 and has not been given",
        f"Case Review {reference}: a recommendation due by 8 December 2026 not yet done",
    ]
    assert [i.pk for i in items] == list(AgendaItem.objects.filter(meeting=w["meeting"]).values_list("pk", flat=True))


def test_building_again_adds_only_what_is_new(world):
    w = world
    nomination_make(meeting=w["meeting"], kind=ItemKind.CASE, case=w["shared"], reason="Repeat victim", actor=w["pc"])
    first = agenda_build(meeting=w["meeting"])
    again = agenda_build(meeting=w["meeting"])
    assert [i.pk for i in first] == [i.pk for i in again] and len(again) == 1
    # An urgent nomination accepted since joins at the end.
    late = nomination_make(meeting=w["meeting"], kind=ItemKind.LOCATION, place=w["place"], reason="Drug dealing",
                           actor=w["officer"], at=CUT_OFF + timedelta(hours=5))
    assert len(agenda_build(meeting=w["meeting"])) == 1
    nomination_decide(nomination=late, accept=True, reason="Escalating this week", actor=w["inspector"])
    items = agenda_build(meeting=w["meeting"])
    assert [(i.position, i.place_id) for i in items] == [(1, None), (2, w["place"].pk)]
    assert items[1].why == "Nominated by the council (urgent, accepted by a co-chair): Drug dealing"
    assert AgendaItem.objects.filter(meeting=w["meeting"]).count() == 2


def test_a_case_is_on_once_whatever_the_reasons(world):
    w = world
    case = high_risk_case("ASB-2026-00201", due_at=NOW - timedelta(days=2))
    recommendation_on(case, due_on=date(2026, 12, 1), officer=w["officer"])
    previous = previous_meeting(w)
    item_on(previous, 1, outcome=ItemOutcome.KEEP, case=case)
    nomination_make(meeting=w["meeting"], kind=ItemKind.CASE, case=case, reason="Still going", actor=w["officer"])
    items = agenda_build(meeting=w["meeting"])
    assert [(i.source, i.case_id) for i in items] == [(ItemSource.NOMINATION, case.pk)]


def test_the_previous_meeting_is_the_last_one_held(world):
    w = world
    older = meeting_make(w["group"], date(2026, 10, 13), status=MeetingStatus.HELD)
    item_on(older, 1, outcome=ItemOutcome.KEEP, theme="October")
    cancelled = meeting_make(w["group"], PREVIOUS_DAY, status=MeetingStatus.CANCELLED)
    item_on(cancelled, 1, outcome=ItemOutcome.KEEP, theme="Cancelled")
    other_group = meeting_make(group_make(name="Blaby JAG"), date(2026, 11, 24), status=MeetingStatus.HELD)
    item_on(other_group, 1, outcome=ItemOutcome.KEEP, theme="Blaby")
    assert [i.theme for i in agenda_build(meeting=w["meeting"])] == ["October"]


def test_a_removed_item_is_not_put_back_by_a_rebuild(world):
    w = world
    case = high_risk_case("ASB-2026-00201", due_at=NOW - timedelta(days=2))
    nomination_make(meeting=w["meeting"], kind=ItemKind.THEME, theme="Fireworks", reason="Bonfire night", actor=w["officer"])
    item = next(i for i in agenda_build(meeting=w["meeting"]) if i.case_id == case.pk)
    removed = agenda_item_remove(item=item, reason="  Dealt with at the tasking meeting ", actor=w["chair"])
    assert (removed.removed_at, removed.removed_by, removed.removed_reason) == (NOW, w["chair"], "Dealt with at the tasking meeting")
    items = agenda_build(meeting=w["meeting"])
    assert [i.theme for i in items] == ["Fireworks"]
    assert AgendaItem.objects.filter(meeting=w["meeting"]).count() == 2
    # Removing it again (a double click) changes nothing.
    assert agenda_item_remove(item=item, reason="Again", actor=w["inspector"]).removed_reason == "Dealt with at the tasking meeting"


def test_no_agenda_building_for_a_meeting_held_or_cancelled(world):
    w = world
    nomination_make(meeting=w["meeting"], kind=ItemKind.THEME, theme="Fireworks", reason="Bonfire night", actor=w["officer"])
    w["meeting"].status = MeetingStatus.HELD
    w["meeting"].save()
    with pytest.raises(JagError, match="held or cancelled"):
        agenda_build(meeting=w["meeting"])
    assert not AgendaItem.objects.exists()


# --- the co-chair shapes the agenda ------------------------------------------------------------------------------

def test_a_co_chair_adds_an_item_with_a_reason(world):
    w = world
    nomination_make(meeting=w["meeting"], kind=ItemKind.THEME, theme="Fireworks", reason="Bonfire night", actor=w["officer"])
    agenda_build(meeting=w["meeting"])
    added = agenda_item_add(meeting=w["meeting"], kind=ItemKind.CASE, case=w["shared"], reason=" New intelligence ",
                            actor=w["inspector"])
    added.refresh_from_db()
    assert (added.position, added.source, added.case, added.added_by, added.why) == (
        2, ItemSource.ADDED, w["shared"], w["inspector"], "Added by a co-chair: New intelligence")
    with pytest.raises(JagError, match="already on the agenda"):
        agenda_item_add(meeting=w["meeting"], kind=ItemKind.CASE, case=w["shared"], reason="Twice", actor=w["chair"])
    with pytest.raises(JagError, match="already on the agenda"):
        agenda_item_add(meeting=w["meeting"], kind=ItemKind.THEME, theme="fireworks", reason="Twice", actor=w["chair"])
    # Once removed, it may be added again (the reason for each is kept).
    agenda_item_remove(item=added, reason="Wrong meeting", actor=w["chair"])
    again = agenda_item_add(meeting=w["meeting"], kind=ItemKind.CASE, case=w["shared"], reason="Right meeting after all",
                            actor=w["chair"])
    assert again.pk != added.pk and again.position == 3
    assert [i.pk for i in agenda_build(meeting=w["meeting"])][-1] == again.pk


@pytest.mark.parametrize("who", ["officer", "pc", "manager", "housing_user", "call_centre"])
def test_only_a_co_chair_shapes_the_agenda(world, who):
    w = world
    nomination_make(meeting=w["meeting"], kind=ItemKind.THEME, theme="Fireworks", reason="Bonfire night", actor=w["officer"])
    items = agenda_build(meeting=w["meeting"])
    with pytest.raises(Http404):
        agenda_item_add(meeting=w["meeting"], kind=ItemKind.THEME, theme="Graffiti", reason="Why not", actor=w[who])
    with pytest.raises(Http404):
        agenda_item_remove(item=items[0], reason="Why not", actor=w[who])
    with pytest.raises(Http404):
        agenda_reorder(meeting=w["meeting"], item_ids=[items[0].pk], actor=w[who])
    assert list(AgendaItem.objects.values_list("theme", "removed_at")) == [("Fireworks", None)]


def test_a_police_co_chair_cannot_add_a_case_not_shared_with_the_police(world):
    with pytest.raises(Http404):
        agenda_item_add(meeting=world["meeting"], kind=ItemKind.CASE, case=world["unshared"], reason="Heard about it",
                        actor=world["inspector"])
    assert not AgendaItem.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_adding_and_removing_need_a_reason(world, reason):
    w = world
    with pytest.raises(JagError):
        agenda_item_add(meeting=w["meeting"], kind=ItemKind.THEME, theme="Graffiti", reason=reason, actor=w["chair"])
    item = agenda_item_add(meeting=w["meeting"], kind=ItemKind.THEME, theme="Graffiti", reason="Hotspot", actor=w["chair"])
    with pytest.raises(JagError):
        agenda_item_remove(item=item, reason=reason, actor=w["chair"])
    item.refresh_from_db()
    assert item.removed_at is None


def test_a_co_chair_reorders_the_agenda(world):
    w = world
    items = [agenda_item_add(meeting=w["meeting"], kind=ItemKind.THEME, theme=t, reason="Hotspot", actor=w["chair"])
             for t in ("A", "B", "C")]
    agenda_item_remove(item=items[1], reason="Not needed", actor=w["chair"])
    a, _, c = items
    ordered = agenda_reorder(meeting=w["meeting"], item_ids=[str(c.pk), a.pk], actor=w["inspector"])
    assert [i.pk for i in ordered] == [c.pk, a.pk]
    assert [i.theme for i in agenda_build(meeting=w["meeting"])] == ["C", "A"]
    # The list must be the agenda as it is, each item once.
    for stale in ([a.pk], [c.pk, a.pk, items[1].pk], [c.pk, c.pk], [c.pk, a.pk, 999999]):
        with pytest.raises(StaleError):
            agenda_reorder(meeting=w["meeting"], item_ids=stale, actor=w["chair"])
    with pytest.raises(JagError, match="not valid"):
        agenda_reorder(meeting=w["meeting"], item_ids=["first", "second"], actor=w["chair"])
    assert [i.theme for i in agenda_build(meeting=w["meeting"])] == ["C", "A"]


# --- a fixed number of queries ----------------------------------------------------------------------------------

def _fill(w, group_name, *, carried, actions_each, nominations, high_risk, reviews, start):
    """A meeting with a previous held meeting of `carried` items (each with `actions_each` open actions), and
    `nominations` themes, `high_risk` missed updates and `reviews` recommendations due."""
    group = group_make(name=group_name)
    previous = meeting_make(group, PREVIOUS_DAY, status=MeetingStatus.HELD)
    meeting = meeting_make(group, date(2026, 12, 8))
    for n in range(carried):
        item = item_on(previous, n + 1, outcome=ItemOutcome.CLOSE, theme=f"Carried {n}")
        action_on(item, w["officer"], n=actions_each)
    for n in range(nominations):
        nomination_make(meeting=meeting, kind=ItemKind.THEME, theme=f"Theme {n}", reason="Hotspot",
                        actor=w["pc"] if n % 2 else w["officer"])
    for n in range(high_risk):
        high_risk_case(f"ASB-2026-{start + n:05d}", due_at=NOW - timedelta(days=1 + n % 5))
    for n in range(reviews):
        recommendation_on(CaseFactory(reference=f"ASB-2026-{start + 500 + n:05d}"), due_on=date(2026, 12, 1),
                          officer=w["officer"])
    return meeting


def _queries(meeting):
    with CaptureQueriesContext(connection) as queries:
        items = agenda_build(meeting=meeting)
    return len(queries), len(items)


def test_building_takes_a_fixed_number_of_queries(world):
    small = _fill(world, "Small JAG", carried=1, actions_each=1, nominations=2, high_risk=1, reviews=1, start=1000)
    small_queries, small_items = _queries(small)
    assert small_items == 5
    # Clear the first world's cases from the sources before the large one (they are not open high-risk any more).
    Deadline.objects.filter(kind=DeadlineKind.VICTIM_UPDATE).update(met_at=NOW)
    Recommendation.objects.update(status=RecommendationStatus.DONE)
    large = _fill(world, "Large JAG", carried=100, actions_each=10, nominations=50, high_risk=30, reviews=20, start=2000)
    # (Half the nominations are the police's: naming the agency in `why` must not cost a query per item.)
    assert JagAction.objects.filter(status=ActionStatus.OPEN, meeting__group__name="Large JAG").count() == 1000
    large_queries, large_items = _queries(large)
    assert large_items == 200
    assert large_queries == small_queries
    # A rebuild with nothing new is cheaper: it writes no items and no history row.
    assert _queries(large) == (large_queries - 2, 200)
