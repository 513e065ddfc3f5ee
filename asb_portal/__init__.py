"""ASB Portal project package: settings, URLs, Celery app and WSGI."""

# redis-py's package and its client modules import one another. Two threads importing it for the
# first time at once (a cold runserver answering its first requests, each in a thread of its own,
# one through the cache and one through the health check) can deadlock in the import machinery
# and get a half-made module ("cannot import name 'EMPTY_RESPONSE' from partially initialized
# module 'redis.client'"). Importing it here, in the main thread before any server thread starts,
# makes every later import a lookup. tests/test_run_command.py has the reproduction.
import redis  # noqa: F401  (imported for its side effect)
import redis.sentinel  # noqa: F401  (django-redis's connection pool imports it)

from .celery import app as celery_app

__all__ = ["celery_app"]
