import pytest
from django.core.exceptions import ValidationError

from cases.validators import (
    contact_method_problem,
    normalise_phone,
    normalise_postcode,
    validate_phone,
    validate_postcode,
)


@pytest.mark.parametrize("raw, expected", [("le181aa", "LE18 1AA"), (" LE2  5BA ", "LE2 5BA"), ("sw1a1aa", "SW1A 1AA"), ("GIR0AA", "GIR 0AA")])
def test_postcodes_are_normalised_and_accepted(raw, expected):
    assert normalise_postcode(raw) == expected
    validate_postcode(raw)


@pytest.mark.parametrize("raw", ["12345", "LE18", "QQ1 1AA", "LE18 1A", "<script>", "LE18 1AAA"])
def test_malformed_postcodes_are_refused(raw):
    with pytest.raises(ValidationError):
        validate_postcode(raw)


@pytest.mark.parametrize("raw, digits", [("+44 7700 900123", "07700900123"), ("0116 2888 961", "01162888961"), ("(0116) 496-0123", "01164960123")])
def test_phone_numbers_are_normalised_and_accepted(raw, digits):
    assert normalise_phone(raw) == digits
    validate_phone(raw)


@pytest.mark.parametrize("raw", ["123", "07700 90012345", "call me", "+1 202 555 0100", "0800-FLOWERS"])
def test_bad_phone_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        validate_phone(raw)


def test_contact_method_needs_its_detail():
    assert contact_method_problem(method="email", email="", phone="0700", address="", postcode="") is not None
    assert contact_method_problem(method="text", email="", phone="0116 2888 961", address="", postcode="") is not None
    assert contact_method_problem(method="text", email="", phone="07700 900123", address="", postcode="") is None
    assert contact_method_problem(method="letter", email="", phone="", address="1 High St", postcode="") is not None
    assert contact_method_problem(method="phone", email="", phone="0116 2888 961", address="", postcode="") is None
