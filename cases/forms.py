"""Staff forms: every form used to work a case. Services enforce the rules; forms parse input."""

from datetime import datetime, time

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from . import sla
from .filters import OfficerChoiceField, staff_officers
from .form_fields import DateField, PhoneField, PostcodeField
from .models import (
    ActionStatus,
    ActionType,
    CaseStatus,
    ClosureReason,
    ContactMethod,
    ContactPrompt,
    CustomerGroup,
    Direction,
    PartnerAgency,
    PartyRole,
    PreferredContactMethod,
    ReferralStatus,
    Visibility,
)
from .policy import parties_visible_to

YES_NO = [("yes", "Yes"), ("no", "No")]


def _date_field(label, *, required=True, help_text="For example, 27 3 2026"):
    field = DateField(label=label, required=required, help_text=help_text, require_all_fields=False)
    field.error_messages.update({"required": f"Enter the {label.lower()}", "incomplete": f"Enter the {label.lower()}, including day, month and year"})
    return field


class CaseForm(forms.Form):
    """A form about one case. `version` carries the case's version for the stale-edit check."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submit_label = "Save"

    def __init__(self, *args, case, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        self.user = user
        self._parties = None
        self.fields["version"].initial = case.version
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL

    @property
    def expected_version(self):
        return self.cleaned_data.get("version")

    def visible_parties(self) -> list:
        """The case's people this user may see (cases.policy), read once per form; nobody without a user."""
        if self._parties is None:
            self._parties = list(parties_visible_to(self.user, self.case).order_by("id"))
        return self._parties

    def party_choices(self, *, roles=None, people_only=False):
        parties = [p for p in self.visible_parties() if (roles is None or p.role in roles) and not (people_only and p.is_unknown)]
        return [(p.pk, f"{p} ({p.get_role_display().lower()})") for p in parties]

    def party(self, field="party"):
        pk = self.cleaned_data.get(field)
        return next((p for p in self.visible_parties() if str(p.pk) == str(pk)), None) if pk else None


class ContactForm(CaseForm):
    submit_label = "Save contact"
    party = forms.ChoiceField(label="Who", widget=forms.RadioSelect, error_messages={"required": "Select who the contact was with"})
    method = forms.ChoiceField(label="How", choices=ContactMethod.choices, widget=forms.RadioSelect, error_messages={"required": "Select how"})
    direction = forms.ChoiceField(label="Who made contact", choices=Direction.choices, widget=forms.RadioSelect, initial=Direction.OUT)
    successful = forms.TypedChoiceField(
        label="Did you speak to them or get the message to them?",
        choices=[("yes", "Yes"), ("no", "No, it was an attempt (no answer, letter returned, nobody in)")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": "Select whether contact was made"},
    )
    gave_update = forms.BooleanField(label="They were told about progress on the case (counts as an update)", required=False)
    final_update = forms.BooleanField(label="This is the final update before closing the case", required=False)
    occurred_on = _date_field("Date of the contact")
    occurred_time = forms.TimeField(label="Time (optional)", required=False, widget=forms.TextInput,
                                    help_text="For example, 14:30. Leave it empty to use the time now",
                                    error_messages={"invalid": "Enter a time like 14:30"})
    summary = forms.CharField(label="Summary", widget=forms.Textarea(attrs={"rows": 4}), max_length=5000,
                              error_messages={"required": "Summarise the contact"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = self.party_choices(people_only=True)
        # Shown beside the form: how each person can be reached, so the officer need not go back to the case.
        self.people = [p for p in self.visible_parties() if not p.is_unknown]
        self.fields["occurred_on"].initial = timezone.localdate()
        # What to ask each person at this contact (an app above cases put it there: "Case Review explained?"): one
        # yes/no question per open prompt, answered when the contact is a successful one with that person.
        by_id = {p.pk: p for p in self.people}
        self.prompts = [prompt for prompt in ContactPrompt.objects.filter(
            case=self.case, party_id__in=list(by_id), answered_at__isnull=True).order_by("created_at", "id")]
        prompt_fields = []
        for prompt in self.prompts:
            prompt.person = by_id[prompt.party_id]
            name = self.prompt_field(prompt)
            label = f"{prompt.question.rstrip('?').strip()} to {prompt.person}?"
            self.fields[name] = forms.TypedChoiceField(
                label=label, choices=YES_NO, coerce=lambda v: v == "yes", required=False, widget=forms.RadioSelect,
                help_text=f"{prompt.guidance} Answer if you spoke to {prompt.person}.",
                error_messages={"invalid_choice": f"Select yes or no: {label}"},
            )
            prompt_fields.append(Field.radios(name, small=True, inline=True))
        self.helper.layout = Layout(
            Field.radios("party", small=True), Field.radios("method", small=True), Field.radios("direction", small=True),
            Field.radios("successful", small=True), *prompt_fields, Field.checkbox("gave_update", small=True),
            Field.checkbox("final_update", small=True), Field("occurred_on"), Field.text("occurred_time", field_width=5),
            Field.textarea("summary", rows=4),
        )

    @staticmethod
    def prompt_field(prompt) -> str:
        return f"prompt_{prompt.pk}"

    def clean(self):
        data = super().clean()
        day = data.get("occurred_on")
        if day:
            at = datetime.combine(day, data.get("occurred_time") or timezone.localtime().time().replace(microsecond=0), tzinfo=sla.LONDON)
            if at > timezone.now():
                self.add_error("occurred_on", "The contact must be now or in the past")
            data["occurred_at"] = at
        party = self.party()
        if party is not None and data.get("successful"):
            for prompt in self.prompts:
                name = self.prompt_field(prompt)
                if prompt.party_id == party.pk and data.get(name) in (None, ""):
                    self.add_error(name, f"Select yes or no: {self.fields[name].label}")
        return data

    def prompt_answers(self) -> dict[int, bool] | None:
        """{prompt id: yes/no} for the chosen person's open prompts, when the contact was a successful one with them."""
        party = self.party()
        if party is None or not self.cleaned_data.get("successful"):
            return None
        answers = {}
        for prompt in self.prompts:
            answer = self.cleaned_data.get(self.prompt_field(prompt))
            if prompt.party_id == party.pk and answer in (True, False):
                answers[prompt.pk] = answer
        return answers or None


class RiskAssessmentForm(CaseForm):
    submit_label = "Save risk assessment"
    party = forms.ChoiceField(label="Who is this assessment for?", required=False, widget=forms.RadioSelect)
    notes = forms.CharField(label="Notes (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, question_set, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].choices = self.party_choices(roles={PartyRole.VICTIM, PartyRole.COMPLAINANT, PartyRole.REPORTER}, people_only=True)
        self.questions = list(question_set.questions.all())
        layout = [Field.radios("party", small=True)]
        for q in self.questions:
            name = f"q{q.pk}"
            self.fields[name] = forms.ChoiceField(
                label=q.text, help_text=q.hint, choices=YES_NO, widget=forms.RadioSelect,
                error_messages={"required": f"Answer: {q.text}"},
            )
            layout.append(Field.radios(name, small=True, inline=False))
        layout.append(Field.textarea("notes", rows=3))
        self.helper.layout = Layout(*layout)

    def answers(self) -> dict[int, bool]:
        return {q.pk: self.cleaned_data[f"q{q.pk}"] == "yes" for q in self.questions}


class PartyForm(CaseForm):
    submit_label = "Save"
    role = forms.ChoiceField(label="Their part in the case", choices=PartyRole.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select their part in the case"})
    is_unknown = forms.BooleanField(label="Not a known person: unknown people or a group", required=False)
    full_name = forms.CharField(label="Full name", required=False, max_length=200)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="For unknown people or a group: who they are, how many, how to recognise them")
    date_of_birth = _date_field("Date of birth", required=False, help_text="If known. Some actions have minimum ages")
    phone = PhoneField(label="Phone", required=False)
    email = forms.EmailField(label="Email", required=False,
                             error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"})
    address = forms.CharField(label="Address", required=False, max_length=300)
    postcode = PostcodeField(label="Postcode", required=False)
    preferred_contact_method = forms.ChoiceField(label="Preferred contact method", required=False, widget=forms.RadioSelect,
                                                 choices=[("", "Not known"), *PreferredContactMethod.choices])
    best_times = forms.CharField(label="Best times to contact", required=False, max_length=200)
    customer_group = forms.ChoiceField(label="Customer group", required=False, choices=[("", "Not known"), *CustomerGroup.choices])
    support_details = forms.CharField(label="Vulnerability and support needs", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    consent_to_share = forms.TypedChoiceField(label="Consent to share with partner agencies", required=False, widget=forms.RadioSelect,
                                              choices=[("", "Not asked"), ("yes", "Yes"), ("no", "No")],
                                              coerce=lambda v: {"yes": True, "no": False}.get(v), empty_value=None)
    staff_safety_warning = forms.BooleanField(label="Staff safety warning", required=False,
                                              help_text="For example violence, threats, dogs, weapons: shown at the top of the case")
    staff_safety_note = forms.CharField(label="What staff need to know for their safety", required=False, max_length=300)

    FIELDS = ("role", "is_unknown", "full_name", "description", "date_of_birth", "phone", "email", "address", "postcode",
              "preferred_contact_method", "best_times", "customer_group", "support_details", "consent_to_share",
              "staff_safety_warning", "staff_safety_note")

    def __init__(self, *args, party=None, **kwargs):
        super().__init__(*args, **kwargs)
        if party is not None and not self.is_bound:
            for name in self.FIELDS:
                value = getattr(party, name)
                if name == "consent_to_share":
                    value = {True: "yes", False: "no"}.get(value, "")
                self.fields[name].initial = value
        self.helper.layout = Layout(
            Field.radios("role", small=True), Field.checkbox("is_unknown", small=True), Field.text("full_name"),
            Field.textarea("description", rows=3), Field("date_of_birth"), Field.text("phone", field_width=20),
            Field.text("email", field_width=20), Field.text("address"), Field.text("postcode", field_width=10),
            Field.radios("preferred_contact_method", small=True), Field.text("best_times"), Field.select("customer_group"),
            Field.textarea("support_details", rows=3), Field.radios("consent_to_share", small=True),
            Field.checkbox("staff_safety_warning", small=True), Field.text("staff_safety_note"),
        )

    def clean(self):
        data = super().clean()
        if data.get("is_unknown") and not data.get("description", "").strip():
            self.add_error("description", "Describe the unknown people or group")
        if not data.get("is_unknown") and not data.get("full_name", "").strip() and "full_name" not in self.errors:
            self.add_error("full_name", "Enter their full name, or tick 'Not a known person' and describe them")
        born = data.get("date_of_birth")
        if born and born > timezone.localdate():
            self.add_error("date_of_birth", "Date of birth must be in the past")
        if data.get("staff_safety_warning") and not data.get("staff_safety_note", "").strip():
            self.add_error("staff_safety_note", "Say what staff need to know for their safety")
        return data

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class ActionForm(CaseForm):
    submit_label = "Save action"
    action_type = forms.ModelChoiceField(label="Action", queryset=ActionType.objects.filter(is_active=True), empty_label=None,
                                         widget=forms.RadioSelect, error_messages={"required": "Select the action"})
    perpetrator = forms.ChoiceField(label="Against", required=False, widget=forms.RadioSelect)
    served_on = _date_field("Date served or agreed", required=False, help_text="Leave blank if it is planned")
    review_on = _date_field("Review date", required=False, help_text="Optional")
    expires_on = _date_field("Expiry date", required=False, help_text="Optional: set from the action type's usual length if left blank")
    details = forms.CharField(label="Details", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["perpetrator"].choices = [("", "No one in particular"), *self.party_choices(roles={PartyRole.PERPETRATOR})]
        self.helper.layout = Layout(
            Field.radios("action_type", small=True), Field.radios("perpetrator", small=True), Field("served_on"),
            Field("review_on"), Field("expires_on"), Field.textarea("details", rows=3),
        )


class ActionUpdateForm(CaseForm):
    submit_label = "Save"
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices, widget=forms.RadioSelect)
    review_on = _date_field("Review date", required=False, help_text="Optional")
    expires_on = _date_field("Expiry date", required=False, help_text="Optional")
    outcome = forms.CharField(label="Outcome", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        if not self.is_bound:
            for name in ("status", "review_on", "expires_on", "outcome"):
                self.fields[name].initial = getattr(action, name)
        self.helper.layout = Layout(Field.radios("status", small=True), Field("review_on"), Field("expires_on"), Field.textarea("outcome", rows=3))


class BreachForm(CaseForm):
    submit_label = "Record breach"
    occurred_on = _date_field("Date of the breach")
    description = forms.CharField(label="What happened", widget=forms.Textarea(attrs={"rows": 3}), error_messages={"required": "Describe the breach"})

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.helper.layout = Layout(Field("occurred_on"), Field.textarea("description", rows=3))


class ReferralForm(CaseForm):
    submit_label = "Save referral"
    agency = forms.ModelChoiceField(label="Partner agency", queryset=PartnerAgency.objects.filter(is_active=True), empty_label=None,
                                    widget=forms.RadioSelect, error_messages={"required": "Select the partner agency"})
    referred_on = _date_field("Date referred")
    reason = forms.CharField(label="Reason for the referral", widget=forms.Textarea(attrs={"rows": 4}),
                             error_messages={"required": "Give the reason for the referral"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referred_on"].initial = timezone.localdate()
        self.helper.layout = Layout(Field.radios("agency", small=True), Field("referred_on"), Field.textarea("reason", rows=4))


class ReferralUpdateForm(CaseForm):
    submit_label = "Save"
    status = forms.ChoiceField(label="Status", choices=ReferralStatus.choices, widget=forms.RadioSelect)
    responded_on = _date_field("Date of the response", required=False, help_text="Optional")
    response = forms.CharField(label="Their response", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        if not self.is_bound:
            for name in ("status", "responded_on", "response"):
                self.fields[name].initial = getattr(referral, name)
        self.helper.layout = Layout(Field.radios("status", small=True), Field("responded_on"), Field.textarea("response", rows=3))


class NoteForm(CaseForm):
    submit_label = "Save note"
    text = forms.CharField(label="Note", widget=forms.Textarea(attrs={"rows": 6}), error_messages={"required": "Enter the note"})
    visibility = forms.ChoiceField(label="Who can see it", choices=Visibility.choices, initial=Visibility.STAFF, widget=forms.RadioSelect)
    occurred_on = _date_field("Diary date", required=False, help_text="Optional: when it happened, if you are writing it up later")
    occurred_time = forms.TimeField(label="Time", required=False, widget=forms.TextInput, error_messages={"invalid": "Enter a time like 14:30"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visibility"].choices = [
            (Visibility.INTERNAL, "Internal: the ASB team only"),
            (Visibility.STAFF, "Staff working on the case"),
            (Visibility.RESIDENT, "Can be shared with the resident"),
            (Visibility.PARTNERS, "Shared with partner agencies"),
        ]
        self.helper.layout = Layout(Field.textarea("text", rows=6), Field.radios("visibility", small=True), Field("occurred_on"),
                                    Field.text("occurred_time", field_width=5))

    def clean(self):
        data = super().clean()
        day = data.get("occurred_on")
        data["occurred_at"] = None
        if day:
            at = datetime.combine(day, data.get("occurred_time") or time(12, 0), tzinfo=sla.LONDON)
            if at > timezone.now():
                self.add_error("occurred_on", "The diary date must be today or in the past")
            data["occurred_at"] = at
        return data


class EvidenceForm(CaseForm):
    submit_label = "Upload"
    file = forms.FileField(label="File", error_messages={"required": "Choose a file to upload"})
    description = forms.CharField(label="What is it? (optional)", required=False, max_length=500)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field("file"), Field.text("description"))


class StatusForm(CaseForm):
    submit_label = "Change status"
    to_status = forms.ChoiceField(label="New status", widget=forms.RadioSelect, error_messages={"required": "Select the new status"})
    reason = forms.CharField(label="Reason", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="Needed when reopening a closed case")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Every status except closing (which has its own form) and the current one; the service checks the map.
        self.fields["to_status"].choices = [(s, label) for s, label in CaseStatus.choices if s not in (CaseStatus.CLOSED, self.case.status)]
        self.helper.layout = Layout(Field.radios("to_status", small=True), Field.textarea("reason", rows=3))


class CloseForm(CaseForm):
    submit_label = "Close case"
    reason = forms.ChoiceField(label="Why is the case closing?", widget=forms.RadioSelect,
                               choices=[c for c in ClosureReason.choices if c[0] != ClosureReason.MERGED],
                               error_messages={"required": "Select why the case is closing"})
    note = forms.CharField(label="Closing summary (optional)", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("reason", small=True), Field.textarea("note", rows=3))


class AssignForm(CaseForm):
    submit_label = "Assign"
    officer = OfficerChoiceField(label="Officer", queryset=staff_officers(), empty_label=None, widget=forms.RadioSelect,
                                 error_messages={"required": "Select the officer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].initial = self.case.officer_id
        self.helper.layout = Layout(Field.radios("officer", small=True))


class MergeForm(CaseForm):
    submit_label = "Merge"
    into = forms.CharField(label="Reference of the case to keep", max_length=20, help_text="For example, ASB-2026-00042",
                           error_messages={"required": "Enter the reference of the case to keep"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.text("into", field_width=20))


class CaseEditForm(CaseForm):
    submit_label = "Save"
    category = forms.ModelChoiceField(label="Category", queryset=None, empty_label=None)
    address = forms.CharField(label="Address", required=False, max_length=300)
    postcode = PostcodeField(label="Postcode", required=False)
    location_description = forms.CharField(label="About the place", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    hate_motivated = forms.BooleanField(label="Hate motivated", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import Category

        self.fields["category"].queryset = Category.objects.all()
        if not self.is_bound:
            for name in ("category", "address", "postcode", "location_description", "hate_motivated"):
                self.fields[name].initial = getattr(self.case, name)
        self.helper.layout = Layout(Field.select("category"), Field.text("address"), Field.text("postcode", field_width=10),
                                    Field.textarea("location_description", rows=2), Field.checkbox("hate_motivated", small=True))


class LookupForm(forms.Form):
    q = forms.CharField(label="Reference, phone number or address", max_length=100)



class ClosureDayForm(forms.Form):
    day = _date_field("Date the council is closed")
    reason = forms.CharField(label="Reason", max_length=100, error_messages={"required": "Enter the reason, for example Staff training day"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field("day"), Field.text("reason"))

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise forms.ValidationError("The date must be today or in the future")
        return day
