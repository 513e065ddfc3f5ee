"""Forms for the threshold screens: closing a flag, a threshold rule, the timescales. The rules live in the services
(casereview.services.rules, casereview.services.flags)."""

from datetime import UTC, datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from cases.policy import Can, users_who_can

from .models import RuleKind
from .services.rules import ACT_CAP, MAX_MONTHS, MAX_REPORTS, MIN_MONTHS, MIN_REPORTS, TIMESCALE_LIMITS

# A token our page never sends: a form carrying it is treated as stale, never as fresh.
FORGED = datetime(1970, 1, 1, tzinfo=UTC)


def _helper(form, *fields) -> FormHelper:
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    helper.layout = Layout(*fields)
    return helper


def _number(label, low, high, *, help_text="", what="a number"):
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, help_text=help_text,
        error_messages={"required": f"Enter {what}", "invalid": f"Enter {what} as a whole number, like {low + 1 if high > low else low}",
                        "min_value": f"Enter at least {low}", "max_value": f"Enter {high} or fewer"},
    )


class SeenForm(forms.Form):
    """Carries the row's `updated_at` when the page was drawn (`seen`), for the stale-edit check."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, row=None, **kwargs):
        super().__init__(*args, **kwargs)
        if row is not None and getattr(row, "updated_at", None):
            self.fields["seen"].initial = row.updated_at.isoformat()

    def clean_seen(self):
        value = self.cleaned_data.get("seen") or ""
        if not value:
            return None
        try:
            seen = datetime.fromisoformat(value)
        except ValueError:
            return FORGED
        return seen if seen.tzinfo else FORGED


class FlagCloseForm(forms.Form):
    submit_label = "Close the flag"
    note = forms.CharField(
        label="How was it dealt with?", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example, 'Application CR-2026-0003 made' or 'Explained by phone on 3 June; she does not want a review'.",
        error_messages={"required": "Say how the threshold was dealt with", "max_length": "The note must be 300 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, Field.textarea("note", rows=3))

    def clean_note(self):
        note = self.cleaned_data["note"].strip()
        if not note:
            raise forms.ValidationError("Say how the threshold was dealt with")
        return note


class RuleForm(SeenForm):
    submit_label = "Save the rule"
    kind = forms.ChoiceField(label="What must happen", choices=RuleKind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Select what must happen", "invalid_choice": "Select what must happen"})
    min_reports = _number(
        "How many reports (or, for different people, how many people)", MIN_REPORTS, MAX_REPORTS, what="how many reports",
        help_text=(f"The Act does not let a council require more than {ACT_CAP} qualifying complaints: a higher number can "
                   "stop a victim the law entitles to a review from getting one. A hate incident rule usually needs 1."),
    )
    window_months = _number("Within how many months", MIN_MONTHS, MAX_MONTHS, what="the number of months",
                            help_text="Counted back from the day the threshold is judged. The Act allows six months.")
    is_active = forms.BooleanField(label="The rule is in force", required=False, initial=True)
    counts_diary_entries = forms.BooleanField(
        label="Count each entry in a resident's online incident diary as a report", required=False, initial=True,
        help_text="Switch this off if the council counts only reports made to it, not diary sheets.",
    )
    display_order = _number("Order on the page", 0, 1000, what="the order", help_text="Smaller numbers come first.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_order"].initial = 100
        self.fields["min_reports"].initial = 3
        self.fields["window_months"].initial = 6
        self.helper = _helper(self, "seen", Field.radios("kind", small=True), Field.text("min_reports", field_width=2),
                              Field.text("window_months", field_width=2), Field.checkbox("is_active", small=True),
                              Field.checkbox("counts_diary_entries", small=True), Field.text("display_order", field_width=3))


class SpocChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


TIMESCALE_LABELS = {
    "acknowledge_days": ("Acknowledge an application within", "Working days from receipt."),
    "decision_days": ("Decide whether the threshold is met within", "Working days from receipt."),
    "meeting_days": ("Hold the review meeting within", "Working days from the threshold decision."),
    "outcome_days": ("Send the outcome within", "Working days from the review meeting."),
    "escalation_request_days": ("An applicant may ask for the handling to be looked at again within",
                                "Working days from the outcome, or from the decision not to hold a review."),
    "escalation_decision_days": ("Decide a request to look again within", "Working days from the request."),
}


class TimescalesForm(SeenForm):
    submit_label = "Save the timescales"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, hint) in TIMESCALE_LABELS.items():
            self.fields[name] = _number(f"{label} (working days)", 1, TIMESCALE_LIMITS[name], help_text=hint,
                                        what="the number of working days")
        self.fields["default_spoc"] = SpocChoiceField(
            label="Single point of contact for new applications (optional)", required=False, empty_label="Nobody yet",
            queryset=users_who_can(Can.WORK_CASE_REVIEWS).order_by("first_name", "last_name", "username"),
            help_text="They keep applicants updated. A manager can choose someone else for any application.",
            error_messages={"invalid_choice": "Choose someone from the list"},
        )
        self.helper = _helper(self, "seen", *[Field.text(name, field_width=2) for name in TIMESCALE_LABELS], Field.select("default_spoc"))
