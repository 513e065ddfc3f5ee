"""Shared fixtures: real Postgres (pytest-django), reference data, staff users per role.

Settings come from tests/settings.py (a Redis database of the tests' own).
"""

import os

# Playwright's sync API runs an event loop in the test thread; Django must still allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.cache import cache  # noqa: E402

from cases.roles import GROUP_NAMES, Role  # noqa: E402

from .cases.factories import UserFactory  # noqa: E402

PASSWORD = "correct-horse-battery-staple"


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
    from cases.reference_data import reference_data_ensure

    reference_data_ensure()
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
