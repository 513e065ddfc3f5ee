"""Form fields for UK postcodes and phone numbers: validated and normalised in one place."""

from django import forms

from .validators import normalise_postcode, validate_phone, validate_postcode


class PostcodeField(forms.CharField):
    """A UK postcode, returned as 'LE18 1AA'; blank when optional and empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return ""
        validate_postcode(value)
        return normalise_postcode(value)


class PhoneField(forms.CharField):
    """A UK phone number as typed (the normalised digits are stored beside it by the services)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value:
            validate_phone(value)
        return value
