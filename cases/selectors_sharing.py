"""Reads for the council's sharing screens: agencies and their agreements, a case's shares, the access log.
Each starts from the access policy's querysets and costs a fixed number of queries."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Aggregate, Count, Exists, F, FloatField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from .models import (
    AccessLogEntry,
    AgencyMember,
    Case,
    CaseShare,
    Evidence,
    PartnerAgency,
    SharedPerson,
    SharingAgreement,
)
from .policy import access_log_visible_to, agencies_visible_to, live_shares, object_or_404, referrals_visible_to
from .services.sharing import AgreementStatus, agreement_status, sharing_refusal

RESPONSE_WINDOW_DAYS = 365


class Median(Aggregate):
    """PostgreSQL's median of `a - b` (two dates: whole days)."""

    function = None
    name = "Median"
    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY (%(expressions)s))"
    arg_joiner = " - "
    output_field = FloatField()


def _count(queryset) -> Subquery:
    return Coalesce(Subquery(queryset.order_by().values("agency").annotate(n=Count("pk")).values("n")[:1]), 0)


@dataclass
class AgencyRow:
    agency: PartnerAgency
    status: AgreementStatus
    live_shares: int
    users: int
    answered: int = 0
    median_days: float | None = None
    agreements: list = field(default_factory=list)


def agencies_overview(user, *, today: date | None = None) -> list[AgencyRow]:
    """Every agency this user manages, with its agreement in words, live shares, users and referral response times
    over the last 12 months (responded_on - referred_on). Three queries, whatever the number of agencies."""
    today = today or timezone.localdate()
    agencies = list(
        agencies_visible_to(user)
        .annotate(
            live=_count(live_shares(on=today).filter(agency=OuterRef("pk"))),
            user_count=_count(AgencyMember.objects.filter(agency=OuterRef("pk"), user__is_active=True)),
        )
        .prefetch_related(Prefetch("agreements", queryset=SharingAgreement.objects.order_by("-signed_on", "-id")))
        .order_by("name")
    )
    stats = {
        row["agency"]: row
        for row in referrals_visible_to(user)
        .filter(responded_on__isnull=False, referred_on__gte=today - timedelta(days=RESPONSE_WINDOW_DAYS))
        .order_by().values("agency")
        .annotate(answered=Count("pk"), median=Median(F("responded_on"), F("referred_on")))
    }
    rows = []
    for agency in agencies:
        found = stats.get(agency.pk, {})
        agreements = list(agency.agreements.all())
        rows.append(AgencyRow(
            agency=agency, status=agreement_status(agreements, today=today), live_shares=agency.live, users=agency.user_count,
            answered=found.get("answered", 0), median_days=found.get("median"), agreements=agreements,
        ))
    return rows


@dataclass
class AgencyPage:
    agency: PartnerAgency
    status: AgreementStatus
    agreements: list
    shares: list
    users: int


def agency_page(user, agency_id: int) -> AgencyPage:
    """One agency's agreements (newest first), live shares and number of users; 404 if this user may not manage it."""
    agency = object_or_404(agencies_visible_to(user).prefetch_related(
        Prefetch("agreements", queryset=SharingAgreement.objects.select_related("recorded_by").order_by("-signed_on", "-id"))
    ), pk=agency_id)
    agreements = list(agency.agreements.all())
    shares = list(
        live_shares(agency_id=agency.pk).select_related("case", "shared_by").order_by("-shared_at", "-id")
    )
    users = AgencyMember.objects.filter(agency=agency, user__is_active=True).count()
    return AgencyPage(agency=agency, status=agreement_status(agreements), agreements=agreements, shares=shares, users=users)


def agreement_of(user, agency: PartnerAgency, agreement_id: int) -> SharingAgreement:
    return object_or_404(SharingAgreement.objects.filter(agency__in=agencies_visible_to(user), agency=agency), pk=agreement_id)


@dataclass
class AgencyChoice:
    agency: PartnerAgency
    refusal: str  # why it cannot be chosen ("" when it can)
    status: AgreementStatus


def agencies_for_sharing(case: Case) -> list[AgencyChoice]:
    """Active agencies, each sharable or with the reason it is not: no agreement in force, or already shared."""
    agencies = (
        PartnerAgency.objects.filter(is_active=True)
        .annotate(already=Exists(CaseShare.objects.filter(case=case, agency=OuterRef("pk"), stopped_at__isnull=True)
                                 .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=timezone.localdate()))))
        .prefetch_related("agreements").order_by("name")
    )
    choices = []
    for agency in agencies:
        agreements = list(agency.agreements.all())
        refusal = sharing_refusal(agency, agreements)
        if not refusal and agency.already:
            refusal = f"This case is already shared with {agency.name}: change that share instead"
        choices.append(AgencyChoice(agency=agency, refusal=refusal, status=agreement_status(agreements)))
    return choices


def share_of_case(case: Case, share_id: int, *, live_only: bool = True) -> CaseShare:
    """A share of this case (not stopped, unless asked), with what its form shows; 404 otherwise."""
    shares = CaseShare.objects.filter(case=case).select_related("agency", "shared_by").prefetch_related(
        Prefetch("people", queryset=SharedPerson.objects.all()),
        Prefetch("evidence", queryset=Evidence.objects.only("pk")),
    )
    if live_only:
        shares = shares.filter(stopped_at__isnull=True)
    return object_or_404(shares, pk=share_id)


def case_evidence(case: Case) -> list[Evidence]:
    return list(Evidence.objects.filter(case=case).order_by("uploaded_at"))


# --- the access log ------------------------------------------------------------------------------------

def access_log_for_case(user, case: Case) -> QuerySet[AccessLogEntry]:
    """Who has seen this case, newest first."""
    return access_log_visible_to(user).filter(case_id=case.pk).order_by("-at", "-id")


def access_log_search(user, *, username: str = "", agency_id: int | None = None, reference: str = "") -> QuerySet[AccessLogEntry]:
    """The whole log this user may read, filtered by username, agency and case reference, newest first."""
    entries = access_log_visible_to(user)
    if username:
        entries = entries.filter(username__iexact=username.strip())
    if agency_id:
        entries = entries.filter(agency_id=agency_id)
    if reference:
        entries = entries.filter(case_reference__iexact=reference.strip())
    return entries.order_by("-at", "-id")


def agency_options(user) -> list[tuple[int, str]]:
    return list(agencies_visible_to(user).order_by("name").values_list("pk", "name"))
