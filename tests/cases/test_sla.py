"""The working-day calendar (bank holidays from the holidays package). Issue 4 extends this table."""

from datetime import UTC, date, datetime

import pytest

from cases.sla import LONDON, add_working_days, first_contact_due, is_working_day


@pytest.mark.parametrize(
    "received, due",
    [
        (datetime(2026, 11, 23, 9, 0, tzinfo=LONDON), date(2026, 11, 26)),  # Monday → Thursday
        (datetime(2026, 11, 21, 9, 0, tzinfo=LONDON), date(2026, 11, 25)),  # Saturday → Wednesday
        (datetime(2026, 12, 24, 9, 0, tzinfo=LONDON), date(2026, 12, 31)),  # Christmas; Boxing Day on Saturday → substitute Monday 28th
        (datetime(2027, 3, 25, 9, 0, tzinfo=LONDON), date(2027, 4, 1)),  # Thursday before Good Friday: skips Friday, weekend, Easter Monday
        (datetime(2026, 6, 30, 23, 30, tzinfo=LONDON), date(2026, 7, 3)),  # late on a Tuesday in summer time
    ],
)
def test_first_contact_due_end_of_third_working_day(received, due):
    result = first_contact_due(received)
    assert result.date() == due
    assert (result.hour, result.minute, result.second) == (23, 59, 59)
    assert result.tzinfo is not None


def test_summer_time_report_after_midnight_counts_as_the_london_date():
    # 00:30 BST on Tuesday 7 July 2026 is 23:30 UTC on Monday 6 July: the London date (Tuesday) counts.
    received = datetime(2026, 7, 6, 23, 30, tzinfo=UTC)
    assert first_contact_due(received).date() == date(2026, 7, 10)


def test_working_days():
    assert is_working_day(date(2026, 11, 24))
    assert not is_working_day(date(2026, 11, 28))  # Saturday
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute
    assert add_working_days(date(2026, 11, 28), 0) == date(2026, 11, 30)
    assert add_working_days(date(2026, 11, 24), 0) == date(2026, 11, 24)
