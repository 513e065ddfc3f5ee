"""Shared fixtures: real Postgres (pytest-django), reference data, staff users per role.

Settings come from tests/settings.py (a Redis database of the tests' own).
"""

import os

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from datetime import datetime  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

import pytest  # noqa: E402
import time_machine  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402

from cases.roles import GROUP_NAMES, Role  # noqa: E402

from .cases.factories import UserFactory  # noqa: E402

PASSWORD = "correct-horse-battery-staple"
LONDON = ZoneInfo("Europe/London")


# --- The whole session at a chosen instant (`--at` or ASB_TEST_AT) ----------------------------
# CI runs the suite a second time at an awkward instant (year end, clock changes, 29 February):
# a test that quietly depends on today's date fails there rather than on the day itself.


def pytest_addoption(parser):
    parser.addoption(
        "--at",
        default=os.environ.get("ASB_TEST_AT") or None,
        metavar="ISO_DATETIME",
        help="run the whole session with the clock starting at this instant (ISO 8601; without an offset it is "
        "London time), e.g. --at 2026-12-31T23:59:00+00:00. Default: $ASB_TEST_AT, else the real clock.",
    )


def session_instant(value: str) -> datetime:
    """The instant `--at` names; a value without an offset is London local time."""
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(f"--at/ASB_TEST_AT must be an ISO 8601 date-time, not {value!r}") from None
    return instant if instant.tzinfo else instant.replace(tzinfo=LONDON)


_session_travel = None


def pytest_configure(config):
    # Started here, before collection and before pytest-django creates the test database, so every
    # fixture sees the chosen instant. The clock ticks on from it; a test that freezes its own clock
    # (time_machine.travel inside) nests on top and the session instant resumes after it.
    global _session_travel
    value = config.getoption("--at", default=None)
    if value and _session_travel is None:
        _session_travel = time_machine.travel(session_instant(value), tick=True)
        _session_travel.start()


def pytest_unconfigure(config):
    global _session_travel
    if _session_travel is not None:
        _session_travel.stop()
        _session_travel = None


def pytest_report_header(config):
    value = config.getoption("--at", default=None)
    if not value:
        return "clock: real time (travel with --at or ASB_TEST_AT)"
    instant = session_instant(value)
    london = instant.astimezone(LONDON)
    return f"clock: travelled to {london:%A %d %B %Y %H:%M:%S %Z} (London), {instant.astimezone(ZoneInfo('UTC')):%Y-%m-%dT%H:%M:%S}Z"


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Role groups and categories for every test that touches the database.

    Transactional tests (threads, the live server) truncate every table, migration-seeded
    rows included, so the rows are ensured before each test rather than trusted to be there.
    """
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    if not (marker or names & {"db", "transactional_db", "live_server", "page"}):
        yield
        return
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(names & {"transactional_db", "live_server", "page"})
    request.getfixturevalue("transactional_db" if transactional else "db")
    from casereview.defaults import case_review_defaults_ensure
    from cases.reference_data import reference_data_ensure
    from letters.builtin import templates_install_current

    reference_data_ensure()
    case_review_defaults_ensure()
    templates_install_current()  # the built-in letter templates (migration-seeded; never overwrites a test's edits)
    yield


@pytest.fixture(autouse=True, scope="session")
def _isolated_redis():
    # tests/settings.py points the cache and the broker at database 15; make sure it took.
    from django.conf import settings

    from asb_portal.celery import app

    assert settings.REDIS_URL.endswith("/15") and app.conf.broker_url.endswith("/15")
    yield


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate-limit counters live in the cache; each test starts with none (only this run's keys).
    cache.delete_pattern("*")
    yield


def _user(username, role):
    user = UserFactory(username=username, password=PASSWORD)
    if role:
        user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    return user


@pytest.fixture
def call_centre_user(db):
    return _user("cc", Role.CALL_CENTRE)


@pytest.fixture
def officer_user(db):
    return _user("officer", Role.OFFICER)


@pytest.fixture
def manager_user(db):
    return _user("manager", Role.MANAGER)


@pytest.fixture
def no_role_user(db):
    return _user("norole", None)


@pytest.fixture
def role_users(call_centre_user, officer_user, manager_user):
    return {"call_centre": call_centre_user, "officer": officer_user, "manager": manager_user}
