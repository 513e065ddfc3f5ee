"""The JAG's figures, counted from stored rows (never typed in), per calendar month (London):

- meetings held, against the promise of one a month for each group (each meeting counted for the month it is for,
  its rule day's: one put into the next month by a bank holiday still keeps its own month's promise);
- actions completed on time (done on or before their due day) of those due that month (dropped ones, taken off with a
  reason, are not counted as due);
- items closed at the month's held meetings;
- cases tabled at the month's held meetings that were later closed as resolved (closed on or after the meeting's day
  with cases.ClosureReason.RESOLVED), each case once a month.

Any range of months takes four queries, however many months and rows there are. A CSV of them, safe to open in a
spreadsheet.
"""

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, F, Min, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from cases import sla
from cases.models import ClosureReason

from .models import ActionStatus, AgendaItem, ItemKind, ItemOutcome, JagAction, JagGroup, Meeting, MeetingStatus

CSV_HEADER = ["month", "meetings_promised", "meetings_held", "actions_due", "actions_done_on_time", "items_closed",
              "cases_tabled_later_resolved"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class MonthFigures:
    month: date  # the first of the month
    promised: int = 0
    held: int = 0
    actions_due: int = 0
    actions_on_time: int = 0
    items_closed: int = 0
    cases_resolved: int = 0

    @property
    def label(self) -> str:
        return f"{self.month:%B %Y}"


def _next_month(month: date) -> date:
    return date(month.year + (month.month == 12), month.month % 12 + 1, 1)


def _months(start: date, end: date) -> list[date]:
    month, last, out = start.replace(day=1), end.replace(day=1), []
    while month <= last:
        out.append(month)
        month = _next_month(month)
    return out


def _by_month(queryset, column: str, **counts) -> dict[date, dict]:
    rows = queryset.annotate(_month=TruncMonth(column)).values("_month").annotate(**counts).order_by("_month")
    return {row.pop("_month"): row for row in rows}


def monthly_figures(*, start: date, end: date, group: JagGroup | None = None) -> list[MonthFigures]:
    """The figures for every month from `start`'s to `end`'s, oldest first (four queries); one group or all."""
    months = _months(start, end)
    if not months:
        return []
    first, after = months[0], _next_month(months[-1])
    meetings = Meeting.objects.all()
    actions = JagAction.objects.all()
    items = AgendaItem.objects.filter(removed_at__isnull=True)
    groups = JagGroup.objects.filter(is_active=True)
    if group is not None:
        groups = JagGroup.objects.filter(pk=group.pk)
        meetings, actions, items = meetings.filter(group=group), actions.filter(meeting__group=group), items.filter(meeting__group=group)
    # A group is promised a meeting a month from the month it started: its first meeting's month (earlier than it was
    # set up for a group recorded after it began meeting; later for one set up after its month's meeting day, which
    # could never have been kept), or, with no meeting yet, when it was set up. Not before: a new group has no missed
    # months.
    starts = []
    for created_at, first_rule in groups.annotate(first_rule=Min("meetings__rule_date")).values_list("created_at", "first_rule"):
        starts.append(first_rule.replace(day=1) if first_rule else timezone.localtime(created_at, sla.LONDON).date().replace(day=1))
    # Each month's meeting counts for the month it is for (its rule day): one the bank holiday or a closure day put
    # into the next month (the last Monday of August, held on 1 September) still keeps August's promise. Only the
    # groups promised meetings count (one that stopped meeting keeps no other group's promise).
    held = _by_month(meetings.filter(group__in=groups, status=MeetingStatus.HELD, rule_date__gte=first, rule_date__lt=after),
                     "rule_date", n=Count("group_id", distinct=True))
    due = _by_month(
        actions.filter(due_on__gte=first, due_on__lt=after).exclude(status=ActionStatus.DROPPED)
        .annotate(_done_on=TruncDate("completed_at", tzinfo=sla.LONDON)), "due_on",
        n=Count("id"), on_time=Count("id", filter=Q(status=ActionStatus.DONE, _done_on__lte=F("due_on"))))
    resolved = Q(kind=ItemKind.CASE, case__closure_reason=ClosureReason.RESOLVED, case__closed_at__isnull=False,
                 _case_closed_on__gte=F("meeting__held_on"))
    tabled = _by_month(
        items.filter(meeting__status=MeetingStatus.HELD, meeting__held_on__gte=first, meeting__held_on__lt=after)
        .annotate(_case_closed_on=TruncDate("case__closed_at", tzinfo=sla.LONDON)), "meeting__held_on",
        closed=Count("id", filter=Q(outcome=ItemOutcome.CLOSE)), resolved=Count("case_id", distinct=True, filter=resolved))
    return [
        MonthFigures(month=m, promised=sum(1 for start in starts if start <= m), held=held.get(m, {}).get("n", 0),
                     actions_due=due.get(m, {}).get("n", 0), actions_on_time=due.get(m, {}).get("on_time", 0),
                     items_closed=tabled.get(m, {}).get("closed", 0), cases_resolved=tabled.get(m, {}).get("resolved", 0))
        for m in months
    ]


def totals(rows: list[MonthFigures]) -> dict:
    """The rows added up, with how many months kept the promise of a meeting a month for each group."""
    return {
        "promised": sum(r.promised for r in rows), "held": sum(r.held for r in rows),
        # Months a meeting was promised (a group was meeting), and how many of them kept the promise.
        "months_met": sum(1 for r in rows if r.promised and r.held >= r.promised), "months": sum(1 for r in rows if r.promised),
        "actions_due": sum(r.actions_due for r in rows), "actions_on_time": sum(r.actions_on_time for r in rows),
        "items_closed": sum(r.items_closed for r in rows), "cases_resolved": sum(r.cases_resolved for r in rows),
    }


def last_twelve_months(today: date) -> dict:
    """The twelve months to this one (this one included) in totals, for the manager dashboard (four queries)."""
    end = today.replace(day=1)
    start = date(end.year, 1, 1) if end.month == 12 else date(end.year - 1, end.month + 1, 1)
    return {"start": start, "end": end, **totals(monthly_figures(start=start, end=end))}


def csv_safe(value) -> str:
    """A cell a spreadsheet will not run as a formula (OWASP CSV injection): text starting = + - @ gets a quote."""
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return "'" + text if isinstance(value, str) and text.startswith(FORMULA_STARTS) else text


def figures_csv(figures: list[MonthFigures], *, group_name: str = "") -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["group", *CSV_HEADER] if group_name else CSV_HEADER)
    for f in figures:
        row = [f"{f.month:%Y-%m}", f.promised, f.held, f.actions_due, f.actions_on_time, f.items_closed, f.cases_resolved]
        writer.writerow([csv_safe(v) for v in ([group_name, *row] if group_name else row)])
    return out.getvalue()
