"""Open cases by risk: cases nobody has assessed are counted on their own row, never as standard."""

import csv
import io
from datetime import date, datetime

import pytest
import time_machine

from cases import sla
from cases.models import CaseStatus
from cases.services import case_close, contact_record, risk_assess, risk_question_set_active
from dashboard import selectors
from dashboard.selectors import Filters, period_from

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 12, 15, 12, 0, tzinfo=sla.LONDON)
DECEMBER = period_from("custom", today=date(2026, 12, 15), start=date(2026, 12, 1), end=date(2026, 12, 31))


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(NOW, tick=True):
        yield


def answers(*starts: str) -> dict[int, bool]:
    return {q.pk: q.text.startswith(starts) if starts else False for q in risk_question_set_active().questions.all()}


def cases(officer, *levels):
    """One reported case per entry: None stays unassessed, otherwise the answers to give."""
    made = []
    for n, yes in enumerate(levels):
        case = submit_report(report_submission(phone=f"07700 90{n:04d}", email=f"r{n}@example.com",
                                               incident_date=date(2026, 12, 1))).case
        if yes is not None:
            risk_assess(case=case, answers=answers(*yes), actor=officer)
        made.append(case)
    return made


def test_unassessed_cases_are_their_own_row_and_not_standard(officer_user, viewer):
    violence = ("Has there been violence",)
    made = cases(officer_user, None, None, None, (), (), violence)
    contact_record(case=made[0], party=made[0].parties.get(), method="phone", direction="out", successful=True, summary="x",
                   occurred_at=made[0].received_at, gave_update=True, final_update=True, actor=officer_user)
    made[0].refresh_from_db()
    case_close(case=made[0], reason="resolved", actor=officer_user)  # closed: not open, not counted
    figures = selectors.figures(DECEMBER, Filters(viewer=viewer))
    assert figures.open_by_risk == {"Not assessed": 2, "Standard": 2, "Medium": 0, "High": 1}
    assert list(figures.open_by_risk) == ["Not assessed", "Standard", "Medium", "High"]
    assert Filters(viewer=viewer, risk_level="not_assessed").cases().filter(status__in=[CaseStatus.NEW]).count() == 2
    assert selectors.figures(DECEMBER, Filters(viewer=viewer, risk_level="standard")).open_by_risk["Not assessed"] == 0


def test_the_dashboard_page_and_export_show_not_assessed(client, manager_user, officer_user):
    cases(officer_user, None, ())
    client.force_login(manager_user)
    page = client.get("/dashboard/", {"period": "this_month"}).content.decode()
    assert '<th scope="row" class="govuk-table__header">Not assessed</th><td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in page
    assert '<th scope="row" class="govuk-table__header">Standard</th><td class="govuk-table__cell govuk-table__cell--numeric">1</td>' in page
    assert '<option value="not_assessed">Not assessed</option>' in page
    rows = list(csv.reader(io.StringIO(b"".join(client.get("/dashboard/export/open-cases.csv").streaming_content).decode())))
    assert sorted(r[3] for r in rows[1:]) == ["not_assessed", "standard"]
