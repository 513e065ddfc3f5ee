"""Reads for the partner screens, from the access policy's querysets only.

Each returns plain values (dataclasses, dicts) rather than model instances, so a template cannot follow
a relation from a shared case to something the share does not include (`case.parties.all`,
`referral.case.timeline`…). What a scope shows is decided here, once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from cases.evidence import EXTENSIONS
from cases.models import (
    AccessEvent,
    Case,
    CaseShare,
    CaseStatus,
    Evidence,
    PartnerAgency,
    PartyRole,
    PreferredContactMethod,
    Referral,
    ReferralStatus,
    RiskLevel,
    ShareScope,
    TimelineKind,
)
from cases.policy import (
    access_log_visible_to,
    agency_of,
    cases_visible_to,
    evidence_visible_to,
    live_shares,
    object_or_404,
    parties_visible_to,
    referrals_visible_to,
    share_for,
    share_reaches,
    timeline_visible_to,
)
from cases.roles import GROUP_NAMES, Role

LIMITED_LABEL = "Reference only (locked down)"


def _name(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


def _person_name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


# --- the list of shared cases -------------------------------------------------------------------------

@dataclass(frozen=True)
class SharedCaseRow:
    reference: str
    shared_at: datetime
    officer_name: str
    limited: bool  # locked down: only the reference and the officer
    category: str = ""
    status: str = ""
    status_label: str = ""
    scope_label: str = ""


def shared_cases(user, *, reference: str = "") -> QuerySet:
    """The cases shared with the user's agency, newest share first, as dicts (page them, then `shared_case_rows`).

    Read from the agency's live shares in `shared_at` order (an index), joined to their cases: a page reads its
    25 shares, instead of sorting every share of the agency by a subquery.
    """
    agency = agency_of(user)
    if agency is None:
        return CaseShare.objects.none().values()
    shares = live_shares(agency_id=agency.pk).filter(case__in=cases_visible_to(user))  # the policy's cases, always
    if reference.strip():
        shares = shares.filter(case__reference__icontains=reference.strip())
    return shares.order_by("-shared_at", "-case_id").values(
        "case__reference", "case__status", "case__category__name", "case__officer__first_name", "case__officer__last_name",
        "case__officer__username", "shared_at", "scope",
    )


def shared_case_rows(values) -> list[SharedCaseRow]:
    rows = []
    for v in values:
        limited = v["scope"] == ShareScope.REFERENCE
        common = {"reference": v["case__reference"], "shared_at": v["shared_at"], "limited": limited,
                  "officer_name": _name(v["case__officer__first_name"], v["case__officer__last_name"], v["case__officer__username"])}
        if limited:
            rows.append(SharedCaseRow(**common, scope_label=LIMITED_LABEL))
        else:
            rows.append(SharedCaseRow(**common, category=v["case__category__name"], status=v["case__status"],
                                      status_label=CaseStatus(v["case__status"]).label, scope_label=ShareScope(v["scope"]).label))
    return rows


def referrals_waiting(user, *, limit: int = 50) -> list[dict]:
    """Referrals to the user's agency still awaiting its answer, oldest first."""
    return list(
        referrals_visible_to(user).filter(status=ReferralStatus.SENT).order_by("referred_on", "id")
        .values("id", "referred_on", "case__reference")[:limit]
    )


# --- one shared case ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Summary:
    category: str
    status: str
    status_label: str
    is_open: bool
    address: str
    postcode: str
    location_description: str
    received_at: datetime
    risk_level: str
    risk_label: str
    hate_motivated: bool
    team_phone: str
    share_reason: str
    shared_at: datetime
    share_ends_on: date | None


@dataclass(frozen=True)
class Person:
    name: str
    role_label: str
    phone: str
    email: str
    address: str
    preferred: str
    best_times: str
    safety_warning: bool
    safety_note: str


@dataclass(frozen=True)
class Entry:
    summary: str
    body: str
    kind_label: str
    occurred_at: datetime
    by: str
    from_agency: str  # the agency that wrote it ("" for the council's team)


@dataclass(frozen=True)
class EvidenceItem:
    id: str
    label: str
    download_name: str
    size: int
    uploaded_at: datetime


@dataclass(frozen=True)
class ReferralRow:
    id: int
    referred_on: date
    status: str
    status_label: str
    reason: str  # "" on a locked-down case
    response: str
    responded_on: date | None
    outcome: str

    @property
    def can_answer(self) -> bool:
        return self.status == ReferralStatus.SENT

    @property
    def can_record_outcome(self) -> bool:
        return self.status == ReferralStatus.ACCEPTED


@dataclass(frozen=True)
class SharedCasePage:
    reference: str
    agency_name: str  # the viewer's own agency
    officer_name: str
    agencies: list[str]  # agencies with a live share of the case: names only, never why
    limited: bool
    scope: str
    scope_label: str
    summary: Summary | None = None
    people: list[Person] = field(default_factory=list)
    shows_partner_entries: bool = False
    timeline: list[Entry] = field(default_factory=list)
    shows_evidence: bool = False
    evidence: list[EvidenceItem] = field(default_factory=list)
    referrals: list[ReferralRow] = field(default_factory=list)


def effective_scope(case: Case, share) -> str:
    """The share's scope: the policy's one rule. Locking a case down turns its live shares to reference only
    (cases.services.sharing.case_lock_down); the officer widens a share again by changing its scope."""
    return share.scope


def shared_case_page(user, case: Case) -> SharedCasePage:
    """Everything the user's agency may see of `case` (found through `cases_visible_to`), within the share's scope."""
    share = share_for(user, case)
    agency = agency_of(user)
    scope = effective_scope(case, share)
    limited = scope == ShareScope.REFERENCE
    agencies = list(live_shares().filter(case=case).order_by("agency__name").values_list("agency__name", flat=True).distinct())
    page = {
        "reference": case.reference, "agency_name": agency.name, "officer_name": _person_name(case.officer),
        "agencies": agencies, "limited": limited, "scope": scope,
        "scope_label": LIMITED_LABEL if limited else ShareScope(scope).label,
        "referrals": _referral_rows(user, case, limited=limited),
    }
    reaches = (lambda level: False) if limited else (lambda level: share_reaches(share, level))
    if reaches(ShareScope.SUMMARY):
        page["summary"] = Summary(
            category=case.category.name, status=case.status, status_label=CaseStatus(case.status).label, is_open=case.is_open,
            address=case.address, postcode=case.postcode, location_description=case.location_description,
            received_at=case.received_at, risk_level=case.risk_level, risk_label=RiskLevel(case.risk_level).label,
            hate_motivated=case.hate_motivated, team_phone=settings.COUNCIL_PHONE, share_reason=share.reason,
            shared_at=share.shared_at, share_ends_on=share.ends_on,
        )
        page["people"] = _people(user, case)
    entries = timeline_visible_to(user, case)
    page["shows_partner_entries"] = reaches(ShareScope.TIMELINE)
    if not page["shows_partner_entries"]:
        entries = entries.filter(agency_id=agency.pk)  # their own updates only (the policy's rule, kept under lock-down too)
    page["timeline"] = [
        Entry(summary=e.summary, body=e.body, kind_label=TimelineKind(e.kind).label, occurred_at=e.occurred_at,
              by=_person_name(e.actor), from_agency=e.agency.name if e.agency_id else "")
        for e in entries
    ]
    page["shows_evidence"] = reaches(ShareScope.EVIDENCE)
    if page["shows_evidence"]:
        page["evidence"] = _evidence(user, case)
    return SharedCasePage(**page)


def _people(user, case: Case) -> list[Person]:
    people = []
    for p in parties_visible_to(user, case).order_by("role", "full_name", "id"):
        name = f"Unknown: {p.description}" if p.is_unknown else p.full_name
        people.append(Person(
            name=name, role_label=PartyRole(p.role).label, phone=p.phone, email=p.email,
            address=f"{p.address} {p.postcode}".strip(),
            preferred=PreferredContactMethod(p.preferred_contact_method).label if p.preferred_contact_method else "",
            best_times=p.best_times, safety_warning=p.staff_safety_warning, safety_note=p.staff_safety_note,
        ))
    return people


def _earlier_evidence():
    # The file's number on the case by upload time, as cases.selectors.evidence_for_download names downloads.
    return (
        Evidence.objects.filter(case=OuterRef("case"))
        .filter(Q(uploaded_at__lt=OuterRef("uploaded_at")) | Q(uploaded_at=OuterRef("uploaded_at"), pk__lt=OuterRef("pk")))
        .order_by().values("case").annotate(n=Count("pk")).values("n")
    )


def _evidence(user, case: Case) -> list[EvidenceItem]:
    items = []
    rows = (evidence_visible_to(user).filter(case=case).annotate(earlier=Coalesce(Subquery(_earlier_evidence()), 0))
            .order_by("uploaded_at", "id").values("id", "content_type", "size", "uploaded_at", "earlier"))
    for row in rows:
        number = row["earlier"] + 1
        extension = EXTENSIONS.get(row["content_type"], "bin")
        items.append(EvidenceItem(id=str(row["id"]), label=f"Evidence {number}", size=row["size"], uploaded_at=row["uploaded_at"],
                                  download_name=f"{case.reference}-evidence-{number}.{extension}"))
    return items


def _referral_rows(user, case: Case, *, limited: bool) -> list[ReferralRow]:
    rows = referrals_visible_to(user).filter(case=case).order_by("-referred_on", "-id").values(
        "id", "referred_on", "status", "reason", "response", "responded_on", "outcome")
    return [ReferralRow(**{**r, "reason": "" if limited else r["reason"]}, status_label=ReferralStatus(r["status"]).label) for r in rows]


def referral_row(user, case: Case, referral: Referral) -> ReferralRow:
    limited = effective_scope(case, share_for(user, case)) == ShareScope.REFERENCE
    return ReferralRow(
        id=referral.pk, referred_on=referral.referred_on, status=referral.status, status_label=ReferralStatus(referral.status).label,
        reason="" if limited else referral.reason, response=referral.response, responded_on=referral.responded_on, outcome=referral.outcome,
    )


def referral_or_404(user, case: Case, referral_id: int) -> Referral:
    """A referral to the user's agency on this (visible) case; another agency's, or another case's, is a 404."""
    return object_or_404(referrals_visible_to(user).select_related("case", "agency"), pk=referral_id, case=case)


# --- an agency's users ----------------------------------------------------------------------------------

def agency_users(agency: PartnerAgency) -> list[dict]:
    """The agency's users: name, username, email, lead or not, active, last sign-in."""
    User = get_user_model()
    lead = User.groups.through.objects.filter(user_id=OuterRef("pk"), group__name=GROUP_NAMES[Role.PARTNER_LEAD])
    rows = (User.objects.filter(agency_membership__agency=agency).annotate(is_lead=Exists(lead))
            .order_by("last_name", "first_name", "username")
            .values("id", "username", "first_name", "last_name", "email", "is_active", "last_login", "is_lead"))
    return [{**r, "name": _name(r["first_name"], r["last_name"], r["username"])} for r in rows]


def agency_user_or_404(agency: PartnerAgency, user_id: int):
    return object_or_404(get_user_model().objects.filter(agency_membership__agency=agency), pk=user_id)


# --- the access log -------------------------------------------------------------------------------------

def access_log_rows(user, *, user_id: int | None = None, reference: str = "") -> QuerySet:
    """The access log this user may read (a partner lead: their agency's), newest first, as dicts."""
    entries = access_log_visible_to(user)
    if user_id:
        entries = entries.filter(user_id=user_id)
    if reference.strip():
        entries = entries.filter(case_reference__iexact=reference.strip())
    return entries.order_by("-at", "-id").values("id", "at", "username", "agency_name", "case_reference", "event", "detail", "address")


def event_label(event: str) -> str:
    return AccessEvent(event).label if event in AccessEvent.values else event
