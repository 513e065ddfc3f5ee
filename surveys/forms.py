"""The survey questions, in our own words, following the service promises."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms

from .models import AGREE, SCALE


def _radios(label, choices, message):
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, error_messages={"required": message})


class SurveyForm(forms.Form):
    overall = _radios("Overall, how satisfied are you with how we handled your report?", SCALE, "Select how satisfied you are overall")
    treated_fairly = _radios("We treated you fairly and with respect", AGREE, "Select how much you agree that we treated you fairly")
    listened_to = _radios("We listened to you", AGREE, "Select how much you agree that we listened to you")
    kept_updated = _radios("We kept you up to date", AGREE, "Select how much you agree that we kept you up to date")
    first_contact_speed = _radios("We contacted you quickly after your report", AGREE, "Select how much you agree that we contacted you quickly")
    staff_polite = _radios("Our staff were polite and knew what they were doing", AGREE, "Select how much you agree that our staff were polite")
    comments = forms.CharField(label="What could we do better? (optional)", required=False, max_length=3000,
                               widget=forms.Textarea(attrs={"rows": 5}))
    may_contact = forms.TypedChoiceField(label="May we contact you about your answers?", choices=[("yes", "Yes"), ("no", "No")],
                                         coerce=lambda v: v == "yes", widget=forms.RadioSelect,
                                         error_messages={"required": "Select whether we may contact you about your answers"})

    def __init__(self, *args, for_staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        size = Size.SMALL if for_staff else Size.MEDIUM
        self.helper.layout = Layout(
            *[Field.radios(name, legend_size=size, small=for_staff) for name in
              ("overall", "treated_fairly", "listened_to", "kept_updated", "first_contact_speed", "staff_polite")],
            Field.textarea("comments", rows=5),
            Field.radios("may_contact", legend_size=size, small=for_staff),
        )

    def answers(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k not in ("comments", "may_contact")}


class PhoneSurveyStartForm(forms.Form):
    # The choices are set per case and user, from the survey selectors (which start from the access policy).
    party = forms.ModelChoiceField(queryset=None, label="Who", widget=forms.RadioSelect, empty_label=None,
                                   error_messages={"required": "Select who you are asking"})

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import people_to_ask

        self.fields["party"].queryset = people_to_ask(user, case)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field.radios("party", small=True, legend_size=Size.SMALL))


class CommentActionForm(forms.Form):
    text = forms.CharField(label="What we did", widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Say what was done about the comment"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(Field.textarea("text", rows=3))
