"""What every page of the journey shares: the StepForm base, choices and labels."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Size
from django import forms

SUPPORT_NEEDS = [
    ("disability", "Disability"),
    ("health", "Long-term physical or mental health condition"),
    ("older", "Older person living alone"),
    ("children", "Children in the household"),
    ("language", "Needs an interpreter or information in another format"),
    ("other", "Other support needs"),
]
HATE_CHARACTERISTICS = [
    ("race", "Race or ethnicity"),
    ("religion", "Religion or belief"),
    ("sexual_orientation", "Sexual orientation"),
    ("disability", "Disability"),
    ("transgender", "Transgender identity"),
    ("other", "Something else"),
]
BEST_TIMES = [("morning", "Morning (9am to 12pm)"), ("afternoon", "Afternoon (12pm to 5pm)"), ("evening", "Evening (5pm to 8pm)")]
YES_NO_NOT_SURE = [("yes", "Yes"), ("no", "No"), ("not_sure", "Not sure")]


def _label(choices, value):
    return dict(choices).get(value, value)


class StepForm(forms.Form):
    """A page of the journey. `title` is the page's question; `summary()` feeds check your answers."""

    title = ""
    staff_title = ""
    # True where the page has one question whose legend is the page's <h1>.
    question_is_heading = False

    def __init__(self, *args, for_staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_staff = for_staff
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL if for_staff else Size.MEDIUM
        self.helper.legend_size = Size.SMALL if for_staff else Size.MEDIUM
        if for_staff:
            for name, label in getattr(self, "staff_labels", {}).items():
                if name in self.fields:
                    self.fields[name].label = label
            for name, message in getattr(self, "staff_required_messages", {}).items():
                if name in self.fields:
                    self.fields[name].error_messages["required"] = message
        for name, field in self.fields.items():
            if getattr(field, "max_length", None):
                what = str(field.label or name).replace(" (optional)", "")
                field.error_messages["max_length"] = f"{what} must be {field.max_length} characters or fewer"
            if name.endswith("postcode"):
                field.error_messages["max_length"] = "Enter a real postcode, like LE18 1AA"

    def heading(self):
        return self.staff_title if self.for_staff and self.staff_title else self.title

    def summary(self) -> list[tuple[str, str]]:
        return []
