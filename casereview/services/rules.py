"""The local threshold rules and the procedure's timescales: data a manager edits (casereview.ThresholdRule and the
one Timescales row). Every change records who made it; a form posted twice, or after someone else's change, never
saves twice or over it."""

from datetime import datetime

from django.db import connection, transaction

from cases.policy import Can, users_who_can

from ..defaults import RULES_LOCK  # rules are added, and the defaults ensured, under this lock
from ..models import RuleKind, ThresholdRule, Timescales
from .common import CaseReviewError, StaleError

# s.104: the local threshold may not require more than three qualifying complaints. Councils still publish rules
# above it ("5 people reporting the same problem"); the rules page says so beside the number.
ACT_CAP = 3
MIN_REPORTS, MAX_REPORTS = 1, 20
MIN_MONTHS, MAX_MONTHS = 1, 12


def _check_rule(*, kind: str, min_reports: int, window_months: int) -> None:
    if kind not in RuleKind.values:
        raise CaseReviewError("Choose what kind of rule it is")
    if not MIN_REPORTS <= min_reports <= MAX_REPORTS:
        raise CaseReviewError(f"The number of reports must be between {MIN_REPORTS} and {MAX_REPORTS}")
    if not MIN_MONTHS <= window_months <= MAX_MONTHS:
        raise CaseReviewError(f"The period must be between {MIN_MONTHS} and {MAX_MONTHS} months")
    if kind == RuleKind.DIFFERENT_PEOPLE and min_reports < 2:
        raise CaseReviewError("Different people means at least 2 people")
    if kind == RuleKind.SEVERAL_REPORTS and min_reports < 2:
        raise CaseReviewError("Reports from more than one person means at least 2 reports")
    if kind == RuleKind.HATE and min_reports != 1:
        # It reads "any hate incident" (ThresholdRule.describe) on the public page, the banner and the decision.
        raise CaseReviewError("A hate incident rule is met by one hate incident: enter 1")


def _check_seen(rule_or_row, seen: datetime | None) -> None:
    """`seen` is the row's updated_at when the form was opened: a later change by someone else makes this one stale."""
    if seen is not None and rule_or_row.updated_at is not None and rule_or_row.updated_at != seen:
        raise StaleError("Someone else has changed this since you opened the page. Check it and try again")


@transaction.atomic
def threshold_rule_save(*, actor, kind: str, min_reports: int, window_months: int, is_active: bool = True,
                        display_order: int = 100, counts_diary_entries: bool = True, rule: ThresholdRule | None = None,
                        seen: datetime | None = None) -> ThresholdRule:
    """Add a rule (`rule` None) or change one. Adding a rule the same as one that exists returns that one (a form
    posted twice adds one rule); at least one rule stays active (without one the threshold could never be met)."""
    _check_rule(kind=kind, min_reports=min_reports, window_months=window_months)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [RULES_LOCK])
    if rule is None:
        same = ThresholdRule.objects.filter(kind=kind, min_reports=min_reports, window_months=window_months).first()
        if same is not None:
            # The same numbers: this rule, with what the manager asked of it (switched on; diary entries counted or
            # not), never silently the old setting.
            changed = []
            if is_active and not same.is_active:
                same.is_active = True
                changed.append("is_active")
            if same.counts_diary_entries != counts_diary_entries:
                same.counts_diary_entries = counts_diary_entries
                changed.append("counts_diary_entries")
            if changed:
                same.updated_by = actor
                same.save(update_fields=[*changed, "updated_by", "updated_at"])
            return same
        if not is_active and not ThresholdRule.objects.filter(is_active=True).exists():
            raise CaseReviewError("Keep at least one rule active")
        return ThresholdRule.objects.create(kind=kind, min_reports=min_reports, window_months=window_months,
                                            is_active=is_active, display_order=display_order,
                                            counts_diary_entries=counts_diary_entries, updated_by=actor)
    locked = ThresholdRule.objects.select_for_update().get(pk=rule.pk)
    _check_seen(locked, seen)
    if not is_active and not ThresholdRule.objects.filter(is_active=True).exclude(pk=locked.pk).exists():
        raise CaseReviewError("Keep at least one rule active: the threshold could never be met without one")
    locked.kind, locked.min_reports, locked.window_months = kind, min_reports, window_months
    locked.is_active, locked.display_order, locked.updated_by = is_active, display_order, actor
    locked.counts_diary_entries = counts_diary_entries
    locked.save()
    return locked


def threshold_rule_activate(*, rule: ThresholdRule, active: bool, actor) -> ThresholdRule:
    """Switch a rule on or off (the rules page's button); switching it to what it is already changes nothing."""
    if rule.is_active == active:
        return rule
    return threshold_rule_save(actor=actor, rule=rule, kind=rule.kind, min_reports=rule.min_reports,
                               window_months=rule.window_months, is_active=active, display_order=rule.display_order,
                               counts_diary_entries=rule.counts_diary_entries)


TIMESCALE_LIMITS = {
    "acknowledge_days": 30, "decision_days": 60, "meeting_days": 60, "outcome_days": 30,
    "escalation_request_days": 60, "escalation_decision_days": 60,
}


@transaction.atomic
def timescales_save(*, actor, acknowledge_days: int, decision_days: int, meeting_days: int, outcome_days: int,
                    escalation_request_days: int, escalation_decision_days: int, default_spoc=None,
                    seen: datetime | None = None) -> Timescales:
    """Change the local procedure's timescales (working days) and the default single point of contact. They apply
    to stages that start after the change; deadlines already running keep the date they were given."""
    values = {
        "acknowledge_days": acknowledge_days, "decision_days": decision_days, "meeting_days": meeting_days,
        "outcome_days": outcome_days, "escalation_request_days": escalation_request_days,
        "escalation_decision_days": escalation_decision_days,
    }
    for name, value in values.items():
        if not 1 <= value <= TIMESCALE_LIMITS[name]:
            raise CaseReviewError(f"Each period must be between 1 and {TIMESCALE_LIMITS[name]} working days")
    if default_spoc is not None and not users_who_can(Can.WORK_CASE_REVIEWS).filter(pk=default_spoc.pk).exists():
        raise CaseReviewError("Choose someone who works Case Reviews as the single point of contact")
    Timescales.objects.get_or_create(pk=1)
    row = Timescales.objects.select_for_update().get(pk=1)
    _check_seen(row, seen)
    for name, value in values.items():
        setattr(row, name, value)
    row.default_spoc, row.updated_by = default_spoc, actor
    row.save()
    return row
