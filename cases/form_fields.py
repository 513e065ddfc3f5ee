"""Form fields for UK postcodes, phone numbers and dates: validated and normalised in one place."""

from datetime import date

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError

from .validators import normalise_postcode, validate_phone, validate_postcode

# Years outside this range are typing mistakes here (and far-future dates overflow date arithmetic).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2100


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


class DateField(DateInputField):
    """GOV.UK date input (day, month, year boxes) that answers every impossible date with a form error.

    crispy-forms-gds builds `date(...)` from the boxes as typed: a 20-digit day raises OverflowError
    (a server error) and a 31st of February shows Python's own message. Both become one clear message.
    """

    def __init__(self, *, label="Date", **kwargs):
        super().__init__(label=label, **kwargs)
        self.invalid_message = f"{str(label).replace(' (optional)', '')} must be a real date, like 27 3 2026"

    def compress(self, data_list):
        day, month, year = data_list
        if not (day and month and year):
            return None
        try:
            value = date(day=int(day), month=int(month), year=int(year))
        except (ValueError, OverflowError):
            raise ValidationError(self.invalid_message, code="invalid_date") from None
        if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValidationError(f"Enter a year between {EARLIEST_YEAR} and {LATEST_YEAR}", code="invalid_year")
        return value


class IsoDateField(forms.DateField):
    """A `YYYY-MM-DD` date (the browser's date picker) limited to the years a date input accepts."""

    def to_python(self, value):
        value = super().to_python(value)
        if value and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            raise ValidationError(f"Enter a year between {EARLIEST_YEAR} and {LATEST_YEAR}", code="invalid_year")
        return value
