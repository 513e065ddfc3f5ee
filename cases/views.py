"""Staff screens: sign-in, home, case page, evidence download."""

from functools import wraps

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django_ratelimit.decorators import ratelimit

from .forms import StaffLoginForm
from .roles import CAN_LOG_PHONE_REPORTS, CAN_READ_CASE_FILE, has_any_role, user_roles
from .selectors import case_for_detail, evidence_visible_to, recent_cases


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


@method_decorator(ratelimit(key="ip", rate=settings.LOGIN_RATE, method="POST", block=True), name="post")
@method_decorator(ratelimit(key="post:username", rate=settings.LOGIN_RATE, method="POST", block=True), name="post")
class StaffLoginView(auth_views.LoginView):
    template_name = "cases/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True


@never_cache
@role_required(CAN_LOG_PHONE_REPORTS | CAN_READ_CASE_FILE)
def home(request):
    roles = user_roles(request.user)
    context = {"roles": roles, "can_read_cases": has_any_role(request.user, CAN_READ_CASE_FILE)}
    if context["can_read_cases"]:
        context["recent_cases"] = recent_cases(request.user, limit=25)
    return render(request, "cases/home.html", context)


@never_cache
@role_required(CAN_READ_CASE_FILE)
def case_detail(request, reference):
    case = case_for_detail(request.user, reference=reference)
    if case is None:
        raise Http404
    return render(request, "cases/case_detail.html", {"case": case})


@never_cache
@role_required(CAN_READ_CASE_FILE)
def evidence_download(request, evidence_id):
    evidence = get_object_or_404(evidence_visible_to(request.user), pk=evidence_id)
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.original_name)
    response["Content-Type"] = evidence.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
