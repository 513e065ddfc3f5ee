"""Managers' security pages: locked accounts, the sign-in log, two-factor status, unlock and reset."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases.paging import capped_page
from cases.policy import Can, requires

from ..forms import SignInLogFilterForm, TwoFactorResetForm
from ..selectors import locked_accounts, people_who_sign_in, person_who_signs_in, sign_in_events
from ..services import account_unlock, two_factor_reset

EVENTS_PER_PAGE = 50
PEOPLE_PER_PAGE = 50


@never_cache
@requires(Can.MANAGE_SIGN_IN)
def security(request):
    form = SignInLogFilterForm(request.GET or None)
    username = form.cleaned_data["username"] if form.is_valid() else ""
    page = capped_page(sign_in_events(username=username), request.GET.get("page"), per_page=EVENTS_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "locked": locked_accounts(), "page": page, "query": query.urlencode(), "username": username}
    return render(request, "accounts/security.html", context)


@requires(Can.MANAGE_SIGN_IN)
@require_POST
def unlock(request):
    username = request.POST.get("username", "").strip()[:150]
    if username:
        account_unlock(username=username, actor=request.user, request=request)
        messages.success(request, f"{username} is unlocked and can sign in again")
    return redirect("accounts:security")


@never_cache
@requires(Can.MANAGE_SIGN_IN)
def security_people(request):
    page = Paginator(people_who_sign_in(), PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/security_people.html", {"page": page})


@never_cache
@requires(Can.MANAGE_SIGN_IN)
def person_reset_two_factor(request, user_id):
    person = person_who_signs_in(user_id)
    if person is None or not person.has_two_factor:
        raise Http404
    form = TwoFactorResetForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        two_factor_reset(user=person, actor=request.user, reason=form.cleaned_data["reason"], request=request)
        messages.success(request, f"Two-factor sign-in is reset for {person.get_username()}. They will set up a new app when they next sign in.")
        return redirect("accounts:security_people")
    context = {"form": form, "person": person, "two_factor_required": settings.TWO_FACTOR_REQUIRED}
    return render(request, "accounts/reset_two_factor.html", context)
