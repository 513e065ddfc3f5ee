"""The Case Review's published figures, counted from stored rows (never typed in), per reporting year.

The reporting year is the council's financial year, 1 April to 31 March ("April 2026 to March 2027"): the year
councils publish their Case Review numbers for. The four statutory numbers (Home Office statutory guidance):
applications received (by the day received), the number where the threshold was not met and no review was held
(by the day decided), reviews carried out (meetings, by the day held) and reviews that resulted in recommendations.
All years take three queries, however many years and rows there are. Also: the manager dashboard's panel (the period's
year, stage timeliness, and how often the Case Review was explained at a second report, from selectors_threshold).
"""

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, When
from django.db.models.functions import ExtractMonth, ExtractYear

from cases import sla
from cases.models import Deadline, DeadlineKind
from cases.models.deadlines import MET_ON_TIME

from .models import Application, Recommendation, ReviewMeeting
from .selectors_threshold import explained_counts

YEAR_STARTS_MONTH = 4  # April
STAGE_KINDS = [
    DeadlineKind.CASE_REVIEW_ACKNOWLEDGE, DeadlineKind.CASE_REVIEW_DECISION, DeadlineKind.CASE_REVIEW_MEETING,
    DeadlineKind.CASE_REVIEW_OUTCOME, DeadlineKind.CASE_REVIEW_ESCALATION, DeadlineKind.CASE_REVIEW_RECOMMENDATION,
]
CSV_HEADER = ["reporting_year", "from", "to", "applications_received", "threshold_not_met", "reviews_carried_out",
              "reviews_with_recommendations"]


def year_of(day: date) -> int:
    """The reporting year a day falls in, named by the year it starts: 31 March 2027 is in 2026, 1 April 2027 in 2027."""
    return day.year if day.month >= YEAR_STARTS_MONTH else day.year - 1


def year_bounds(year: int) -> tuple[date, date]:
    return date(year, YEAR_STARTS_MONTH, 1), date(year + 1, YEAR_STARTS_MONTH, 1)


def year_label(year: int) -> str:
    return f"April {year} to March {year + 1}"


@dataclass
class YearFigures:
    year: int
    received: int = 0
    not_met: int = 0
    reviews: int = 0
    with_recommendations: int = 0

    @property
    def label(self) -> str:
        return year_label(self.year)

    @property
    def starts(self) -> date:
        return year_bounds(self.year)[0]

    @property
    def ends(self) -> date:
        return date(self.year + 1, 3, 31)


def _by_year(queryset, column: str, *, is_date: bool = False, **counts) -> dict[int, dict]:
    tz = {} if is_date else {"tzinfo": sla.LONDON}
    rows = (queryset.annotate(_year=ExtractYear(column, **tz), _month=ExtractMonth(column, **tz))
            .annotate(_reporting=Case(When(_month__lt=YEAR_STARTS_MONTH, then=F("_year") - 1), default=F("_year"),
                                      output_field=IntegerField()))
            .values("_reporting").annotate(**counts).order_by("_reporting"))
    return {row.pop("_reporting"): row for row in rows}


def yearly_figures(*, until: date | None = None) -> list[YearFigures]:
    """Every reporting year with any application, decision or meeting, newest first (three queries)."""
    received = _by_year(Application.objects.all(), "received_at", n=Count("id"))
    not_met = _by_year(Application.objects.filter(decided_at__isnull=False, threshold_met=False, proceeds=False), "decided_at",
                       n=Count("id"))
    meetings = ReviewMeeting.objects.annotate(has_recs=Exists(Recommendation.objects.filter(application_id=OuterRef("application_id"))))
    reviews = _by_year(meetings, "held_on", is_date=True, n=Count("id"), with_recs=Count("id", filter=Q(has_recs=True)))
    years = sorted(set(received) | set(not_met) | set(reviews), reverse=True)
    if until is not None:
        years = [y for y in years if y <= year_of(until)]
    return [
        YearFigures(year=y, received=received.get(y, {}).get("n", 0), not_met=not_met.get(y, {}).get("n", 0),
                    reviews=reviews.get(y, {}).get("n", 0), with_recommendations=reviews.get(y, {}).get("with_recs", 0))
        for y in years
    ]


def figures_for_year(year: int) -> YearFigures:
    """One reporting year's four numbers (zeros when nothing happened in it)."""
    return next((f for f in yearly_figures() if f.year == year), YearFigures(year=year))


# --- CSV ------------------------------------------------------------------------------------------------

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): text starting = + - @ gets a quote."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_STARTS) else text


def figures_csv(figures: list[YearFigures]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for f in figures:
        writer.writerow([csv_safe(v) for v in (f.label, f.starts, f.ends, f.received, f.not_met, f.reviews, f.with_recommendations)])
    return out.getvalue()


# --- the manager dashboard ----------------------------------------------------------------------------------


@dataclass
class StageTimeliness:
    kind: str
    label: str
    due: int
    on_time: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.on_time / self.due, 1) if self.due else None


def stage_timeliness(start_at: datetime, end_at: datetime, *, now: datetime) -> list[StageTimeliness]:
    """For each stage, the deadlines that fell due in the period (and are already due) and how many were met on time:
    one query. Counted as every dashboard figure is (Deadline.objects.counted(): one cancelled before it fell due is
    not counted)."""
    due = Deadline.objects.counted().filter(kind__in=STAGE_KINDS, due_at__gte=start_at, due_at__lte=min(end_at, now))
    aggregates = {}
    for kind in STAGE_KINDS:
        aggregates[f"{kind}_due"] = Count("id", filter=Q(kind=kind))
        aggregates[f"{kind}_met"] = Count("id", filter=Q(kind=kind) & MET_ON_TIME)
    counts = due.aggregate(**aggregates)
    labels = dict(DeadlineKind.choices)
    return [StageTimeliness(kind, labels[kind].removeprefix("Case Review: ").capitalize(), counts[f"{kind}_due"], counts[f"{kind}_met"])
            for kind in STAGE_KINDS]


@dataclass
class DashboardPanel:
    year: YearFigures
    stages: list[StageTimeliness]
    explained: dict  # casereview.selectors_threshold.explained_counts: raised, explained, not_explained, not_asked


def dashboard_panel(*, start_at: datetime, end_at: datetime, now: datetime) -> DashboardPanel:
    year = year_of(min(end_at, now).astimezone(sla.LONDON).date())
    return DashboardPanel(year=figures_for_year(year), stages=stage_timeliness(start_at, end_at, now=now),
                          explained=explained_counts(start_at, end_at))
