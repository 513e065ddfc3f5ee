"""`{% session_timeout_warning %}`: the timeout dialog for signed-in pages (accounts/session-timeout.js opens it)."""

from django import template

from ..middleware import seconds_left

register = template.Library()

WARN_SECONDS = 120  # the dialog says "in 2 minutes"


@register.inclusion_tag("accounts/includes/session_timeout.html", takes_context=True)
def session_timeout_warning(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    left = seconds_left(request) if user is not None and user.is_authenticated else None
    return {"request": request, "seconds_left": left, "warn_seconds": WARN_SECONDS, "csrf_token": context.get("csrf_token")}
