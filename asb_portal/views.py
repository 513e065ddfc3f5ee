"""Site-wide views: health check, error pages, the rate-limit page, static information pages."""

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from cases.policy import capabilities


@never_cache
def healthz(request):
    """State of the database and Redis: 200 when both answer, 503 otherwise."""
    state = {"database": "ok", "redis": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        state["database"] = f"error: {type(exc).__name__}"
    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        state["redis"] = f"error: {type(exc).__name__}"
    healthy = all(v == "ok" for v in state.values())
    state["status"] = "ok" if healthy else "degraded"
    return JsonResponse(state, status=200 if healthy else 503)


def rate_limited(request, exception=None):
    return render(request, "errors/429.html", status=429)


def bad_request(request, exception=None):
    # Django's own answer is a bare "Bad Request (400)": a mangled upload, a NUL character, a broken form.
    return render(request, "errors/400.html", status=400)


def _is_staff(request) -> bool:
    # Signed-in staff keep their navigation and "Signed in as" on an error page, and a way back to their home.
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and capabilities(user))


def forbidden(request, exception=None):
    return render(request, "errors/403.html", {"staff": _is_staff(request)}, status=403)


def not_found(request, exception=None):
    return render(request, "errors/404.html", {"staff": _is_staff(request)}, status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)


def privacy(request):
    return render(request, "pages/privacy.html")


def accessibility(request):
    return render(request, "pages/accessibility.html")
