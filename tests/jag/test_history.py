"""The meeting's history: every JAG service that changes a meeting, its nominations, its agenda, its actions or its
minutes writes exactly one JagEvent row (kind, words, who, when, and the item or action it is about) in the same
transaction; a change refused writes none."""
# ruff: noqa: F811 - the fixtures imported from test_views_conduct

from datetime import date, datetime

import pytest

from cases.sla import LONDON
from jag.models import ItemKind, JagEvent, Meeting
from jag.services.actions import action_add, action_update
from jag.services.agenda import agenda_build, agenda_item_add, agenda_item_remove, agenda_reorder
from jag.services.history import WORDS_MAX, event_record
from jag.services.meeting import JagError, item_record, meeting_close, meeting_open
from jag.services.minutes import minutes_amend, minutes_approve, minutes_circulate
from jag.services.nominations import nomination_decide, nomination_make
from jag.services.schedule import meeting_move

from .factories import meeting_make
from .test_views_conduct import (  # noqa: F401 - fixtures
    DUE,
    NOW,
    agencies,
    attendance,
    fresh,
    frozen,
    jag,
    users,
)

pytestmark = pytest.mark.django_db


def one_event(meeting: Meeting, kind: str, change, *, actor, item=None, action=None) -> JagEvent:
    """Run `change`; exactly one event was written, of `kind`, for `meeting`, by `actor`, now."""
    before = set(JagEvent.objects.values_list("pk", flat=True))
    result = change()
    new = list(JagEvent.objects.exclude(pk__in=before))
    assert len(new) == 1, [(e.kind, e.words) for e in new]
    event = new[0]
    assert (event.kind, event.meeting_id, event.actor) == (kind, meeting.pk, actor)
    assert event.at == NOW and event.words.strip()
    if item is not None:
        assert event.item_id == (item(result) if callable(item) else item).pk
    if action is not None:
        assert event.action_id == (action(result) if callable(action) else action).pk
    return event


def test_every_service_writes_its_event(jag):
    p = jag["people"]
    chair, manager, officer, police = p["chair"], p["manager"], p["officer"], p["police"]
    meeting, following = jag["meeting"], jag["following"]

    # The schedule: moving a meeting.
    later = meeting_make(jag["group"], date(2027, 2, 9))
    words = one_event(later, "meeting.moved", lambda: meeting_move(meeting=later, held_on=date(2027, 2, 10), reason="Room booked",
                                                                   actor=manager, version=later.version), actor=manager).words
    assert "Room booked" in words

    # Nominations: made in time; made late and decided by a co-chair.
    one_event(following, "nomination.made", lambda: nomination_make(meeting=following, kind=ItemKind.THEME, theme="Fireworks",
                                                                    reason="Bonfire night reports", actor=officer), actor=officer)
    late_at = datetime(2027, 1, 11, 12, 0, tzinfo=LONDON)
    late = nomination_make(meeting=following, kind=ItemKind.LOCATION, place=jag["place"], reason="Gathering again", actor=police,
                           at=late_at)
    assert JagEvent.objects.filter(kind="nomination.made").count() == 2
    one_event(following, "nomination.decided", lambda: nomination_decide(nomination=late, accept=True, reason="Urgent",
                                                                         actor=chair), actor=chair)

    # The agenda: built (by the system), added to, taken from, reordered.
    built = one_event(following, "agenda.built", lambda: agenda_build(meeting=following), actor=None)
    assert "2 items added" in built.words
    added = one_event(following, "item.added", lambda: agenda_item_add(meeting=fresh(following), kind=ItemKind.THEME,
                                                                       theme="Graffiti", reason="Chair's item", actor=chair),
                      actor=chair, item=lambda i: i)
    one_event(following, "item.removed", lambda: agenda_item_remove(item=added.item, reason="Covered elsewhere", actor=chair),
              actor=chair, item=added.item)
    ids = list(fresh(following).items.filter(removed_at__isnull=True).order_by("-position").values_list("pk", flat=True))
    one_event(following, "agenda.reordered", lambda: agenda_reorder(meeting=fresh(following), item_ids=ids, actor=chair), actor=chair)

    # In the meeting: opening, an item's record, actions, closing.
    one_event(meeting, "meeting.opened", lambda: meeting_open(meeting=fresh(meeting), attendance=attendance(jag), actor=chair,
                                                              version=fresh(meeting).version), actor=chair)
    item = jag["items"]["place"]
    one_event(meeting, "item.recorded", lambda: item_record(item=item, notes="Lighting poor", decisions="Ask for lights",
                                                            outcome="keep", actor=chair), actor=chair, item=item)
    action = one_event(meeting, "action.added", lambda: action_add(item=item, text="Ask for lighting", owner_agency=jag["police"],
                                                                   owner=police, due_on=DUE, actor=chair),
                       actor=chair, item=item, action=lambda a: a).action
    one_event(meeting, "action.updated", lambda: action_update(action=action, status="done", progress="Asked", actor=police,
                                                               version=action.version), actor=police, action=action)
    for other in jag["items"].values():
        if other.pk != item.pk:
            item_record(item=other, notes="", decisions="", outcome="close", actor=chair)
    one_event(meeting, "meeting.closed", lambda: meeting_close(meeting=fresh(meeting), actor=chair, version=fresh(meeting).version),
              actor=chair)

    # The minutes: a draft edited, circulated, approved at the next meeting, amended.
    one_event(meeting, "minutes.edited", lambda: minutes_amend(meeting=fresh(meeting), text="Draft minutes.", reason="", actor=chair),
              actor=chair)
    one_event(meeting, "minutes.circulated", lambda: minutes_circulate(meeting=fresh(meeting), actor=chair), actor=chair)
    Meeting.objects.filter(pk=following.pk).update(opened_at=NOW)
    one_event(meeting, "minutes.approved", lambda: minutes_approve(meeting=fresh(meeting), approved_at_meeting=fresh(following),
                                                                   actor=manager), actor=manager)
    amended = one_event(meeting, "minutes.amended", lambda: minutes_amend(meeting=fresh(meeting), text="Corrected minutes.",
                                                                          reason="A name was wrong", actor=manager), actor=manager)
    assert "A name was wrong" in amended.words

    kinds = set(JagEvent.objects.values_list("kind", flat=True))
    assert kinds == {"meeting.moved", "nomination.made", "nomination.decided", "agenda.built", "item.added", "item.removed",
                     "agenda.reordered", "meeting.opened", "item.recorded", "action.added", "action.updated", "meeting.closed",
                     "minutes.edited", "minutes.circulated", "minutes.approved", "minutes.amended"}


def test_a_change_refused_or_repeated_writes_no_event(jag):
    chair = jag["people"]["chair"]
    meeting = fresh(jag["meeting"])
    with pytest.raises(JagError):
        meeting_close(meeting=meeting, actor=chair, version=meeting.version)  # not open
    with pytest.raises(JagError):
        meeting_open(meeting=meeting, attendance=[], actor=chair, version=meeting.version)  # nobody present
    assert not JagEvent.objects.exists()
    meeting = meeting_open(meeting=meeting, attendance=attendance(jag), actor=chair, version=meeting.version)
    with pytest.raises(JagError):
        meeting_open(meeting=meeting, attendance=attendance(jag), actor=chair, version=meeting.version)  # a second time
    item = jag["items"]["theme"]
    with pytest.raises(JagError):
        action_add(item=item, text="x", owner_agency=None, owner=jag["people"]["police"], due_on=DUE, actor=chair)
    action = action_add(item=item, text="Map the routes", owner_agency=None, owner=jag["people"]["officer"], due_on=DUE, actor=chair)
    action_update(action=action, status="open", progress="", actor=chair, version=action.version)  # nothing changed
    assert list(JagEvent.objects.values_list("kind", flat=True)) == ["meeting.opened", "action.added"]


def test_the_words_are_trimmed_to_fit(jag):
    event = event_record(meeting=jag["meeting"], kind="meeting.note", words="word " * 400)
    assert len(event.words) == WORDS_MAX and event.words.endswith("…") and event.actor is None and event.at == NOW
