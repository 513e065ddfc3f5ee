"""Reads for the rights-request screens: the request list with deadline words, one request's page, the register
search for the person. Everything starts from the policy: only managers of privacy see requests; people come from
`people_visible_to`."""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from cases.policy import Can, can, object_or_404, people_visible_to
from cases.validators import normalise_phone, normalise_postcode

from .models import Release, RequestKind, RightsRequest, ThirdParty
from .services.rights import OPEN, OutcomeBasis, outcome_bases_for, release_blockers

CLOSED_SHOWN = 50
PEOPLE_FOUND = 20


def requests_visible_to(user):
    if can(user, Can.MANAGE_PRIVACY):
        return RightsRequest.objects.all()
    return RightsRequest.objects.none()


@dataclass(frozen=True)
class DueWords:
    text: str
    colour: str  # a govuk-tag modifier


def due_words(request: RightsRequest, today: date) -> DueWords:
    """"Due in 12 days", "Due today", "Overdue by 3 days": the stored due date in words, for the list and the page."""
    if request.status not in OPEN:
        return DueWords(request.get_status_display(), "grey")
    days = (request.due_on - today).days
    if days < 0:
        return DueWords(f"Overdue by {-days} day{'s' if days != -1 else ''}", "red")
    if days == 0:
        return DueWords("Due today", "orange")
    return DueWords(f"Due in {days} day{'s' if days != 1 else ''}", "yellow" if days <= 7 else "blue")


@dataclass
class RequestRow:
    request: RightsRequest
    due: DueWords


@dataclass
class RequestsOverview:
    open: list[RequestRow]
    closed: list[RightsRequest]


def requests_overview(user) -> RequestsOverview:
    """Open requests by due date (the most urgent first); the latest closed ones below. Two queries."""
    today = timezone.localdate()
    rows = requests_visible_to(user).select_related("person")
    open_rows = [RequestRow(r, due_words(r, today)) for r in rows.filter(status__in=OPEN).order_by("due_on", "id")]
    closed = list(rows.exclude(status__in=OPEN).order_by("-closed_at", "-id")[:CLOSED_SHOWN])
    return RequestsOverview(open=open_rows, closed=closed)


def request_or_404(user, request_id: int) -> RightsRequest:
    return object_or_404(requests_visible_to(user).select_related("person", "recorded_by", "closed_by"), pk=request_id)


@dataclass
class RequestPage:
    request: RightsRequest
    due: DueWords
    is_open: bool
    can_extend: bool
    third_parties: list[ThirdParty] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)
    bases: list[OutcomeBasis] = field(default_factory=list)
    basis_label: str = ""

    @property
    def is_access(self) -> bool:
        return self.request.kind == RequestKind.ACCESS

    @property
    def undecided(self) -> int:
        return sum(1 for tp in self.third_parties if tp.decided_by_id is None)


def request_page(user, request_id: int) -> RequestPage:
    request = request_or_404(user, request_id)
    today = timezone.localdate()
    is_open = request.status in OPEN
    page = RequestPage(
        request=request, due=due_words(request, today), is_open=is_open,
        can_extend=request.status == RightsRequest.Status.OPEN and today <= request.due_on,
        bases=outcome_bases_for(request.kind),
    )
    page.basis_label = next((b.label for b in page.bases if b.key == request.outcome_basis), request.outcome_basis)
    if page.is_access:
        page.third_parties = list(
            ThirdParty.objects.filter(request=request).select_related("party", "party__case", "decided_by")
            .order_by("party__case__received_at", "party__case_id", "party_id")
        )
        page.releases = list(Release.objects.filter(request=request).select_related("released_by").order_by("released_at"))
        if is_open:
            page.blockers = release_blockers(request)
    return page


def third_party_of(request: RightsRequest, third_party_id: int) -> ThirdParty:
    return object_or_404(ThirdParty.objects.filter(request=request).select_related("party", "party__case", "request"),
                         pk=third_party_id)


def people_search(user, query: str) -> list:
    """Register records matching a name, phone number or postcode (live records only: not merged, not anonymised)."""
    query = (query or "").strip()
    if len(query) < 2:
        return []
    people = people_visible_to(user).filter(merged_into__isnull=True, anonymised_at__isnull=True)
    match = Q(full_name__icontains=query)
    digits = normalise_phone(query)
    if re.fullmatch(r"\d{6,}", digits):
        match |= Q(phone_normalised__contains=digits)
    if re.fullmatch(r"[A-Za-z]{1,2}\d[A-Za-z\d]?\s*\d[A-Za-z]{2}", query):
        match |= Q(postcode=normalise_postcode(query))
    return list(people.filter(match).order_by("full_name", "id")[:PEOPLE_FOUND])


def person_for_request(user, person_id) -> object:
    """A live register record this user may see, or 404."""
    if not str(person_id).isdigit():
        raise Http404
    return object_or_404(people_visible_to(user).filter(merged_into__isnull=True, anonymised_at__isnull=True), pk=int(person_id))
