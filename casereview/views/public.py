"""The public Case Review pages (/case-review/), no sign-in: what it is, the application form and its confirmation,
and the yearly figures with their CSV."""

import uuid

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django_ratelimit.core import is_ratelimited

from asb_portal.views import rate_limited

from .. import figures as figures_module
from ..forms_applications import ApplicationForm
from ..models import Route, ThresholdRule, Timescales
from ..services.applications import CaseReviewError, application_submit

LAST_APPLICATION_SESSION_KEY = "casereview:last_application"
# Keys this session's forms were given: a posted key is used only if it is one of them, so nobody can replay
# someone else's key to read their confirmation. A few, for a form open in two tabs.
KEYS_SESSION_KEY = "casereview:apply_keys"
KEYS_KEPT = 5
STALE_KEYS = uuid.UUID("5b1f0d2e-8c3a-4f6e-9a7d-2c4b6e8f0a13")  # namespace of the keys of forms from an older session


def about(request):
    context = {
        "rules": [r.describe() for r in ThresholdRule.objects.filter(is_active=True)],
        "timescales": Timescales.current(),
    }
    return render(request, "casereview/public/about.html", context)


def _mint_key(request) -> uuid.UUID:
    key = uuid.uuid4()
    request.session[KEYS_SESSION_KEY] = [*request.session.get(KEYS_SESSION_KEY, [])[-(KEYS_KEPT - 1):], str(key)]
    return key


def _posted_key(request) -> uuid.UUID | None:
    posted = request.POST.get("submission_key", "")
    return uuid.UUID(posted) if posted in request.session.get(KEYS_SESSION_KEY, []) else None


def _stale_key(request) -> uuid.UUID:
    """The key for a form this session did not give (its session expired or was cleared): derived from the posted key,
    so a second click or a refresh of that form is the same submission, yet never the key itself, so nobody reaches
    another person's application by replaying the key their form was given."""
    posted = request.POST.get("submission_key", "")[:100]
    try:
        return uuid.uuid5(STALE_KEYS, str(uuid.UUID(posted)))
    except ValueError:
        return uuid.uuid4()


@never_cache
def apply(request):
    if request.method != "POST":
        return render(request, "casereview/public/apply.html", {"form": ApplicationForm(), "submission_key": _mint_key(request)})
    key = _posted_key(request)
    last = request.session.get(LAST_APPLICATION_SESSION_KEY)
    if key is not None and last and last.get("key") == str(key):
        return redirect("casereview:applied")  # a refresh or second click after it was sent
    form = ApplicationForm(request.POST)
    if key is None:
        # The page was open from an older session: its first submission (or a repeat of it).
        key = _stale_key(request)
        request.session[KEYS_SESSION_KEY] = [*request.session.get(KEYS_SESSION_KEY, [])[-(KEYS_KEPT - 1):], str(key)]
    if form.is_valid():
        if is_ratelimited(request, group="case-review-apply", key="ip", rate=settings.REPORT_SUBMIT_RATE, method="POST", increment=True):
            return rate_limited(request)
        try:
            application = application_submit(data=form.submission(), route=Route.ONLINE, submission_key=key)
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            request.session[LAST_APPLICATION_SESSION_KEY] = {
                "key": str(key), "reference": application.reference,
                "email": application.email if application.acknowledgement_method == "email" else "",
                "texted": application.phone if application.acknowledgement_method == "text" else "",
                "contact_method": application.get_preferred_contact_method_display(),
            }
            return redirect("casereview:applied")
    return render(request, "casereview/public/apply.html", {"form": form, "submission_key": key})


@never_cache
def applied(request):
    last = request.session.get(LAST_APPLICATION_SESSION_KEY)
    if not last:
        return redirect("casereview:apply")
    return render(request, "casereview/public/applied.html", {"application": last, "timescales": Timescales.current()})


def figures(request):
    return render(request, "casereview/public/figures.html", {"years": figures_module.yearly_figures()})


def figures_csv(request):
    response = HttpResponse(figures_module.figures_csv(figures_module.yearly_figures()), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="asb-case-review-figures.csv"'
    return response
