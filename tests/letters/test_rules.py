"""letters.rules: stored dates read back, the closure hearing's 48 hours, who may receive what."""

from datetime import date, datetime, timedelta

import pytest

from cases.models import PartyRole
from letters.models import DocumentKind
from letters.rules import (
    closure_hearing_refusal,
    cpn_allowed,
    parse_day,
    parse_moment,
    recipient_refusal,
    recipients_for_kind,
)

from ..cases.factories import PartyFactory
from . import test_documents_support as support
from .test_documents_support import LONDON, T0

letters_case = support.letters_case  # the shared fixture, registered here


@pytest.mark.parametrize("text", ["2026-11-09", "9 November 2026", "09 November 2026", "Monday 9 November 2026",
                                  "9 Nov 2026", date(2026, 11, 9), datetime(2026, 11, 9, 23, 30, tzinfo=LONDON)])
def test_parse_day_reads_every_stored_form(text):
    assert parse_day(text) == date(2026, 11, 9)


@pytest.mark.parametrize("text", ["", None, "soon", "31 February 2026"])
def test_parse_day_gives_none_for_nonsense(text):
    assert parse_day(text) is None


def test_parse_moment_without_an_offset_is_london():
    assert parse_moment("2026-07-01T14:00") == datetime(2026, 7, 1, 14, 0, tzinfo=LONDON)


@pytest.mark.parametrize("hours, refused", [(-1, "in the future"), (0, "in the future"), (1, None), (48, None),
                                            (48.01, "within 48 hours")])
def test_closure_hearing_within_48_hours(hours, refused):
    result = closure_hearing_refusal(T0 + timedelta(hours=hours), T0)
    assert (result is None) if refused is None else (refused in result)


def test_closure_hearing_missing():
    assert "Enter the date and time" in closure_hearing_refusal(None, T0)


def test_cpn_not_allowed_without_a_recipient_or_a_warning(letters_case):
    assert not cpn_allowed(letters_case["case"], None, T0)
    assert not cpn_allowed(letters_case["case"], letters_case["kyle"], T0)


def test_recipients_for_each_kind(letters_case):
    x = letters_case
    unknown = PartyFactory(case=x["case"], role=PartyRole.PERPETRATOR, full_name="", is_unknown=True, description="Group of youths")
    parties = [x["victim"], x["kyle"], x["dean"], unknown]
    assert recipients_for_kind(DocumentKind.CPW, parties) == [x["kyle"], x["dean"]]
    assert recipients_for_kind(DocumentKind.UPDATE, parties) == [x["victim"]]
    assert recipients_for_kind(DocumentKind.CASE_REVIEW_OUTCOME, parties) == []
    assert "must name the person" in recipient_refusal(kind=DocumentKind.WARNING, recipient=unknown, case=x["case"], on=T0)
    assert recipient_refusal(kind=DocumentKind.CLOSURE_NOTICE, recipient=None, case=x["case"], on=T0) is None
    assert "Choose who" in recipient_refusal(kind=DocumentKind.CPW, recipient=None, case=x["case"], on=T0)
