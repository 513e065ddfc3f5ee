"""Reads of residents' diaries and requests: the officer's diary page and court-bundle PDF, the resident's own diary,
and the open requests on the officer's home. Each a fixed number of queries, whatever the data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, Q
from django.urls import reverse

from .models import Case, DiaryEntry, Evidence, ResidentLink, ResidentRequest
from .policy import Can, can, cases_visible_to


def _entries():
    return (DiaryEntry.objects.select_related("party", "report", "corrects")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("uploaded_at", "original_name")),
                              Prefetch("corrections", queryset=DiaryEntry.objects.order_by("received_at"))))


def writer_name(entry: DiaryEntry) -> str:
    """Who wrote an entry, for staff: the person on the case, or the anonymous reporter."""
    if entry.party_id is not None:
        party = entry.party
        return f"{party.full_name or party.description[:60]} ({party.get_role_display().lower()})"
    return "Anonymous reporter"


def diary_for_case(case: Case) -> list[DiaryEntry]:
    """Every diary entry on the case, by when it happened (oldest first, as a court bundle reads), with its files and
    corrections: three queries. The caller has already opened the case through the policy (case_or_404)."""
    entries = list(_entries().filter(case=case).order_by("happened_at", "received_at"))
    for entry in entries:
        entry.writer = writer_name(entry)
    return entries


def _own(link: ResidentLink) -> Q:
    return Q(case_id=link.case_id) & (Q(party_id=link.party_id) if link.party_id else Q(report_id=link.report_id))


def diary_for_link(link: ResidentLink) -> list[DiaryEntry]:
    """The person's OWN diary entries on the case (never anyone else's), oldest first: three queries."""
    return list(_entries().filter(_own(link)).order_by("happened_at", "received_at"))


def diary_entry_for_link(link: ResidentLink, entry_id) -> DiaryEntry | None:
    """One of the person's own entries (to correct it), or None (another's, or no such entry: the view answers 404)."""
    return DiaryEntry.objects.filter(_own(link), pk=entry_id).first()


def resident_requests_for_case(case: Case, *, open_only: bool = False) -> list[ResidentRequest]:
    requests = ResidentRequest.objects.filter(case=case).select_related("party", "report", "dealt_with_by")
    if open_only:
        requests = requests.filter(dealt_with_at__isnull=True)
    return list(requests.order_by("-created_at", "-id"))


def resident_request_for_case(case: Case, request_id) -> ResidentRequest | None:
    return ResidentRequest.objects.filter(case=case, pk=request_id).select_related("case").first()


@dataclass(frozen=True)
class HomeRequest:
    """An open resident request, as the officer's home lists it."""

    id: int
    case_reference: str
    kind: str
    kind_label: str
    who: str
    details: str
    created_at: datetime
    url: str


def resident_requests_for_home(user, *, limit: int = 50) -> list[HomeRequest]:
    """Open requests on the cases the user is the officer of, and, for someone who assigns cases (a manager), on
    unassigned cases too; newest first. One query."""
    if not can(user, Can.WORK_CASES):
        return []
    mine = Q(case__officer=user)
    if can(user, Can.ASSIGN_CASES):
        mine |= Q(case__officer__isnull=True)
    rows = (ResidentRequest.objects.filter(mine, dealt_with_at__isnull=True, case__in=cases_visible_to(user))
            .select_related("case", "party").order_by("-created_at", "-id")[:limit])
    return [HomeRequest(
        id=r.pk, case_reference=r.case.reference, kind=r.kind, kind_label=r.get_kind_display(),
        who=(r.party.full_name or r.party.description[:40]) if r.party_id else "Anonymous reporter",
        details=r.details[:200], created_at=r.created_at,
        url=reverse("staff:diary", kwargs={"reference": r.case.reference}) + f"#request-{r.pk}",
    ) for r in rows]
