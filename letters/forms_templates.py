"""The form a manager edits a letter or notice template with. It parses input and names problems beside the field;
the rules (letters.fields.wording_problems, versions) live in letters.services.templates."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from .fields import wording_problems
from .services.templates import HEADING_MAX, WORDING_MAX, wording_normalise


class TemplateForm(forms.Form):
    heading = forms.CharField(label="Heading", max_length=HEADING_MAX,
                              help_text="The title printed at the top, for example Community Protection Warning.",
                              error_messages={"required": "Enter a heading",
                                              "max_length": f"The heading must be {HEADING_MAX} characters or fewer"})
    wording = forms.CharField(label="Wording", max_length=WORDING_MAX, widget=forms.Textarea(attrs={"rows": 24}),
                              help_text="Plain text. Leave a blank line between paragraphs. Put a placeholder in "
                                        "braces, like {case_reference}, where a value from the case goes.",
                              error_messages={"required": "Enter the wording",
                                              "max_length": f"The wording must be {WORDING_MAX:,} characters or fewer"})
    # The version the manager started from: a stale or missing one is refused by the service, not the form.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.text("heading"), Field.textarea("wording"), Field("version"))

    def clean_heading(self):
        return " ".join((self.cleaned_data.get("heading") or "").replace("\x00", "").split())

    def clean_wording(self):
        return wording_normalise(self.cleaned_data.get("wording"))

    def clean_version(self):
        value = (self.cleaned_data.get("version") or "").strip()
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None

    def clean(self):
        data = super().clean()
        if "heading" in data and "wording" in data:
            for problem in wording_problems(self.kind, data["heading"], data["wording"]):
                self.add_error("heading" if problem.startswith(("Enter a heading", "The heading")) else "wording", problem)
        return data
