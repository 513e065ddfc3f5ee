"""The working-day calendar, table-driven: weekends, bank holidays with substitute days, clock changes, closures."""

from datetime import UTC, date, datetime

import pytest

from cases.models import ClosureDay
from cases.sla import LONDON, add_working_days, first_contact_due, is_working_day, update_due

NO_CLOSURES = frozenset()


def london(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    "received, due, why",
    [
        (london(2026, 11, 23, 9, 0), date(2026, 11, 26), "Monday: Tuesday, Wednesday, Thursday"),
        (london(2026, 11, 27, 16, 0), date(2026, 12, 2), "Friday: Monday, Tuesday, Wednesday"),
        (london(2026, 11, 21, 9, 0), date(2026, 11, 25), "Saturday: the count starts Monday"),
        (london(2026, 11, 22, 23, 59), date(2026, 11, 25), "Sunday night"),
        (london(2027, 3, 25, 9, 0), date(2027, 4, 1), "before Good Friday: skips Friday, the weekend and Easter Monday"),
        (london(2027, 3, 26, 9, 0), date(2027, 4, 1), "on Good Friday (a bank holiday): the count starts Tuesday"),
        (london(2027, 3, 29, 9, 0), date(2027, 4, 1), "on Easter Monday"),
        (london(2026, 12, 24, 9, 0), date(2026, 12, 31), "Christmas Eve 2026: Boxing Day is a Saturday, substitute Monday 28th"),
        (london(2027, 12, 23, 9, 0), date(2027, 12, 30), "2027: Christmas and Boxing Day at the weekend, substitutes 27th and 28th"),
        (london(2027, 12, 31, 9, 0), date(2028, 1, 6), "New Year's Eve 2027 (Friday): New Year's Day Saturday, substitute Monday 3rd"),
        (london(2026, 5, 1, 12, 0), date(2026, 5, 7), "Friday before the early May bank holiday"),
    ],
)
def test_first_contact_is_due_at_the_end_of_the_third_working_day(received, due, why):
    result = first_contact_due(received, NO_CLOSURES)
    assert result.astimezone(LONDON).date() == due, why
    assert result.astimezone(LONDON).time().isoformat() == "23:59:59"


@pytest.mark.parametrize(
    "received_utc, due",
    [
        # 00:30 BST on Tuesday 7 July is 23:30 UTC on Monday 6 July: the London date, Tuesday, counts.
        (datetime(2026, 7, 6, 23, 30, tzinfo=UTC), date(2026, 7, 10)),
        # 23:30 GMT on a winter Monday is the same date in UTC and London.
        (datetime(2026, 11, 23, 23, 30, tzinfo=UTC), date(2026, 11, 26)),
        # The clocks go forward on Sunday 29 March 2026: 00:30 UTC Monday 30 March is 01:30 BST Monday.
        (datetime(2026, 3, 30, 0, 30, tzinfo=UTC), date(2026, 4, 2)),
        # The clocks go back on Sunday 25 October 2026: 23:30 UTC Sunday is 23:30 GMT Sunday.
        (datetime(2026, 10, 25, 23, 30, tzinfo=UTC), date(2026, 10, 28)),
    ],
)
def test_the_london_date_counts_across_clock_changes(received_utc, due):
    assert first_contact_due(received_utc, NO_CLOSURES).astimezone(LONDON).date() == due


def test_due_time_is_end_of_day_in_summer_and_winter():
    summer = first_contact_due(london(2026, 7, 6, 9), NO_CLOSURES)
    winter = first_contact_due(london(2026, 11, 23, 9), NO_CLOSURES)
    assert summer.astimezone(UTC).hour == 22 and winter.astimezone(UTC).hour == 23  # BST and GMT


@pytest.mark.parametrize(
    "day, working",
    [
        (date(2026, 11, 24), True),
        (date(2026, 11, 28), False),  # Saturday
        (date(2026, 12, 25), False),
        (date(2026, 12, 28), False),  # Boxing Day substitute
        (date(2027, 3, 26), False),  # Good Friday
        (date(2027, 3, 29), False),  # Easter Monday
        (date(2027, 12, 27), False),  # Christmas substitute
        (date(2027, 12, 28), False),  # Boxing Day substitute
        (date(2027, 12, 29), True),
    ],
)
def test_working_days(day, working):
    assert is_working_day(day, NO_CLOSURES) is working


def test_add_working_days_zero_is_the_day_itself_or_the_next_working_day():
    assert add_working_days(date(2026, 11, 24), 0, NO_CLOSURES) == date(2026, 11, 24)
    assert add_working_days(date(2026, 11, 28), 0, NO_CLOSURES) == date(2026, 11, 30)
    assert add_working_days(date(2026, 12, 25), 0, NO_CLOSURES) == date(2026, 12, 29)


def test_a_closure_day_is_not_a_working_day():
    closures = {date(2026, 11, 24)}
    assert not is_working_day(date(2026, 11, 24), closures)
    assert first_contact_due(london(2026, 11, 23, 9), closures).date() == date(2026, 11, 27)


@pytest.mark.django_db
def test_closure_days_come_from_the_table():
    assert first_contact_due(london(2026, 12, 24, 9)).date() == date(2026, 12, 31)
    ClosureDay.objects.create(day=date(2026, 12, 29), reason="Council closed between Christmas and New Year")
    ClosureDay.objects.create(day=date(2026, 12, 30), reason="Council closed between Christmas and New Year")
    assert not is_working_day(date(2026, 12, 29))
    assert first_contact_due(london(2026, 12, 24, 9)).date() == date(2027, 1, 5)


@pytest.mark.parametrize(
    "last_update, risk, due",
    [
        (london(2026, 11, 2, 15), "standard", date(2026, 11, 16)),
        (london(2026, 11, 2, 15), "medium", date(2026, 11, 16)),
        (london(2026, 11, 2, 15), "high", date(2026, 11, 9)),
        (london(2026, 12, 20, 10), "standard", date(2027, 1, 3)),  # calendar days: holidays still count
    ],
)
def test_victim_update_due_in_calendar_days(last_update, risk, due):
    assert update_due(last_update, risk).date() == due
