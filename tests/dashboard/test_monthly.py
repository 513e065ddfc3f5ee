"""Issue 16: the dashboard's pre-aggregated monthly rows give exactly the live figures, for every figure and filter,
before and after edits to closed months (stale months read live until the refresh rebuilds them)."""

import itertools
from datetime import date, datetime

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import sla
from cases.models import Case, Category, Channel, Deadline, DeadlineKind, RiskLevel
from cases.services import case_assign, case_close, case_merge, case_status_change, case_update, contact_record
from dashboard import monthly, selectors
from dashboard.models import BuiltMonth, MonthlyFigure, StaleMonth
from dashboard.selectors import Filters, period_from
from dashboard.services import dashboard_refresh
from dashboard.tasks import dashboard_refresh_months
from surveys.services import phone_survey_start, survey_submit

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 15)
SEPTEMBER, OCTOBER, NOVEMBER = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)


def london(*args):
    return datetime(*args, tzinfo=sla.LONDON)


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(london(2026, 12, 15, 12, 0), tick=False):
        yield


def report(at, n, **kw):
    data = report_submission(incident_date=at.date(), phone=f"07700 9{n:05d}", email=f"p{n}@example.com",
                             **kw.pop("data", {}))
    r = submit_report(data, received_at=at, **kw)
    return r.case, r.reporter


def call(case, party, actor, at, **kw):
    return contact_record(case=case, party=party, method="phone", direction="out", successful=True, summary="x",
                          occurred_at=at, gave_update=True, actor=actor, **kw)


def survey(case, party, actor, at, overall):
    with time_machine.travel(at, tick=False):
        invitation = phone_survey_start(case=case, party=party, actor=actor)
        survey_submit(invitation=invitation, answers={**dict.fromkeys(
            ("treated_fairly", "listened_to", "kept_updated", "first_contact_speed", "staff_polite"), 4),
            "overall": overall}, entered_by=actor)


@pytest.fixture
def history(officer_user, manager_user, call_centre_user):
    """Four months of varied facts: both channels (and a case with both), risks, two officers and nobody,
    two categories, first contact on time, late and never, updates on time, late and missed (standard and high),
    deadlines cancelled before and after they fell due, and survey responses."""
    from ..cases.factories import UserFactory

    other = UserFactory(username="second-officer")
    other.groups.set(officer_user.groups.all())
    second_category = Category.objects.exclude(slug="noise").order_by("pk").first()
    a, pa = report(london(2026, 9, 3, 9), 1)
    case_assign(case=a, officer=officer_user, actor=manager_user)
    call(a, pa, officer_user, london(2026, 9, 4, 10))
    call(a, pa, officer_user, london(2026, 9, 17, 10))  # on time
    call(a, pa, officer_user, london(2026, 10, 9, 10))  # late
    b, pb = report(london(2026, 10, 6, 9), 2, channel=Channel.PHONE, logged_by=call_centre_user,
                   data={"category": second_category})  # unassigned, never contacted
    c, pc = report(london(2026, 10, 20, 9), 3)
    case_assign(case=c, officer=other, actor=manager_user)
    Case.objects.filter(pk=c.pk).update(risk_level=RiskLevel.HIGH)
    c.refresh_from_db()
    call(c, pc, other, london(2026, 10, 27, 10))  # first contact late; update due in 7 days
    call(c, pc, other, london(2026, 11, 2, 10))  # on time
    d, pd = report(london(2026, 11, 2, 9), 4)
    submit_report(report_submission(incident_date=date(2026, 11, 10), phone="07700 900004", email="p4@example.com"),
                  channel=Channel.PHONE, logged_by=call_centre_user, existing_case=d, received_at=london(2026, 11, 10, 9))
    call(d, pd, officer_user, london(2026, 11, 3, 10))
    survey(a, pa, officer_user, london(2026, 11, 12, 14), overall=5)
    survey(c, pc, other, london(2026, 11, 20, 14), overall=2)
    e, pe = report(london(2026, 11, 16, 9), 5)
    call(e, pe, officer_user, london(2026, 11, 16, 15), final_update=True)
    with time_machine.travel(london(2026, 11, 17, 12), tick=False):
        case_close(case=e, reason="resolved", actor=officer_user)  # its next update cancelled before it fell due
    f, pf = report(london(2026, 10, 1, 9), 6)
    # Cancelled after it fell due unmet (a bulk write, as an admin action would): still counted, as missed.
    Deadline.objects.filter(case=f).update(cancelled_at=london(2026, 11, 25, 12))
    g, pg = report(london(2026, 12, 1, 9), 7)
    call(g, pg, officer_user, london(2026, 12, 2, 10))
    survey(d, pd, officer_user, london(2026, 12, 3, 14), overall=4)
    return {"officers": [officer_user.pk, other.pk], "categories": [a.category_id, second_category.pk],
            "cases": dict(a=a, b=b, c=c, d=d, e=e, f=f, g=g), "parties": dict(a=pa, c=pc), "other": other}


PERIODS = [
    period_from("this_month", today=TODAY),
    period_from("last_month", today=TODAY),
    period_from("12m", today=TODAY),
    period_from("custom", today=TODAY, start=date(2026, 9, 15), end=date(2026, 12, 10)),  # partial months both ends
    period_from("custom", today=TODAY, start=date(2026, 10, 1), end=date(2026, 11, 30)),  # whole months only
]


def combinations(history):
    return [
        Filters(viewer=None, officer=o, category=c, channel=ch, risk_level=r)
        for o, c, ch, r in itertools.product([None, *history["officers"]], [None, *history["categories"]],
                                             ["", Channel.ONLINE, Channel.PHONE], ["", RiskLevel.HIGH, RiskLevel.NOT_ASSESSED])
    ]


def assert_same_as_live(viewer, history):
    compared = 0
    for f in combinations(history):
        filters = Filters(viewer=viewer, officer=f.officer, category=f.category, channel=f.channel, risk_level=f.risk_level)
        for period in PERIODS:
            assert monthly.figures(period, filters) == selectors.figures(period, filters), (period.key, filters)
        assert monthly.trends(filters) == selectors.trends(filters), filters
        compared += 1
    return compared


def test_the_monthly_rows_equal_the_live_figures_for_every_filter_and_period(viewer, history):
    assert dashboard_refresh() == [SEPTEMBER, OCTOBER, NOVEMBER]
    assert set(BuiltMonth.objects.values_list("month", flat=True)) == {SEPTEMBER, OCTOBER, NOVEMBER}
    # Not vacuous: the seeded months hold what the figures count, and the rows are read (not all live).
    whole = monthly.month_rows(Filters(viewer=viewer), SEPTEMBER, date(2026, 12, 1))
    assert set(whole) == {SEPTEMBER, OCTOBER, NOVEMBER}
    assert whole[NOVEMBER].survey_total == 2 and whole[NOVEMBER].reports_phone == 1 and whole[OCTOBER].gap_count >= 1
    assert whole[NOVEMBER].updates_high_total >= 1 and whole[OCTOBER].first_contact_total == 3
    assert assert_same_as_live(viewer, history) == 81


def test_edits_to_closed_months_mark_them_stale_and_stay_equal_before_and_after_the_refresh(viewer, history, officer_user,
                                                                                          manager_user, call_centre_user):
    dashboard_refresh()
    cases, other = history["cases"], history["other"]
    assert not StaleMonth.objects.exists()
    # A late update meeting a deadline that fell due in November (given today).
    c = Case.objects.get(pk=cases["c"].pk)
    late = Deadline.objects.get(case=c, kind=DeadlineKind.VICTIM_UPDATE, met_at__isnull=True, cancelled_at__isnull=True)
    assert late.due_at < london(2026, 12, 1)
    call(c, history["parties"]["c"], other, london(2026, 12, 14, 10))
    assert set(StaleMonth.objects.values_list("month", flat=True)) == {late.due_at.astimezone(sla.LONDON).date().replace(day=1)}
    assert_same_as_live(viewer, history)
    # A risk change, a reassignment, a category change, a merge, a reopened case, a repeat report by phone.
    Case.objects.filter(pk=cases["a"].pk).update(risk_level=RiskLevel.HIGH)
    case_assign(case=Case.objects.get(pk=cases["b"].pk), officer=officer_user, actor=manager_user)
    case_update(case=Case.objects.get(pk=cases["d"].pk), actor=manager_user, category=Category.objects.get(pk=history["categories"][1]))
    case_merge(duplicate=Case.objects.get(pk=cases["f"].pk), into=Case.objects.get(pk=cases["c"].pk), actor=manager_user)
    case_status_change(case=Case.objects.get(pk=cases["e"].pk), to_status="open", reason="It started again", actor=officer_user)
    submit_report(report_submission(incident_date=date(2026, 12, 14), phone="07700 900001", email="p1@example.com"),
                  channel=Channel.PHONE, logged_by=call_centre_user, existing_case=Case.objects.get(pk=cases["a"].pk),
                  received_at=london(2026, 12, 14, 9))
    assert set(StaleMonth.objects.values_list("month", flat=True)) == {SEPTEMBER, OCTOBER, NOVEMBER}
    assert monthly.month_rows(Filters(viewer=viewer), SEPTEMBER, NOVEMBER) == {}  # all read live until rebuilt
    assert_same_as_live(viewer, history)
    assert dashboard_refresh_months.apply().get() == 3  # the beat task
    assert not StaleMonth.objects.exists()
    assert set(monthly.month_rows(Filters(viewer=viewer), SEPTEMBER, NOVEMBER)) == {SEPTEMBER, OCTOBER, NOVEMBER}
    assert_same_as_live(viewer, history)


def test_writes_to_the_current_month_or_unbuilt_months_mark_nothing(history, officer_user):
    g = history["cases"]["g"]
    call(g, g.parties.first(), officer_user, london(2026, 12, 14, 10))
    Case.objects.filter(pk=history["cases"]["a"].pk).update(risk_level=RiskLevel.HIGH)
    assert not StaleMonth.objects.exists()  # nothing is built yet
    dashboard_refresh()
    call(g, g.parties.first(), officer_user, london(2026, 12, 15, 10))
    assert not StaleMonth.objects.exists()


def test_the_rebuild_command_and_a_fixed_number_of_queries(viewer, history):
    filters = Filters(viewer=viewer, officer=history["officers"][0])
    period = period_from("12m", today=TODAY)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            monthly.figures(period, filters)
            monthly.trends(filters)
        return len(captured)

    live = queries()
    call_command("dashboard_rebuild", "--all")
    assert BuiltMonth.objects.filter(built_at__isnull=False).count() == 3 and MonthlyFigure.objects.exists()
    assert queries() == live
    before = MonthlyFigure.objects.filter(month=OCTOBER).count()
    call_command("dashboard_rebuild", "--months", "2026-10")
    assert MonthlyFigure.objects.filter(month=OCTOBER).count() == before


def test_viewers_without_every_case_are_answered_live(history, manager_user):
    from django.contrib.auth.models import AnonymousUser

    dashboard_refresh()
    period = period_from("12m", today=TODAY)
    assert monthly.figures(period, Filters(viewer=AnonymousUser())) == selectors.figures(period, Filters(viewer=AnonymousUser()))


def test_a_refresh_while_another_runs_builds_nothing_and_the_next_one_builds(history):
    """Overlapping refreshes (a slow beat run and the next, or the command) never build the same month twice at once."""
    import psycopg2

    from dashboard.services import REFRESH_LOCK

    settings = connection.settings_dict
    other = psycopg2.connect(dbname=settings["NAME"], user=settings["USER"], password=settings["PASSWORD"],
                             host=settings["HOST"], port=settings["PORT"])
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [REFRESH_LOCK])
        assert dashboard_refresh() == []
        assert not MonthlyFigure.objects.exists()
        with other.cursor() as cursor:  # released now (closing the session would release it a moment later)
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK])
            assert cursor.fetchone()[0]
    finally:
        other.close()
    assert dashboard_refresh() == [SEPTEMBER, OCTOBER, NOVEMBER]
    assert MonthlyFigure.objects.exists()
