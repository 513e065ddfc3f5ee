"""Placeholders, the fields the law requires for each kind, the values filled in, and checking a manager's wording."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from cases.models import ActionType, PartyRole
from letters.builtin import BUILTIN
from letters.fields import (
    KIND_FIELDS,
    PLACEHOLDERS,
    entered_fields,
    missing_required,
    required_fields,
    values_for,
    wording_must_include,
    wording_problems,
)
from letters.models import DocumentKind

from ..cases.factories import CaseFactory, PartyFactory, UserFactory

LONDON = ZoneInfo("Europe/London")
AT = datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("UTC"))  # 10:30 in London (summer time)

MUST_INCLUDE = [(kind, spec.name) for kind in KIND_FIELDS for spec in wording_must_include(kind)]


def test_every_kind_of_document_has_fields_and_builtin_wording():
    assert set(KIND_FIELDS) == set(DocumentKind.values) == set(BUILTIN)


@pytest.mark.parametrize("kind", list(BUILTIN))
def test_builtin_wording_has_no_problems(kind):
    _name, heading, wording = BUILTIN[kind]
    assert wording_problems(kind, heading, wording) == []


@pytest.mark.parametrize(("kind", "name"), MUST_INCLUDE)
def test_wording_without_a_required_placeholder_is_refused_naming_it(kind, name):
    _name, heading, wording = BUILTIN[kind]
    dropped = wording.replace("{" + name + "}", "")
    problems = wording_problems(kind, heading, dropped)
    assert any(f"must include {{{name}}}" in problem for problem in problems), problems


@pytest.mark.parametrize(("kind", "names"), [
    ("cpn", {"conduct", "requirements", "comply_by", "offence_and_penalty", "appeal_rights"}),
    ("cpw", {"conduct", "requirements", "comply_by", "notice_may_follow"}),
    ("closure_notice", {"premises", "effect", "offence", "order_application", "hearing_at", "hearing_place", "advice_services"}),
    ("abc", {"parties", "behaviours", "support_offered", "consequences", "review_date"}),
    ("warning", {"behaviour"}),
    ("update", {"update_text"}),
    ("case_review_outcome", {"applicant_name", "outcome", "recommendations"}),
])
def test_the_law_s_fields_are_required(kind, names):
    assert names <= {spec.name for spec in required_fields(kind)}


def test_a_cpn_cannot_lose_its_right_of_appeal_or_penalty():
    _name, heading, wording = BUILTIN["cpn"]
    problems = wording_problems("cpn", heading, wording.replace("{appeal_rights}", "").replace("{offence_and_penalty}", ""))
    assert "The wording must include {appeal_rights}: the law requires it" in problems
    assert "The wording must include {offence_and_penalty}: the law requires it" in problems


def test_the_letters_to_residents_must_carry_their_case_page_link():
    _name, heading, wording = BUILTIN["update"]
    problems = wording_problems("update", heading, wording.replace("{case_page_link}", ""))
    assert any("{case_page_link}" in p for p in problems)


@pytest.mark.parametrize(("wording", "expected"), [
    ("{conduct} {nonsense}", "{nonsense} is not a placeholder"),
    ("{conduct} {premises}", "{premises} cannot be used in a community protection warning"),
    ("{conduct {requirements}", "does not make a placeholder"),
    ("{conduct} }", "does not make a placeholder"),
    ("{conduct} {Conduct}", "does not make a placeholder"),
    ("{conduct} {{ settings.SECRET_KEY }}", "cannot contain template code"),
    ("{conduct} {% load static %}", "cannot contain template code"),
    ("   \n  ", "Enter the wording"),
])
def test_wording_problems_name_what_is_wrong(wording, expected):
    problems = wording_problems("cpw", "Community Protection Warning", wording)
    assert any(expected in problem for problem in problems), problems


def test_heading_problems():
    wording = BUILTIN["warning"][2]
    assert "Enter a heading" in wording_problems("warning", " ", wording)
    assert any("heading cannot contain" in p for p in wording_problems("warning", "Warning {case_reference}", wording))


def test_entered_fields_are_what_the_officer_types_in_form_order():
    assert [s.name for s in entered_fields("cpn")] == ["conduct", "requirements", "comply_by"]
    assert [s.name for s in entered_fields("closure_notice")] == ["premises", "effect", "hearing_at", "hearing_place"]
    assert [s.name for s in entered_fields("case_review_outcome")] == []
    assert all(spec.entered for kind in KIND_FIELDS for spec in entered_fields(kind))
    assert all(spec.kind in {"text", "textarea", "date", "datetime", "address"} for spec in PLACEHOLDERS.values())


def test_missing_required_names_empty_and_blank_fields_by_label():
    values = {"recipient_name": "Kyle", "conduct": "  \n ", "requirements": "Stop", "comply_by": "",
              "offence_and_penalty": "x", "appeal_rights": "y"}
    assert missing_required("cpn", values) == ["The conduct", "The date to comply by"]
    assert missing_required("cpn", {**values, "conduct": "Loud music", "comply_by": "1 August 2026"}) == []


def test_unknown_kind_is_an_error():
    with pytest.raises(ValueError):
        required_fields("nonsense")


@pytest.mark.django_db
def test_values_come_from_the_case_the_recipient_settings_and_what_was_typed(settings):
    settings.COUNCIL_NAME = "Testshire District Council"
    settings.COUNCIL_PHONE = "0100 000 0000"
    officer = UserFactory(first_name="Priya", last_name="Shah")
    case = CaseFactory(officer=officer, address="1 High Street, Oadby", postcode="LE2 5AA")
    kyle = PartyFactory(case=case, role=PartyRole.PERPETRATOR, full_name="Kyle Smith", address="4 Low Road, Oadby",
                        postcode="LE2 4BB")
    values = values_for(case=case, kind="cpn", recipient=kyle, at=AT,
                        entered={"conduct": "  Loud music  ", "comply_by": date(2026, 12, 14), "requirements": "Stop",
                                 "appeal_rights": "none", "hacked": "x"},
                        extra={"case_page_link": "https://example.test/c/abc"})
    assert values["case_reference"] == case.reference
    assert values["category"] == str(case.category)[0].lower() + str(case.category)[1:]  # it sits inside a sentence
    assert values["case_address"] == "1 High Street, Oadby, LE2 5AA"
    assert values["officer_name"] == "Priya Shah" and values["officer_first_name"] == "Priya"
    assert values["recipient_name"] == "Kyle Smith" and values["recipient_address"] == "4 Low Road, Oadby, LE2 4BB"
    assert values["team_phone"] == "0100 000 0000" and values["council_name"] == "Testshire District Council"
    assert values["today"] == "1 July 2026"
    assert values["conduct"] == "Loud music"
    assert values["comply_by"] == "14 December 2026"
    assert values["case_page_link"] == "https://example.test/c/abc"
    # Typed input cannot replace the law's fixed wording, and unknown names are ignored.
    assert "magistrates' court within 21 days" in values["appeal_rights"]
    assert "hacked" not in values
    assert set(values) == set(PLACEHOLDERS)
    assert all(isinstance(v, str) for v in values.values())


@pytest.mark.django_db
def test_the_appeal_period_comes_from_the_cpn_action_type():
    ActionType.objects.filter(slug="cpn").update(appeal_days=28)
    values = values_for(case=None, kind="cpn", recipient=None, entered={}, at=AT)
    assert "within 28 days" in values["appeal_rights"]


@pytest.mark.django_db
def test_the_statutory_wording_comes_from_settings(settings):
    settings.LETTERS_CPN_PENALTY = "A fixed penalty of £75."
    settings.LETTERS_ADVICE_SERVICES = "Call Shelter or {phone}."
    settings.COUNCIL_PHONE = "0100 111 2222"
    values = values_for(case=None, kind="closure_notice", recipient=None, entered={}, at=AT)
    assert values["offence_and_penalty"] == "A fixed penalty of £75."
    assert values["advice_services"] == "Call Shelter or 0100 111 2222."
    assert "criminal offence" in values["offence"] and "closure order" in values["order_application"]
    assert "Notice may follow" in values["notice_may_follow"]


@pytest.mark.django_db
@pytest.mark.parametrize(("value", "expected"), [
    (datetime(2026, 7, 1, 9, 0, tzinfo=ZoneInfo("UTC")), "10:00 on 1 July 2026"),  # British Summer Time
    (datetime(2026, 12, 14, 10, 0, tzinfo=ZoneInfo("UTC")), "10:00 on 14 December 2026"),  # GMT
    (datetime(2026, 3, 29, 0, 30, tzinfo=ZoneInfo("UTC")), "00:30 on 29 March 2026"),  # the hour before the clocks go forward
    ("2026-07-01T09:00:00+00:00", "10:00 on 1 July 2026"),  # as stored in JSON
    (datetime(2026, 12, 31, 23, 30, tzinfo=ZoneInfo("UTC")), "23:30 on 31 December 2026"),
])
def test_date_times_print_in_london_time(value, expected):
    values = values_for(case=None, kind="closure_notice", recipient=None, entered={"hearing_at": value}, at=AT)
    assert values["hearing_at"] == expected


@pytest.mark.django_db
def test_iso_dates_print_like_dates():
    values = values_for(case=None, kind="abc", recipient=None, entered={"review_date": "2027-01-05"}, at=AT)
    assert values["review_date"] == "5 January 2027"


@pytest.mark.django_db
def test_today_is_the_london_date_at_the_instant_given():
    late = datetime(2026, 6, 30, 23, 30, tzinfo=ZoneInfo("UTC"))  # already 1 July in London
    assert values_for(case=None, kind="warning", recipient=None, entered={}, at=late)["today"] == "1 July 2026"


@pytest.mark.django_db
def test_a_case_without_an_officer_or_recipient_leaves_those_values_empty():
    case = CaseFactory(officer=None)
    values = values_for(case=case, kind="cpw", recipient=None, entered={}, at=AT)
    assert values["officer_name"] == "" and values["recipient_name"] == ""
    assert "The person it is to" in missing_required("cpw", values)
