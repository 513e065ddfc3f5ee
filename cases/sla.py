"""The working-day calendar: England and Wales bank holidays (from the `holidays` package)."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
FIRST_CONTACT_WORKING_DAYS = 3


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # Substitute days ("observed") are included by the package.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    """Monday to Friday and not an England & Wales bank holiday."""
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day`; n = 0 gives `day` if it is a working day, else the next one."""
    if n < 0:
        raise ValueError("n must be zero or more")
    if n == 0:
        while not is_working_day(day):
            day += timedelta(days=1)
        return day
    while n:
        day += timedelta(days=1)
        if is_working_day(day):
            n -= 1
    return day


def first_contact_due(received_at: datetime) -> datetime:
    """23:59:59 London time on the 3rd working day after the London date the report came in."""
    received_day = received_at.astimezone(LONDON).date()
    due_day = add_working_days(received_day, FIRST_CONTACT_WORKING_DAYS)
    return datetime.combine(due_day, time(23, 59, 59), tzinfo=LONDON)


UPDATE_INTERVAL_DAYS = {"high": 7}
DEFAULT_UPDATE_INTERVAL_DAYS = 14


def update_due(last_update_at: datetime, risk_level: str) -> datetime:
    """End of the London day 14 calendar days (7 for high risk) after the previous update."""
    days = UPDATE_INTERVAL_DAYS.get(risk_level, DEFAULT_UPDATE_INTERVAL_DAYS)
    day = last_update_at.astimezone(LONDON).date() + timedelta(days=days)
    return datetime.combine(day, time(23, 59, 59), tzinfo=LONDON)
