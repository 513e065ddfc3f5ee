"""Dashboard figures on small hand-made data with known answers (met late, reopened, anonymous, empty periods)."""

from datetime import date

import pytest
import time_machine

from cases import sla
from cases.models import Deadline
from cases.services import case_assign, case_close, case_status_change, contact_record
from dashboard import selectors
from dashboard.selectors import Filters, period_from

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.django_db


def london(*args):
    from datetime import datetime

    return datetime(*args, tzinfo=sla.LONDON)


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(london(2026, 12, 15, 12, 0), tick=True):
        yield


NOVEMBER = period_from("custom", today=date(2026, 12, 15), start=date(2026, 11, 1), end=date(2026, 11, 30))


def report(at, **overrides):
    r = submit_report(report_submission(incident_date=at.date(), **overrides), received_at=at)
    return r.case, r.reporter


def call(case, party, actor, at, **kw):
    return contact_record(case=case, party=party, method="phone", direction="out", successful=True, summary="x",
                          occurred_at=at, gave_update=True, actor=actor, **kw)


def test_an_empty_period_has_no_shares_not_zero_percent(viewer):
    f = selectors.figures(NOVEMBER, Filters(viewer=viewer))
    assert f.reports_by_channel == {"online": 0, "phone": 0} and f.first_contact.total == 0 and f.first_contact.percent is None
    assert f.satisfaction.rate is None and f.mean_days_between_updates is None


def test_first_contact_share_counts_met_late_as_missed_and_excludes_anonymous(officer_user, viewer):
    on_time, a = report(london(2026, 11, 2, 9))  # due Thu 5th
    late, b = report(london(2026, 11, 9, 9), phone="07700 900555", email="b@example.com")  # due Thu 12th
    report(london(2026, 11, 16, 9), is_anonymous=True, full_name="", email="", phone="", preferred_contact_method="")
    report(london(2026, 11, 23, 9), phone="07700 900666", email="c@example.com")  # never contacted, due Thu 26th
    call(on_time, a, officer_user, london(2026, 11, 3, 10))
    call(late, b, officer_user, london(2026, 11, 13, 10))
    f = selectors.figures(NOVEMBER, Filters(viewer=viewer))
    assert f.reports_by_channel == {"online": 4, "phone": 0}
    assert (f.first_contact.met, f.first_contact.total, f.first_contact.percent) == (1, 3, 33.3)


def test_update_shares_split_by_the_deadlines_own_interval_and_mean_gap(officer_user, viewer):
    standard, a = report(london(2026, 10, 20, 9))
    call(standard, a, officer_user, london(2026, 10, 21, 10))  # first contact: update due 4 Nov (14 days)
    call(standard, a, officer_user, london(2026, 11, 3, 10))  # on time (13 days); next due 17 Nov
    call(standard, a, officer_user, london(2026, 11, 20, 10))  # late (17 days)
    high, b = report(london(2026, 10, 26, 9), phone="07700 900555", email="b@example.com")
    from cases.models import Case

    Case.objects.filter(pk=high.pk).update(risk_level="high")
    high.refresh_from_db()
    call(high, b, officer_user, london(2026, 10, 27, 10))  # update due 3 Nov (7 days)
    call(high, b, officer_user, london(2026, 11, 2, 10))  # on time; next due 9 Nov
    f = selectors.figures(NOVEMBER, Filters(viewer=viewer))
    assert (f.updates_standard.met, f.updates_standard.total) == (1, 2)  # 4 Nov met, 17 Nov late
    assert (f.updates_high.met, f.updates_high.total) == (1, 2)  # 3 Nov met, 9 Nov missed
    # Gaps of updates given in November: 13, 17 and 6 days → 12.0
    assert f.mean_days_between_updates == 12.0


def test_a_reopened_case_is_open_again_and_its_cancelled_deadlines_do_not_count(officer_user, manager_user, viewer):
    case, victim = report(london(2026, 11, 2, 9))
    call(case, victim, officer_user, london(2026, 11, 3, 10), final_update=True)
    case.refresh_from_db()
    with time_machine.travel(london(2026, 11, 4, 12), tick=True):
        case_close(case=case, reason="resolved", actor=officer_user)
    assert Deadline.objects.filter(cancelled_at__isnull=False).count() == 1  # the next update, cancelled on closing
    f = selectors.figures(NOVEMBER, Filters(viewer=viewer))
    assert (f.updates_standard.total, f.first_contact.total) == (0, 1)
    case.refresh_from_db()
    case_status_change(case=case, to_status="open", reason="It started again", actor=officer_user)
    now = selectors.figures(NOVEMBER, Filters(viewer=viewer))
    assert now.open_by_risk == {"Not assessed": 1, "Standard": 0, "Medium": 0, "High": 0}  # never assessed
    assert sum(now.open_by_age.values()) == 1
    case_assign(case=case, officer=officer_user, actor=manager_user)
    rows = selectors.workload(Filters(viewer=viewer))
    assert rows[0]["open"] == 1 and rows[0]["name"]


def test_filters_narrow_every_figure(officer_user, call_centre_user, viewer):
    mine, a = report(london(2026, 11, 2, 9))
    case_assign(case=mine, officer=officer_user, actor=officer_user)
    submit_report(report_submission(phone="07700 900777", email="p@example.com", incident_date=date(2026, 11, 3)),
                  channel="phone", logged_by=call_centre_user, received_at=london(2026, 11, 3, 9))
    assert selectors.figures(NOVEMBER, Filters(viewer=viewer, officer=officer_user.pk)).reports_by_channel == {"online": 1, "phone": 0}
    assert selectors.figures(NOVEMBER, Filters(viewer=viewer, channel="phone")).reports_by_channel == {"online": 0, "phone": 1}
    assert selectors.figures(NOVEMBER, Filters(viewer=viewer, risk_level="high")).reports_total == 0


def test_twelve_months_of_trends(officer_user, viewer):
    case, a = report(london(2026, 11, 2, 9))
    call(case, a, officer_user, london(2026, 11, 3, 10))
    report(london(2026, 6, 8, 9), phone="07700 900555", email="b@example.com")
    rows = selectors.trends(Filters(viewer=viewer), today=date(2026, 12, 15))
    assert len(rows) == 12 and rows[0]["month"] == date(2026, 1, 1) and rows[-1]["month"] == date(2026, 12, 1)
    by_month = {r["month"]: r for r in rows}
    assert by_month[date(2026, 11, 1)]["reports"] == 1 and by_month[date(2026, 6, 1)]["reports"] == 1
    assert by_month[date(2026, 11, 1)]["first_contact"].met == 1
    assert by_month[date(2026, 6, 1)]["first_contact"].met == 0 and by_month[date(2026, 6, 1)]["first_contact"].total == 1


def test_periods():
    today = date(2026, 12, 15)
    assert period_from("this_month", today=today).start == date(2026, 12, 1)
    last = period_from("last_month", today=today)
    assert (last.start, last.end) == (date(2026, 11, 1), date(2026, 11, 30))
    year = period_from("12m", today=today)
    assert (year.start, year.end) == (date(2026, 1, 1), today)
    assert period_from("custom", today=today, start=date(2026, 2, 1), end=date(2026, 1, 1)).key == "this_month"
