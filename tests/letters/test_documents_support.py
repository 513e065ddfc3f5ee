"""Shared set-up for the letters-and-notices tests (no tests here): stored PDFs in a temporary directory, the
built-in templates, a case with a victim and two alleged perpetrators, and small helpers."""

import io
import re
import uuid
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from cases.models import PartyRole
from letters.fields import entered_fields, kind_placeholders
from letters.models import DocumentKind, DocumentTemplate, TemplateChange
from letters.services.documents import document_generate

from ..cases.factories import CaseFactory, PartyFactory

LONDON = ZoneInfo("Europe/London")
# Monday 2 November 2026, 10:00 London (GMT): the clock every test starts from.
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


@pytest.fixture
def letter_storage(settings, tmp_path):
    """Stored PDFs go to the test's own directory."""
    settings.STORAGES = {**settings.STORAGES,
                         "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path / "media")}}}
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def letter_templates(db):
    """The built-in templates (letters.builtin); any kind it lacks gets plain wording using every placeholder."""
    from letters.builtin import templates_install

    templates_install(DocumentTemplate, TemplateChange)
    for kind, label in DocumentKind.choices:
        if not DocumentTemplate.objects.filter(kind=kind).exists():
            wording = "\n\n".join(f"{spec.label}: {{{spec.name}}}" for spec in kind_placeholders(kind))
            DocumentTemplate.objects.create(kind=kind, name=label, heading=label, wording=wording)
    return {t.kind: t for t in DocumentTemplate.objects.all()}


@pytest.fixture
def letters_case(db, officer_user):
    """A case received a week before T0 with a victim and two named adult alleged perpetrators."""
    case = CaseFactory(received_at=datetime(2026, 10, 26, 9, 0, tzinfo=LONDON), officer=officer_user, status="open")
    victim = PartyFactory(case=case, role=PartyRole.VICTIM, full_name="Margaret Ellis", address="14 Bell Street, Oadby",
                          postcode="LE18 1AA", preferred_contact_method="letter")
    kyle = PartyFactory(case=case, role=PartyRole.PERPETRATOR, full_name="Kyle Hart", address="3 Mill Lane, Oadby",
                        postcode="LE2 4AA", date_of_birth=date(1998, 5, 1))
    dean = PartyFactory(case=case, role=PartyRole.PERPETRATOR, full_name="Dean Roper", address="5 Mill Lane, Oadby",
                        postcode="LE2 4AA", date_of_birth=date(1990, 1, 1))
    return {"case": case, "victim": victim, "kyle": kyle, "dean": dean}


CPW_ENTERED = {
    "conduct": "Gathering with others in the car park behind The Parade and revving engines after 10pm.",
    "requirements": "Stop revving engines and playing loud music in the car park between 10pm and 7am.",
    "comply_by": date(2026, 11, 9),
}

ENTERED = {
    DocumentKind.FIRST_CONTACT: {"message": "I will call you on Tuesday."},
    DocumentKind.UPDATE: {"update_text": "We visited the flat and gave a warning."},
    DocumentKind.WARNING: {"behaviour": "Shouting in the stairwell late at night.", "what_must_stop": "The shouting."},
    DocumentKind.ABC: {"parties": "Kyle Hart and the council", "behaviours": "No revving engines.",
                       "support_offered": "Youth worker sessions.", "consequences": "A Community Protection Warning.",
                       "review_date": date(2027, 5, 2)},
    DocumentKind.CPW: CPW_ENTERED,
    # A notice's own date to comply by is ahead of the day it is made (the tests make notices up to mid-December).
    DocumentKind.CPN: {**CPW_ENTERED, "comply_by": date(2026, 12, 21)},
    DocumentKind.CLOSURE_NOTICE: {"premises": "Flat 2, 7 The Parade, Oadby LE2 5BB",
                                  "effect": "Nobody may enter or remain on the premises except the tenant.",
                                  "hearing_at": datetime(2026, 11, 3, 14, 0, tzinfo=LONDON),
                                  "hearing_place": "Leicester Magistrates' Court, Pocklington's Walk"},
}


def make(kind, *, case, recipient, actor, delivery="hand", key=None, **entered):
    values = dict(ENTERED.get(kind, {}))
    values.update(entered)
    return document_generate(case=case, kind=kind, recipient=recipient, entered=values, delivery=delivery, actor=actor,
                             submission_key=key or uuid.uuid4())


def pdf_text(data: bytes) -> str:
    """The PDF's text, whitespace collapsed (line breaks fall anywhere) and curly quotes made straight."""
    text = " ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    return re.sub(r"\s+", " ", text)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\u2019", "'"))


def form_data(kind, *, recipient=None, delivery="hand", key=None, **overrides) -> dict:
    """A valid POST of the create form for `kind` (dates as the GOV.UK day/month/year boxes)."""
    data = {"submission_key": str(key or uuid.uuid4()), "delivery": delivery}
    if recipient is not None:
        data["recipient"] = str(recipient.pk)
    values = {**ENTERED.get(kind, {}), **overrides}
    for spec in entered_fields(kind):
        value = values.get(spec.name)
        if spec.kind in ("date", "datetime") and value:
            data[f"{spec.name}_0"], data[f"{spec.name}_1"], data[f"{spec.name}_2"] = value.day, value.month, value.year
            if spec.kind == "datetime":
                data[f"{spec.name}_time"] = f"{value.astimezone(LONDON):%H:%M}"
        elif value:
            data[spec.name] = value
    return data
