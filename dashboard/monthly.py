"""The dashboard's period figures and trends read from the monthly rows (MonthlyFigure) for built, not stale, closed
months, and computed live (as dashboard.selectors does) for the rest: the current month, partial months of a chosen
period, and months not built or marked stale. The results equal selectors.figures and selectors.trends exactly."""

from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from django.db import connection
from django.db.models import Count, Q, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases import sla
from cases.models import DeadlineKind, Report
from cases.models.deadlines import MET_ON_TIME
from cases.policy import Can, can, scoped
from surveys import selectors as survey_selectors

from . import selectors
from .selectors import HIGH_RISK_UPDATE, STANDARD_UPDATE, Figures, Filters, Period, Share
from .services import month_start, next_month

GAP_MICROSECONDS = RawSQL("extract(epoch FROM cases_deadline.met_at - cases_deadline.starts_at) * 1000000", [])


@dataclass
class Measures:
    """One month's (or a sum of months') additive counts, as stored in MonthlyFigure."""

    reports_total: int = 0
    reports_online: int = 0
    reports_phone: int = 0
    first_contact_total: int = 0
    first_contact_met: int = 0
    updates_standard_total: int = 0
    updates_standard_met: int = 0
    updates_high_total: int = 0
    updates_high_met: int = 0
    gap_microseconds: int = 0
    gap_count: int = 0
    survey_total: int = 0
    survey_satisfied: int = 0

    def add(self, other: "Measures") -> "Measures":
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))
        return self

    @property
    def mean_days_between_updates(self) -> float | None:
        # As Avg(interval) gives it: the mean to the microsecond, then days to one decimal place.
        if not self.gap_count:
            return None
        mean = (Decimal(self.gap_microseconds) / self.gap_count).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)
        return round(timedelta(microseconds=int(mean)).total_seconds() / 86400, 1)


MEASURES = [f.name for f in fields(Measures)]


def eligible(filters: Filters) -> bool:
    """Rows count every case; a viewer who sees only some (a partner) or no survey results is answered live."""
    return can(filters.viewer, Can.WORK_CASES) and can(filters.viewer, Can.READ_SURVEY_RESULTS)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=sla.LONDON)


def _end(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=sla.LONDON)


def month_rows(filters: Filters, first: date, last: date) -> dict[date, Measures]:
    """The built, not stale months from `first` to `last` (1sts of months) with this filter's row (zero if none)."""
    sql = (
        "SELECT b.month, " + ", ".join(f"f.{name}" for name in MEASURES) + " FROM dashboard_builtmonth b"
        " LEFT JOIN dashboard_monthlyfigure f ON f.month = b.month AND f.officer_id = %s AND f.category_id = %s"
        " AND f.risk_level = %s AND f.channel = %s"
        " WHERE b.built_at IS NOT NULL AND b.month >= %s AND b.month <= %s"
        " AND NOT EXISTS (SELECT 1 FROM dashboard_stalemonth s WHERE s.month = b.month)"
    )
    params = [filters.officer or 0, filters.category or 0, filters.risk_level, filters.channel, first, last]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {row[0]: Measures(*(int(v or 0) for v in row[1:])) for row in cursor.fetchall()}


def _within(field: str, ranges: list[tuple[datetime, datetime]]) -> Q | None:
    q = None
    for lo, hi in ranges:
        if lo <= hi:
            one = Q(**{f"{field}__gte": lo, f"{field}__lte": hi})
            q = one if q is None else q | one
    return q


def _month_of(value) -> date:
    return timezone.localtime(value, sla.LONDON).date().replace(day=1)


def _one_month(ranges: list[tuple[datetime, datetime]]) -> date | None:
    """The London month every range lies in, if they all lie in one (the current month, most often)."""
    months = {_month_of(lo) for lo, hi in ranges if lo <= hi} | {_month_of(hi) for lo, hi in ranges if lo <= hi}
    return months.pop() if len(months) == 1 else None


def _by_month(qs, field: str, ranges, *, group=(), **aggregates) -> list[tuple[date, dict]]:
    """(London month, aggregates) rows of `qs` within `ranges`. Within one month the aggregate needs no grouping by
    month (no sort of every row by its truncated date, which spilled past work_mem at 1,000,000 cases)."""
    qs = qs.filter(_within(field, ranges))
    only = _one_month(ranges)
    if only is not None and not group:
        values = qs.aggregate(**aggregates)
        return [(only, values)] if any(values.values()) else []
    if only is not None:
        return [(only, row) for row in qs.values(*group).annotate(**aggregates).order_by()]
    rows = qs.annotate(m=TruncMonth(field, tzinfo=sla.LONDON)).values("m", *group).annotate(**aggregates).order_by()
    return [(_month_of(row.pop("m")), row) for row in rows]


def live(filters: Filters, *, reports, due, met, surveys, cache: dict | None = None) -> dict[date, Measures]:
    """The measures by London month, computed live from the stored facts over the given datetime ranges (one list
    per fact, as selectors.figures and trends bound each); a fact with no range is not queried. `cache` (one dict per
    request) answers a fact asked again for the same ranges and filters (the figures and the trends both ask for
    the current month) without a second query."""
    out: dict[date, Measures] = {}
    cache = {} if cache is None else cache

    def at(month) -> Measures:
        return out.setdefault(month, Measures())

    def rows(fact: str, ranges, make) -> list[tuple[date, dict]]:
        ranges = [(lo, hi) for lo, hi in ranges if lo <= hi]
        if not ranges:
            return []
        key = (fact, tuple(ranges), filters)
        if key not in cache:
            cache[key] = make(ranges)
        return cache[key]

    def report_rows(ranges):
        qs = scoped(filters.viewer, Report.objects.all())
        if not filters.is_empty():
            qs = qs.filter(case__in=filters.cases())
        return _by_month(qs, "received_at", ranges, group=("channel",), n=Count("id"))

    for month, values in rows("reports", reports, report_rows):
        row = at(month)
        row.reports_total += values["n"]
        if values["channel"] in ("online", "phone"):
            setattr(row, f"reports_{values['channel']}", getattr(row, f"reports_{values['channel']}") + values["n"])

    def due_rows(ranges):
        kinds = {"first_contact": Q(kind=DeadlineKind.FIRST_CONTACT), "updates_high": HIGH_RISK_UPDATE,
                 "updates_standard": STANDARD_UPDATE}
        aggregates = {}
        for name, which in kinds.items():
            aggregates[f"{name}_total"] = Count("id", filter=which)
            aggregates[f"{name}_met"] = Count("id", filter=which & MET_ON_TIME)
        return _by_month(selectors.deadlines_for(filters), "due_at", ranges, **aggregates)

    for month, values in rows("due", due, due_rows):
        row = at(month)
        for name, n in values.items():
            setattr(row, name, getattr(row, name) + n)

    def met_rows(ranges):
        qs = selectors.deadlines_for(filters).filter(kind=DeadlineKind.VICTIM_UPDATE)
        return _by_month(qs, "met_at", ranges, gap=Sum(GAP_MICROSECONDS), n=Count("id"))

    for month, values in rows("met", met, met_rows):
        if values["n"]:
            row = at(month)
            row.gap_microseconds += int(values["gap"])
            row.gap_count += values["n"]

    def survey_rows(ranges):
        qs = selectors.responses_narrowed(survey_selectors.responses(filters.viewer), filters)
        return _by_month(qs, "submitted_at", ranges, total=Count("id"),
                         ok=Count("id", filter=Q(overall__gte=survey_selectors.SATISFIED)))

    for month, values in rows("surveys", surveys, survey_rows):
        row = at(month)
        row.survey_total += values["total"]
        row.survey_satisfied += values["ok"]
    return out


def _whole_months(start: date, end: date, before: date) -> list[date]:
    """The months lying wholly within start..end and before `before`."""
    months, month = [], month_start(start)
    if month < start:
        month = next_month(month)
    while next_month(month) - timedelta(days=1) <= end and month < before:
        months.append(month)
        month = next_month(month)
    return months


def _segments(start: date, end: date, covered: set[date]) -> list[tuple[date, date]]:
    """start..end as runs of days outside the covered months."""
    runs, day = [], start
    while day <= end:
        month = month_start(day)
        if month in covered:
            day = next_month(month)
            continue
        stop = min(end, next_month(month) - timedelta(days=1))
        if runs and runs[-1][1] == day - timedelta(days=1):
            runs[-1] = (runs[-1][0], stop)
        else:
            runs.append((day, stop))
        day = stop + timedelta(days=1)
    return runs


def figures(period: Period, filters: Filters, *, now: datetime | None = None, cache: dict | None = None) -> Figures:
    """selectors.figures, with the period's whole closed months read from their rows."""
    now = now or timezone.now()
    if not eligible(filters):
        return selectors.figures(period, filters, now=now)
    whole = _whole_months(period.start, period.end, month_start(timezone.localdate(now)))
    rows = month_rows(filters, whole[0], whole[-1]) if whole else {}
    runs = [(_start(a), _end(b)) for a, b in _segments(period.start, period.end, set(rows))]
    total = Measures()
    for measures in rows.values():
        total.add(measures)
    for measures in live(filters, reports=runs, due=[(lo, min(hi, now)) for lo, hi in runs], met=runs,
                         surveys=runs, cache=cache).values():
        total.add(measures)
    result = Figures(
        reports_by_channel={"online": total.reports_online, "phone": total.reports_phone},
        first_contact=Share(total.first_contact_met, total.first_contact_total),
        updates_standard=Share(total.updates_standard_met, total.updates_standard_total),
        updates_high=Share(total.updates_high_met, total.updates_high_total),
        mean_days_between_updates=total.mean_days_between_updates,
        satisfaction=survey_selectors.Rate(total.survey_satisfied, total.survey_total),
    )
    return selectors.figures_now(result, filters, now=now)


def trends(filters: Filters, *, months: int = 12, today: date | None = None, now: datetime | None = None,
           cache: dict | None = None) -> list[dict]:
    """selectors.trends, with closed months read from their rows."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    if not eligible(filters):
        return selectors.trends(filters, months=months, today=today, now=now)
    current = month_start(today)
    month_starts = [current]
    while len(month_starts) < months:
        month_starts.insert(0, month_start(month_starts[0] - timedelta(days=1)))
    rows = month_rows(filters, month_starts[0], month_starts[-1])
    rows = {m: v for m, v in rows.items() if m < current}
    todo = [m for m in month_starts if m not in rows]
    whole = [(_start(m), _end(next_month(m) - timedelta(days=1))) for m in todo]
    # As selectors.trends bounds each fact: reports from the first month on, deadlines due by now, updates given
    # and survey responses by the end of today.
    computed = live(filters, reports=whole, due=[(lo, min(hi, now, _end(today))) for lo, hi in whole],
                    met=[(lo, min(hi, _end(today))) for lo, hi in whole],
                    surveys=[(lo, min(hi, _end(today))) for lo, hi in whole], cache=cache)
    out = []
    for month in month_starts:
        m = rows.get(month) or computed.get(month) or Measures()
        out.append({
            "month": month, "reports": m.reports_total,
            "first_contact": Share(m.first_contact_met, m.first_contact_total),
            "updates": Share(m.updates_standard_met + m.updates_high_met, m.updates_standard_total + m.updates_high_total),
            "updates_high": Share(m.updates_high_met, m.updates_high_total),
            "mean_days_between_updates": m.mean_days_between_updates,
            "satisfaction": survey_selectors.Rate(m.survey_satisfied, m.survey_total) if m.survey_total else None,
        })
    return out


