"""Forms of the partner screens. They parse input; the services in cases.services.partner_work decide."""

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator

from cases.services.partner_work import NOTE_MAX_LENGTH


class _Form(forms.Form):
    submit_label = "Save"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL


class CaseSearchForm(forms.Form):
    q = forms.CharField(label="Case reference", required=False, max_length=30,
                        error_messages={"max_length": "A case reference is 30 characters or fewer"})


class PartnerNoteForm(_Form):
    submit_label = "Send update"
    text = forms.CharField(
        label="Your update", widget=forms.Textarea, max_length=NOTE_MAX_LENGTH,
        help_text="The ASB team sees it on the case, marked as from your agency. Do not use it for an emergency: phone 999.",
        error_messages={"required": "Enter your update", "max_length": f"Your update must be {NOTE_MAX_LENGTH:,} characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("text", rows=6, max_characters=NOTE_MAX_LENGTH))


class ReferralAnswerForm(_Form):
    submit_label = "Send answer"
    step = "answer"  # posted as a hidden field: tells this form's posts from the outcome form's
    answer = forms.ChoiceField(
        label="Will your agency take this referral?", widget=forms.RadioSelect,
        choices=[("accept", "Yes, we accept it"), ("decline", "No, we decline it")],
        error_messages={"required": "Select whether your agency accepts the referral"},
    )
    reason = forms.CharField(
        label="Reason or note", required=False, widget=forms.Textarea, max_length=NOTE_MAX_LENGTH,
        help_text="Needed if you decline: the officer reads it on the case",
        error_messages={"max_length": f"The reason must be {NOTE_MAX_LENGTH:,} characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("answer", small=True), Field.textarea("reason", rows=4))

    def clean(self):
        data = super().clean()
        if data.get("answer") == "decline" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Give the reason for declining the referral")
        return data


class ReferralOutcomeForm(_Form):
    submit_label = "Record outcome"
    step = "outcome"
    outcome = forms.CharField(
        label="Outcome", widget=forms.Textarea, max_length=NOTE_MAX_LENGTH,
        help_text="What your agency did. This completes the referral.",
        error_messages={"required": "Enter the outcome of the referral",
                        "max_length": f"The outcome must be {NOTE_MAX_LENGTH:,} characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.textarea("outcome", rows=4))


class AgencyUserForm(_Form):
    submit_label = "Add user"
    first_name = forms.CharField(label="First name", max_length=150, error_messages={"required": "Enter their first name"})
    last_name = forms.CharField(label="Last name", max_length=150, error_messages={"required": "Enter their last name"})
    email = forms.EmailField(
        label="Email address", max_length=254, help_text="We send a link to set a password here",
        # A TextInput (typed email): crispy-forms-gds marks only TextInput, Textarea and Select in red on an error.
        widget=forms.TextInput(attrs={"input_type": "email", "autocomplete": "email", "spellcheck": "false"}),
        error_messages={"required": "Enter their email address", "invalid": "Enter an email address like name@example.org"},
    )
    username = forms.CharField(
        label="Username", max_length=150, validators=[UnicodeUsernameValidator()],
        help_text="Letters, digits and @ . + - _ only. They sign in with it.",
        error_messages={"required": "Enter a username"},
    )
    is_lead = forms.TypedChoiceField(
        label="What can they do?", widget=forms.RadioSelect, coerce=lambda v: v == "yes", initial="no",
        choices=[("no", "Partner user: works the cases shared with the agency"),
                 ("yes", "Partner lead: also manages the agency's users and reads its access log")],
        error_messages={"required": "Select what they can do"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].validators[-1].message = "A username can have only letters, digits and @ . + - _"
        self.helper.layout = Layout(
            Field.text("first_name", field_width=20), Field.text("last_name", field_width=20), Field.text("email", field_width=30),
            Field.text("username", field_width=20), Field.radios("is_lead", small=True),
        )


class AgencyUserChangeForm(forms.Form):
    """One button on the team page: deactivate, reactivate, make lead, make user."""

    change = forms.ChoiceField(choices=[(c, c) for c in ("deactivate", "reactivate", "make_lead", "make_user")])


class AccessLogFilterForm(forms.Form):
    user = forms.TypedChoiceField(label="User", required=False, coerce=int, empty_value=None)
    reference = forms.CharField(label="Case reference", required=False, max_length=30,
                                widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
                                error_messages={"max_length": "A case reference is 30 characters or fewer"})

    def __init__(self, *args, users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Everyone"), *[(u["id"], f"{u['name']} ({u['username']})") for u in users]]
