"""The review's stage screens (/staff/case-review/<ref>/…): the threshold decision (managers), the review meeting,
recommendations, the outcome letter, the request to look again and its outcome (the single point of contact's work).
Thin: forms parse, casereview.services decide. A page whose stage has passed says so instead of showing a form."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from cases.policy import Can, can, object_or_404, requires, requires_any

from ..forms_stages import (
    DecisionForm,
    EscalationForm,
    EscalationOutcomeForm,
    MeetingForm,
    OutcomeForm,
    RecommendationForm,
)
from ..models import Application, Recommendation, Stage
from ..services import recommendations as recs
from ..services import stages as services
from ..services.common import CaseReviewError
from ..threshold import threshold_for_case


def _application(reference: str) -> Application:
    """The application by reference (the capability was checked by the decorator: the team sees every one)."""
    return object_or_404(Application.objects.select_related("spoc", "case", "decided_by"), reference=reference)


def _detail(application: Application):
    return redirect("casereview_staff:detail", reference=application.reference)


def _page(request, application, *, title, form=None, button="", intro="", rows=(), letter="", note="", template="casereview/stages/form.html"):
    return render(request, template, {
        "application": application, "title": title, "form": form, "button": button, "intro": intro, "rows": rows,
        "letter": letter, "note": note, "back_url": reverse("casereview_staff:detail", args=[application.reference]),
    })


def _method_label(application: Application) -> str:
    return {"phone": "phone them", "letter": "post them this letter", "email": "email them", "text": "text them"}.get(
        services.delivery_method(application), "contact them")


@never_cache
@requires_any(Can.DECIDE_CASE_REVIEWS, Can.WORK_CASE_REVIEWS)
def decide(request, reference):
    """A manager decides; the single point of contact reads the decision (and the letter to print or read out)."""
    application = _application(reference)
    deciding = can(request.user, Can.DECIDE_CASE_REVIEWS)
    if request.method == "POST" and not deciding:
        raise Http404
    if application.stage in services.DECIDABLE_STAGES and not deciding:
        return _page(request, application, title="Threshold decision", note="Waiting for a manager's decision.")
    if application.stage not in services.DECIDABLE_STAGES:
        if application.decided_at is None:
            return _page(request, application, title="Threshold decision", note="This application was closed before a decision was made.")
        letter = ""
        if application.proceeds is False and services.delivery_method(application) not in ("email", "text"):
            letter = services.decision_letter(application)
        return _page(request, application, title="Threshold decision", letter=letter, template="casereview/stages/decided.html",
                     note=f"The applicant asked to be contacted by {application.get_preferred_contact_method_display().lower()}: "
                          f"{_method_label(application)} with the decision." if letter else "")
    threshold = threshold_for_case(application.case, at=application.received_at) if application.case_id else None
    form = DecisionForm(request.POST or None, version=application.version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decided = services.application_decide(application=application, threshold_met=data["threshold_met"], proceeds=data["proceeds"],
                                                  reasons=data["reasons"], actor=request.user, version=data["version"])
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            if decided.proceeds:
                messages.success(request, f"Decision recorded: a review will be held for {decided.reference}")
                return _detail(decided)
            messages.success(request, f"Decision recorded: no review for {decided.reference}")
            return redirect("casereview_staff:decide", reference=decided.reference)
    return render(request, "casereview/stages/decide.html", {
        "application": application, "form": form, "threshold": threshold,
        "back_url": reverse("casereview_staff:detail", args=[application.reference]),
    })


@never_cache
@requires(Can.WORK_CASE_REVIEWS)
def meeting(request, reference):
    application = _application(reference)
    if application.stage != Stage.AWAITING_MEETING:
        return _page(request, application, title="Review meeting",
                     note="The review meeting has been recorded." if application.stage in services.RECOMMENDABLE_STAGES + (Stage.CLOSED,)
                     else "No review meeting is due: a review has not been decided on.")
    form = MeetingForm(request.POST or None, version=application.version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        record = services.MeetingRecord(
            held_on=data["held_on"], chair_name=data["chair_name"], independent_chair=data["independent_chair"],
            agencies_present=list(data["agencies_present"]), others_present=data["others_present"],
            applicant_participation=data["applicant_participation"], agency_summary=data["agency_summary"],
            action_plan=data["action_plan"], victim_consulted=data["victim_consulted"],
        )
        try:
            services.meeting_record(application=application, record=record, actor=request.user, version=data["version"])
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Review meeting recorded. Add its recommendations, then send the outcome")
            return _detail(application)
    return _page(request, application, title="Record the review meeting", form=form, button="Save the meeting",
                 intro="What happened at the meeting. The outcome letter is drafted from it.")


@never_cache
@requires(Can.WORK_CASE_REVIEWS)
def recommendation_add(request, reference):
    application = _application(reference)
    if application.stage not in services.RECOMMENDABLE_STAGES:
        return _page(request, application, title="Add a recommendation",
                     note="Recommendations are added once the review meeting has been recorded, while the application is open.")
    form = RecommendationForm(request.POST or None, version=application.version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            owner = form.owner_agency
            if data["owner"] != "council" and owner is None:
                raise CaseReviewError("Choose an agency that is still a partner, or the council")
            recs.recommendation_add(application=application, text=data["text"], owner_agency=owner, due_on=data["due_on"],
                                    status=data["status"], progress=data["progress"], actor=request.user, version=data["version"])
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Recommendation added")
            return _detail(application)
    return _page(request, application, title="Add a recommendation", form=form, button="Add the recommendation",
                 intro="Each recommendation has one owner and a due date. Reminders go to you and, for a partner agency, "
                       "to its partner leads; managers hear if it becomes overdue.")


@never_cache
@requires(Can.WORK_CASE_REVIEWS)
def recommendation_edit(request, reference, rec_id):
    application = _application(reference)
    recommendation = object_or_404(Recommendation.objects.select_related("owner_agency"), pk=rec_id, application=application)
    initial = {"text": recommendation.text, "owner": str(recommendation.owner_agency_id or "council"), "due_on": recommendation.due_on,
               "status": recommendation.status, "progress": recommendation.progress}
    form = RecommendationForm(request.POST or None, initial=initial, token=recs.recommendation_token(recommendation),
                              current_owner=recommendation.owner_agency)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            owner = form.owner_agency
            if data["owner"] != "council" and owner is None:
                if str(recommendation.owner_agency_id) != data["owner"]:
                    raise CaseReviewError("Choose an agency that is still a partner, or the council")
                owner = recommendation.owner_agency  # an agency no longer active keeps what it already owns
            recs.recommendation_update(recommendation=recommendation, actor=request.user, token=data["token"], status=data["status"],
                                       progress=data["progress"], text=data["text"], owner_agency=owner, due_on=data["due_on"],
                                       change_details=True)
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Recommendation saved")
            return _detail(application)
    return _page(request, application, title="Change a recommendation", form=form, button="Save the recommendation")


@never_cache
@requires(Can.WORK_CASE_REVIEWS)
def outcome(request, reference):
    application = _application(reference)
    if application.stage != Stage.MEETING_HELD:
        if application.outcome_sent_at is None:
            return _page(request, application, title="Outcome letter", note="The outcome is sent after the review meeting has been recorded.")
        method = application.outcome_method
        note = (f"Sent on {application.outcome_sent_at:%-d %B %Y}. The applicant asked to be contacted by "
                f"{application.get_preferred_contact_method_display().lower()}: {_method_label(application)}."
                if method in ("phone", "letter") else f"Sent on {application.outcome_sent_at:%-d %B %Y}.")
        return _page(request, application, title="Outcome letter", letter=application.outcome_letter, note=note,
                     template="casereview/stages/decided.html")
    form = OutcomeForm(request.POST or None, version=application.version, initial={"letter": services.outcome_letter_draft(application)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sent = services.outcome_send(application=application, letter=data["letter"], actor=request.user, version=data["version"])
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Outcome recorded as sent for {sent.reference}")
            if sent.outcome_method in ("phone", "letter"):
                return redirect("casereview_staff:outcome", reference=sent.reference)
            return _detail(sent)
    how = services.delivery_method(application)
    intro = {"email": "It is emailed to the applicant as it stands below.",
             "text": "The applicant gets a text message saying it is on its way" + (" by email; the letter is emailed." if application.email else
                                                                                   " by post; print and post it."),
             }.get(how, f"The applicant asked to be contacted by {application.get_preferred_contact_method_display().lower()}: "
                        "after you record it as sent, print it to post or read out.")
    return _page(request, application, title="Send the outcome", form=form, button="Send the outcome", intro=intro)


@never_cache
@requires(Can.WORK_CASE_REVIEWS)
def escalation(request, reference):
    application = _application(reference)
    if application.stage not in services.ESCALATABLE_STAGES:
        return _page(request, application, title="Ask to look again",
                     note="A request to look again at the handling follows the outcome, or a decision not to hold a review, once.")
    last_day = services.escalation_last_day(application)
    form = EscalationForm(request.POST or None, version=application.version, last_day=last_day)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ask = services.EscalationAsk(requested_on=data["requested_on"], route=data["route"], reasons=data["reasons"],
                                     late_reason=data["late_reason"])
        try:
            made = services.escalation_record(application=application, ask=ask, actor=request.user, version=data["version"])
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Request to look again recorded" + ("" if made.in_time else ": it was late"))
            return _detail(application)
    return _page(request, application, title="Record a request to look again", form=form, button="Record the request",
                 intro=f"The applicant may ask for the handling to be looked at again until {last_day:%A %-d %B %Y}.")


@never_cache
@requires(Can.WORK_CASE_REVIEWS)
def escalation_outcome(request, reference):
    application = _application(reference)
    if application.stage != Stage.ESCALATED:
        return _page(request, application, title="Outcome of the request to look again",
                     note="There is no request to look again waiting for an outcome.")
    form = EscalationOutcomeForm(request.POST or None, version=application.version)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.escalation_outcome_record(application=application, outcome=data["outcome"], summary=data["outcome_summary"],
                                               decided_by_name=data["decided_by_name"], actor=request.user, version=data["version"])
        except CaseReviewError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Outcome recorded and the application closed")
            return _detail(application)
    return _page(request, application, title="Record the outcome of the request to look again", form=form, button="Save the outcome",
                 intro="The applicant is told the outcome by the way they asked to be contacted.")
