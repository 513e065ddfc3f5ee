"""Threshold reads: the manager's list of cases whose victims met the threshold, a case's flag for its banner, the
rules page, and how often the Case Review was explained at a second report (the list's panel and the dashboard)."""

from datetime import datetime

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from cases.models import ContactPrompt, Party
from cases.policy import Can, can

from .intake import TOPIC
from .models import Application, ThresholdFlag, ThresholdRule
from .threshold import VICTIM_ROLES


def flags_open(user) -> QuerySet[ThresholdFlag]:
    """Open flags, newest first, each with its case, `victim_name` (for users who see people; else None) and
    `has_application` (an application linked to the case, or to the person whose reports met it). One query per page
    whatever the number of rows."""
    if not can(user, Can.SEE_CASE_REVIEWS):
        return ThresholdFlag.objects.none()
    flags = (ThresholdFlag.objects.filter(closed_at__isnull=True).select_related("case")
             # An application about the case, or by the person whose reports met it (their flags on other cases).
             .annotate(has_application=Exists(Application.objects.filter(case=OuterRef("case")))
                       | Exists(Application.objects.filter(person=OuterRef("person"))))
             .order_by("-met_at", "-id"))
    if can(user, Can.SEE_PEOPLE):
        victims = Party.objects.filter(case=OuterRef("case"), role__in=VICTIM_ROLES, is_unknown=False).order_by("id")
        flags = flags.annotate(victim_name=Coalesce(
            # The person whose reports met a one-person rule, as named on this case; else the case's first victim.
            Subquery(victims.filter(person=OuterRef("person")).values("full_name")[:1]),
            Subquery(victims.values("full_name")[:1]),
        ))
    return flags


def flag_open_or_404(user, flag_id: int) -> ThresholdFlag:
    flag = flags_open(user).filter(pk=flag_id).first()
    if flag is None:
        raise Http404
    return flag


def case_flag(case) -> ThresholdFlag | None:
    """The case's open flag, else its most recently closed one (the banner says how it was dealt with); one query."""
    return (ThresholdFlag.objects.filter(case=case).select_related("closed_by")
            .order_by(F("closed_at").desc(nulls_first=True), "-met_at", "-id").first())


def rules_page() -> list[ThresholdRule]:
    return list(ThresholdRule.objects.select_related("updated_by").order_by("-is_active", "display_order", "id"))


def explained_counts(start: datetime, end: datetime) -> dict:
    """Second-report prompts raised in [start, end) and what became of them: explained (answered yes), not explained
    (no), and not yet asked (still open). One query."""
    counts = ContactPrompt.objects.filter(topic=TOPIC, created_at__gte=start, created_at__lt=end).aggregate(
        raised=Count("id"),
        explained=Count("id", filter=Q(answer=True)),
        not_explained=Count("id", filter=Q(answer=False)),
        not_asked=Count("id", filter=Q(answered_at__isnull=True)),
    )
    return counts
