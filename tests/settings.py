"""Test wiring: the tests get a Redis database of their own (15) and fast password hashing.

Everything else is the real settings module. Without this, the suite would purge and clear
the Redis queue and cache of a development worker running on database 0.
"""

import os
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
# Two test runs on one machine (a developer's and CI's) share database 15: each run keeps to its
# own cache keys and its own Celery queue, and cleans up only those.
TEST_RUN_ID = f"test-{os.getpid()}"
CACHES["default"]["KEY_PREFIX"] = TEST_RUN_ID
CELERY_TASK_DEFAULT_QUEUE = TEST_RUN_ID

# PBKDF2's deliberate slowness costs a second per test user; the tests are not about hashing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
