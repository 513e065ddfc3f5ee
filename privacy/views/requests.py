"""Rights-request screens (/staff/privacy/requests/): the list by due date, recording a request, one request with
its third parties, the bundle download, release, extension and closing. Managers of privacy only; anyone else 404."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from cases.models import AccessEvent
from cases.policy import Can, requires
from cases.services.access_log import access_record

from .. import selectors_requests as reads
from ..bundle import access_bundle_build
from ..forms_requests import (
    NOT_IDENTIFIED,
    CloseForm,
    ExtendForm,
    IdentifyForm,
    ReleaseForm,
    RequestForm,
    ThirdPartyForm,
)
from ..models import RequestKind
from ..services import rights as services


@never_cache
@requires(Can.MANAGE_PRIVACY)
def request_list(request):
    return render(request, "privacy/requests/list.html", {"overview": reads.requests_overview(request.user)})


@never_cache
@requires(Can.MANAGE_PRIVACY)
def request_add(request):
    query = (request.POST.get("q") if request.method == "POST" else request.GET.get("q", "")) or ""
    people = reads.people_search(request.user, query)
    form = RequestForm(request.POST or None, people=people, initial={"q": query})
    if request.method == "POST" and form.is_valid():
        person = None
        if form.cleaned_data["person"] != NOT_IDENTIFIED:
            person = reads.person_for_request(request.user, form.cleaned_data["person"])
        try:
            made = services.rights_request_record(
                kind=form.cleaned_data["kind"], received_on=form.cleaned_data["received_on"], person=person,
                details=form.cleaned_data["details"], actor=request.user,
            )
        except services.RightsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Request {made.pk} recorded: due on {made.due_on:%-d %B %Y}")
            return redirect("privacy:request", request_id=made.pk)
    return render(request, "privacy/requests/add.html", {"form": form, "query": query, "searched": len(query.strip()) >= 2,
                                                          "people": people})


@never_cache
@requires(Can.MANAGE_PRIVACY)
def request_detail(request, request_id):
    return render(request, "privacy/requests/detail.html", {"page": reads.request_page(request.user, request_id)})


@never_cache
@requires(Can.MANAGE_PRIVACY)
def request_person(request, request_id):
    page = reads.request_page(request.user, request_id)
    if not page.is_open or page.request.person_id is not None:
        raise Http404
    query = (request.POST.get("q") if request.method == "POST" else request.GET.get("q", "")) or ""
    people = reads.people_search(request.user, query)
    form = IdentifyForm(request.POST or None, people=people, initial={"q": query})
    if request.method == "POST" and form.is_valid():
        person = reads.person_for_request(request.user, form.cleaned_data["person"])
        try:
            services.rights_request_identify(request=page.request, person=person, actor=request.user)
        except services.RightsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Request {page.request.pk} is from {person.full_name}")
            return redirect("privacy:request", request_id=page.request.pk)
    return render(request, "privacy/requests/person.html", {"page": page, "form": form, "query": query,
                                                             "searched": len(query.strip()) >= 2, "people": people})


@never_cache
@requires(Can.MANAGE_PRIVACY)
def third_party(request, request_id, third_party_id):
    page = reads.request_page(request.user, request_id)
    row = reads.third_party_of(page.request, third_party_id)
    initial = {"decision": row.decision, "reason": row.reason} if row.decided_by_id else {}
    form = ThirdPartyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.third_party_decide(third_party=row, decision=form.cleaned_data["decision"], reason=form.cleaned_data["reason"],
                                        actor=request.user)
        except services.RightsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{row.party}: {row.get_decision_display().split(' (')[0].lower()}")
            return redirect("privacy:request", request_id=page.request.pk)
    return render(request, "privacy/requests/third_party.html", {"page": page, "row": row, "form": form})


@never_cache
@requires(Can.MANAGE_PRIVACY)
def request_bundle(request, request_id):
    rights_request = reads.request_or_404(request.user, request_id)
    if rights_request.kind != RequestKind.ACCESS or rights_request.person_id is None:
        raise Http404
    data = access_bundle_build(request=rights_request)
    # Logged as an export: it holds a person's whole file (the bundle itself is never stored).
    access_record(user=request.user, event=AccessEvent.EXPORT, request=request,
                  detail=f"Subject access bundle for rights request {rights_request.pk} ({len(data)} bytes)")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="subject-access-request-{rights_request.pk}.zip"'
    return response


@never_cache
@requires(Can.MANAGE_PRIVACY)
def request_release(request, request_id):
    page = reads.request_page(request.user, request_id)
    if not page.is_access or not page.is_open:
        raise Http404
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # People added to the person's cases since the listing join the list first (undecided, so release waits).
        services.third_parties_list(request=page.request)
        try:
            release = services.access_release(request=page.request, method=form.cleaned_data["method"], actor=request.user)
        except services.RightsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Bundle released by {release.method.lower()}; request {page.request.pk} closed")
            return redirect("privacy:request", request_id=page.request.pk)
    return render(request, "privacy/requests/release.html", {"page": page, "form": form})


@never_cache
@requires(Can.MANAGE_PRIVACY)
def request_extend(request, request_id):
    page = reads.request_page(request.user, request_id)
    if not page.is_open:
        raise Http404
    form = ExtendForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            extended = services.rights_request_extend(request=page.request, reason=form.cleaned_data["reason"], actor=request.user)
        except services.RightsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Extended: now due on {extended.due_on:%-d %B %Y}. Tell the requester why.")
            return redirect("privacy:request", request_id=page.request.pk)
    return render(request, "privacy/requests/extend.html", {
        "page": page, "form": form, "extended_due_on": services.rights_extended_due_on(page.request.received_on)})


@never_cache
@requires(Can.MANAGE_PRIVACY)
def request_close(request, request_id):
    page = reads.request_page(request.user, request_id)
    if not page.is_open:
        raise Http404
    form = CloseForm(request.POST or None, bases=page.bases)
    if request.method == "POST" and form.is_valid():
        try:
            closed = services.rights_request_close(request=page.request, status=form.basis.status, outcome=form.cleaned_data["outcome"],
                                                   outcome_basis=form.basis.key, actor=request.user)
        except services.RightsError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Request {closed.pk} closed: {closed.get_status_display().lower()}")
            return redirect("privacy:request", request_id=page.request.pk)
    return render(request, "privacy/requests/close.html", {"page": page, "form": form})
