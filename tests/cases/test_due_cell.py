"""{% due_cell item %} draws includes/due.html in Python: the HTML must be the include's, byte for byte."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template

from cases.selectors import DueItem

LONDON = ZoneInfo("Europe/London")
INCLUDE = Template('{% include "includes/due.html" with item=item %}')
TAG = Template("{% load asb_forms %}{% due_cell item %}")
# The night before the clocks go forward, and half past midnight in summer (still the day before in UTC).
INSTANTS = [datetime(2026, 3, 28, 23, 30, tzinfo=LONDON), datetime(2026, 7, 14, 0, 30, tzinfo=LONDON)]


def both(item):
    return INCLUDE.render(Context({"item": item})), TAG.render(Context({"item": item}))


@pytest.mark.parametrize("offset", [
    timedelta(days=-3), timedelta(days=-1, hours=-1), timedelta(hours=-2), timedelta(minutes=-1),
    timedelta(minutes=10), timedelta(hours=1), timedelta(days=1), timedelta(days=2, hours=5), timedelta(days=40),
])
@pytest.mark.parametrize("now", INSTANTS)
@pytest.mark.parametrize("what", ["First contact to Ann O'Neil", "Victim update to <Bob & Co>", "Action review"])
def test_due_cell_is_the_include(offset, what, now):
    with time_machine.travel(now, tick=False):
        item = DueItem(None, what, (now + offset).astimezone(UTC))  # as the database gives it
        include, tag = both(item)
    assert tag == include
    assert ("Overdue" in tag) == (offset < timedelta(0))


def test_nothing_due():
    include, tag = both(None)
    assert tag == include == "Nothing due\n"
