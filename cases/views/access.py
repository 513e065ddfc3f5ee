"""Role checks for staff views (the rules themselves live in cases.roles and cases.selectors)."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404

from ..roles import has_any_role
from ..selectors import cases_visible_to


def role_required(allowed):
    """Signed-in staff with one of `allowed` roles; anyone else signed in gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not has_any_role(request.user, allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def case_or_404(user, reference: str):
    case = cases_visible_to(user).select_related("category", "officer").filter(reference=reference).first()
    if case is None:
        raise Http404
    return case
