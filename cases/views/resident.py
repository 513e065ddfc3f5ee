"""Staff screens for residents' links (who holds one, revoke, send a new one) and sending a resident an update."""

import uuid

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ..contact_rules import LETTER, message_channel_for, preferred_reach, task_method_for
from ..models import UPDATE_ROLES
from ..policy import Can, case_or_404, object_or_404, parties_visible_to, requires
from ..selectors_resident import case_resident_status, resident_link_holders, resident_link_on_case
from ..services import CaseError
from ..services.resident_links import resident_link_revoke, resident_link_send
from ..services.resident_updates import UPDATE_MAX_CHARS, resident_update_send

staff_view = requires(Can.WORK_CASES)


class RevokeForm(forms.Form):
    reason = forms.CharField(label="Why are you revoking this link?", max_length=300,
                             error_messages={"required": "Say why the link is being revoked"},
                             help_text="For example, the resident says someone else has seen it")


class IssueForm(forms.Form):
    party = forms.IntegerField(widget=forms.HiddenInput)
    replaces = forms.IntegerField(widget=forms.HiddenInput, required=False)


class UpdateForm(forms.Form):
    text = forms.CharField(label="Your update", widget=forms.Textarea(attrs={"rows": 8}), max_length=UPDATE_MAX_CHARS,
                           error_messages={"required": "Write the update",
                                           "max_length": f"The update must be {UPDATE_MAX_CHARS} characters or fewer"},
                           help_text="Written to the resident: what has been done and what happens next. "
                                     "They will see it on their case page too. Do not name the other people involved.")
    submission_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.MEDIUM
        self.helper.layout = Layout(Field.textarea("text", rows=8), "submission_key")


def _holders_page(request, case, *, revoke_form=None, revoke_link_id=None, status=200):
    holders = resident_link_holders(case, parties_visible_to(request.user, case))
    return render(request, "cases/resident/links.html", {
        "case": case, "holders": holders, "revoke_form": revoke_form or RevokeForm(), "revoke_link_id": revoke_link_id,
    }, status=status)


@never_cache
@staff_view
def links(request, reference):
    case = case_or_404(request.user, reference)
    return _holders_page(request, case)


@never_cache
@staff_view
@require_POST
def link_issue(request, reference):
    case = case_or_404(request.user, reference)
    form = IssueForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose who to send a new link to")
        return redirect("staff:resident_links", reference=case.reference)
    party = object_or_404(parties_visible_to(request.user, case).filter(role__in=UPDATE_ROLES, is_unknown=False),
                          pk=form.cleaned_data["party"])
    try:
        resident_link_send(case=case, party=party, actor=request.user, replaces=form.cleaned_data["replaces"])
    except CaseError as exc:
        messages.error(request, str(exc))
    else:
        how = "email" if message_channel_for(party) == "email" else "text message"
        messages.success(request, f"A new link was sent to {party} by {how}")
    return redirect("staff:resident_links", reference=case.reference)


@never_cache
@staff_view
@require_POST
def link_revoke(request, reference, link_id):
    case = case_or_404(request.user, reference)
    link = resident_link_on_case(case, link_id)
    if link is None or (link.party_id and not parties_visible_to(request.user, case).filter(pk=link.party_id).exists()):
        raise Http404
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return _holders_page(request, case, revoke_form=form, revoke_link_id=link.pk, status=400)
    try:
        resident_link_revoke(link=link, actor=request.user, reason=form.cleaned_data["reason"])
    except CaseError as exc:
        form.add_error("reason", str(exc))
        return _holders_page(request, case, revoke_form=form, revoke_link_id=link.pk, status=400)
    messages.success(request, "Link revoked: it no longer opens the case page")
    return redirect("staff:resident_links", reference=case.reference)


@never_cache
@staff_view
def update_send(request, reference, party_id):
    case = case_or_404(request.user, reference)
    party = object_or_404(parties_visible_to(request.user, case).filter(role__in=UPDATE_ROLES, is_unknown=False), pk=party_id)
    channel = message_channel_for(party)
    form = None
    if channel is not None:
        form = UpdateForm(request.POST) if request.method == "POST" else UpdateForm(initial={"submission_key": uuid.uuid4()})
        if request.method == "POST" and form.is_valid():
            try:
                resident_update_send(case=case, party=party, text=form.cleaned_data["text"], actor=request.user,
                                     submission_key=form.cleaned_data["submission_key"])
            except CaseError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Update sent to {party} by {'email' if channel == 'email' else 'text message'}")
                return redirect("staff:case", reference=case.reference)
    elif request.method == "POST":
        raise Http404
    return render(request, "cases/resident/update.html", {
        "case": case, "party": party, "form": form, "channel": channel, "status": case_resident_status(case),
        # Someone no message reaches gets a letter or a call (contact_rules decides which); say when their
        # preferred email or text lacks the detail it needs.
        "prefers_letter": task_method_for(party) == LETTER,
        "details_missing": bool(party.preferred_contact_method) and preferred_reach(party) is None,
    }, status=400 if form is not None and form.errors else 200)
