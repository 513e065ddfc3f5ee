"""The resident's survey (public, by signed link) and the staff screens: phone surveys, results, comments."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache

from cases.policy import Can, can, case_or_404, object_or_404, requires

from . import selectors, services
from .forms import CommentActionForm, PhoneSurveyStartForm, SurveyForm
from .models import Purpose


def _link_problem(request, exc):
    return render(request, "surveys/link_problem.html", {"message": str(exc), "reason": exc.reason}, status=410)


@never_cache
def survey(request, token):
    """The public survey. A forged, expired or used link gets a clear page and records nothing."""
    try:
        invitation = services.invitation_from_token(token)
    except services.SurveyLinkError as exc:
        return _link_problem(request, exc)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_submit(token=token, answers=form.answers(), comments=form.cleaned_data["comments"],
                                   may_contact=form.cleaned_data["may_contact"])
        except services.SurveyLinkError as exc:
            return _link_problem(request, exc)
        return redirect("survey:thanks")
    return render(request, "surveys/survey.html", {"form": form, "invitation": invitation, "token": token})


def thanks(request):
    return render(request, "surveys/thanks.html")


@never_cache
def opt_out(request, token):
    if request.method != "POST":
        return render(request, "surveys/opt_out.html", {"token": token})
    try:
        services.survey_opt_out(token=token)
    except services.SurveyLinkError as exc:
        return _link_problem(request, exc)
    return render(request, "surveys/opted_out.html")


@never_cache
@requires(Can.ENTER_PHONE_SURVEYS)
def phone_list(request):
    return render(request, "surveys/phone_list.html", {"to_do": list(selectors.phone_surveys_to_do(request.user)[:100])})


def _already_entered(request, invitation):
    # Several staff may work the list at once: the second to save gets a clear page, not an error.
    return render(request, "surveys/phone_enter.html", {"invitation": invitation, "already_entered": True}, status=409)


@never_cache
@requires(Can.ENTER_PHONE_SURVEYS)
def phone_enter(request, invitation_id):
    invitation = object_or_404(selectors.phone_surveys_open_to(request.user), pk=invitation_id)
    if invitation.responded_at is not None:
        return _already_entered(request, invitation)
    form = SurveyForm(request.POST if request.method == "POST" else None, for_staff=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_submit(invitation=invitation, answers=form.answers(), comments=form.cleaned_data["comments"],
                                   may_contact=form.cleaned_data["may_contact"], entered_by=request.user)
        except services.SurveyLinkError:
            return _already_entered(request, invitation)
        messages.success(request, f"Survey answers from {invitation.party} saved")
        return redirect("surveys:phone_list")
    return render(request, "surveys/phone_enter.html", {"form": form, "invitation": invitation})


@never_cache
@requires(Can.START_PHONE_SURVEYS)
def case_survey(request, reference):
    """From a case: take a survey by phone now, or (managers) send a mid-case survey by the person's preferred method."""
    case = case_or_404(request.user, reference)
    form = PhoneSurveyStartForm(request.POST if request.method == "POST" else None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        party = form.cleaned_data["party"]
        if request.POST.get("send") and can(request.user, Can.READ_SURVEY_RESULTS):
            invitation = services.survey_invite(case=case, party=party, purpose=Purpose.MID_CASE, actor=request.user)
            if invitation and invitation.channel != "phone":
                messages.success(request, f"Survey sent to {party} by {invitation.get_channel_display().lower()}")
            else:
                messages.success(request, f"{party} prefers a call: the survey is on the phone survey list")
            return redirect("staff:case", reference=case.reference)
        invitation = services.phone_survey_start(case=case, party=party, actor=request.user)
        return redirect("surveys:phone_enter", invitation_id=invitation.pk)
    return render(request, "surveys/case_survey.html", {"case": case, "form": form, "can_send": can(request.user, Can.READ_SURVEY_RESULTS)})


@never_cache
@requires(Can.READ_SURVEY_RESULTS)
def results(request):
    qs = selectors.responses(request.user)
    context = {
        "overall": selectors.satisfaction(qs),
        "target": selectors.TARGET,
        "questions": selectors.question_rates(qs),
        "by_officer": selectors.satisfaction_by(qs, "officer"),
        "by_category": selectors.satisfaction_by(qs, "category_name"),
        "by_channel": selectors.satisfaction_by(qs, "report_channel"),
        "by_month": selectors.satisfaction_by(qs, "month"),
        "comments": list(selectors.comments(qs)[:50]),
        "comments_answered": selectors.comments_with_response(qs),
    }
    return render(request, "surveys/results.html", context)


@never_cache
@requires(Can.READ_SURVEY_RESULTS)
def comment_action(request, response_id):
    response = object_or_404(selectors.responses(request.user).select_related("invitation__case"), pk=response_id)
    form = CommentActionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        services.comment_action_record(response=response, text=form.cleaned_data["text"], actor=request.user)
        messages.success(request, "What was done has been recorded")
        return redirect("surveys:results")
    return render(request, "surveys/comment_action.html", {"form": form, "response": response})
