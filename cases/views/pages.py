"""Staff pages: home, case list, case page, call-centre status lookup, evidence download."""

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from ..filters import CaseFilter
from ..forms import LookupForm
from ..paging import capped_page
from ..policy import Can, can, requires, requires_any
from ..selectors import (
    case_dues,
    case_for_detail,
    case_list,
    case_list_rows,
    case_status_lookup,
    evidence_for_download,
    officer_home,
    related_cases,
    timeline_visible_to,
)
from ..selectors_diary import resident_requests_for_home

CASES_PER_PAGE = 25


@never_cache
@requires_any(Can.LOG_PHONE_REPORTS, Can.WORK_CASES, Can.READ_SHARED_CASES)
def home(request):
    if can(request.user, Can.READ_SHARED_CASES):
        return redirect("partners:home")
    if not can(request.user, Can.WORK_CASES):
        return render(request, "cases/home_call_centre.html", {"lookup_form": LookupForm()})
    return render(request, "cases/home.html", {"home": officer_home(request.user), "now": timezone.now(),
                                               "resident_requests": resident_requests_for_home(request.user)})


@never_cache
@requires(Can.WORK_CASES)
def case_list_page(request):
    filterset = CaseFilter(request.GET or None, queryset=case_list(request.user))
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else case_list(request.user)
    page = capped_page(queryset, request.GET.get("page"), per_page=CASES_PER_PAGE,
                       rows=lambda page_ids: case_list_rows(request.user, queryset, page_ids))
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
