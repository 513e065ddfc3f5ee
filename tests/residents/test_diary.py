# ruff: noqa: F811  (the shared fixtures are imported from test_actions and named as arguments)
"""The online diary as evidence: the PDFs (text read back with pypdf) and the ASB Case Review threshold counting diary
entries only where a rule says so."""

import io
import uuid
from datetime import timedelta

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from casereview.models import ThresholdFlag, ThresholdRule
from casereview.threshold import threshold_for_case
from cases.models import PartyRole
from cases.services import party_add
from cases.services.resident_links import link_token, resident_link_issue

from .test_actions import NOW, add_entry, anonymous_link, clock, margaret, media, png  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages]


def test_the_resident_pdf_holds_their_own_entries_only(margaret, client):
    add_entry(margaret, what_happened="Margaret heard drilling at midnight")
    neil = party_add(case=margaret.case, actor=None, role=PartyRole.VICTIM, full_name="Neil Next-door", email="neil@example.com")
    add_entry(resident_link_issue(case=margaret.case, party=neil), what_happened="Neil saw a fight on the stairs")
    response = client.get(reverse("resident:diary_pdf", kwargs={"token": link_token(margaret)}))
    text = pdf_text(response.content)
    assert "Margaret heard drilling at midnight" in text and margaret.case.reference in text
    assert "Neil saw a fight" not in text and "Neil Next-door" not in text


def test_the_court_bundle_pdf_has_every_entry_received_times_files_and_page_numbers(margaret, client, officer_user):
    first = add_entry(margaret, what_happened="Drilling at midnight", happened_at=NOW - timedelta(days=2),
                      files=[png("drill.png")])
    add_entry(margaret, what_happened="It was 1am, not midnight", corrects=first)
    neil = party_add(case=margaret.case, actor=None, role=PartyRole.VICTIM, full_name="Neil Next-door", email="neil@example.com")
    for n in range(12):  # enough to run over a page
        add_entry(resident_link_issue(case=margaret.case, party=neil), what_happened=f"Neil entry {n} " + "words " * 60,
                  happened_at=NOW - timedelta(hours=30 - n))
    client.force_login(officer_user)
    response = client.get(reverse("staff:diary_pdf", kwargs={"reference": margaret.case.reference}))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    by_page = pages(response.content)
    text = "\n".join(by_page)
    assert len(by_page) > 1
    assert all(f"Exhibit: incident diary, case {margaret.case.reference}" in p for p in by_page)
    assert all(f"Page {i} of {len(by_page)}" in p for i, p in enumerate(by_page, start=1))
    assert "Drilling at midnight" in text and "It was 1am, not midnight" in text and "Neil entry 11" in text
    assert "Margaret Ellis (victim)" in text and "Neil Next-door (victim)" in text
    assert f"{first.received_at:%-d %B %Y}, 10:00:00" in text  # received, to the second (London time)
    evidence = first.evidence.get()
    assert f"drill.png ({evidence.size} bytes, image/png)" in text
    assert "(correction)" in text


# --- the Case Review threshold ---------------------------------------------------------------------------------------

def _two_more_incidents(link):
    add_entry(link, happened_at=NOW - timedelta(days=4), what_happened="Music again")
    add_entry(link, happened_at=NOW - timedelta(days=2), what_happened="And again")


def test_diary_entries_count_towards_the_threshold_when_the_rule_says_so(margaret):
    # Margaret's report (incident 15 November) and two diary entries: three incidents by one person.
    _two_more_incidents(margaret)
    result = threshold_for_case(margaret.case, at=NOW)
    assert result.met and result.rule.startswith("3 separate incidents")
    diary = [r for r in result.reports if getattr(r, "is_diary_entry", False)]
    assert len(result.reports) == 3 and len(diary) == 2
    assert [r.received_at for r in result.reports] == sorted(r.received_at for r in result.reports)
    assert all(r.case.reference == margaret.case.reference for r in result.reports)
    # The diary hook stored the flag when the third incident arrived.
    flag = ThresholdFlag.objects.get(case=margaret.case, closed_at__isnull=True)
    assert len(flag.report_ids) == 3 and sum(str(i).startswith("diary:") for i in flag.report_ids) == 2


def test_diary_entries_do_not_count_when_the_setting_is_off(margaret):
    ThresholdRule.objects.update(counts_diary_entries=False)
    _two_more_incidents(margaret)
    assert not threshold_for_case(margaret.case, at=NOW).met
    assert not ThresholdFlag.objects.filter(case=margaret.case).exists()


def test_a_correction_is_not_another_incident(margaret):
    entry = add_entry(margaret, happened_at=NOW - timedelta(days=4))
    add_entry(margaret, happened_at=NOW - timedelta(days=3), corrects=entry, what_happened="It was the day after")
    assert not threshold_for_case(margaret.case, at=NOW).met


def test_an_anonymous_reporters_diary_is_nobodys_complaint(anonymous_link):
    for days in (5, 4, 3):
        add_entry(anonymous_link, happened_at=NOW - timedelta(days=days))
    assert not threshold_for_case(anonymous_link.case, at=NOW).met


def _queries(case) -> tuple[int, bool]:
    with CaptureQueriesContext(connection) as captured:
        met = threshold_for_case(case, at=NOW).met
    return len(captured), met


def test_the_threshold_keeps_a_fixed_number_of_queries_with_diary_entries(margaret):
    assert _queries(margaret.case) == (3, False)
    add_entry(margaret, happened_at=NOW - timedelta(days=6))
    assert _queries(margaret.case) == (3, False)
    for days in range(5, 0, -1):
        add_entry(margaret, happened_at=NOW - timedelta(days=days, hours=1), submission_key=uuid.uuid4())
    # Met: the rows that met it, reports and diary entries (one query each).
    assert _queries(margaret.case) == (5, True)
