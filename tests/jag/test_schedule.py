"""The JAG schedule: the rule's day, the day each meeting is held over bank holidays and closure days, the next twelve
meetings made once, moving a meeting with a reason, and the cut-offs for nominations and papers."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import time_machine
from django.db import connection
from django.http import Http404

from cases.models import ClosureDay
from cases.roles import Role
from jag.models import Meeting, MeetingStatus
from jag.services.schedule import (
    JagError,
    StaleError,
    meeting_move,
    meetings_ensure,
    nominations_close_at,
    papers_due_at,
    rule_date,
    working_days_before,
)

from ..casereview.factories import staff
from .factories import group_make, meeting_make

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
MONDAY, TUESDAY, THURSDAY, FRIDAY = 0, 1, 3, 4


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=LONDON)


# --- the rule ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("week", "weekday", "year", "month", "expected"), [
    (2, TUESDAY, 2026, 1, date(2026, 1, 13)),
    (2, TUESDAY, 2026, 9, date(2026, 9, 8)),  # the month starts on a Tuesday
    (2, TUESDAY, 2026, 12, date(2026, 12, 8)),
    (1, MONDAY, 2026, 6, date(2026, 6, 1)),
    (4, THURSDAY, 2025, 12, date(2025, 12, 25)),
    (5, FRIDAY, 2026, 1, date(2026, 1, 30)),  # a month with five Fridays: the last
    (5, FRIDAY, 2026, 2, date(2026, 2, 27)),  # a month with four: still the last
    (5, MONDAY, 2026, 8, date(2026, 8, 31)),
    (4, FRIDAY, 2026, 1, date(2026, 1, 23)),  # the fourth is not the last when there are five
])
def test_rule_date(week, weekday, year, month, expected):
    group = group_make(week=week, weekday=weekday)
    assert rule_date(group, year, month) == expected


def test_rule_date_for_every_rule_and_month():
    group = group_make()
    for year in (2026, 2027, 2028):
        for month in range(1, 13):
            next_month = date(year + (month == 12), month % 12 + 1, 1)
            for weekday in range(5):
                for week in range(1, 6):
                    group.week, group.weekday = week, weekday
                    day = rule_date(group, year, month)
                    assert (day.year, day.month, day.weekday()) == (year, month, weekday)
                    if week == 5:
                        assert day + timedelta(days=7) >= next_month
                    else:
                        assert 7 * (week - 1) < day.day <= 7 * week


# --- the next twelve meetings -------------------------------------------------------------------------------------

def _held(meetings):
    return [(m.rule_date, m.held_on) for m in meetings]


def test_the_next_twelve_second_tuesdays():
    group = group_make()
    meetings = meetings_ensure(group=group, today=date(2026, 11, 28))
    assert [m.rule_date for m in meetings] == [
        date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9), date(2027, 3, 9), date(2027, 4, 13), date(2027, 5, 11),
        date(2027, 6, 8), date(2027, 7, 13), date(2027, 8, 10), date(2027, 9, 14), date(2027, 10, 12), date(2027, 11, 9)]
    assert all(m.held_on == m.rule_date for m in meetings)
    first = meetings[0]
    assert (first.starts_at, first.location, first.status, first.group) == (group.starts_at, group.location,
                                                                             MeetingStatus.SCHEDULED, group)


def test_the_schedule_starts_with_a_meeting_held_today_and_skips_one_already_past():
    group = group_make()
    assert meetings_ensure(group=group, today=date(2026, 12, 8))[0].held_on == date(2026, 12, 8)
    later = meetings_ensure(group=group, today=date(2026, 12, 9))
    assert later[0].held_on == date(2027, 1, 12) and len(later) == 12
    assert later[-1].rule_date == date(2027, 12, 14)


def test_ensuring_twice_makes_no_duplicates_and_keeps_the_rows():
    group = group_make()
    first = meetings_ensure(group=group, today=date(2026, 11, 28))
    again = meetings_ensure(group=group, today=date(2026, 11, 28))
    assert [m.pk for m in first] == [m.pk for m in again]
    assert Meeting.objects.filter(group=group).count() == 12
    # A month later, one more meeting at the end; the rest are the same rows.
    later = meetings_ensure(group=group, today=date(2026, 12, 9))
    assert Meeting.objects.filter(group=group).count() == 13
    assert [m.pk for m in later[:11]] == [m.pk for m in first[1:]]


def test_fewer_months_and_an_inactive_group():
    group = group_make()
    assert len(meetings_ensure(group=group, today=date(2026, 11, 28), months=3)) == 3
    group.is_active = False
    assert meetings_ensure(group=group, today=date(2026, 11, 28)) == []


def test_christmas_day_moves_to_the_next_working_day():
    """The fourth Thursday of December 2025 is Christmas Day; Boxing Day and the weekend follow: Monday 29th."""
    group = group_make(week=4, weekday=THURSDAY)
    meetings = meetings_ensure(group=group, today=date(2025, 12, 1))
    assert _held(meetings)[0] == (date(2025, 12, 25), date(2025, 12, 29))
    assert _held(meetings)[1] == (date(2026, 1, 22), date(2026, 1, 22))


def test_the_last_tuesday_of_december_2029_is_christmas_day():
    group = group_make(week=5, weekday=TUESDAY)
    meetings = meetings_ensure(group=group, today=date(2029, 12, 1), months=2)
    # Christmas Day (Tuesday), Boxing Day (Wednesday): Thursday 27th.
    assert _held(meetings) == [(date(2029, 12, 25), date(2029, 12, 27)), (date(2030, 1, 29), date(2030, 1, 29))]


def test_easter():
    """The first Friday of April 2026 is Good Friday and the Monday after is Easter Monday: Tuesday 7 April."""
    group = group_make(week=1, weekday=FRIDAY)
    meetings = meetings_ensure(group=group, today=date(2026, 3, 15), months=2)
    assert _held(meetings) == [(date(2026, 4, 3), date(2026, 4, 7)), (date(2026, 5, 1), date(2026, 5, 1))]
    mondays = meetings_ensure(group=group_make(name="Monday JAG", week=1, weekday=MONDAY), today=date(2026, 3, 15), months=1)
    assert _held(mondays) == [(date(2026, 4, 6), date(2026, 4, 7))]  # Easter Monday


def test_a_closure_day_on_the_second_tuesday():
    ClosureDay.objects.create(day=date(2026, 12, 8), reason="Staff training")
    meetings = meetings_ensure(group=group_make(), today=date(2026, 11, 28), months=2)
    assert _held(meetings) == [(date(2026, 12, 8), date(2026, 12, 9)), (date(2027, 1, 12), date(2027, 1, 12))]


def test_no_second_tuesday_is_a_bank_holiday_so_a_tuesday_holiday_is_tested_with_the_first():
    """England's bank holidays (the `holidays` package) never fall on a second Tuesday, 1950-2100; the only
    Tuesday holidays outside Christmas and New Year are first Tuesdays of June (jubilees, the 2002 spring holiday).
    The Diamond Jubilee, Tuesday 5 June 2012, after the spring bank holiday moved to Monday 4 June: Wednesday 6th."""
    second_tuesdays = [day for year in range(1950, 2101)
                       for day in holidays.country_holidays("GB", subdiv="ENG", years=year)
                       if day.weekday() == TUESDAY and 8 <= day.day <= 14]
    assert second_tuesdays == []
    meetings = meetings_ensure(group=group_make(week=1, weekday=TUESDAY), today=date(2012, 5, 20), months=1)
    assert _held(meetings) == [(date(2012, 6, 5), date(2012, 6, 6))]


def test_week_five_on_the_summer_bank_holiday_is_held_in_the_next_month():
    """The last Monday of August is the summer bank holiday; the meeting is held on Tuesday 1 September, and
    September still has its own meeting on its last Monday."""
    group = group_make(week=5, weekday=MONDAY)
    meetings = meetings_ensure(group=group, today=date(2026, 5, 1), months=5)
    assert _held(meetings) == [
        (date(2026, 5, 25), date(2026, 5, 26)),  # spring bank holiday
        (date(2026, 6, 29), date(2026, 6, 29)), (date(2026, 7, 27), date(2026, 7, 27)),
        (date(2026, 8, 31), date(2026, 9, 1)), (date(2026, 9, 28), date(2026, 9, 28))]


def test_a_closure_day_declared_later_moves_a_meeting_nobody_moved_by_hand():
    group = group_make()
    manager = staff("maria", Role.MANAGER)
    with time_machine.travel(datetime(2026, 11, 28, 10, tzinfo=LONDON), tick=False):
        first, second, *_ = meetings_ensure(group=group, today=date(2026, 11, 28))
        meeting_move(meeting=second, held_on=date(2027, 1, 14), reason="Room booked", actor=manager, version=second.version)
        ClosureDay.objects.create(day=date(2026, 12, 8), reason="Staff training")
        ClosureDay.objects.create(day=date(2027, 1, 12), reason="Staff training")
        meetings = meetings_ensure(group=group, today=date(2026, 11, 28))
    assert meetings[0].pk == first.pk and meetings[0].held_on == date(2026, 12, 9)
    assert meetings[0].version == first.version + 1
    assert meetings[1].held_on == date(2027, 1, 14)  # moved by hand: left alone


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_make_no_duplicates():
    group = group_make()
    barrier = threading.Barrier(4)
    results, errors = [], []

    def ensure():
        try:
            barrier.wait(timeout=10)
            results.append([m.pk for m in meetings_ensure(group=group, today=date(2026, 11, 28))])
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=ensure) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Meeting.objects.filter(group=group).count() == 12
    assert len(results) == 4 and all(r == results[0] for r in results)


# --- moving a meeting -----------------------------------------------------------------------------------------------

@pytest.fixture
def frozen():
    with time_machine.travel(datetime(2026, 11, 28, 10, tzinfo=LONDON), tick=False):
        yield


def test_a_manager_moves_a_meeting_with_a_reason(frozen):
    manager = staff("maria", Role.MANAGER)
    meeting = meeting_make(group_make(), date(2026, 12, 8))
    moved = meeting_move(meeting=meeting, held_on=date(2026, 12, 10), reason="  Council chamber unavailable ",
                         actor=manager, version=meeting.version)
    moved.refresh_from_db()
    assert (moved.held_on, moved.rule_date, moved.moved_reason, moved.moved_by) == (
        date(2026, 12, 10), date(2026, 12, 8), "Council chamber unavailable", manager)
    assert moved.moved_at == datetime(2026, 11, 28, 10, tzinfo=LONDON)
    assert moved.version == meeting.version + 1
    # The form drawn before the move is stale.
    with pytest.raises(StaleError):
        meeting_move(meeting=meeting, held_on=date(2026, 12, 11), reason="Again", actor=manager, version=meeting.version)


@pytest.mark.parametrize(("held_on", "reason", "message"), [
    (date(2026, 12, 10), "   ", "Enter why"),
    (date(2026, 12, 10), "x" * 301, "300 characters"),
    (date(2026, 11, 27), "Too late", "today or in the future"),
    (date(2026, 12, 12), "A Saturday", "working day"),
    (date(2026, 12, 25), "Christmas", "working day"),
])
def test_moving_refused(frozen, held_on, reason, message):
    manager = staff("maria", Role.MANAGER)
    meeting = meeting_make(group_make(), date(2026, 12, 8))
    with pytest.raises(JagError, match=message):
        meeting_move(meeting=meeting, held_on=held_on, reason=reason, actor=manager, version=meeting.version)
    meeting.refresh_from_db()
    assert (meeting.held_on, meeting.moved_reason, meeting.version) == (date(2026, 12, 8), "", 1)


def test_a_meeting_is_not_moved_onto_or_past_its_neighbours(frozen):
    """December's meeting cannot go onto November's day or January's, nor past them: the months stay in order."""
    manager = staff("maria", Role.MANAGER)
    group = group_make()
    november = meeting_make(group, date(2026, 11, 30))
    december = meeting_make(group, date(2026, 12, 8))
    meeting_make(group, date(2027, 1, 12))
    for day in (date(2026, 11, 30), date(2027, 1, 12), date(2027, 1, 13)):
        with pytest.raises(JagError, match="between the group's meetings"):
            meeting_move(meeting=december, held_on=day, reason="Clash", actor=manager, version=december.version)
    assert meeting_move(meeting=december, held_on=date(2027, 1, 11), reason="Chamber booked", actor=manager,
                        version=december.version).held_on == date(2027, 1, 11)
    november.refresh_from_db()
    assert november.held_on == date(2026, 11, 30)


def test_moving_to_today_is_allowed(frozen):
    meeting = meeting_make(group_make(), date(2026, 12, 8))
    with time_machine.travel(datetime(2026, 11, 30, 9, tzinfo=LONDON), tick=False):
        moved = meeting_move(meeting=meeting, held_on=date(2026, 11, 30), reason="Urgent", actor=staff("maria", Role.MANAGER),
                             version=1)
    assert moved.held_on == date(2026, 11, 30)


@pytest.mark.parametrize("state", [{"status": MeetingStatus.HELD}, {"status": MeetingStatus.CANCELLED},
                                   {"opened_at": datetime(2026, 11, 27, 10, tzinfo=LONDON)}])
def test_a_held_opened_or_cancelled_meeting_is_not_moved(frozen, state):
    meeting = meeting_make(group_make(), date(2026, 12, 8), **state)
    with pytest.raises(JagError, match="cannot be moved"):
        meeting_move(meeting=meeting, held_on=date(2026, 12, 10), reason="Why not", actor=staff("maria", Role.MANAGER),
                     version=meeting.version)


@pytest.mark.parametrize("role", [Role.OFFICER, Role.CALL_CENTRE, Role.PARTNER_USER])
def test_only_a_manager_moves_a_meeting(frozen, role):
    meeting = meeting_make(group_make(), date(2026, 12, 8))
    with pytest.raises(Http404):
        meeting_move(meeting=meeting, held_on=date(2026, 12, 10), reason="Why not", actor=staff("someone", role),
                     version=meeting.version)
    meeting.refresh_from_db()
    assert meeting.held_on == date(2026, 12, 8)


# --- cut-offs -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("held_on", "nominations", "papers"), [
    (date(2026, 1, 13), date(2026, 1, 9), date(2026, 1, 12)),  # over a weekend
    (date(2026, 4, 7), date(2026, 4, 1), date(2026, 4, 2)),  # over Good Friday and Easter Monday
    # Christmas Day (Friday) and Boxing Day observed (Monday 28th).
    (date(2026, 12, 29), date(2026, 12, 23), date(2026, 12, 24)),
    (date(2027, 1, 5), date(2026, 12, 31), date(2027, 1, 4)),  # New Year's Day (Friday)
    (date(2026, 6, 10), date(2026, 6, 8), date(2026, 6, 9)),  # summer time: still the end of the London day
])
def test_cut_offs(held_on, nominations, papers):
    meeting = meeting_make(group_make(), held_on)
    assert nominations_close_at(meeting) == end_of(nominations)
    assert papers_due_at(meeting) == end_of(papers)


def test_cut_offs_skip_a_closure_day_and_follow_the_group():
    ClosureDay.objects.create(day=date(2026, 12, 24), reason="Christmas Eve closure")
    group = group_make()
    meeting = meeting_make(group, date(2026, 12, 29))
    assert (nominations_close_at(meeting), papers_due_at(meeting)) == (end_of(date(2026, 12, 22)), end_of(date(2026, 12, 23)))
    group.nomination_cutoff_days, group.papers_cutoff_days = 5, 0
    group.save()
    meeting = Meeting.objects.get(pk=meeting.pk)
    assert (nominations_close_at(meeting), papers_due_at(meeting)) == (end_of(date(2026, 12, 17)), end_of(date(2026, 12, 29)))


def test_working_days_before():
    assert working_days_before(date(2026, 4, 7), 0) == date(2026, 4, 7)
    assert working_days_before(date(2026, 4, 7), 3) == date(2026, 3, 31)
    with pytest.raises(ValueError):
        working_days_before(date(2026, 4, 7), -1)
