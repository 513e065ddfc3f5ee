"""Forms for the review's stages and the partners' recommendation updates. They parse input; the rules (which
stage, which dates, reasons) live in casereview.services.stages and .recommendations."""

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from cases.forms import _date_field
from cases.models import PartnerAgency

from .models import EscalationOutcome, Participation, RecommendationStatus, Route
from .services.stages import DEFAULT_ESCALATION_DECIDER

YES_NO = [("yes", "Yes"), ("no", "No")]
COUNCIL = "council"


def _yes_no(label, *, hint="", error, yes=None, no=None):
    choices = [Choice("yes", yes or "Yes"), Choice("no", no or "No")]
    return forms.TypedChoiceField(label=label, choices=choices, coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                  help_text=hint, error_messages={"required": error, "invalid_choice": error})


class StageForm(forms.Form):
    """A form that changes an application: it carries the version it was drawn from (a stale or missing one is
    refused by the service, never a form error on a hidden field)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, version=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = version
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL

    def clean_version(self):
        value = (self.cleaned_data.get("version") or "").strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class DecisionForm(StageForm):
    threshold_met = _yes_no("Is the threshold met?", error="Choose whether the threshold is met",
                            hint="Judge it on everything the applicant and the agencies report, not only the council's records.")
    proceeds = _yes_no("Will a review be held?", error="Choose whether a review will be held",
                       hint="When the threshold is met, a review must be held. Below it, you may still hold one "
                            "because of the persistence of the behaviour, the harm caused, or how well agencies "
                            "responded (section 104(5) of the 2014 Act).")
    reasons = forms.CharField(label="Reasons for the decision", max_length=5000, widget=forms.Textarea(attrs={"rows": 5}),
                              help_text="The applicant is told these if no review is held.",
                              error_messages={"required": "Give the reasons for the decision"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("threshold_met", small=True, inline=True),
                                    Field.radios("proceeds", small=True, inline=True), Field.textarea("reasons", rows=5),
                                    Field("version"))

    def clean(self):
        data = super().clean()
        if data.get("threshold_met") is True and data.get("proceeds") is False:
            self.add_error("proceeds", "When the threshold is met a review must be held")
        return data


class MeetingForm(StageForm):
    held_on = _date_field("Date of the meeting")
    chair_name = forms.CharField(label="Who chaired it?", max_length=200, error_messages={"required": "Enter the name of the chair"})
    independent_chair = _yes_no("Was the chair independent?", error="Choose whether the chair was independent",
                                hint="Someone not involved in the agencies' response (recommended practice).")
    agencies_present = forms.ModelMultipleChoiceField(
        label="Which partner agencies were there?", required=False, queryset=PartnerAgency.objects.none(),
        widget=forms.CheckboxSelectMultiple, help_text="The council is always there.",
        error_messages={"invalid_choice": "Choose agencies from the list", "invalid_pk_value": "Choose agencies from the list"})
    others_present = forms.CharField(label="Anyone else (optional)", required=False, max_length=300)
    applicant_participation = forms.ChoiceField(label="How did the applicant take part?", choices=Participation.choices,
                                                widget=forms.RadioSelect,
                                                error_messages={"required": "Choose how the applicant took part"})
    agency_summary = forms.CharField(label="What every agency did about the problem", max_length=20000,
                                     widget=forms.Textarea(attrs={"rows": 6}),
                                     error_messages={"required": "Summarise what every agency did"})
    action_plan = forms.CharField(label="The action plan", max_length=20000, widget=forms.Textarea(attrs={"rows": 6}),
                                  error_messages={"required": "Enter the action plan"})
    victim_consulted = _yes_no("Was the victim consulted on the action plan?",
                               error="Choose whether the victim was consulted on the action plan")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies_present"].queryset = PartnerAgency.objects.filter(is_active=True).order_by("name")
        self.helper.layout = Layout(
            Field("held_on"), Field.text("chair_name"), Field.radios("independent_chair", small=True, inline=True),
            Field.checkboxes("agencies_present", small=True), Field.text("others_present"),
            Field.radios("applicant_participation", small=True), Field.textarea("agency_summary", rows=6),
            Field.textarea("action_plan", rows=6), Field.radios("victim_consulted", small=True, inline=True), Field("version"),
        )

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The meeting date must be today or in the past")
        return day


def _owner_choices(current=None):
    agencies = list(PartnerAgency.objects.filter(is_active=True).order_by("name"))
    if current is not None and current not in agencies:
        agencies.append(current)  # an agency no longer a partner still owns what it owned
    return [(COUNCIL, "The council"), *((str(a.pk), a.name) for a in agencies)]


class RecommendationForm(StageForm):
    """Add (version: the application's) or change (token: the recommendation's last change) a recommendation."""

    text = forms.CharField(label="Recommendation", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                           error_messages={"required": "Enter the recommendation"})
    owner = forms.ChoiceField(label="Who owns it?", widget=forms.RadioSelect,
                              help_text="Partner users of that agency see it (never the applicant's details) and report progress.",
                              error_messages={"required": "Choose who owns it", "invalid_choice": "Choose who owns it"})
    due_on = _date_field("Due date")
    status = forms.ChoiceField(label="Status", choices=RecommendationStatus.choices, widget=forms.RadioSelect,
                               initial=RecommendationStatus.OPEN, error_messages={"required": "Choose the status"})
    progress = forms.CharField(label="Progress (optional)", required=False, max_length=5000,
                               widget=forms.Textarea(attrs={"rows": 3}), help_text="Needed if it was not done: say why.")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, token="", current_owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _owner_choices(current_owner)
        self.fields["token"].initial = token
        self.helper.layout = Layout(Field.textarea("text", rows=4), Field.radios("owner", small=True), Field("due_on"),
                                    Field.radios("status", small=True), Field.textarea("progress", rows=3),
                                    Field("version"), Field("token"))

    def clean(self):
        data = super().clean()
        if data.get("status") == RecommendationStatus.NOT_DONE and not (data.get("progress") or "").strip():
            self.add_error("progress", "Say why it was not done")
        return data

    @property
    def owner_agency(self):
        value = self.cleaned_data.get("owner")
        if not value or value == COUNCIL:
            return None
        return PartnerAgency.objects.filter(pk=int(value), is_active=True).first()


class ProgressForm(forms.Form):
    """A partner agency reports progress on its recommendation."""

    status = forms.ChoiceField(label="Status", choices=RecommendationStatus.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Choose the status", "invalid_choice": "Choose the status"})
    progress = forms.CharField(label="Progress", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                               help_text="What your agency has done. Needed if it was not done: say why.")
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(Field.radios("status", small=True), Field.textarea("progress", rows=4), Field("token"))

    def clean(self):
        data = super().clean()
        if data.get("status") == RecommendationStatus.NOT_DONE and not (data.get("progress") or "").strip():
            self.add_error("progress", "Say why it was not done")
        return data


class OutcomeForm(StageForm):
    letter = forms.CharField(label="The outcome letter", max_length=50000, widget=forms.Textarea(attrs={"rows": 24}),
                             help_text="Drafted from the review. Change anything that needs it before you send it.",
                             error_messages={"required": "Write the outcome letter"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("letter", rows=24), Field("version"))


class EscalationForm(StageForm):
    requested_on = _date_field("Date they asked")
    route = forms.ChoiceField(label="How did they ask?", choices=Route.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Choose how they asked"})
    reasons = forms.CharField(label="Their reasons", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                              error_messages={"required": "Give the applicant's reasons"})
    late_reason = forms.CharField(label="If it is late: why it is accepted (optional)", required=False, max_length=300,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, last_day=None, **kwargs):
        super().__init__(*args, **kwargs)
        if last_day is not None:
            self.fields["late_reason"].help_text = f"The last day to ask was {last_day:%-d %B %Y}. A later request is recorded as late."
        self.helper.layout = Layout(Field("requested_on"), Field.radios("route", small=True), Field.textarea("reasons", rows=4),
                                    Field.textarea("late_reason", rows=2), Field("version"))

    def clean_requested_on(self):
        day = self.cleaned_data["requested_on"]
        if day and day > timezone.localdate():
            raise forms.ValidationError("The date they asked must be today or in the past")
        return day


class EscalationOutcomeForm(StageForm):
    outcome = forms.ChoiceField(label="Outcome", choices=EscalationOutcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Choose the outcome"})
    outcome_summary = forms.CharField(label="What was decided, and why", max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                                      help_text="The applicant is told this.",
                                      error_messages={"required": "Summarise the outcome and the reasons"})
    decided_by_name = forms.CharField(label="Who decided it?", max_length=200, initial=DEFAULT_ESCALATION_DECIDER,
                                      error_messages={"required": "Say who decided it"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("outcome", small=True), Field.textarea("outcome_summary", rows=4),
                                    Field.text("decided_by_name"), Field("version"))
