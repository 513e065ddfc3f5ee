"""The manager dashboard's figures: SQL aggregations over stored reports, deadlines, cases and survey responses."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Avg, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cases import sla
from cases.models import CASE_DEADLINE_KINDS, OPEN_STATUSES, Case, Deadline, DeadlineKind, Report, RiskLevel
from cases.models.deadlines import MET_ON_TIME
from cases.policy import cases_visible_to, scoped
from surveys import selectors as survey_selectors

# An update deadline with a 7-day interval was owed to a high-risk case (14 days otherwise); judged by the
# interval stored on the deadline, so a later change of risk (or a clock change inside it) does not misfile it.
HIGH_RISK_INTERVAL_DAYS = sla.update_interval_days(RiskLevel.HIGH)
HIGH_RISK_UPDATE = Q(kind=DeadlineKind.VICTIM_UPDATE, interval_days__lte=HIGH_RISK_INTERVAL_DAYS)
STANDARD_UPDATE = Q(kind=DeadlineKind.VICTIM_UPDATE) & ~Q(interval_days__lte=HIGH_RISK_INTERVAL_DAYS)

# Open cases by age in whole days (London dates), both ends included, so each label means what it says.
AGE_BANDS = [("age_30", "0–30 days", 0, 30), ("age_90", "31–90 days", 31, 90), ("age_180", "91–180 days", 91, 180),
             ("age_over", "Over 180 days", 181, None)]


@dataclass(frozen=True)
class Period:
    key: str
    start: date
    end: date
    label: str

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=sla.LONDON)

    @property
    def end_at(self) -> datetime:
        return datetime.combine(self.end, time.max, tzinfo=sla.LONDON)


def period_from(key: str, *, today: date, start: date | None = None, end: date | None = None) -> Period:
    first = today.replace(day=1)
    if key == "last_month":
        last_end = first - timedelta(days=1)
        return Period(key, last_end.replace(day=1), last_end, f"{last_end:%B %Y}")
    if key == "12m":
        # This month and the 11 before it.
        year, month = (first.year, first.month - 11) if first.month > 11 else (first.year - 1, first.month + 1)
        begin = date(year, month, 1)
        return Period(key, begin, today, f"{begin:%B %Y} to {today:%-d %B %Y}")
    if key == "custom" and start and end and start <= end:
        return Period(key, start, end, f"{start:%-d %B %Y} to {end:%-d %B %Y}")
    return Period("this_month", first, today, f"{today:%B %Y} so far")


@dataclass(frozen=True)
class Filters:
    """What the manager chose, and who is looking: every figure and export starts from the viewer's
    cases under the access policy (cases.policy), never from all cases."""

    viewer: object
    officer: int | None = None
    category: int | None = None
    channel: str = ""
    risk_level: str = ""

    def cases(self) -> QuerySet[Case]:
        qs = cases_visible_to(self.viewer)
        if self.officer:
            qs = qs.filter(officer_id=self.officer)
        if self.category:
            qs = qs.filter(category_id=self.category)
        if self.risk_level:
            qs = qs.filter(risk_level=self.risk_level)
        if self.channel:
            qs = qs.filter(Exists(Report.objects.filter(case=OuterRef("pk"), channel=self.channel)))
        return qs

    def case_q(self, prefix: str = "case__") -> Q:
        """The filters as conditions on a related case (`prefix` reaches it), for a join instead of `IN (cases)`:
        the viewer's scope is applied separately (cases.policy.scoped)."""
        q = Q()
        if self.officer:
            q &= Q(**{f"{prefix}officer_id": self.officer})
        if self.category:
            q &= Q(**{f"{prefix}category_id": self.category})
        if self.risk_level:
            q &= Q(**{f"{prefix}risk_level": self.risk_level})
        if self.channel:
            q &= Q(Exists(Report.objects.filter(case=OuterRef(f"{prefix}pk"), channel=self.channel)))
        return q

    def is_empty(self) -> bool:
        return not (self.officer or self.category or self.channel or self.risk_level)


@dataclass
class Share:
    met: int
    total: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.total, 1) if self.total else None


@dataclass
class Figures:
    reports_by_channel: dict = field(default_factory=dict)
    first_contact: Share | None = None
    updates_standard: Share | None = None
    updates_high: Share | None = None
    mean_days_between_updates: float | None = None
    satisfaction: survey_selectors.Rate | None = None
    open_by_risk: dict = field(default_factory=dict)
    open_by_category: list = field(default_factory=list)
    open_by_age: dict = field(default_factory=dict)
    overdue_now: int = 0

    @property
    def reports_total(self) -> int:
        return sum(self.reports_by_channel.values())


def deadlines_for(filters: Filters) -> QuerySet[Deadline]:
    """The deadlines figures, trends and exports count: Deadline.objects.counted() (a deadline missed before its
    case closed still counts as missed; one cancelled before it fell due does not)."""
    qs = scoped(filters.viewer, Deadline.objects.counted().filter(kind__in=CASE_DEADLINE_KINDS))
    return qs if filters.is_empty() else qs.filter(case__in=filters.cases())


def reports_for(period: Period, filters: Filters) -> QuerySet[Report]:
    """The reports received in the period on the viewer's cases (as the filters narrow them)."""
    reports = scoped(filters.viewer, Report.objects.filter(received_at__gte=period.start_at, received_at__lte=period.end_at))
    return reports if filters.is_empty() else reports.filter(case__in=filters.cases())


def overdue_deadlines(filters: Filters, *, now: datetime) -> QuerySet[Deadline]:
    """Deadlines past due and still open, on the viewer's open cases. The case is joined, not read as `IN (every
    open case)`: at 1,000,000 cases that subquery built a hash of 50,000 cases for a few thousand deadlines."""
    open_deadlines = scoped(filters.viewer, Deadline.objects.open()).filter(due_at__lt=now, case__status__in=OPEN_STATUSES)
    return open_deadlines.filter(filters.case_q("case__"))


def due_in(period: Period, now: datetime) -> Q:
    # Due in the period and already due: a deadline still to come cannot have been missed yet.
    return Q(due_at__gte=period.start_at, due_at__lte=min(period.end_at, now))


def responses(period: Period, filters: Filters):
    return responses_narrowed(survey_selectors.responses(filters.viewer, start=period.start, end=period.end), filters)


def responses_narrowed(qs, filters: Filters):
    """Survey responses as the filters narrow them: the response's own officer and channel, its case's category and risk."""
    if filters.officer:
        qs = qs.filter(officer_id=filters.officer)
    if filters.category:
        qs = qs.filter(invitation__case__category_id=filters.category)
    if filters.channel:
        qs = qs.filter(report_channel=filters.channel)
    if filters.risk_level:
        qs = qs.filter(invitation__case__risk_level=filters.risk_level)
    return qs


def figures(period: Period, filters: Filters, *, now: datetime | None = None) -> Figures:
    now = now or timezone.now()
    result = Figures()
    counted = dict(reports_for(period, filters).values_list("channel").annotate(n=Count("id")).order_by("channel"))
    result.reports_by_channel = {channel: counted.get(channel, 0) for channel in ("online", "phone")}
    # First contact and both kinds of update deadline in one pass over the period's deadlines.
    kinds = {
        "first_contact": Q(kind=DeadlineKind.FIRST_CONTACT),
        "updates_high": HIGH_RISK_UPDATE,
        "updates_standard": STANDARD_UPDATE,
    }
    aggregates = {}
    for name, which in kinds.items():
        aggregates[f"{name}_total"] = Count("id", filter=which)
        aggregates[f"{name}_met"] = Count("id", filter=which & MET_ON_TIME)
    counts = deadlines_for(filters).filter(due_in(period, now)).aggregate(**aggregates)
    for name in kinds:
        setattr(result, name, Share(counts[f"{name}_met"], counts[f"{name}_total"]))
    gap = ExpressionWrapper(F("met_at") - F("starts_at"), output_field=DurationField())
    mean = (
        deadlines_for(filters)
        .filter(kind=DeadlineKind.VICTIM_UPDATE, met_at__gte=period.start_at, met_at__lte=period.end_at)
        .aggregate(mean=Avg(gap))["mean"]
    )
    result.mean_days_between_updates = round(mean.total_seconds() / 86400, 1) if mean is not None else None
    result.satisfaction = survey_selectors.satisfaction(responses(period, filters))
    return figures_now(result, filters, now=now)


def figures_now(result: Figures, filters: Filters, *, now: datetime) -> Figures:
    """The figures of this moment, whatever the period: open cases by risk, age and category; overdue now."""
    open_cases = filters.cases().filter(status__in=OPEN_STATUSES)
    today = timezone.localdate(now)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=sla.LONDON)

    # Received on a London date from today - high to today - low: compared with the instants those dates begin (the
    # same cases as received_at__date, without converting 50,000 timestamps to London dates four times over).
    aggregates = {
        key: Count("id", filter=Q(received_at__lt=midnight(today - timedelta(days=low - 1)))
                   & (Q(received_at__gte=midnight(today - timedelta(days=high))) if high is not None else Q()))
        for key, _, low, high in AGE_BANDS
    }
    aggregates.update({f"risk_{level}": Count("id", filter=Q(risk_level=level)) for level in RiskLevel.values})
    counts = open_cases.aggregate(**aggregates)
    result.open_by_risk = {RiskLevel(level).label: counts[f"risk_{level}"] for level in RiskLevel.values}
    result.open_by_age = {label: counts[key] for key, label, _, _ in AGE_BANDS}
    result.open_by_category = list(open_cases.values_list("category__name").annotate(n=Count("id")).order_by("-n", "category__name"))
    result.overdue_now = overdue_deadlines(filters, now=now).count()
    return result


def trends(filters: Filters, *, months: int = 12, today: date | None = None, now: datetime | None = None) -> list[dict]:
    """The same figures month by month for the last `months` months (one query per figure)."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    first = today.replace(day=1)
    month_starts = []
    cursor = first
    for _ in range(months):
        month_starts.append(cursor)
        cursor = (cursor - timedelta(days=1)).replace(day=1)
    month_starts.reverse()
    period = Period("12m", month_starts[0], today, "")
    rows = {
        m: {"month": m, "reports": 0, "first_contact": Share(0, 0), "updates": Share(0, 0), "updates_high": Share(0, 0),
            "mean_days_between_updates": None, "satisfaction": None}
        for m in month_starts
    }

    def month_of(value):
        return value.astimezone(sla.LONDON).date().replace(day=1) if isinstance(value, datetime) else value.replace(day=1)

    reports = scoped(filters.viewer, Report.objects.filter(received_at__gte=period.start_at))
    if not filters.is_empty():
        reports = reports.filter(case__in=filters.cases())
    for month, n in reports.annotate(m=TruncMonth("received_at", tzinfo=sla.LONDON)).values_list("m").annotate(n=Count("id")):
        if month_of(month) in rows:
            rows[month_of(month)]["reports"] = n
    deadlines = deadlines_for(filters).filter(due_in(period, now)).annotate(m=TruncMonth("due_at", tzinfo=sla.LONDON))
    for kind, key in ((DeadlineKind.FIRST_CONTACT, "first_contact"), (DeadlineKind.VICTIM_UPDATE, "updates")):
        grouped = deadlines.filter(kind=kind).values_list("m").annotate(
            total=Count("id"), met=Count("id", filter=MET_ON_TIME)
        )
        for month, total, met in grouped:
            if month_of(month) in rows:
                rows[month_of(month)][key] = Share(met, total)
    high = deadlines.filter(HIGH_RISK_UPDATE).values_list("m").annotate(total=Count("id"), met=Count("id", filter=MET_ON_TIME))
    for month, total, met in high:
        if month_of(month) in rows:
            rows[month_of(month)]["updates_high"] = Share(met, total)
    # Mean gap of the updates given each month, as the headline figure counts them (by when the update was given).
    gap = ExpressionWrapper(F("met_at") - F("starts_at"), output_field=DurationField())
    given = (
        deadlines_for(filters).filter(kind=DeadlineKind.VICTIM_UPDATE, met_at__gte=period.start_at, met_at__lte=period.end_at)
        .annotate(m=TruncMonth("met_at", tzinfo=sla.LONDON)).values_list("m").annotate(mean=Avg(gap))
    )
    for month, mean in given:
        if month_of(month) in rows and mean is not None:
            rows[month_of(month)]["mean_days_between_updates"] = round(mean.total_seconds() / 86400, 1)
    survey = responses(period, filters).annotate(m=TruncMonth("submitted_at", tzinfo=sla.LONDON)).values_list("m").annotate(
        total=Count("id"), ok=Count("id", filter=Q(overall__gte=survey_selectors.SATISFIED))
    )
    for month, total, ok in survey:
        if month_of(month) in rows:
            rows[month_of(month)]["satisfaction"] = survey_selectors.Rate(ok, total)
    return [rows[m] for m in month_starts]


def workload(filters: Filters, *, now: datetime | None = None) -> list[dict]:
    """Per officer: open cases, high-risk open cases, overdue deadlines now."""
    now = now or timezone.now()
    open_cases = filters.cases().filter(status__in=OPEN_STATUSES)
    overdue = overdue_deadlines(filters, now=now).values("case__officer").annotate(n=Count("id"))
    overdue_by_officer = {row["case__officer"]: row["n"] for row in overdue}
    rows = (
        open_cases.values("officer", "officer__first_name", "officer__last_name", "officer__username")
        .annotate(open=Count("id"), high=Count("id", filter=Q(risk_level=RiskLevel.HIGH)))
        .order_by("-open")
    )
    return [
        {
            "officer": r["officer"],
            "name": (f"{r['officer__first_name']} {r['officer__last_name']}".strip() or r["officer__username"]) if r["officer"] else "Unassigned",
            "open": r["open"],
            "high": r["high"],
            "overdue": overdue_by_officer.get(r["officer"], 0),
        }
        for r in rows
    ]
