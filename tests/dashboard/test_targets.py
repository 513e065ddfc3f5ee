"""Each headline figure says Met, Not met or No data yet against its target, on the page and month by month (issue 10)."""

import re
from datetime import date, datetime
from fractions import Fraction

import pytest
import time_machine

from cases import sla
from cases.models import Case
from cases.services import case_close, contact_record
from dashboard.targets import TARGETS, Verdict, judge, judge_share
from surveys.models import Invitation
from surveys.services import invitation_token, survey_submit, surveys_sweep

from ..cases.factories import report_submission, submit_report

pytestmark = pytest.mark.django_db

GOOD = {"treated_fairly": "5", "listened_to": "4", "kept_updated": "4", "first_contact_speed": "5", "staff_polite": "5"}


def london(*args):
    return datetime(*args, tzinfo=sla.LONDON)


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(london(2026, 12, 15, 12, 0), tick=False):
        yield


def report(at, n):
    r = submit_report(report_submission(phone=f"07700 900{n:03d}", email=f"person{n}@example.com", incident_date=at.date()),
                      received_at=at)
    return r.case, r.reporter


def call(case, party, actor, day):
    contact_record(case=case, party=party, method="phone", direction="out", successful=True, summary="x",
                   occurred_at=london(2026, 11, day, 10), gave_update=True, actor=actor)


def answered_in_november(officer, n, overall):
    """A case received and closed in October (its next update, due in November, is cancelled by closing), invited the
    day after closing and answered on 10 November."""
    case, reporter = report(london(2026, 10, 26, 9), n)
    contact_record(case=case, party=reporter, method="phone", direction="out", successful=True, summary="Outcome",
                   occurred_at=london(2026, 10, 27, 10), gave_update=True, final_update=True, actor=officer)
    case.refresh_from_db()
    with time_machine.travel(london(2026, 10, 28, 12), tick=False):
        case_close(case=case, reason="resolved", actor=officer)
    with time_machine.travel(london(2026, 10, 29, 12), tick=False):
        surveys_sweep()
    with time_machine.travel(london(2026, 11, 10, 12), tick=False):
        survey_submit(token=invitation_token(Invitation.objects.get(case=case)), answers={**GOOD, "overall": str(overall)})


@pytest.fixture
def november(officer_user):
    """November 2026, worked out by hand.

    - A, standard risk, received Mon 2 Nov: first contact 3 Nov (due Thu 5th, met); updates 16 Nov (13 days, due 17th)
      and 27 Nov (11 days, due 30th): both met;
    - B, standard risk, received Mon 9 Nov: first contact Fri 13 Nov (due Thu 12th: missed); update 26 Nov (13 days,
      due 27th): met;
    - C, high risk, received Mon 2 Nov: first contact 3 Nov (met); updates every 6 days (9, 15, 21, 27 Nov), each due
      7 days after the one before: four of four met;
    - two survey answers on 10 November, "very satisfied" and "dissatisfied".

    First contact 2 of 3 (66.7%, target all: Not met); high-risk updates 4 of 4 (100.0%: Met); standard updates 3 of 3
    (no target of its own); days between updates given in November 13, 11, 13, 6, 6, 6, 6 → 61 / 7 = 8.7 (Met);
    satisfaction 1 of 2 (50.0%, target 97%: Not met); reports received 3, all online (no target).
    """
    a, victim_a = report(london(2026, 11, 2, 9), 1)
    call(a, victim_a, officer_user, 3)
    call(a, victim_a, officer_user, 16)
    call(a, victim_a, officer_user, 27)
    b, victim_b = report(london(2026, 11, 9, 9), 2)
    call(b, victim_b, officer_user, 13)
    call(b, victim_b, officer_user, 26)
    c, victim_c = report(london(2026, 11, 2, 9), 3)
    Case.objects.filter(pk=c.pk).update(risk_level="high")
    c.refresh_from_db()
    for day in (3, 9, 15, 21, 27):
        call(c, victim_c, officer_user, day)
    answered_in_november(officer_user, 4, 5)
    answered_in_november(officer_user, 5, 2)


def figure_block(page, heading):
    """The text of one headline figure: from its heading to the next heading, tags and all, without markup."""
    start = page.index(f">{heading}</h2>") + 1
    block = page[start:page.index("<h2", start + 1)]
    return " ".join(re.sub(r"<[^>]+>", " ", block).split())


def month_row(page, month):
    row = re.search(rf"<tr class=\"govuk-table__row\"><th scope=\"row\"[^>]*>{month}</th>(.*?)</tr>", page, re.S).group(1)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


NOVEMBER_QUERY = {"period": "custom", "start_0": "1", "start_1": "11", "start_2": "2026", "end_0": "30", "end_1": "11", "end_2": "2026"}


def test_each_headline_figure_says_met_or_not_met_against_its_target(client, manager_user, november):
    client.force_login(manager_user)
    page = client.get("/dashboard/", NOVEMBER_QUERY).content.decode()
    assert "1 November 2026 to 30 November 2026" in page
    assert figure_block(page, "Reports received") == (
        "Reports received 3 online 3, phone 0 No target: a count, not a promise Reports behind this (CSV)")
    assert figure_block(page, "First contact within 3 working days") == (
        "First contact within 3 working days 66.7% 2 of 3 on time Target: all, by the end of the 3rd working day "
        "(anonymous reports excluded) Not met Deadlines behind this (CSV)")
    assert figure_block(page, "Customer satisfaction") == (
        "Customer satisfaction 50.0% 1 of 2 satisfied Target: 97% or more Not met Responses behind this (CSV)")
    assert figure_block(page, "Victim updates on time: standard and medium risk (14 days)") == (
        "Victim updates on time: standard and medium risk (14 days) 100.0% 3 of 3 on time "
        "No target of its own: the promise is an average (see average days between updates)")
    assert figure_block(page, "Victim updates on time: high risk (7 days)") == (
        "Victim updates on time: high risk (7 days) 100.0% 4 of 4 on time Target: all, at least every 7 days Met "
        "Update deadlines behind these (CSV)")
    assert figure_block(page, "Average days between updates") == (
        "Average days between updates 8.7 per victim, for updates given in this period "
        "Target: 14 days or fewer on average Met")
    # The tags are GOV.UK tags whose words carry the meaning (colour only repeats it).
    assert page.count('<strong class="govuk-tag govuk-tag--green">Met</strong>') >= 2
    assert page.count('<strong class="govuk-tag govuk-tag--red">Not met</strong>') >= 2


def test_the_month_by_month_table_says_met_or_not_met_where_a_target_applies(client, manager_user, november):
    client.force_login(manager_user)
    page = client.get("/dashboard/", {"period": "12m"}).content.decode()
    assert "All updates on time (no target)" in page
    assert month_row(page, "November 2026") == [
        "3", "66.7% (2/3) Not met", "100.0% (7/7)", "100.0% (4/4) Met", "8.7 Met", "50.0% (1/2) Not met",
    ]
    assert month_row(page, "September 2026") == ["0", "–", "–", "–", "–", "–"]


def test_a_period_with_nothing_in_it_says_no_data_yet_not_met_or_not_met(client, manager_user, november):
    client.force_login(manager_user)
    september = {**NOVEMBER_QUERY, "start_1": "9", "end_1": "9"}
    page = client.get("/dashboard/", september).content.decode()
    for heading in ("First contact within 3 working days", "Customer satisfaction", "Victim updates on time: high risk (7 days)",
                    "Average days between updates"):
        block = figure_block(page, heading)
        assert "No data yet" in block and "Met" not in block.replace("No data yet", ""), block


def test_targets_are_judged_on_the_exact_share_not_the_rounded_percentage():
    assert judge_share("first_contact", 2500, 2500) is Verdict.MET
    assert judge_share("first_contact", 2499, 2500) is Verdict.NOT_MET  # shown as 100.0%, but not all
    assert judge_share("first_contact", 0, 0) is Verdict.NO_DATA
    assert judge_share("satisfaction", 97, 100) is Verdict.MET
    assert judge_share("satisfaction", 9699, 10000) is Verdict.NOT_MET
    assert judge("mean_days_between_updates", 14.0) is Verdict.MET
    assert judge("mean_days_between_updates", 14.1) is Verdict.NOT_MET
    assert judge("mean_days_between_updates", None) is Verdict.NO_DATA
    assert TARGETS["satisfaction"].judge(Fraction(97)) is Verdict.MET
    assert [v.label for v in Verdict] == ["Met", "Not met", "No data yet"]


def test_the_trends_carry_high_risk_updates_and_the_mean_gap_each_month(november, viewer):
    from dashboard import selectors

    rows = {r["month"]: r for r in selectors.trends(selectors.Filters(viewer=viewer), today=date(2026, 12, 15))}
    november_row = rows[date(2026, 11, 1)]
    assert (november_row["updates_high"].met, november_row["updates_high"].total) == (4, 4)
    assert november_row["mean_days_between_updates"] == 8.7
    assert rows[date(2026, 9, 1)]["mean_days_between_updates"] is None
