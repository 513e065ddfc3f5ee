"""The council's side of sharing with partner agencies: agencies and their agreements, sharing a case, stopping,
lock-down, and the access log. Every view asks the policy; anything the user may not see answers 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache

from .. import selectors_sharing as reads
from .. import services
from ..forms_sharing import (
    AccessLogFilterForm,
    AgreementEndForm,
    AgreementForm,
    LockDownForm,
    ShareForm,
    StopShareForm,
)
from ..models import ShareScope
from ..paging import capped_page
from ..policy import Can, case_or_404, requires
from ..services.sharing import SCOPE_WORDS

LOG_PER_PAGE = 50


def _team_url(agency_id: int) -> str | None:
    """The agency's users page (the partners app's, which managers may use too)."""
    try:
        return reverse("partners:agency_team", kwargs={"agency_id": agency_id})
    except NoReverseMatch:  # the partner screens are not installed
        return None


# --- agencies and agreements -----------------------------------------------------------------------------

@never_cache
@requires(Can.MANAGE_AGENCIES)
def agencies(request):
    return render(request, "cases/sharing/agencies.html", {"rows": reads.agencies_overview(request.user)})


@never_cache
@requires(Can.MANAGE_AGENCIES)
def agency(request, agency_id):
    page = reads.agency_page(request.user, agency_id)
    return render(request, "cases/sharing/agency.html", {"page": page, "agency": page.agency, "team_url": _team_url(page.agency.pk)})


@never_cache
@requires(Can.MANAGE_AGENCIES)
def agreement_add(request, agency_id):
    page = reads.agency_page(request.user, agency_id)
    form = AgreementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_record(agency=page.agency, actor=request.user, **form.cleaned_data)
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Agreement with {page.agency.name} recorded")
            return redirect("staff:agency", agency_id=page.agency.pk)
    return render(request, "cases/sharing/agreement_form.html", {"agency": page.agency, "form": form})


@never_cache
@requires(Can.MANAGE_AGENCIES)
def agreement_end(request, agency_id, agreement_id):
    page = reads.agency_page(request.user, agency_id)
    agreement = reads.agreement_of(request.user, page.agency, agreement_id)
    form = AgreementEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.agreement_end(agreement=agreement, ended_on=form.cleaned_data["ended_on"], actor=request.user)
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{agreement.title} ended")
            return redirect("staff:agency", agency_id=page.agency.pk)
    return render(request, "cases/sharing/agreement_end.html", {"agency": page.agency, "agreement": agreement, "form": form})


# --- sharing a case ------------------------------------------------------------------------------------------

def _share_page(request, case, form, *, title, share=None):
    return render(request, "cases/sharing/share_form.html", {
        "case": case, "form": form, "title": title, "share": share, "locked": case.is_locked_down,
    })


@never_cache
@requires(Can.SHARE_CASES)
def share_add(request, reference):
    case = case_or_404(request.user, reference)
    choices = reads.agencies_for_sharing(case)
    evidence = reads.case_evidence(case)
    kwargs = {"case": case, "user": request.user, "agencies": choices, "evidence": evidence}
    form = ShareForm(request.POST, **kwargs) if request.method == "POST" else ShareForm(**kwargs)
    if request.method == "POST" and form.is_valid():
        agency = form.chosen_agency(choices)
        try:
            share = services.case_share(
                case=case, agency=agency, reason=form.cleaned_data["reason"], scope=form.cleaned_data["scope"],
                people=form.people_bases(), evidence_ids=form.cleaned_data.get("evidence", []),
                ends_on=form.cleaned_data["ends_on"], actor=request.user,
            )
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Case shared with {share.agency.name}: {SCOPE_WORDS[share.scope]}")
            return redirect("staff:case", reference=case.reference)
    return _share_page(request, case, form, title="Share with a partner agency")


@never_cache
@requires(Can.SHARE_CASES)
def share_edit(request, reference, share_id):
    case = case_or_404(request.user, reference)
    share = reads.share_of_case(case, share_id)
    kwargs = {"case": case, "user": request.user, "share": share, "evidence": reads.case_evidence(case)}
    form = ShareForm(request.POST, **kwargs) if request.method == "POST" else ShareForm(**kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            share = services.share_change(
                share=share, scope=form.cleaned_data["scope"], people=form.people_bases(),
                evidence_ids=form.cleaned_data.get("evidence", []), ends_on=form.cleaned_data["ends_on"], actor=request.user,
            )
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Sharing with {share.agency.name} saved: {SCOPE_WORDS[share.scope]}")
            return redirect("staff:case", reference=case.reference)
    return _share_page(request, case, form, title=f"Change sharing with {share.agency.name}", share=share)


@never_cache
@requires(Can.SHARE_CASES)
def share_stop(request, reference, share_id):
    case = case_or_404(request.user, reference)
    share = reads.share_of_case(case, share_id)
    kwargs = {"case": case, "user": request.user}
    form = StopShareForm(request.POST, **kwargs) if request.method == "POST" else StopShareForm(**kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            services.share_stop(share=share, reason=form.cleaned_data["reason"], actor=request.user)
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Stopped sharing with {share.agency.name}. They can no longer see the case.")
            return redirect("staff:case", reference=case.reference)
    return render(request, "cases/sharing/share_stop.html", {"case": case, "share": share, "form": form})


@never_cache
@requires(Can.SHARE_CASES)
def lock_down(request, reference):
    case = case_or_404(request.user, reference)
    kwargs = {"case": case, "user": request.user}
    form = LockDownForm(request.POST, **kwargs) if request.method == "POST" else LockDownForm(**kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_lock_down(case=case, locked=not case.is_locked_down, actor=request.user)
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Case locked down: partner agencies see only the reference" if case.is_locked_down
                             else "Lock-down lifted: widen each share to show partners more")
            return redirect("staff:case", reference=case.reference)
    return render(request, "cases/sharing/lock_down.html", {"case": case, "form": form, "reference_scope": ShareScope.REFERENCE})


# --- the access log ----------------------------------------------------------------------------------------

@never_cache
@requires(Can.READ_ACCESS_LOG)
def case_access_log(request, reference):
    case = case_or_404(request.user, reference)
    page = Paginator(reads.access_log_for_case(request.user, case), LOG_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/sharing/case_access_log.html", {"case": case, "page": page})


@never_cache
@requires(Can.READ_ACCESS_LOG)
def access_log(request):
    form = AccessLogFilterForm(request.GET or None, agencies=reads.agency_options(request.user))
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = reads.access_log_search(
        request.user, username=filters.get("username", ""), agency_id=filters.get("agency"), reference=filters.get("reference", ""),
    )
    page = capped_page(entries, request.GET.get("page"), per_page=LOG_PER_PAGE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cases/sharing/access_log.html", {"form": form, "page": page, "query": query.urlencode()})
