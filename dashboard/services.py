"""Building the dashboard's monthly rows (MonthlyFigure) for closed London months, and keeping them true.

A month is built by one INSERT ... SELECT grouping its facts by channel and CUBE(officer, category, risk), so any
filter combination reads one row per month. Database triggers (migration 0002) mark a built month stale when a fact
it counts changes; dashboard_refresh rebuilds stale and missing months (the beat job, the dashboard_rebuild command)."""

import time
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from cases import sla
from cases.models import Channel
from surveys.selectors import SATISFIED

from .models import BuiltMonth, MonthlyFigure, StaleMonth
from .selectors import HIGH_RISK_INTERVAL_DAYS

# How long a first build waits for transactions that were already writing when the month was registered.
WAIT_SECONDS = 60
# pg_advisory_lock key held while a refresh runs ("dashboard" in ASCII).
REFRESH_LOCK = 0x64617368626F6172
# Months built by one statement (a whole rebuild at 1,000,000 cases is ten statements, not 120).
BATCH_MONTHS = 12


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def london_midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=sla.LONDON)


def closed_months(*, today: date | None = None) -> list[date]:
    """Every month with facts, wholly before the current London month, oldest first."""
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT least((SELECT min(received_at) FROM cases_report), (SELECT min(due_at) FROM cases_deadline),"
            " (SELECT min(submitted_at) FROM surveys_response))"
        )
        first = cursor.fetchone()[0]
    if first is None:
        return []
    month, current, months = month_start(timezone.localtime(first, sla.LONDON).date()), month_start(today), []
    while month < current:
        months.append(month)
        month = next_month(month)
    return months


# Each fact once, with its case's current dimensions; every measure is 0 or 1, never null (a group of unmet deadlines
# only must sum to 0). `own_channel` is set only for survey responses, filed by the response's own channel (empty
# when their case had no report left, a merged duplicate: then under all channels only); the other facts count
# under every channel their case has a report by.
_FACTS = """
SELECT dashboard_london_month(r.received_at) AS month, r.case_id, c.officer_id, c.category_id, c.risk_level, NULL::varchar AS own_channel,
       1 AS reports_total, (r.channel = 'online')::int AS reports_online, (r.channel = 'phone')::int AS reports_phone,
       0 AS fc_total, 0 AS fc_met, 0 AS std_total, 0 AS std_met, 0 AS high_total, 0 AS high_met,
       0::numeric AS gap, 0 AS gap_count, 0 AS survey_total, 0 AS survey_ok
  FROM cases_report r JOIN cases_case c ON c.id = r.case_id
 WHERE r.received_at >= %(lo)s AND r.received_at < %(hi)s
UNION ALL
SELECT dashboard_london_month(d.due_at), d.case_id, c.officer_id, c.category_id, c.risk_level, NULL, 0, 0, 0,
       (d.kind = 'first_contact')::int, (d.kind = 'first_contact' AND coalesce(d.met_at <= d.due_at, false))::int,
       (d.kind = 'victim_update' AND NOT coalesce(d.interval_days <= %(high)s, false))::int,
       (d.kind = 'victim_update' AND NOT coalesce(d.interval_days <= %(high)s, false)
        AND coalesce(d.met_at <= d.due_at, false))::int,
       (d.kind = 'victim_update' AND coalesce(d.interval_days <= %(high)s, false))::int,
       (d.kind = 'victim_update' AND coalesce(d.interval_days <= %(high)s, false)
        AND coalesce(d.met_at <= d.due_at, false))::int,
       0, 0, 0, 0
  FROM cases_deadline d JOIN cases_case c ON c.id = d.case_id
 WHERE d.kind IN ('first_contact', 'victim_update') AND (d.cancelled_at IS NULL OR d.cancelled_at > d.due_at)
   AND d.due_at >= %(lo)s AND d.due_at < %(hi)s
UNION ALL
SELECT dashboard_london_month(d.met_at), d.case_id, c.officer_id, c.category_id, c.risk_level, NULL, 0, 0, 0, 0, 0, 0, 0, 0, 0,
       extract(epoch FROM d.met_at - d.starts_at) * 1000000, 1, 0, 0
  FROM cases_deadline d JOIN cases_case c ON c.id = d.case_id
 WHERE d.kind = 'victim_update' AND (d.cancelled_at IS NULL OR d.cancelled_at > d.due_at)
   AND d.met_at >= %(lo)s AND d.met_at < %(hi)s
UNION ALL
SELECT dashboard_london_month(s.submitted_at), NULL, s.officer_id, c.category_id, c.risk_level, s.report_channel, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
       1, (s.overall >= %(satisfied)s)::int
  FROM surveys_response s JOIN surveys_invitation i ON i.id = s.invitation_id JOIN cases_case c ON c.id = i.case_id
 WHERE s.submitted_at >= %(lo)s AND s.submitted_at < %(hi)s
"""


def _build_sql() -> str:
    channels = Channel.values
    # The case's channels by an index lookup per fact (reports' case index), not a scan of every report.
    has = ", ".join(f"bool_or(x.channel = '{ch}') AS has_{ch}" for ch in channels)
    per_case = " UNION ALL ".join(f"SELECT '{ch}' WHERE f.own_channel IS NULL AND h.has_{ch}" for ch in channels)
    return f"""
INSERT INTO dashboard_monthlyfigure (month, officer_id, category_id, risk_level, channel, reports_total, reports_online,
    reports_phone, first_contact_total, first_contact_met, updates_standard_total, updates_standard_met,
    updates_high_total, updates_high_met, gap_microseconds, gap_count, survey_total, survey_satisfied)
SELECT f.month,
       CASE WHEN GROUPING(f.officer_id) = 1 THEN 0 ELSE coalesce(f.officer_id, -1) END,
       CASE WHEN GROUPING(f.category_id) = 1 THEN 0 ELSE f.category_id END,
       CASE WHEN GROUPING(f.risk_level) = 1 THEN '' ELSE f.risk_level END,
       ch.channel,
       sum(reports_total), sum(reports_online), sum(reports_phone), sum(fc_total), sum(fc_met), sum(std_total),
       sum(std_met), sum(high_total), sum(high_met), sum(gap), sum(gap_count), sum(survey_total), sum(survey_ok)
  FROM ({_FACTS}) f
  LEFT JOIN LATERAL (SELECT {has} FROM cases_report x WHERE x.case_id = f.case_id) h ON f.case_id IS NOT NULL
  CROSS JOIN LATERAL (SELECT '' UNION ALL SELECT f.own_channel WHERE f.own_channel <> ''
                      UNION ALL {per_case}) ch(channel)
 GROUP BY f.month, ch.channel, CUBE (f.officer_id, f.category_id, f.risk_level)
"""


BUILD_SQL = _build_sql()


def months_build(*, months: list[date]) -> int:
    """Replace consecutive months' rows in one transaction (their stale marks are already gone): one statement,
    so a rebuild of every month reads each table once per batch. Returns the rows written."""
    started = time.perf_counter()
    params = {"lo": london_midnight(months[0]), "hi": london_midnight(next_month(months[-1])),
              "high": HIGH_RISK_INTERVAL_DAYS, "satisfied": SATISFIED}
    with transaction.atomic():
        MonthlyFigure.objects.filter(month__in=months).delete()
        with connection.cursor() as cursor:
            cursor.execute(BUILD_SQL, params)
            rows = cursor.rowcount
        BuiltMonth.objects.filter(month__in=months).update(
            built_at=timezone.now(), seconds=(time.perf_counter() - started) / len(months))
    return rows


def _batches(months: list[date], size: int) -> list[list[date]]:
    """Runs of consecutive months, at most `size` long."""
    batches: list[list[date]] = []
    for month in sorted(months):
        if batches and len(batches[-1]) < size and next_month(batches[-1][-1]) == month:
            batches[-1].append(month)
        else:
            batches.append([month])
    return batches


def _wait_for_writers(timeout: float) -> bool:
    """Wait until every transaction of this database that had begun writing has ended (they may have written to a
    month before its BuiltMonth row was visible to their triggers). False on timeout."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid, backend_xid::text FROM pg_stat_activity WHERE datname = current_database()"
                       " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()")
        writers = cursor.fetchall()
        deadline = time.monotonic() + timeout
        while writers:
            cursor.execute("SELECT pid, backend_xid::text FROM pg_stat_activity WHERE datname = current_database()"
                           " AND backend_xid IS NOT NULL")
            still = set(cursor.fetchall())
            writers = [w for w in writers if w in still]
            if writers and time.monotonic() > deadline:
                return False
            if writers:
                time.sleep(0.05)
    return True


def dashboard_refresh(*, months: list[date] | None = None, today: date | None = None, rebuild: bool = False) -> list[date]:
    """Build the closed months that are missing or stale (all given `months` with rebuild=True). Returns the months
    built. Each month's stale mark is deleted first and committed, and the month is read live (built_at null) until
    its rows are replaced, so a write racing the build marks it stale again and nothing true is lost."""
    today = today or timezone.localdate()
    current = month_start(today)
    candidates = [m for m in (months if months is not None else closed_months(today=today)) if m < current]
    if not candidates:
        return []
    # One refresh at a time (the beat job, an overlapping beat after a slow run, the command): two builds of the
    # same month would each delete the rows the other had not yet committed, and the second INSERT would collide.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [REFRESH_LOCK])
        if not cursor.fetchone()[0]:
            return []
    try:
        return _refresh(candidates, rebuild=rebuild)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [REFRESH_LOCK])


def _refresh(candidates: list[date], *, rebuild: bool) -> list[date]:
    built = {b.month: b.built_at for b in BuiltMonth.objects.filter(month__in=candidates)}
    stale = set(StaleMonth.objects.filter(month__in=candidates).values_list("month", flat=True))
    todo = [m for m in candidates if rebuild or built.get(m) is None or m in stale]
    if not todo:
        return []
    with transaction.atomic():
        for month in todo:
            BuiltMonth.objects.update_or_create(month=month, defaults={"built_at": None})
        StaleMonth.objects.filter(month__in=todo).delete()
    # Writers whose triggers ran before these rows committed may not have marked the months: let them finish first.
    if not _wait_for_writers(WAIT_SECONDS):
        return []
    for batch in _batches(todo, BATCH_MONTHS):
        months_build(months=batch)
    return todo
