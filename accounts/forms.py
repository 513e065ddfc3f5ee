"""Sign-in forms: username and password, the security code, the manager's reset reason, a new password."""

import re

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm


class StaffLoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account is not active. Ask your manager to reactivate it.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.layout = Layout(Field.text("username", field_width=20), Field.text("password", field_width=20))


class CodeForm(forms.Form):
    """A 6-digit code from an authenticator app. Spaces and dashes people copy in are ignored."""

    token = forms.CharField(
        label="Code",
        help_text="The code changes every 30 seconds.",
        max_length=20,
        error_messages={"required": "Enter the 6-digit code from your authenticator app"},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, *args, label="Code", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].label = label
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.text("token", field_width=5))

    def clean_token(self):
        token = re.sub(r"[\s-]", "", self.cleaned_data["token"])
        if not re.fullmatch(r"\d{6}", token):
            raise forms.ValidationError("Enter the code as 6 digits, for example 123456")
        return token


class TwoFactorResetForm(forms.Form):
    reason = forms.CharField(
        label="Why are you resetting their two-factor sign-in?",
        help_text="For example, they lost their phone. This goes in the sign-in log.",
        max_length=300,
        error_messages={"required": "Enter why you are resetting their two-factor sign-in"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.text("reason"))


class SignInLogFilterForm(forms.Form):
    username = forms.CharField(label="Username", required=False, max_length=150)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.text("username", field_width=20))


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 12 characters. Not a common password, and not all numbers."
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].label = "Confirm new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.SMALL
        self.helper.layout = Layout(Field.text("new_password1", field_width=20), Field.text("new_password2", field_width=20))
