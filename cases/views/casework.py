"""Forms that work a case. Each view parses a form and calls one service; rules live in the services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import forms, services
from ..policy import (
    Can,
    case_or_404,
    cases_visible_to,
    object_or_404,
    parties_visible_to,
    referrals_visible_to,
    requires,
)
from ..selectors import actions_visible_to, parties_missing_final_update


def _case_form(request, reference, form_class, *, title, save, form_kwargs=None, intro="", case=None):
    """GET: the form. POST: validate, call `save(form, case)`; a CaseError shows in the error summary."""
    case = case or case_or_404(request.user, reference)
    kwargs = {"case": case, "user": request.user, **(form_kwargs or {})}
    form = form_class(request.POST, request.FILES, **kwargs) if request.method == "POST" else form_class(**kwargs)
    if request.method == "POST" and form.is_valid():
        try:
            message = save(form, case)
        except services.CaseError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, message)
            return redirect("staff:case", reference=case.reference)
    return render(request, "cases/case_form.html", {"case": case, "form": form, "title": title, "intro": intro})


def _name(user):
    return user.get_full_name() or user.username


staff_view = requires(Can.WORK_CASES)


@never_cache
@staff_view
def contact_add(request, reference):
    def save(form, case):
        services.contact_record(
            case=case, party=form.party(), method=form.cleaned_data["method"], direction=form.cleaned_data["direction"],
            successful=form.cleaned_data["successful"], summary=form.cleaned_data["summary"],
            occurred_at=form.cleaned_data["occurred_at"], gave_update=form.cleaned_data["gave_update"],
            final_update=form.cleaned_data["final_update"], actor=request.user, prompt_answers=form.prompt_answers(),
        )
        return "Contact recorded"

    # A task link ("Phone Mrs X to give an update") arrives with the person and the method chosen.
    initial = {k: request.GET[k] for k in ("party", "method") if k in request.GET}
    if initial:
        initial["gave_update"] = True
    return _case_form(request, reference, forms.ContactForm, title="Record a contact", save=save, form_kwargs={"initial": initial})


@never_cache
@staff_view
def risk_add(request, reference):
    try:
        question_set = services.risk_question_set_active()
    except services.CaseError as exc:
        messages.error(request, str(exc))
        return redirect("staff:case", reference=reference)

    def save(form, case):
        assessment = services.risk_assess(
            case=case, answers=form.answers(), party=form.party(), notes=form.cleaned_data["notes"], actor=request.user,
            expected_version=form.expected_version,
        )
        if assessment.band_reason:
            return f"Risk assessed as {assessment.band_reason} (score {assessment.score})"
        return f"Risk assessed as {assessment.get_level_display().lower()} (score {assessment.score})"

    return _case_form(request, reference, forms.RiskAssessmentForm, title="Risk assessment", save=save,
                      form_kwargs={"question_set": question_set})


@never_cache
@staff_view
def party_add(request, reference):
    def save(form, case):
        party = services.party_add(case=case, actor=request.user, expected_version=form.expected_version, **form.values())
        return f"{party} added"

    return _case_form(request, reference, forms.PartyForm, title="Add a person or group", save=save)


@never_cache
@staff_view
def party_edit(request, reference, party_id):
    case = case_or_404(request.user, reference)
    party = object_or_404(parties_visible_to(request.user, case), pk=party_id)

    def save(form, case):
        services.party_update(party=party, actor=request.user, expected_version=form.expected_version, **form.values())
        return f"Details of {party} saved"

    return _case_form(request, reference, forms.PartyForm, title=f"Change details: {party}", save=save,
                      form_kwargs={"party": party}, case=case)


@never_cache
@staff_view
def action_add(request, reference):
    def save(form, case):
        d = form.cleaned_data
        action = services.action_record(
            case=case, action_type=d["action_type"], perpetrator=form.party("perpetrator"), served_on=d["served_on"],
            review_on=d["review_on"], expires_on=d["expires_on"], details=d["details"], actor=request.user,
        )
        return f"{action.action_type} recorded"

    return _case_form(request, reference, forms.ActionForm, title="Record an action against a perpetrator", save=save)


def _case_action(request, reference, action_id):
    case = case_or_404(request.user, reference)
    return case, object_or_404(actions_visible_to(request.user, case), pk=action_id)


@never_cache
@staff_view
def action_edit(request, reference, action_id):
    case, action = _case_action(request, reference, action_id)

    def save(form, case):
        d = form.cleaned_data
        services.action_update(action=action, actor=request.user, status=d["status"], review_on=d["review_on"],
                               expires_on=d["expires_on"], outcome=d["outcome"])
        return f"{action.action_type} updated"

    return _case_form(request, reference, forms.ActionUpdateForm, title=f"Update: {action.action_type}", save=save,
                      form_kwargs={"action": action}, case=case)


@never_cache
@staff_view
def breach_add(request, reference, action_id):
    case, action = _case_action(request, reference, action_id)

    def save(form, case):
        services.breach_record(action=action, occurred_on=form.cleaned_data["occurred_on"],
                               description=form.cleaned_data["description"], actor=request.user)
        return f"Breach of {action.action_type} recorded"

    return _case_form(request, reference, forms.BreachForm, title=f"Record a breach: {action.action_type}", save=save,
                      form_kwargs={"action": action}, case=case)


@never_cache
@staff_view
def referral_add(request, reference):
    def save(form, case):
        d = form.cleaned_data
        referral = services.referral_make(case=case, agency=d["agency"], reason=d["reason"], referred_on=d["referred_on"],
                                          actor=request.user)
        return f"Referral to {referral.agency} recorded"

    case = case_or_404(request.user, reference)
    refused = [p for p in parties_visible_to(request.user, case) if p.consent_to_share is False]
    intro = ("Did not consent to sharing their details: " + ", ".join(str(p) for p in refused) + ". Share only what the law allows.") if refused else ""
    return _case_form(request, reference, forms.ReferralForm, title="Refer to a partner agency", save=save, intro=intro, case=case)


@never_cache
@staff_view
def referral_edit(request, reference, referral_id):
    case = case_or_404(request.user, reference)
    referral = object_or_404(referrals_visible_to(request.user).filter(case=case), pk=referral_id)

    def save(form, case):
        d = form.cleaned_data
        services.referral_update(referral=referral, status=d["status"], response=d["response"],
                                 responded_on=d["responded_on"], actor=request.user)
        return f"Referral to {referral.agency} updated"

    return _case_form(request, reference, forms.ReferralUpdateForm, title=f"Update referral: {referral.agency}", save=save,
                      form_kwargs={"referral": referral}, case=case)


@never_cache
@staff_view
def note_add(request, reference):
    def save(form, case):
        d = form.cleaned_data
        services.note_add(case=case, text=d["text"], visibility=d["visibility"], occurred_at=d["occurred_at"], actor=request.user)
        return "Note added"

    return _case_form(request, reference, forms.NoteForm, title="Add a note or diary entry", save=save)


@never_cache
@staff_view
def evidence_add(request, reference):
    def save(form, case):
        evidence = services.evidence_add(case=case, uploaded=form.cleaned_data["file"], description=form.cleaned_data["description"],
                                         actor=request.user)
        return f"{evidence.original_name} added"

    return _case_form(request, reference, forms.EvidenceForm, title="Add evidence", save=save)


@never_cache
@staff_view
def status_change(request, reference):
    def save(form, case):
        case = services.case_status_change(case=case, to_status=form.cleaned_data["to_status"], reason=form.cleaned_data["reason"],
                                           actor=request.user, expected_version=form.expected_version)
        return f"Status changed to {case.get_status_display().lower()}"

    return _case_form(request, reference, forms.StatusForm, title="Change status", save=save)


@never_cache
@staff_view
def case_close(request, reference):
    case = case_or_404(request.user, reference)
    missing = parties_missing_final_update(case) if case.is_open else []
    intro = ("Before closing, record a final update to: " + ", ".join(str(p) for p in missing) + ".") if missing else ""

    def save(form, case):
        services.case_close(case=case, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"], actor=request.user,
                            expected_version=form.expected_version)
        return f"Case {case.reference} closed"

    return _case_form(request, reference, forms.CloseForm, title="Close the case", save=save, intro=intro, case=case)


@never_cache
@requires(Can.ASSIGN_CASES)
def case_assign(request, reference):
    def save(form, case):
        services.case_assign(case=case, officer=form.cleaned_data["officer"], actor=request.user, expected_version=form.expected_version)
        return f"Assigned to {_name(form.cleaned_data['officer'])}"

    return _case_form(request, reference, forms.AssignForm, title="Assign the case", save=save)


@staff_view
@require_POST
def case_take(request, reference):
    case = case_or_404(request.user, reference)
    posted = request.POST.get("version") or ""
    # A version that is not a number was not sent by our page: refuse it as stale rather than fail.
    expected_version = (int(posted) or None) if posted.isascii() and posted.isdigit() and len(posted) < 19 else (-1 if posted else None)
    try:
        services.case_assign(case=case, officer=request.user, actor=request.user, expected_version=expected_version)
    except services.CaseError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Case {case.reference} is now yours")
    return redirect(request.POST.get("next") if request.POST.get("next") == reverse("staff:home") else reverse("staff:case", args=[case.reference]))


@never_cache
@staff_view
def case_merge(request, reference):
    def save(form, case):
        into = cases_visible_to(request.user).filter(reference__iexact=form.cleaned_data["into"].strip()).first()
        if into is None:
            raise services.CaseError("There is no case with that reference")
        services.case_merge(duplicate=case, into=into, actor=request.user, expected_version=form.expected_version)
        return f"Case {case.reference} merged into {into.reference}"

    return _case_form(request, reference, forms.MergeForm, title="Merge this duplicate into another case", save=save,
                      intro="Everything on this case moves to the case you keep; this case is closed as a merged duplicate.")


@never_cache
@staff_view
def case_edit(request, reference):
    def save(form, case):
        d = form.cleaned_data
        services.case_update(case=case, actor=request.user, expected_version=form.expected_version, category=d["category"],
                             address=d["address"], postcode=d["postcode"], location_description=d["location_description"],
                             hate_motivated=d["hate_motivated"])
        return "Case details saved"

    return _case_form(request, reference, forms.CaseEditForm, title="Change case details", save=save)


