"""The working-day calendar and due dates: England and Wales bank holidays (the `holidays` package,
substitute days included) and the council's closure days (cases.ClosureDay, edited by managers)."""

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
FIRST_CONTACT_WORKING_DAYS = 3
# Any level but high, "not_assessed" included, is owed an update every 14 days: until an assessment says
# otherwise the published standard for standard and medium risk applies.
UPDATE_INTERVAL_DAYS = {"high": 7}
DEFAULT_UPDATE_INTERVAL_DAYS = 14
END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def closure_days(start: date, end: date) -> frozenset[date]:
    """Council closure days between two dates (one query)."""
    from .models import ClosureDay

    return frozenset(ClosureDay.objects.filter(day__range=(start, end)).values_list("day", flat=True))


def is_working_day(day: date, closures: Collection[date] | None = None) -> bool:
    """Monday to Friday, not an England & Wales bank holiday, not a council closure day."""
    if day.weekday() >= 5 or day in _bank_holidays(day.year):
        return False
    if closures is None:
        closures = closure_days(day, day)
    return day not in closures


def add_working_days(day: date, n: int, closures: Collection[date] | None = None) -> date:
    """The n-th working day after `day`; n = 0 gives `day` if it is a working day, else the next one."""
    if n < 0:
        raise ValueError("n must be zero or more")
    if closures is None:
        # Generous window: weekends, bank holidays and closures never stretch n days past n * 3 + 30.
        closures = closure_days(day, day + timedelta(days=n * 3 + 30))
    if n == 0:
        while not is_working_day(day, closures):
            day += timedelta(days=1)
        return day
    while n:
        day += timedelta(days=1)
        if is_working_day(day, closures):
            n -= 1
    return day


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON)


def first_contact_due(received_at: datetime, closures: Collection[date] | None = None) -> datetime:
    """23:59:59 London time on the 3rd working day after the London date the report came in."""
    received_day = received_at.astimezone(LONDON).date()
    return end_of_day(add_working_days(received_day, FIRST_CONTACT_WORKING_DAYS, closures))


def update_interval_days(risk_level: str) -> int:
    """Calendar days allowed between updates: 7 for high risk, 14 otherwise (stored on each update deadline)."""
    return UPDATE_INTERVAL_DAYS.get(risk_level, DEFAULT_UPDATE_INTERVAL_DAYS)


def update_due(last_update_at: datetime, risk_level: str) -> datetime:
    """End of the London day 14 calendar days (7 for high risk) after the previous update."""
    days = update_interval_days(risk_level)
    return end_of_day(last_update_at.astimezone(LONDON).date() + timedelta(days=days))


def working_days_due(starts_at: datetime, working_days: int, closures: Collection[date] | None = None) -> datetime:
    """23:59:59 London time on the n-th working day after the London date of `starts_at` (the first-contact rule,
    for any number of working days: Case Review stages use it)."""
    return end_of_day(add_working_days(starts_at.astimezone(LONDON).date(), working_days, closures))
