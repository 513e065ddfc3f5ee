"""Forms for what a resident does from their case page: a diary entry (and its correction), evidence, a call-back,
their contact preference, "it has stopped" and "it has started again". The rules are the services'
(cases.services.resident_actions); these parse and check the shape of what was typed."""

import uuid
from datetime import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from cases import sla
from cases.form_fields import DateField, PhoneField, PostcodeField
from cases.models import PreferredContactMethod
from cases.services.resident_actions import DIARY_OLDEST, TEXT_MAX

from .incident import MultipleFileField

TIME_FORMATS = ["%H:%M", "%H.%M", "%I:%M%p", "%I:%M %p", "%I%p", "%I %p"]


def _clean_text(value: str) -> str:
    return (value or "").replace("\x00", "").strip()


class ResidentForm(forms.Form):
    """A resident's page: a hidden submission key (one record per form, however often it is sent), GOV.UK layout."""

    title = ""
    submit_label = "Send"
    submission_key = forms.UUIDField(widget=forms.HiddenInput, error_messages={
        "required": "Something went wrong with the form. Send it again", "invalid": "Something went wrong with the form. Send it again"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission_key"].initial = uuid.uuid4()
        self.helper = FormHelper(self)
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.label_size = Size.MEDIUM
        self.helper.legend_size = Size.MEDIUM
        for name, field in self.fields.items():
            if getattr(field, "max_length", None):
                what = str(field.label or name).replace(" (optional)", "")
                field.error_messages["max_length"] = f"{what} must be {field.max_length} characters or fewer"

    def clean(self):
        data = super().clean()
        for name, value in list(data.items()):
            if isinstance(value, str):
                data[name] = _clean_text(value)
        return data


def _files_help() -> str:
    return (f"Photos, videos, audio recordings or documents. Up to {settings.EVIDENCE_MAX_FILES} files, each smaller "
            f"than {filesizeformat(settings.EVIDENCE_MAX_BYTES)}.")


class DiaryEntryForm(ResidentForm):
    title = "Add a diary entry"
    submit_label = "Send diary entry"
    happened_on = DateField(label="Date it happened", help_text="For example, 27 3 2026", require_all_fields=False)
    happened_time = forms.TimeField(
        label="Time it happened", help_text="For example, 21:30 or 9:30pm", input_formats=TIME_FORMATS,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Enter the time it happened", "invalid": "Enter a time like 21:30 or 9:30pm"},
    )
    what_happened = forms.CharField(
        label="What happened", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Describe what you saw or heard, in your own words",
        error_messages={"required": "Enter what happened"},
    )
    who_involved = forms.CharField(
        label="Who was involved (optional)", max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Names if you know them, or describe them",
    )
    how_affected = forms.CharField(
        label="How it affected you (optional)", max_length=TEXT_MAX, required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )
    files = MultipleFileField(label="Add photos, videos or documents (optional)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["happened_on"].error_messages.update(
            {"required": "Enter the date it happened", "incomplete": "Enter the date it happened, including day, month and year"})
        self.fields["files"].help_text = _files_help()
        self.helper.layout = Layout(
            "submission_key", Field("happened_on"), Field.text("happened_time", field_width=5),
            Field.textarea("what_happened", rows=6), Field.textarea("who_involved", rows=3),
            Field.textarea("how_affected", rows=3), Field("files"),
        )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > settings.EVIDENCE_MAX_FILES:
            raise ValidationError(f"You can upload up to {settings.EVIDENCE_MAX_FILES} files")
        return files

    def clean(self):
        data = super().clean()
        day, at = data.get("happened_on"), data.get("happened_time")
        if day and at:
            # London wall-clock time as the resident tells it (a time skipped at the clock change is read forwards).
            happened = datetime.combine(day, at).replace(tzinfo=sla.LONDON)
            now = timezone.now()
            if happened > now:
                self.add_error("happened_time" if day == timezone.localdate() else "happened_on",
                               "The date and time it happened must be in the past")
            elif happened < now - DIARY_OLDEST:
                self.add_error("happened_on", "The date it happened must be within the last year")
            else:
                data["happened_at"] = happened
        return data


class DiaryCorrectionForm(DiaryEntryForm):
    title = "Correct a diary entry"
    submit_label = "Send correction"


class EvidenceUploadForm(ResidentForm):
    title = "Upload photos, videos or documents"
    submit_label = "Upload"
    files = MultipleFileField(label="Upload a file", required=True, error_messages={"required": "Select a file to upload"})
    description = forms.CharField(
        label="What do the files show? (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].help_text = _files_help()
        self.helper.layout = Layout("submission_key", Field("files"), Field.textarea("description", rows=3))

    def clean_files(self):
        files = self.cleaned_data["files"]
        if not files:
            raise ValidationError("Select a file to upload")
        if len(files) > settings.EVIDENCE_MAX_FILES:
            raise ValidationError(f"You can upload up to {settings.EVIDENCE_MAX_FILES} files")
        return files


class CallbackForm(ResidentForm):
    title = "Ask us to call you back"
    submit_label = "Ask for a call back"
    phone = PhoneField(label="Phone number", help_text="For example, 0116 2888 961 or 07700 900 982",
                       error_messages={"required": "Enter a phone number"})
    best_time = forms.CharField(label="When is the best time to call? (optional)", max_length=300, required=False,
                                help_text="For example, weekday evenings")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "type": "tel"})
        self.helper.layout = Layout("submission_key", Field.text("phone", field_width=20), Field.text("best_time"))


class ContactPreferenceForm(ResidentForm):
    title = "How would you like us to contact you?"
    submit_label = "Save"
    method = forms.ChoiceField(label="How would you like us to contact you?", choices=PreferredContactMethod.choices,
                               widget=forms.RadioSelect,
                               error_messages={"required": "Select how you would like us to contact you",
                                               "invalid_choice": "Select how you would like us to contact you"})
    email = forms.EmailField(label="Email address (optional)", max_length=254, required=False,
                             error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"})
    phone = PhoneField(label="Phone number (optional)", required=False)
    address = forms.CharField(label="Address (optional)", max_length=300, required=False)
    postcode = PostcodeField(label="Postcode (optional)", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "type": "tel"})
        self.helper.layout = Layout("submission_key", Field.radios("method"), Field.text("email"),
                                    Field.text("phone", field_width=20), Field.text("address"),
                                    Field.text("postcode", field_width=10))


class StoppedForm(ResidentForm):
    title = "Tell us the problem has stopped"
    submit_label = "Tell the officer"
    details = forms.CharField(label="Anything else you want to tell us (optional)", max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 4}), help_text="For example, when it stopped")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("submission_key", Field.textarea("details", rows=4))


class StartedAgainForm(ResidentForm):
    title = "Tell us the problem has started again"
    submit_label = "Tell the officer"
    details = forms.CharField(label="What has happened?", max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 6}),
                              error_messages={"required": "Enter what has happened"},
                              help_text="When it started again and what happened")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("submission_key", Field.textarea("details", rows=6))


__all__ = ["CallbackForm", "ContactPreferenceForm", "DiaryCorrectionForm", "DiaryEntryForm", "EvidenceUploadForm",
           "ResidentForm", "StartedAgainForm", "StoppedForm"]
