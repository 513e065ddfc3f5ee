"""Test wiring: the tests get a Redis database of their own (15) and fast password hashing.

Everything else is the real settings module. Without this, the suite would purge and clear
the Redis queue and cache of a development worker running on database 0.
"""

from urllib.parse import urlsplit, urlunsplit

from asb_portal.settings import *  # noqa: F403
from asb_portal.settings import CACHES, CELERY_BROKER_URL, REDIS_URL

TEST_REDIS_DB = 15


def _with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


REDIS_URL = _with_db(REDIS_URL, TEST_REDIS_DB)
CELERY_BROKER_URL = _with_db(CELERY_BROKER_URL, TEST_REDIS_DB)
CACHES["default"]["LOCATION"] = REDIS_URL

# PBKDF2's deliberate slowness costs a second per test user; the tests are not about hashing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
