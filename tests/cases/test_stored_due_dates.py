"""Promised dates come from the stored deadline rows, never recomputed where they are shown (STYLE.md: due dates are
stored and recomputed only by the service whose inputs changed)."""

import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings

from cases import sla
from cases.models import Deadline, DeadlineKind
from cases.selectors import first_contact_due_for
from cases.services import intake
from notifications.models import Message

from ..reporting.helpers import answers, walk
from .factories import report_submission, submit_report

pytestmark = pytest.mark.django_db


def london(*args):
    return datetime(*args, tzinfo=sla.LONDON)


@pytest.fixture(autouse=True)
def _tuesday():
    # Received Tuesday 15 December 2026: first contact due end of Friday the 18th.
    with time_machine.travel(london(2026, 12, 15, 12, 0), tick=False):
        yield


@pytest.fixture
def stored_differs(monkeypatch):
    """The stored deadline says Monday 21 December (as a later rule or a closure day might), not the 18th."""
    real = intake.first_contact_deadline_open

    def opened(**kwargs):
        deadline = real(**kwargs)
        if deadline is not None:
            deadline.due_at += timedelta(days=3)
            deadline.save(update_fields=["due_at"])
        return deadline

    monkeypatch.setattr(intake, "first_contact_deadline_open", opened)


def test_the_acknowledgement_and_confirmation_page_give_the_stored_first_contact_date(client, stored_differs):
    url = walk(client, answers(**{"when": {"when-is_ongoing": "no", "when-incident_date_0": "14", "when-incident_date_1": "12",
                                           "when-incident_date_2": "2026", "when-incident_time": "22:15"}}))
    page = client.get(url).content.decode()
    assert "will contact you by <strong>Monday 21 December 2026</strong>" in page
    ack = Message.objects.get(key__startswith="report-ack:")
    assert "will contact you by Monday 21 December 2026" in ack.body


def test_the_phone_confirmation_gives_the_stored_first_contact_date(client, call_centre_user):
    report = submit_report(report_submission(incident_date=date(2026, 12, 14)), channel="phone", logged_by=call_centre_user)
    Deadline.objects.filter(party=report.reporter).update(due_at=london(2026, 12, 21, 23, 59, 59))
    client.force_login(call_centre_user)
    page = client.get(f"/staff/phone-report/{report.case.reference}/").content.decode()
    assert "will contact them by <strong>Monday 21 December 2026</strong>" in page
    assert "we are emailing a confirmation to margaret@example.com" in page


def test_an_anonymous_report_has_no_date_anywhere(client, call_centre_user):
    report = submit_report(report_submission(incident_date=date(2026, 12, 14), is_anonymous=True, full_name="", email="",
                                             phone="", preferred_contact_method=""),
                           channel="phone", logged_by=call_centre_user)
    assert first_contact_due_for(report) is None
    client.force_login(call_centre_user)
    page = client.get(f"/staff/phone-report/{report.case.reference}/").content.decode()
    assert "the report is anonymous" in page and "December 2026</strong>" not in page


def test_first_contact_due_for_reads_the_reporters_stored_deadline():
    report = submit_report(report_submission(incident_date=date(2026, 12, 14)), received_at=london(2026, 12, 15, 9))
    stored = Deadline.objects.get(kind=DeadlineKind.FIRST_CONTACT, party=report.reporter)
    assert first_contact_due_for(report) == stored.due_at == london(2026, 12, 18, 23, 59, 59)


def test_due_dates_are_computed_only_by_the_deadline_services():
    """sla.first_contact_due and sla.update_due are called only by cases/services/deadlines.py (and sla.py itself).
    Migrations and data generators (management commands, bench/) write deadline rows in bulk and are left out."""
    root = Path(settings.BASE_DIR)
    allowed = {root / "cases" / "sla.py", root / "cases" / "services" / "deadlines.py"}
    offenders = []
    for path in root.glob("*/**/*.py"):
        parts = path.relative_to(root).parts
        if parts[0] in {"tests", "bench", ".venv", "node_modules", "var"} or {"migrations", "management"} & set(parts):
            continue
        if path in allowed:
            continue
        if re.search(r"\b(first_contact_due|update_due)\(", path.read_text()):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
