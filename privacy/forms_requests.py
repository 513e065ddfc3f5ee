"""Forms for rights requests. They parse input; the rules (deadlines, once-only extension, release) live in
privacy.services.rights."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from cases.form_fields import DateField

from .models import RequestKind, ThirdParty

NOT_IDENTIFIED = "none"
RELEASE_METHODS = ["Secure email", "Encrypted USB by recorded post", "Collected in person", "Printed copy by recorded post"]


def _helper(form, *layout) -> FormHelper:
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    helper.layout = Layout(*layout)
    return helper


class RequestForm(forms.Form):
    """Record a request. `people` are the register records the search found (the choices for who it is from)."""

    kind = forms.ChoiceField(label="What are they asking for?", choices=RequestKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose what they are asking for"})
    received_on = DateField(label="Date received", require_all_fields=False,
                            help_text="The day it reached the council, by any route. For example, 27 3 2026")
    person = forms.ChoiceField(label="Who is it from?", widget=forms.RadioSelect,
                               error_messages={"required": "Choose the person, or “Not yet identified”",
                                               "invalid_choice": "Choose the person, or “Not yet identified”"})
    details = forms.CharField(label="Details (optional)", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="How it arrived and what they asked for, in their words. Managers receive no "
                                        "personal data in reminders, only the request number.")
    q = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].error_messages.update({
            "required": "Enter the date received", "incomplete": "Enter the date received, including day, month and year"})
        self.people = {str(p.pk): p for p in people}
        self.fields["person"].choices = [
            *(Choice(str(p.pk), p.full_name, hint=", ".join(v for v in (p.address, p.postcode, p.phone) if v) or None) for p in people),
            Choice(NOT_IDENTIFIED, "Not yet identified", hint="Record it now: the deadline runs from the day it was received."),
        ]
        self.helper = _helper(self, Field.radios("kind", small=True), Field("received_on"), Field.radios("person", small=True),
                              Field.textarea("details", rows=4), Field("q"))

    def clean_received_on(self):
        value = self.cleaned_data["received_on"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date received must be today or in the past")
        return value

    @property
    def chosen_person(self):
        return self.people.get(self.cleaned_data.get("person"))


class IdentifyForm(forms.Form):
    person = forms.ChoiceField(label="Who is it from?", widget=forms.RadioSelect,
                               error_messages={"required": "Choose the person", "invalid_choice": "Choose the person"})
    q = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            Choice(str(p.pk), p.full_name, hint=", ".join(v for v in (p.address, p.postcode, p.phone) if v) or None) for p in people
        ]
        self.helper = _helper(self, Field.radios("person", small=True), Field("q"))


class ExtendForm(forms.Form):
    reason = forms.CharField(label="Why does it need longer?", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="It must be complex, or one of several requests from them. Tell the requester "
                                       "before the original due date.",
                             error_messages={"required": "Give the reason for the extension"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, Field.textarea("reason", rows=3))


class ThirdPartyForm(forms.Form):
    decision = forms.ChoiceField(label="Redact or disclose?", widget=forms.RadioSelect,
                                 choices=[Choice(ThirdParty.Decision.REDACT, "Redact",
                                                 hint="Their name, phone, email and address are replaced everywhere in the bundle."),
                                          Choice(ThirdParty.Decision.DISCLOSE, "Disclose",
                                                 hint="They agreed, or it is reasonable to disclose without their consent.")],
                                 error_messages={"required": "Choose whether to redact or disclose them"})
    reason = forms.CharField(label="Reason", required=False, max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Needed to disclose: their consent, or why it is reasonable without it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, Field.radios("decision", small=True), Field.textarea("reason", rows=3))

    def clean(self):
        data = super().clean()
        if data.get("decision") == ThirdParty.Decision.DISCLOSE and not data.get("reason", "").strip():
            self.add_error("reason", "Give the reason for disclosing them: their consent, or why it is reasonable without it")
        return data


class ReleaseForm(forms.Form):
    method = forms.ChoiceField(label="How is the bundle being sent?", widget=forms.RadioSelect,
                               choices=[(m, m) for m in RELEASE_METHODS],
                               error_messages={"required": "Choose how the bundle is being sent"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, Field.radios("method", small=True))


class CloseForm(forms.Form):
    outcome_basis = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect,
                                      error_messages={"required": "Choose the outcome", "invalid_choice": "Choose the outcome"})
    outcome = forms.CharField(label="What was done, and why", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "Say what was done and why"})

    def __init__(self, *args, bases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.bases = {b.key: b for b in bases}
        self.fields["outcome_basis"].choices = [(b.key, b.label) for b in bases]
        self.helper = _helper(self, Field.radios("outcome_basis", small=True), Field.textarea("outcome", rows=4))

    @property
    def basis(self):
        return self.bases[self.cleaned_data["outcome_basis"]]
