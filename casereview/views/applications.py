"""Staff application screens (/staff/case-review/): the list, logging a phone or paper application, one application's
page, and the contact person's actions (acknowledge, contact person, link to a case, withdraw). The call centre logs
applications and sees only its own confirmation; officers and managers see and work them; anyone else gets 404."""

import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from cases.policy import Can, can, requires

from .. import selectors_applications as reads
from ..forms_applications import (
    NO_PERSON,
    AcknowledgeForm,
    LinkForm,
    ListFilterForm,
    SpocForm,
    StaffApplicationForm,
    WithdrawForm,
)
from ..services import applications as services
from ..services.common import CaseReviewError

LOGGED_SESSION_KEY = "casereview:last_logged"


@never_cache
@requires(Can.SEE_CASE_REVIEWS)
def application_list(request):
    filters = ListFilterForm(request.GET or None)
    which = (filters.cleaned_data.get("stage") if filters.is_bound and filters.is_valid() else "") or "open"
    page = reads.application_list(request.user, which=which, page_number=request.GET.get("page") or 1)
    return render(request, "casereview/applications/list.html", {"page": page, "filters": filters, "which": which,
                                                                  "query": f"stage={which}"})


def _submission_key(request) -> uuid.UUID:
    try:
        return uuid.UUID(request.POST.get("submission_key", ""))
    except ValueError:
        return uuid.uuid4()


@never_cache
@requires(Can.LOG_CASE_REVIEW_APPLICATIONS)
def application_log(request):
    if request.method != "POST":
        if "logged" in request.GET:
            logged = reads.logged_application(request.user, request.session.get(LOGGED_SESSION_KEY, ""))
            if logged is None:
                return redirect("casereview_staff:log")
            return render(request, "casereview/applications/logged.html", {"application": logged,
                                                                           "can_open": can(request.user, Can.SEE_CASE_REVIEWS)})
        return render(request, "casereview/applications/log.html", {"form": StaffApplicationForm(), "submission_key": uuid.uuid4()})
    key = _submission_key(request)
    form = StaffApplicationForm(request.POST)
    if form.is_valid():
        try:
            application = services.application_submit(data=form.submission(), route=form.cleaned_data["route"], submission_key=key,
                                                      logged_by=request.user, received_at=form.received_at())
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            if application.logged_by_id != request.user.pk:
                raise Http404  # a key someone else used: their application is not this user's to see
            request.session[LOGGED_SESSION_KEY] = application.reference
            return redirect(reverse("casereview_staff:log") + "?logged=1")
    return render(request, "casereview/applications/log.html", {"form": form, "submission_key": key})


@never_cache
@requires(Can.SEE_CASE_REVIEWS)
def application_detail(request, reference):
    page = reads.application_for_page(request.user, reference)
    return render(request, "casereview/applications/detail.html", {"page": page, "application": page.application})


def _action(request, reference, *, action: str, form_class, template: str, run, success, **form_kwargs):
    """The shape every action shares: the application (404 if not visible or the action not open to this user at its
    stage), the versioned form, the service, a message and back to the application."""
    application = reads.application_or_404(request.user, reference)
    reads.require(reads.application_actions(request.user, application)[action])
    form = form_class(request.POST if request.method == "POST" else None, application=application, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            done = run(application, form)
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, success(done, form))
            return redirect("casereview_staff:detail", reference=application.reference)
    return form, application


@never_cache
@requires(Can.WORK_CASE_REVIEWS)
def acknowledge(request, reference):
    result = _action(
        request, reference, action="acknowledge", form_class=AcknowledgeForm, template="acknowledge",
        run=lambda application, form: services.application_acknowledge(
            application=application, method=form.cleaned_data["method"], actor=request.user, version=form.cleaned_data["version"]),
        success=lambda done, form: f"Application {done.reference} acknowledged",
    )
    if not isinstance(result, tuple):
        return result
    form, application = result
    return render(request, "casereview/applications/acknowledge.html", {"form": form, "application": application})


@never_cache
@requires(Can.DECIDE_CASE_REVIEWS)
def spoc(request, reference):
    people = reads.spoc_choices()
    result = _action(
        request, reference, action="spoc", form_class=SpocForm, template="spoc", people=people,
        run=lambda application, form: services.application_spoc_assign(
            application=application, spoc=form.chosen, actor=request.user, version=form.cleaned_data["version"]),
        success=lambda done, form: f"{form.chosen.get_full_name() or form.chosen.get_username()} is the contact person for {done.reference}",
    )
    if not isinstance(result, tuple):
        return result
    form, application = result
    return render(request, "casereview/applications/spoc.html", {"form": form, "application": application})


@never_cache
@requires(Can.WORK_CASE_REVIEWS)
def link(request, reference):
    application = reads.application_or_404(request.user, reference)
    reads.require(reads.application_actions(request.user, application)["link"])
    typed = ((request.POST.get("case_reference") if request.method == "POST" else request.GET.get("case")) or "")[:40]
    case = reads.case_for_link(request.user, typed)
    victims = reads.victims_for_link(case) if case else []
    form = LinkForm(request.POST if request.method == "POST" else None, application=application, victims=victims,
                    initial={"case_reference": case.reference if case else ""})
    if request.method == "POST" and case is None:
        form.is_valid()
        form.add_error(None, "Find the council case first")
    elif request.method == "POST" and form.is_valid():
        person = None if form.cleaned_data["person"] == NO_PERSON else form.chosen_person
        try:
            services.application_case_link(application=application, case=case, person=person, actor=request.user,
                                           version=form.cleaned_data["version"])
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Application {application.reference} linked to case {case.reference}")
            return redirect("casereview_staff:detail", reference=application.reference)
    return render(request, "casereview/applications/link.html", {
        "form": form, "application": application, "case": case, "typed": typed, "searched": bool(typed.strip())})


@never_cache
@requires(Can.WORK_CASE_REVIEWS)
def withdraw(request, reference):
    result = _action(
        request, reference, action="withdraw", form_class=WithdrawForm, template="withdraw",
        run=lambda application, form: services.application_withdraw(
            application=application, reason=form.cleaned_data["reason"], actor=request.user, version=form.cleaned_data["version"]),
        success=lambda done, form: f"Application {done.reference} withdrawn",
    )
    if not isinstance(result, tuple):
        return result
    form, application = result
    return render(request, "casereview/applications/withdraw.html", {"form": form, "application": application})
