"""Forms for letters and notices: the create form built from the kind's fields (letters.fields), recording a document
as sent or served, and withdrawing one. They parse input only; the rules live in letters.services and letters.rules."""

from __future__ import annotations

import uuid
from datetime import datetime

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Field, Layout, Size
from django import forms
from django.utils import timezone

from cases.form_fields import DateField

from .fields import entered_fields, required_fields
from .models import DeliveryMethod, DocumentKind
from .rules import LONDON

PREMISES = "premises"
TEXT_MAX = 500
TEXTAREA_MAX = 10000


def _helper(form, *fields) -> FormHelper:
    helper = FormHelper(form)
    helper.form_tag = False
    helper.disable_csrf = True
    helper.label_size = Size.SMALL
    helper.legend_size = Size.SMALL
    helper.layout = Layout(*fields)
    return helper


def _enter(label: str) -> str:
    """"Enter the conduct" from the label "The conduct"."""
    return "Enter " + label[:1].lower() + label[1:]


def _time_field(label: str, *, required: bool = False) -> forms.TimeField:
    return forms.TimeField(label=label, required=required, widget=forms.TextInput,
                           help_text="For example, 14:30", error_messages={"invalid": "Enter a time like 14:30",
                                                                           "required": f"Enter the {label.lower()}"})


def _key(value) -> uuid.UUID:
    """The form's submission key, or a fresh one when it is missing or not a UUID (a tampered form then just makes
    its own document, never an error on a hidden field)."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        return uuid.uuid4()


class DocumentForm(forms.Form):
    """Create a letter or notice of one kind: who it is to, the fields the officer types, and how it will go."""

    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)
    delivery = forms.ChoiceField(label="How will it be sent?", choices=DeliveryMethod.choices, widget=forms.RadioSelect,
                                 error_messages={"required": "Select how it will be sent",
                                                 "invalid_choice": "Select how it will be sent"})

    def __init__(self, *args, kind: str, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.recipients = {str(p.pk): p for p in recipients}
        self.fields["submission_key"].initial = str(uuid.uuid4())
        layout = []
        label = DocumentKind(kind).label
        if kind != DocumentKind.CASE_REVIEW_OUTCOME:
            choices = [(pk, f"{p.full_name or p.description} ({p.get_role_display().lower()})") for pk, p in self.recipients.items()]
            if kind == DocumentKind.CLOSURE_NOTICE:
                choices.append((PREMISES, "The premises (no named person)"))
            self.fields["recipient"] = forms.ChoiceField(
                label=f"Who is the {label.lower()} for?", choices=choices, widget=forms.RadioSelect,
                error_messages={"required": f"Select who the {label.lower()} is for",
                                "invalid_choice": f"Select who the {label.lower()} is for"})
            layout.append(Field.radios("recipient", small=True))
        required = {spec.name for spec in required_fields(kind)}
        self.specs = entered_fields(kind)
        for spec in self.specs:
            needed = spec.name in required
            text = spec.label if needed else f"{spec.label} (optional)"
            messages = {"required": _enter(spec.label)}
            if spec.kind == "date":
                field = DateField(label=text, required=needed, help_text=spec.hint or "For example, 27 3 2026",
                                  require_all_fields=False)
                field.error_messages.update({"required": _enter(spec.label),
                                             "incomplete": f"{_enter(spec.label)}, including day, month and year"})
                self.fields[spec.name] = field
                layout.append(Field(spec.name))
            elif spec.kind == "datetime":
                field = DateField(label=text, required=needed, help_text=spec.hint or "For example, 27 3 2026",
                                  require_all_fields=False)
                field.error_messages.update({"required": _enter(spec.label),
                                             "incomplete": f"{_enter(spec.label)}, including day, month and year"})
                self.fields[spec.name] = field
                self.fields[f"{spec.name}_time"] = _time_field("Time", required=needed)
                self.fields[f"{spec.name}_time"].error_messages["required"] = f"Enter the time of {spec.label[:1].lower() + spec.label[1:]}"
                layout += [Field(spec.name), Field.text(f"{spec.name}_time", field_width=5)]
            elif spec.kind in ("textarea", "address"):
                self.fields[spec.name] = forms.CharField(label=text, required=needed, help_text=spec.hint,
                                                         max_length=TEXTAREA_MAX, widget=forms.Textarea,
                                                         error_messages=messages)
                layout.append(Field.textarea(spec.name, rows=3 if spec.kind == "address" else 5))
            else:
                self.fields[spec.name] = forms.CharField(label=text, required=needed, help_text=spec.hint,
                                                         max_length=TEXT_MAX, error_messages=messages)
                layout.append(Field.text(spec.name))
        self.order_fields(["recipient", *self.fields])
        layout += [Field.radios("delivery", small=True), Field("submission_key")]
        self.helper = _helper(self, *layout)

    def clean(self):
        data = super().clean()
        for spec in self.specs:
            if spec.kind != "datetime":
                continue
            day, at = data.get(spec.name), data.get(f"{spec.name}_time")
            data[spec.name] = datetime.combine(day, at, tzinfo=LONDON) if day and at else None
            if day and not at and f"{spec.name}_time" not in self.errors:
                self.add_error(f"{spec.name}_time", f"Enter the time of {spec.label[:1].lower() + spec.label[1:]}")
        return data

    def key(self) -> uuid.UUID:
        return _key(self.cleaned_data.get("submission_key") if hasattr(self, "cleaned_data") else None)

    def recipient(self):
        return self.recipients.get(self.cleaned_data.get("recipient") or "")

    def entered(self) -> dict:
        return {spec.name: self.cleaned_data.get(spec.name) for spec in self.specs}


class SentForm(forms.Form):
    """Record a document as sent or served: how, and when (now, or earlier today or before)."""

    method = forms.ChoiceField(label="How was it sent or served?", choices=DeliveryMethod.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Select how it was sent or served",
                                               "invalid_choice": "Select how it was sent or served"})
    sent_on = DateField(label="Date sent or served", require_all_fields=False, help_text="For example, 27 3 2026")
    sent_time = _time_field("Time (optional)")

    def __init__(self, *args, document=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].error_messages.update({"required": "Enter the date it was sent or served",
                                                      "incomplete": "Enter the date it was sent or served, including day, month and year"})
        self.fields["sent_time"].help_text = "For example, 14:30. Leave it empty to use the time now"
        if document is not None:
            self.fields["method"].initial = document.delivery
        self.fields["sent_on"].initial = timezone.localdate()
        self.helper = _helper(self, Field.radios("method", small=True), Field("sent_on"),
                              Field.text("sent_time", field_width=5))

    def clean(self):
        data = super().clean()
        day = data.get("sent_on")
        if day:
            at = data.get("sent_time") or timezone.localtime(timezone.now(), LONDON).time().replace(microsecond=0)
            moment = datetime.combine(day, at, tzinfo=LONDON)
            if moment > timezone.now():
                if data.get("sent_time") is None and day == timezone.localdate():
                    moment = timezone.now()
                else:
                    self.add_error("sent_on", "The date and time it was sent or served must be now or in the past")
            data["sent_at"] = moment
        return data


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="Why is it being withdrawn?", max_length=300,
                             error_messages={"required": "Enter why it is being withdrawn",
                                             "max_length": "Keep the reason to 300 characters or fewer"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(self, Field.text("reason"))
