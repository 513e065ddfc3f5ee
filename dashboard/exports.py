"""The rows behind each dashboard figure, as CSV streamed from a server-side cursor (constant memory)."""

import csv

from django.db.models import BooleanField, Case, Value, When
from django.utils import timezone

from cases.models import OPEN_STATUSES, DeadlineKind
from cases.models.deadlines import MET_ON_TIME

from .selectors import Filters, Period, deadlines_for, due_in, overdue_deadlines, reports_for, responses


class _Echo:
    def write(self, value):
        return value


# Late or missed by the same test the figures use (not met by its due time), so a file always adds up to its figure.
LATE_OR_MISSED = Case(When(MET_ON_TIME, then=Value(False)), default=Value(True), output_field=BooleanField())


def _deadline_rows(qs, *extra):
    return (
        qs.annotate(late_or_missed=LATE_OR_MISSED)
        .values_list("case__reference", "party__full_name", "due_at", "met_at", "late_or_missed", *extra)
        .order_by("due_at")
    )


EXPORTS = {
    "reports": (
        ["reference", "received_at", "channel", "category", "officer"],
        lambda period, filters, now: reports_for(period, filters)
        .values_list("case__reference", "received_at", "channel", "case__category__name", "case__officer__username")
        .order_by("received_at"),
    ),
    "first-contact": (
        ["reference", "person", "due_at", "met_at", "late_or_missed"],
        lambda period, filters, now: _deadline_rows(deadlines_for(filters).filter(due_in(period, now), kind=DeadlineKind.FIRST_CONTACT)),
    ),
    "updates": (
        ["reference", "person", "due_at", "met_at", "late_or_missed", "interval_days"],
        lambda period, filters, now: _deadline_rows(
            deadlines_for(filters).filter(due_in(period, now), kind=DeadlineKind.VICTIM_UPDATE), "interval_days"
        ),
    ),
    "open-cases": (
        ["reference", "received_at", "status", "risk_level", "category", "officer"],
        lambda period, filters, now: filters.cases().filter(status__in=OPEN_STATUSES)
        .values_list("reference", "received_at", "status", "risk_level", "category__name", "officer__username").order_by("received_at"),
    ),
    "overdue": (
        ["reference", "person", "kind", "due_at"],
        lambda period, filters, now: overdue_deadlines(filters, now=now)
        .values_list("case__reference", "party__full_name", "kind", "due_at").order_by("due_at"),
    ),
    "satisfaction": (
        ["reference", "submitted_at", "overall", "treated_fairly", "listened_to", "kept_updated", "first_contact_speed", "staff_polite", "comments"],
        lambda period, filters, now: responses(period, filters)
        .values_list("invitation__case__reference", "submitted_at", "overall", "treated_fairly", "listened_to", "kept_updated",
                     "first_contact_speed", "staff_polite", "comments").order_by("submitted_at"),
    ),
}


def export_filename(figure: str, period: Period, filters: Filters) -> str:
    parts = ["asb", figure, period.start.isoformat(), "to", period.end.isoformat()]
    for name in ("officer", "category", "channel", "risk_level"):
        value = getattr(filters, name)
        if value:
            parts.append(f"{name.replace('_', '-')}-{value}")
    return "-".join(str(p) for p in parts) + ".csv"


def export_rows(figure: str, period: Period, filters: Filters):
    """Yield CSV lines: a header, then the rows, fetched 2,000 at a time from a server-side cursor."""
    header, query = EXPORTS[figure]
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in query(period, filters, timezone.now()).iterator(chunk_size=2000):
        yield writer.writerow([v.isoformat() if hasattr(v, "isoformat") else v for v in row])


