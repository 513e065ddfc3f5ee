"""Forms for the retention screens: a rule's period and a legal hold's reason. Rules live in the services."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from .services.retention import KEEP_DAYS_MAX


def _helper(form, *fields) -> FormHelper:
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.layout = Layout(*fields)
    return helper


class RuleForm(forms.Form):
    submit_label = "Save the period"
    keep_days = forms.IntegerField(
        label="Keep for (days)", min_value=1, max_value=KEEP_DAYS_MAX,
        help_text="For example, 2190 for six years. Between 1 and 36,500.",
        error_messages={"required": "Enter how many days to keep these records",
                        "invalid": "Enter the number of days as a whole number, like 2190",
                        "min_value": "Enter at least 1 day",
                        "max_value": f"Enter {KEEP_DAYS_MAX:,} days or fewer"},
    )
    reason = forms.CharField(label="Why this period?", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="The source of the period, for example the council's retention schedule.",
                             error_messages={"required": "Give the reason for this period",
                                             "max_length": "The reason must be 300 characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, Field.text("keep_days", field_width=5), Field.textarea("reason", rows=3))


class HoldForm(forms.Form):
    submit_label = "Place the legal hold"
    reason = forms.CharField(label="Why is it on hold?", max_length=300, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text="For example, court proceedings, a complaint or an inquiry. Shown to staff on the case.",
                             error_messages={"required": "Give the reason for the legal hold",
                                             "max_length": "The reason must be 300 characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, Field.textarea("reason", rows=3))
