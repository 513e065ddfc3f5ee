"""Letters and notices rendered to HTML and to a real PDF (text extracted with pypdf), every value escaped."""

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pypdf
import pytest

from cases.models import PartyRole
from letters.builtin import BUILTIN
from letters.fields import values_for
from letters.render import document_html, document_pdf, paragraphs, wording_text

from ..cases.factories import CaseFactory, PartyFactory, UserFactory

AT = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("UTC"))
HOSTILE = '<b>bold</b> & <script>alert("x")</script> <img src="file:///etc/passwd">'


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    return " ".join(text.split())


def test_paragraphs_split_on_blank_lines_and_keep_line_breaks():
    result = paragraphs("One {a}\nline two\n\n\n  \nThree\r\n\r\nFour", {"a": "x\ny"})
    assert result == ["One x<br>y<br>line two", "Three", "Four"]


def test_every_value_and_every_piece_of_wording_is_escaped():
    html = "".join(paragraphs("<i>{a}</i>", {"a": HOSTILE}))
    assert "<script>" not in html and "<b>" not in html and "<img" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html and "&amp;" in html


def test_an_optional_placeholder_left_empty_leaves_no_empty_paragraph():
    assert paragraphs("Hello\n\n{message}\n\nBye", {"message": ""}) == ["Hello", "Bye"]


def test_a_placeholder_without_a_value_stays_as_written():
    assert paragraphs("Ref {unknown}", {}) == ["Ref {unknown}"]
    assert wording_text("Ref {a} and {b}", {"a": "1"}) == "Ref 1 and {b}"


def test_template_code_in_wording_is_never_run(settings):
    html = document_html(heading="H", wording="{{ settings.SECRET_KEY }} {% now 'Y' %}", values={}, number="N/1")
    assert settings.SECRET_KEY not in html
    assert "{{ settings.SECRET_KEY }} {% now &#x27;Y&#x27; %}" in html


def test_the_letterhead_comes_from_settings(settings):
    settings.COUNCIL_NAME = "Testshire District Council"
    settings.LETTERHEAD_ADDRESS = "Town Hall, Market Square, Testtown, TT1 1TT"
    settings.COUNCIL_PHONE = "0100 222 3333"
    text = flat(pdf_text(document_pdf(heading="A letter", wording="Hello.", values={}, number="ASB-2026-00001/WARNING/1")))
    assert "Testshire District Council" in text
    assert "Town Hall, Market Square, Testtown, TT1 1TT" in text
    assert "0100 222 3333" in text


def test_a_pdf_holds_the_heading_number_reference_and_escaped_hostile_values():
    values = {"recipient_name": HOSTILE, "recipient_address": "4 Low Road, Oadby, LE2 4BB", "case_reference": "ASB-2026-00042",
              "today": "2 November 2026", "conduct": HOSTILE}
    pdf = document_pdf(heading="Community Protection Warning", wording="The conduct:\n{conduct}\n\nSecond paragraph.",
                       values=values, number="ASB-2026-00042/CPW/1")
    assert pdf.startswith(b"%PDF")
    text = flat(pdf_text(pdf))
    assert "Community Protection Warning" in text
    assert "ASB-2026-00042/CPW/1" in text
    assert "ASB-2026-00042" in text and "2 November 2026" in text
    assert '<b>bold</b> & <script>alert("x")</script>' in text  # printed as typed, not as markup
    assert "LE2 4BB" in text and "Second paragraph." in text


@pytest.fixture
def case_and_kyle(db):
    officer = UserFactory(first_name="Priya", last_name="Shah")
    case = CaseFactory(officer=officer, reference="ASB-2026-00042")
    kyle = PartyFactory(case=case, role=PartyRole.PERPETRATOR, full_name="Kyle Smith", address="4 Low Road, Oadby",
                        postcode="LE2 4BB")
    return case, kyle


ENTERED = {
    "first_contact": {"message": "We will visit next week."},
    "update": {"update_text": "We spoke to your neighbour on Tuesday."},
    "warning": {"behaviour": "Shouting in the street at night.", "what_must_stop": "The shouting must stop."},
    "abc": {"parties": "Kyle Smith and the council", "behaviours": "Not to shout", "support_offered": "Youth worker",
            "consequences": "A Community Protection Warning", "review_date": date(2027, 5, 2)},
    "cpw": {"conduct": "Playing loud music after 11pm.", "requirements": "Stop playing loud music after 11pm.",
            "comply_by": date(2026, 11, 16)},
    "cpn": {"conduct": "Playing loud music after 11pm.", "requirements": "Stop playing loud music after 11pm.",
            "comply_by": date(2026, 11, 30)},
    "closure_notice": {"premises": "12 Bell Street, Wigston, LE18 1AA", "effect": "Nobody may enter except the tenant.",
                       "hearing_at": datetime(2026, 11, 3, 10, 0, tzinfo=ZoneInfo("UTC")),
                       "hearing_place": "Leicester Magistrates' Court, Pocklington's Walk"},
    "case_review_outcome": {},
}
EXPECT = {
    "first_contact": ["We will visit next week.", "https://example.test/c/link"],
    "update": ["We spoke to your neighbour on Tuesday.", "https://example.test/c/link"],
    "warning": ["Shouting in the street at night."],
    "abc": ["Youth worker", "2 May 2027"],
    "cpw": ["16 November 2026", "Community Protection Notice may follow"],
    "cpn": ["30 November 2026", "magistrates' court within 21 days", "fixed penalty notice of up to £100", "criminal offence"],
    "closure_notice": ["12 Bell Street, Wigston", "10:00 on 3 November 2026", "Leicester Magistrates' Court",
                       "closure order", "Citizens Advice", "criminal offence"],
    "case_review_outcome": ["Margaret Hollingsworth", "The threshold was met.", "Meet every month."],
}


@pytest.mark.parametrize("kind", list(BUILTIN))
def test_each_builtin_template_renders_to_a_pdf_with_its_statutory_text(kind, case_and_kyle):
    case, kyle = case_and_kyle
    extra = {"case_page_link": "https://example.test/c/link", "applicant_name": "Margaret Hollingsworth",
             "outcome": "The threshold was met.", "recommendations": "Meet every month."}
    values = values_for(case=case, kind=kind, recipient=kyle, entered=ENTERED[kind], at=AT, extra=extra)
    _name, heading, wording = BUILTIN[kind]
    text = flat(pdf_text(document_pdf(heading=heading, wording=wording, values=values, number=f"ASB-2026-00042/{kind}/1")))
    assert flat(heading) in text
    assert f"ASB-2026-00042/{kind}/1" in text
    assert "Kyle Smith" in text and "Priya Shah" in text
    for expected in EXPECT[kind]:
        assert expected in text, expected
    assert "{" not in text, "every placeholder was filled"
