"""The resident's own case page, opened by their personal link, and asking for a new link.

Public pages: no sign-in, the token is the key. Unknown, malformed and revoked tokens all answer the same 404,
and misses are counted per client address: past the limit every token answers 429, so guessing is hopeless.
"""

import uuid

from django import forms
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from asb_portal.views import not_found, rate_limited
from cases.ratelimits import client_address, counter_over
from cases.selectors_resident import PAGE_ITEMS, resident_page
from cases.services.common import CaseError
from cases.services.resident_links import (
    link_for_token,
    link_for_token_any,
    link_path,
    resident_link_opened,
    resident_link_renew,
    resident_link_renewed,
)

MISS_GROUP = "resident-link-miss"


def _private(response):
    """The address holds the key to the page: never send it on as a referrer, never index it. strict-origin, not
    no-referrer: the browser sends only the site's origin, and its own forms still carry an Origin header that Django's
    CSRF check accepts (with no-referrer Chromium sends "Origin: null" and every resident's form is refused)."""
    response["Referrer-Policy"] = "strict-origin"
    response["X-Robots-Tag"] = "noindex"
    return response


def _link_or_answer(request, token):
    """(link, None) for a live link; (None, a 404 or 429 response) otherwise.

    Wrong tokens are counted per client address (settings.RESIDENT_LINK_MISS_RATE): a resident mistyping a link gets
    several goes, a guesser is slowed to nothing. A live link always opens, so someone sharing an address (a library,
    a mobile network) cannot lock a resident out by guessing."""
    link = link_for_token(token)
    if link is not None:
        return link, None
    address = client_address(request)
    if counter_over(group=MISS_GROUP, key=address, rate=settings.RESIDENT_LINK_MISS_RATE, increment=True):
        return None, _private(rate_limited(request))
    return None, _private(not_found(request))


@never_cache
@require_http_methods(["GET", "HEAD"])
def case_page(request, token):
    link, answer = _link_or_answer(request, token)
    if answer is not None:
        return answer
    try:
        show = int(request.GET.get("show", PAGE_ITEMS))
    except (TypeError, ValueError):
        show = PAGE_ITEMS
    page = resident_page(link, show=show)
    resident_link_opened(link=link)
    return _private(render(request, "reporting/resident/case.html", {"page": page, "token": token}))


class NewLinkForm(forms.Form):
    submission_key = forms.UUIDField(widget=forms.HiddenInput)


@never_cache
@require_http_methods(["GET", "POST"])
def link_rotate(request, token):
    """Ask for a new link: the old one stops working. Sent by email or text when we can; otherwise the new page
    opens at its new address, which the resident keeps instead (shown once, on that page)."""
    if request.method == "POST":
        form = NewLinkForm(request.POST)
        if form.is_valid():
            key = form.cleaned_data["submission_key"]
            link = link_for_token(token)
            if link is None:
                # A second click of the same form: the first ended this link. Answer as the first did.
                earlier = link_for_token_any(token)
                done = resident_link_renewed(key, old_link_id=earlier.pk) if earlier is not None else None
                if done is None:
                    _link, answer = _link_or_answer(request, token)
                    return answer or _private(not_found(request))
                return _after_renew(request, done)
            try:
                done = resident_link_renew(link=link, submission_key=key)
            except CaseError:
                # Another form's key (never that form's answer, which is someone else's new link): ask again.
                return _private(render(request, "reporting/resident/_page_new_link.html", {
                    "token": token, "form": NewLinkForm(initial={"submission_key": uuid.uuid4()}),
                    "reference": link.case.reference, "can_send": link.party_id is not None,
                }, status=400))
            return _after_renew(request, done)
    link, answer = _link_or_answer(request, token)
    if answer is not None:
        return answer
    return _private(render(request, "reporting/resident/_page_new_link.html", {
        "token": token, "form": NewLinkForm(initial={"submission_key": uuid.uuid4()}),
        "reference": link.case.reference, "can_send": link.party_id is not None,
    }))


def _after_renew(request, done):
    if done.sent_by:
        return _private(render(request, "reporting/resident/_page_new_link_sent.html", {
            "sent_by": done.sent_by, "reference": done.link.case.reference}))
    # The new page shows its own address once (this message), with advice to keep it safe.
    messages.success(request, "Your new link", extra_tags="new-link")
    return _private(redirect(link_path(done.link)))
