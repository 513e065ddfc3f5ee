"""Partner agencies' screens (/partners/): the cases shared with their agency, within the share's scope.

Every read goes through the access policy (cases.policy) and partners.selectors; a case, referral,
evidence file or agency the user may not see is a 404. Every view of a case page is logged.
"""

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases.models import AccessEvent
from cases.paging import capped_page
from cases.policy import Can, agencies_visible_to, agency_of, case_or_404, object_or_404, requires, requires_any
from cases.selectors import evidence_for_download
from cases.services import CaseError
from cases.services.access_log import access_record
from cases.services.partner_work import (
    UsernameTakenError,
    agency_user_add,
    agency_user_set_active,
    agency_user_set_role,
    partner_note_add,
    referral_answer,
    referral_outcome_record,
)

from . import selectors
from .forms import (
    AccessLogFilterForm,
    AgencyUserChangeForm,
    AgencyUserForm,
    CaseSearchForm,
    PartnerNoteForm,
    ReferralAnswerForm,
    ReferralOutcomeForm,
)

CASES_PER_PAGE = 25
LOG_PER_PAGE = 50


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@never_cache
@requires(Can.READ_SHARED_CASES)
def home(request):
    form = CaseSearchForm(request.GET or None)
    reference = form.cleaned_data["q"] if form.is_bound and form.is_valid() else ""
    page = capped_page(selectors.shared_cases(request.user, reference=reference), request.GET.get("page"), per_page=CASES_PER_PAGE)
    context = {
        "form": form, "page": page, "rows": selectors.shared_case_rows(page.object_list), "searched": bool(reference),
        "waiting": selectors.referrals_waiting(request.user), "query": _query_without_page(request),
        "agency": agency_of(request.user),
    }
    return render(request, "partners/home.html", context)


@never_cache
@requires(Can.READ_SHARED_CASES)
def case(request, reference):
    case = case_or_404(request.user, reference)
    page = selectors.shared_case_page(request.user, case)
    access_record(user=request.user, event=AccessEvent.CASE_VIEW, request=request, case=case, detail="Case page")
    # The template gets the selector's plain values only, never the Case.
    return render(request, "partners/case.html", {"page": page, "note_form": PartnerNoteForm()})


@never_cache
@requires(Can.ADD_PARTNER_NOTES)
def note_add(request, reference):
    case = case_or_404(request.user, reference)
    form = PartnerNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner_note_add(case=case, author=request.user, text=form.cleaned_data["text"])
        except CaseError as exc:
            form.add_error("text", str(exc))
        else:
            messages.success(request, "Your update was sent to the ASB team")
            return redirect("partners:case", reference=case.reference)
    return render(request, "partners/form.html", {
        "reference": case.reference, "form": form, "title": "Send an update to the ASB team",
        "back_url": reverse("partners:case", args=[case.reference]), "back_text": "Back to the case",
        "intro": "The officer and the ASB team see your update on the case, marked as from your agency.",
    })


@never_cache
@requires(Can.ANSWER_REFERRALS)
def referral(request, reference, referral_id):
    case = case_or_404(request.user, reference)
    found = selectors.referral_or_404(request.user, case, referral_id)
    row = selectors.referral_row(request.user, case, found)
    if row.can_answer:
        form_class, title = ReferralAnswerForm, "Answer the referral"
    elif row.can_record_outcome:
        form_class, title = ReferralOutcomeForm, "Record the outcome of the referral"
    else:
        form_class, title = None, "Referral"
    if request.method == "POST" and (form_class is None or request.POST.get("step") != form_class.step):
        # A form for an earlier state (a double click, a second tab): nothing changes, back to the case.
        messages.info(request, f"This referral is already {row.status_label.lower()}")
        return redirect("partners:case", reference=case.reference)
    form = form_class(request.POST if request.method == "POST" else None) if form_class else None
    if request.method == "POST":
        if form.is_valid():
            try:
                message = _referral_save(form, found, request.user)
            except CaseError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, message)
                return redirect("partners:case", reference=case.reference)
    if request.method == "GET":  # it shows what the officer wrote about the case: a view of the case file
        access_record(user=request.user, event=AccessEvent.CASE_VIEW, request=request, case=case, detail="Referral page")
    return render(request, "partners/referral.html", {"reference": case.reference, "referral": row, "form": form, "title": title,
                                                      "back_url": reverse("partners:case", args=[case.reference])})


def _referral_save(form, found, user) -> str:
    d = form.cleaned_data
    if isinstance(form, ReferralAnswerForm):
        accept = d["answer"] == "accept"
        referral_answer(referral=found, accept=accept, reason=d["reason"], actor=user)
        return "You accepted the referral" if accept else "You declined the referral"
    referral_outcome_record(referral=found, outcome=d["outcome"], actor=user)
    return "Outcome recorded: the referral is complete"


@never_cache
@requires(Can.READ_SHARED_CASES)
def evidence(request, evidence_id):
    # evidence_visible_to (inside evidence_for_download) keeps a partner to files chosen for a live
    # evidence-scope share (locking a case down narrows its shares, so its files stop at once).
    found = evidence_for_download(request.user, evidence_id)
    if found is None:
        raise Http404
    access_record(user=request.user, event=AccessEvent.EVIDENCE, request=request, case=found.case, detail=found.download_name)
    response = FileResponse(found.file.open("rb"), as_attachment=True, filename=found.download_name)
    response["Content-Type"] = found.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the agency's team ------------------------------------------------------------------------------------

@never_cache
@requires(Can.MANAGE_AGENCY_USERS)
def team(request):
    return redirect("partners:agency_team", agency_id=agency_of(request.user).pk)


def _agency_or_404(request, agency_id):
    return object_or_404(agencies_visible_to(request.user), pk=agency_id)


manages_users = requires_any(Can.MANAGE_AGENCY_USERS, Can.MANAGE_AGENCIES)


@never_cache
@manages_users
def agency_team(request, agency_id):
    agency = _agency_or_404(request, agency_id)
    return render(request, "partners/team.html", {"agency": agency, "users": selectors.agency_users(agency)})


@never_cache
@manages_users
def agency_user_new(request, agency_id):
    agency = _agency_or_404(request, agency_id)
    form = AgencyUserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user = agency_user_add(agency=agency, username=d["username"], first_name=d["first_name"], last_name=d["last_name"],
                                   email=d["email"], is_lead=d["is_lead"], actor=request.user)
        except CaseError as exc:
            form.add_error("username" if isinstance(exc, UsernameTakenError) else None, str(exc))
        else:
            messages.success(request, f"{user.get_full_name()} added. We have emailed them a link to set their password.")
            return redirect("partners:agency_team", agency_id=agency.pk)
    return render(request, "partners/form.html", {
        "agency": agency, "form": form, "title": f"Add a user to {agency.name}",
        "back_url": reverse("partners:agency_team", args=[agency.pk]), "back_text": "Back to the team",
        "intro": "They get an email with a link to set their password. It holds no case information.",
    })


@require_POST
@manages_users
def agency_user_change(request, agency_id, user_id):
    agency = _agency_or_404(request, agency_id)
    member = selectors.agency_user_or_404(agency, user_id)
    form = AgencyUserChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to change")
        return redirect("partners:agency_team", agency_id=agency.pk)
    change = form.cleaned_data["change"]
    name = member.get_full_name() or member.username
    try:
        if change in ("deactivate", "reactivate"):
            agency_user_set_active(agency=agency, user=member, active=change == "reactivate", actor=request.user)
            done = f"{name} can no longer sign in" if change == "deactivate" else f"{name} can sign in again"
        else:
            agency_user_set_role(agency=agency, user=member, is_lead=change == "make_lead", actor=request.user)
            done = f"{name} is now a partner lead" if change == "make_lead" else f"{name} is now a partner user"
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, done)
    return redirect("partners:agency_team", agency_id=agency.pk)


# --- the access log -------------------------------------------------------------------------------------

@never_cache
@requires(Can.READ_AGENCY_ACCESS_LOG)
def access_log(request):
    agency = agency_of(request.user)
    users = selectors.agency_users(agency)
    form = AccessLogFilterForm(request.GET or None, users=users)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    rows = selectors.access_log_rows(request.user, user_id=filters.get("user"), reference=filters.get("reference") or "")
    page = capped_page(rows, request.GET.get("page"), per_page=LOG_PER_PAGE)
    entries = [{**r, "event_label": selectors.event_label(r["event"])} for r in page.object_list]
    return render(request, "partners/access_log.html", {
        "agency": agency, "form": form, "page": page, "entries": entries, "query": _query_without_page(request),
    })
