"""Reads shared by views, tasks and exports. Access rules live here and only here."""

from django.db.models import Q, QuerySet

from .models import OPEN_STATUSES, Case, Evidence, Report
from .roles import CAN_READ_CASE_FILE, CAN_SEE_CALLER_HISTORY, has_any_role
from .validators import normalise_phone, normalise_postcode


def cases_visible_to(user) -> QuerySet[Case]:
    """The case files a user may read. Call-centre staff see none (they do not see case notes)."""
    if has_any_role(user, CAN_READ_CASE_FILE):
        return Case.objects.all()
    return Case.objects.none()


def evidence_visible_to(user) -> QuerySet[Evidence]:
    """Evidence files a user may download: those on cases they may read."""
    return Evidence.objects.filter(case__in=cases_visible_to(user))


def caller_history(user, *, phone: str = "", email: str = "", postcode: str = "", address: str = "", limit: int = 20):
    """Earlier reports from the same phone, email or address, newest first, for repeat callers.

    Returns reports with their case's reference, status and category only: enough to tell a
    caller where their report stands and to add a new report to an open case.
    """
    if not has_any_role(user, CAN_SEE_CALLER_HISTORY):
        return Report.objects.none()
    match = Q()
    if phone and (digits := normalise_phone(phone)):
        match |= Q(reporter__phone_normalised=digits)
    if email:
        match |= Q(reporter__email__iexact=email.strip())
    if postcode:
        pc = normalise_postcode(postcode)
        # Same postcode and same first line (house number and street), reporter's home or the incident place.
        first_line = (address or "").split(",")[0].strip()
        if first_line:
            match |= Q(reporter__postcode=pc, reporter__address__istartswith=first_line)
            match |= Q(postcode=pc, address__istartswith=first_line)
    if not match:
        return Report.objects.none()
    return (
        Report.objects.filter(match)
        .select_related("case", "case__category", "reporter")
        .order_by("-received_at")[:limit]
    )


def open_case_ids(reports) -> set[int]:
    return {r.case_id for r in reports if r.case.status in OPEN_STATUSES}


def phone_report_for_confirmation(user, *, reference: str) -> Report | None:
    """The latest report on a case that this user logged, or (officers, managers) any report on a case they may read."""
    reports = Report.objects.select_related("case", "reporter").filter(case__reference=reference).order_by("-received_at")
    if has_any_role(user, CAN_READ_CASE_FILE):
        return reports.filter(case__in=cases_visible_to(user)).first()
    if has_any_role(user, CAN_SEE_CALLER_HISTORY):
        return reports.filter(logged_by=user).first()
    return None


def recent_cases(user, *, limit: int = 25) -> list[Case]:
    """Newest cases the user may read, with what the list shows, in one query."""
    return list(
        cases_visible_to(user).select_related("category", "officer").order_by("-created_at")[:limit]
    )


def case_for_detail(user, *, reference: str) -> Case | None:
    """One case with its reports, parties and evidence, in a fixed number of queries."""
    from django.db.models import Prefetch

    return (
        cases_visible_to(user)
        .select_related("category", "officer")
        .prefetch_related(
            Prefetch("reports", queryset=Report.objects.select_related("reporter", "logged_by", "category").order_by("received_at")),
            "parties",
            Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at")),
            "timeline__actor",
        )
        .filter(reference=reference)
        .first()
    )
