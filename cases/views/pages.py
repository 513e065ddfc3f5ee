"""Staff pages: sign-in, home, case list, case page, call-centre status lookup, evidence download."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited
from django_ratelimit.exceptions import Ratelimited

from ..filters import CaseFilter
from ..forms import LookupForm, StaffLoginForm
from ..policy import Can, can, requires, requires_any
from ..ratelimits import client_address, counter_over
from ..selectors import (
    case_dues,
    case_for_detail,
    case_list,
    case_status_lookup,
    evidence_for_download,
    officer_home,
    related_cases,
    timeline_visible_to,
)

CASES_PER_PAGE = 25


class StaffLoginView(auth_views.LoginView):
    """Sign-in, rate-limited so that guessing is slow but nobody can lock a colleague out.

    Every attempt counts against the client address (LOGIN_RATE). Failed attempts also count against
    the username *from that address* (LOGIN_FAILURE_RATE): a count per username alone would let anyone
    keep a named officer out by typing wrong passwords, while this one never blocks the holder signing
    in from their own address. (Account lockout proper, across addresses, is for django-axes.)
    """

    template_name = "cases/login.html"
    authentication_form = StaffLoginForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if is_ratelimited(request, group="login-address", key="ip", rate=settings.LOGIN_RATE, method="POST", increment=True):
            raise Ratelimited  # the friendly 429 page (RATELIMIT_VIEW)
        if counter_over(group="login-failures", key=self._failure_key(), rate=settings.LOGIN_FAILURE_RATE, increment=False):
            raise Ratelimited
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        counter_over(group="login-failures", key=self._failure_key(), rate=settings.LOGIN_FAILURE_RATE, increment=True)
        return super().form_invalid(form)

    def _failure_key(self) -> str:
        # Usernames are compared exactly at sign-in; counting them case-blind only merges an attacker's variants.
        return f"{self.request.POST.get('username', '').strip().lower()} from {client_address(self.request)}"


@never_cache
@requires_any(Can.LOG_PHONE_REPORTS, Can.WORK_CASES, Can.READ_SHARED_CASES)
def home(request):
    if can(request.user, Can.READ_SHARED_CASES):
        return redirect("partners:home")
    if not can(request.user, Can.WORK_CASES):
        return render(request, "cases/home_call_centre.html", {"lookup_form": LookupForm()})
    return render(request, "cases/home.html", {"home": officer_home(request.user), "now": timezone.now()})


@never_cache
@requires(Can.WORK_CASES)
def case_list_page(request):
    filterset = CaseFilter(request.GET or None, queryset=case_list(request.user))
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else case_list(request.user)
    page = Paginator(queryset, CASES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode(), "now": timezone.now()}
    return render(request, "cases/case_list.html", context)


@never_cache
@requires(Can.WORK_CASES)
def case_detail(request, reference):
    case = case_for_detail(request.user, reference=reference)
    if case is None:
        raise Http404
    context = {
        "case": case,
        "dues": case_dues(case),
        "timeline": list(timeline_visible_to(request.user, case)),
        "related": related_cases(request.user, case),
        "latest_risk": next(iter(case.risk_assessments.all()), None),
        "safety_warnings": [p for p in case.parties.all() if p.staff_safety_warning],
    }
    return render(request, "cases/case_detail.html", context)


@never_cache
@requires(Can.SEE_CALLER_HISTORY)
def case_lookup(request):
    form = LookupForm(request.GET or None)
    results = case_status_lookup(request.user, query=form.cleaned_data["q"]) if form.is_valid() else []
    return render(request, "cases/lookup.html", {"form": form, "results": results})


@never_cache
@requires(Can.WORK_CASES)
def evidence_download(request, evidence_id):
    evidence = evidence_for_download(request.user, evidence_id)
    if evidence is None:
        raise Http404
    response = FileResponse(evidence.file.open("rb"), as_attachment=True, filename=evidence.download_name)
    response["Content-Type"] = evidence.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
