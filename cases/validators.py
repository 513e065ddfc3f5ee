"""Validation and normalisation of UK postcodes, phone numbers and contact preferences."""

import re

from django.core.exceptions import ValidationError

# Shape of a UK postcode (outward code + inward code), including GIR 0AA.
_POSTCODE_RE = re.compile(r"^(GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?[0-9][0-9A-HJKMNPR-Y]? ?[0-9][ABD-HJLNP-UW-Z]{2})$")


def normalise_postcode(value: str) -> str:
    """'le181aa' → 'LE18 1AA'. Returns the input upper-cased if it is not a postcode."""
    compact = re.sub(r"\s+", "", value or "").upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def validate_postcode(value: str) -> None:
    if not _POSTCODE_RE.match(normalise_postcode(value)):
        raise ValidationError("Enter a real postcode, like LE18 1AA", code="invalid_postcode")


def normalise_phone(value: str) -> str:
    """Digits only, UK national form: '+44 7700 900123' → '07700900123'."""
    digits = re.sub(r"[^\d+]", "", value or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("0044"):
        digits = "0" + digits[4:]
    return digits.lstrip("+")


def validate_phone(value: str) -> None:
    if re.search(r"[^\d\s()+\-]", value or ""):
        raise ValidationError("Enter a phone number using numbers only, like 0116 2888 961 or 07700 900 982", code="invalid_phone")
    digits = normalise_phone(value)
    if not re.fullmatch(r"0\d{9,10}", digits):
        raise ValidationError("Enter a UK phone number, like 0116 2888 961 or 07700 900 982", code="invalid_phone")


def is_mobile(value: str) -> bool:
    return normalise_phone(value).startswith("07")


def contact_method_problem(*, method: str, email: str, phone: str, address: str, postcode: str) -> str | None:
    """Why the chosen preferred contact method cannot be used with the details given, or None (cases.contact_rules)."""
    from .contact_rules import method_problem  # contact_rules imports this module

    return method_problem(method=method, email=email, phone=phone, address=address, postcode=postcode)
