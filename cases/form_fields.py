"""Form fields for UK postcodes, phone numbers and dates: validated and normalised in one place."""

import html
from datetime import date

from crispy_forms_gds.fields import DateInputField
from django import forms
from django.core.exceptions import ValidationError
from django.utils.safestring import mark_safe

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


class FastSelect(forms.Select):
    """A <select> whose options are written in Python, with the same HTML as Django's templates.

    Django renders every <option> through a template (two includes each): a county's 1,000 officers cost 55–100 ms
    on each page with an officer filter (case list, dashboard), more than the rest of the page together.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
            parts.extend(f'\n  <option value="{_escape(str(option["value"]))}"{_attrs(option["attrs"])}>'
                         f'{_escape(option["label"])}</option>\n' for option in options)
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 (every value above is escaped)


def _escape(value) -> str:
    """conditional_escape without its lazy-string wrapper (called thousands of times per select)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html in Python: ` name="value"`, a bare ` name` for True, nothing for False."""
    return "".join(f' {_escape(key)}="{_escape(str(val))}"' if val is not True else f" {_escape(key)}"
                   for key, val in attrs.items() if val is not False)
