"""The JAG's monthly figures: meetings held against one a month, actions done on time of those due, items closed,
cases tabled that were later closed as resolved; a fixed number of queries; a CSV safe to open in a spreadsheet."""

import csv
import io
from datetime import date, datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseStatus, ClosureReason
from cases.roles import Role
from cases.sla import LONDON
from jag.figures import MonthFigures, csv_safe, figures_csv, monthly_figures
from jag.models import AgendaItem, ItemSource, JagAction, Meeting, MeetingStatus

from ..casereview.factories import staff
from ..cases.factories import submit_report
from .factories import group_make, meeting_make

pytestmark = pytest.mark.django_db
NOW = datetime(2027, 1, 20, 12, 0, tzinfo=LONDON)


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def item(meeting: Meeting, *, kind="theme", case=None, outcome="keep", removed=False) -> AgendaItem:
    return AgendaItem.objects.create(
        meeting=meeting, position=meeting.items.count() + 1, kind=kind, case=case, theme="" if case else "Off-road bikes",
        source=ItemSource.NOMINATION, why="Nominated", outcome=outcome, removed_at=NOW if removed else None)


def action(on: AgendaItem, who, *, due_on: date, status="open", completed_at=None) -> JagAction:
    return JagAction.objects.create(meeting=on.meeting, item=on, text="Do it", owner=who, due_on=due_on, status=status,
                                    completed_at=completed_at, created_by=who, created_at=london(2026, 10, 13, 11))


def close(case: Case, at: datetime, reason=ClosureReason.RESOLVED) -> None:
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closure_reason=reason, closed_at=at)


@pytest.fixture
def world(db):
    who = staff("olivia", Role.OFFICER)
    group = group_make()
    october = meeting_make(group, date(2026, 10, 13), status=MeetingStatus.HELD)
    meeting_make(group, date(2026, 11, 10), status=MeetingStatus.CANCELLED)
    december = meeting_make(group, date(2026, 12, 8), status=MeetingStatus.HELD)
    meeting_make(group, date(2027, 1, 12))  # scheduled, not yet held
    a, b, c, d, e = (submit_report().case for _ in range(5))
    # October: A closed there; a removed item's outcome does not count; D was resolved before the meeting, E just after
    # midnight London time on the meeting's day (still 12 October in UTC).
    oct_a = item(october, kind="case", case=a, outcome="close")
    item(october, outcome="keep")
    item(october, outcome="close", removed=True)
    item(october, kind="case", case=d, outcome="keep")
    item(october, kind="case", case=e, outcome="keep")
    close(a, london(2026, 11, 20, 15))  # after October's meeting, before December's
    close(d, london(2026, 10, 12, 23, 30))
    close(e, london(2026, 10, 13, 0, 30))
    # December: A again (resolved before this meeting: not counted for December), B closed and resolved that evening,
    # C closed with no further action.
    item(december, kind="case", case=a, outcome="keep")
    item(december, kind="case", case=b, outcome="close")
    item(december, kind="case", case=c, outcome="close")
    close(b, london(2026, 12, 8, 23, 30))
    close(c, london(2026, 12, 20, 10), reason=ClosureReason.NO_FURTHER_ACTION)
    # Actions. October: due on the 20th, done 00:30 on the 21st London time (still the 20th in UTC): late.
    action(oct_a, who, due_on=date(2026, 10, 20), status="done", completed_at=london(2026, 10, 21, 0, 30))
    # November: on time at 23:30 on the day, late just after midnight, still open, dropped (not due).
    action(oct_a, who, due_on=date(2026, 11, 20), status="done", completed_at=london(2026, 11, 20, 23, 30))
    action(oct_a, who, due_on=date(2026, 11, 20), status="done", completed_at=london(2026, 11, 21, 0, 30))
    action(oct_a, who, due_on=date(2026, 11, 25))
    action(oct_a, who, due_on=date(2026, 11, 26), status="dropped", completed_at=london(2026, 11, 1, 9))
    # December: done early.
    action(oct_a, who, due_on=date(2026, 12, 31), status="done", completed_at=london(2026, 12, 10, 9))
    return {"group": group, "who": who, "october": october, "december": december}


def numbers(f: MonthFigures) -> tuple:
    return (f.promised, f.held, f.actions_due, f.actions_on_time, f.items_closed, f.cases_resolved)


def test_each_month_counts_what_happened(world):
    figures = monthly_figures(start=date(2026, 10, 5), end=date(2027, 1, 20), group=world["group"])
    assert [f.month for f in figures] == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)]
    assert [f.label for f in figures] == ["October 2026", "November 2026", "December 2026", "January 2027"]
    assert [numbers(f) for f in figures] == [
        (1, 1, 1, 0, 1, 2),  # October: A and E resolved after it, not D
        (1, 0, 3, 1, 0, 0),  # November: cancelled
        (1, 1, 1, 1, 2, 1),  # December: B only
        (1, 0, 0, 0, 0, 0),  # January: not yet held
    ]


def test_all_groups_are_promised_one_meeting_a_month_each(world):
    other = group_make(name="Blaby JAG")
    group_make(name="Old JAG", is_active=False)
    meeting_make(other, date(2026, 12, 9), status=MeetingStatus.HELD)
    figures = monthly_figures(start=date(2026, 11, 1), end=date(2026, 12, 31))
    # Blaby started meeting in December (set up now, its first meeting in December): no promise before.
    assert [(f.promised, f.held) for f in figures] == [(1, 0), (2, 2)]
    assert [(f.promised, f.held) for f in monthly_figures(start=date(2026, 12, 1), end=date(2026, 12, 1), group=other)] == [(1, 1)]


def test_a_group_is_promised_meetings_from_the_month_it_started(world):
    """Set up in March 2027 with no meeting before: no missed months before March; one recorded after it began meeting
    (its first meeting in January) is promised from January."""
    with time_machine.travel(datetime(2027, 3, 2, 9, tzinfo=LONDON), tick=False):
        late = group_make(name="Melton JAG")
        recorded_late = group_make(name="Harborough JAG")
    meeting_make(recorded_late, date(2027, 1, 12), status=MeetingStatus.HELD)
    rows = monthly_figures(start=date(2027, 1, 1), end=date(2027, 3, 31), group=late)
    assert [f.promised for f in rows] == [0, 0, 1]
    rows = monthly_figures(start=date(2027, 1, 1), end=date(2027, 3, 31), group=recorded_late)
    assert [(f.promised, f.held) for f in rows] == [(1, 1), (1, 0), (1, 0)]


def test_months_outside_the_range_are_left_out_and_an_empty_range_is_empty(world):
    assert [numbers(f) for f in monthly_figures(start=date(2026, 11, 30), end=date(2026, 11, 1), group=world["group"])] == [
        (1, 0, 3, 1, 0, 0)]
    assert monthly_figures(start=date(2026, 12, 1), end=date(2026, 11, 1)) == []
    assert [f.month for f in monthly_figures(start=date(2026, 11, 15), end=date(2027, 2, 1))][-1] == date(2027, 2, 1)


def test_a_fixed_number_of_queries_whatever_the_size(world):
    def count(**kwargs) -> int:
        with CaptureQueriesContext(connection) as ctx:
            monthly_figures(start=date(2026, 1, 1), end=date(2027, 12, 31), **kwargs)
        return len(ctx.captured_queries)

    small_all, small_one = count(), count(group=world["group"])
    for n in range(1, 13):
        meeting = meeting_make(world["group"], date(2025, n, 10), status=MeetingStatus.HELD)
        for _ in range(3):
            action(item(meeting, outcome="close"), world["who"], due_on=date(2025, n, 20), status="done",
                   completed_at=london(2025, n, 19, 9))
    assert (count(), count(group=world["group"])) == (small_all, small_one) == (4, 4)


def test_the_csv_neutralises_formulas():
    figures = [MonthFigures(month=date(2026, 12, 1), promised=1, held=1, actions_due=4, actions_on_time=3, items_closed=2,
                            cases_resolved=1)]
    rows = list(csv.reader(io.StringIO(figures_csv(figures))))
    assert rows == [["month", "meetings_promised", "meetings_held", "actions_due", "actions_done_on_time", "items_closed",
                     "cases_tabled_later_resolved"], ["2026-12", "1", "1", "4", "3", "2", "1"]]
    rows = list(csv.reader(io.StringIO(figures_csv(figures, group_name="=HYPERLINK(\"http://evil\")"))))
    assert rows[0][0] == "group" and rows[1][0] == "'=HYPERLINK(\"http://evil\")" and rows[1][1] == "2026-12"
    assert [csv_safe(v) for v in ("+1", "-1", "@x", "ok", -1, date(2026, 1, 2))] == ["'+1", "'-1", "'@x", "ok", "-1", "2026-01-02"]


@pytest.mark.parametrize("today, start, end", [
    (date(2026, 12, 2), date(2026, 1, 1), date(2026, 12, 1)),
    (date(2026, 11, 30), date(2025, 12, 1), date(2026, 11, 1)),
    (date(2027, 1, 1), date(2026, 2, 1), date(2027, 1, 1)),
])
def test_the_dashboard_panel_covers_twelve_months_to_this_one(today, start, end):
    from jag.figures import last_twelve_months

    panel = last_twelve_months(today)
    assert (panel["start"], panel["end"]) == (start, end)
    assert len(monthly_figures(start=panel["start"], end=panel["end"])) == 12
