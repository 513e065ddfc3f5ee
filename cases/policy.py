"""The access policy: every "may this user see or do this" in one place.

Two kinds of answer:
- **capabilities** (`can(user, Can.ASSIGN_CASES)`), named for what they allow, never role sets;
- **querysets** of what a user may see (`cases_visible_to(user)` and friends). Every list, detail
  page, search, export, task and email starts from them, so a list and its detail page cannot
  disagree. Apps above `cases` (surveys, dashboard, later JAG and Case Review) filter their own
  rows with `scoped(user, queryset)`.

A record a user may not see is simply absent from their querysets, so views answer 404 for it
(`object_or_404`, `requires`), never 403: a refusal must not tell anyone the record exists.

Partner users (police, housing…) see a case only while a live share with their agency exists
*and* the agency has a sharing agreement in force, and then only within the share's scope.
The share's scope is the one rule for what a partner sees: locking a case down
(`cases.services.sharing.case_lock_down`, the only writer of `Case.is_locked_down`; the admin shows
it read-only) turns every live share to reference only in the same transaction, and the officer
widens a share again, one agency at a time, by changing its scope.
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from .models import (
    SCOPE_ORDER,
    AccessLogEntry,
    AgencyMember,
    Case,
    CaseShare,
    Evidence,
    PartnerAgency,
    Party,
    Person,
    Place,
    Referral,
    ShareScope,
    SharingAgreement,
    TimelineEntry,
    Visibility,
)
from .roles import PARTNER_ROLES, Role, user_roles


class Can(StrEnum):
    """Named capabilities. Templates read them as `{% if can.assign_cases %}`."""

    # Council staff
    LOG_PHONE_REPORTS = "log_phone_reports"
    SEE_CALLER_HISTORY = "see_caller_history"  # earlier reports from this caller or address; case status lookup
    WORK_CASES = "work_cases"  # read every team case file and do casework on it
    SEE_PEOPLE = "see_people"  # who reported and everyone's contact details, on team cases
    ASSIGN_CASES = "assign_cases"  # give a case to any officer (officers can take one for themselves)
    MERGE_CASES = "merge_cases"
    MANAGE_CLOSURE_DAYS = "manage_closure_days"
    READ_DASHBOARD = "read_dashboard"
    EXPORT_DATA = "export_data"
    ENTER_PHONE_SURVEYS = "enter_phone_surveys"  # answer the phone-survey list
    START_PHONE_SURVEYS = "start_phone_surveys"  # start a survey on a case, from the case page
    READ_SURVEY_RESULTS = "read_survey_results"
    SHARE_CASES = "share_cases"  # share with partners, change scope, stop sharing, lock down
    MANAGE_AGENCIES = "manage_agencies"  # partner agencies, sharing agreements, partner users
    READ_ACCESS_LOG = "read_access_log"  # every agency's, per case and per user
    MANAGE_SIGN_IN = "manage_sign_in"  # the sign-in log, unlock accounts
    SEE_REGISTER = "see_register"  # the person and place register: a person's page, a place's page, hotspots
    MERGE_PEOPLE = "merge_people"  # merge and unmerge person records, confirm or reject a possible match
    EDIT_REPEAT_RULES = "edit_repeat_rules"  # what counts as a repeat victim or perpetrator
    MANAGE_PRIVACY = "manage_privacy"  # the retention schedule and runs, legal holds, rights requests
    LOG_CASE_REVIEW_APPLICATIONS = "log_case_review_applications"  # a Case Review application by phone or on paper
    SEE_CASE_REVIEWS = "see_case_reviews"  # Case Review applications, their people, the threshold list
    WORK_CASE_REVIEWS = "work_case_reviews"  # the single point of contact's work: acknowledge, meeting, outcome
    DECIDE_CASE_REVIEWS = "decide_case_reviews"  # threshold decisions, the contact person, rules and timescales
    SEE_JAG = "see_jag"  # Joint Action Group meetings: the schedule, agendas, packs (a partner: their agency's pack)
    NOMINATE_FOR_JAG = "nominate_for_jag"  # nominate a case (one they may see), a location or a theme
    MANAGE_JAG = "manage_jag"  # groups, members, the schedule, moving a meeting
    EDIT_LETTER_TEMPLATES = "edit_letter_templates"  # the wording of letters and notices (letters app)
    # Partner agencies
    READ_SHARED_CASES = "read_shared_cases"
    ANSWER_REFERRALS = "answer_referrals"
    ADD_PARTNER_NOTES = "add_partner_notes"
    MANAGE_AGENCY_USERS = "manage_agency_users"  # a partner lead: their own agency's users
    READ_AGENCY_ACCESS_LOG = "read_agency_access_log"  # a partner lead: their own agency's access log
    READ_RECOMMENDATIONS = "read_recommendations"  # Case Review recommendations their agency owns (no applicant data)
    UPDATE_RECOMMENDATIONS = "update_recommendations"  # report progress on them


_CALL_CENTRE = {Can.LOG_PHONE_REPORTS, Can.SEE_CALLER_HISTORY, Can.ENTER_PHONE_SURVEYS, Can.LOG_CASE_REVIEW_APPLICATIONS}
_OFFICER = _CALL_CENTRE | {Can.WORK_CASES, Can.SEE_PEOPLE, Can.START_PHONE_SURVEYS, Can.SHARE_CASES, Can.SEE_REGISTER,
                           Can.MERGE_PEOPLE, Can.SEE_CASE_REVIEWS, Can.WORK_CASE_REVIEWS, Can.SEE_JAG, Can.NOMINATE_FOR_JAG}
_MANAGER = _OFFICER | {
    Can.ASSIGN_CASES, Can.MERGE_CASES, Can.MANAGE_CLOSURE_DAYS, Can.READ_DASHBOARD, Can.EXPORT_DATA,
    Can.READ_SURVEY_RESULTS, Can.MANAGE_AGENCIES, Can.READ_ACCESS_LOG, Can.MANAGE_SIGN_IN, Can.EDIT_REPEAT_RULES,
    Can.MANAGE_PRIVACY, Can.DECIDE_CASE_REVIEWS, Can.MANAGE_JAG, Can.EDIT_LETTER_TEMPLATES,
}
_PARTNER_USER = {Can.READ_SHARED_CASES, Can.ANSWER_REFERRALS, Can.ADD_PARTNER_NOTES, Can.READ_RECOMMENDATIONS,
                 Can.UPDATE_RECOMMENDATIONS, Can.SEE_JAG, Can.NOMINATE_FOR_JAG}
_PARTNER_LEAD = _PARTNER_USER | {Can.MANAGE_AGENCY_USERS, Can.READ_AGENCY_ACCESS_LOG}

ROLE_CAPABILITIES: dict[str, frozenset[Can]] = {
    Role.CALL_CENTRE: frozenset(_CALL_CENTRE),
    Role.OFFICER: frozenset(_OFFICER),
    Role.MANAGER: frozenset(_MANAGER),
    Role.PARTNER_USER: frozenset(_PARTNER_USER),
    Role.PARTNER_LEAD: frozenset(_PARTNER_LEAD),
}


def capabilities(user) -> frozenset[Can]:
    roles = user_roles(user)
    if roles & PARTNER_ROLES and agency_of(user) is None:
        return frozenset()  # a partner role without an agency sees nothing
    found: set[Can] = set()
    for role in roles:
        found |= ROLE_CAPABILITIES[role]
    return frozenset(found)


def can(user, capability: Can) -> bool:
    return capability in capabilities(user)


def is_partner(user) -> bool:
    return bool(user_roles(user) & PARTNER_ROLES)


def is_council_staff(user) -> bool:
    return bool(user_roles(user)) and not is_partner(user)


class CapabilitiesForTemplates:
    """`{% if can.work_cases %}`: the signed-in user's capabilities by name."""

    def __init__(self, user):
        self._caps = capabilities(user)

    def __getitem__(self, name: str) -> bool:
        try:
            return Can(name) in self._caps
        except ValueError:
            raise KeyError(name) from None

    def __bool__(self):
        return bool(self._caps)


def requires(capability: Can):
    """A view for signed-in users with `capability`. Anyone else signed in gets 404, not 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not can(request.user, capability):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def requires_any(*capabilities_: Can):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not any(can(request.user, c) for c in capabilities_):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def object_or_404(queryset: QuerySet, **lookup):
    """The one row of a policy queryset matching `lookup`, or 404 (absent and forbidden look the same)."""
    found = queryset.filter(**lookup).first()
    if found is None:
        raise Http404
    return found


# --- partner agencies ------------------------------------------------------------------------------

def agency_of(user) -> PartnerAgency | None:
    """The active agency a partner user belongs to (read once per request), or None."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_asb_agency"):
        member = AgencyMember.objects.select_related("agency").filter(user_id=user.pk, agency__is_active=True).first()
        user._asb_agency = member.agency if member else None
    return user._asb_agency


def agreements_in_force(*, on=None) -> QuerySet[SharingAgreement]:
    day = on or timezone.localdate()
    return SharingAgreement.objects.filter(signed_on__lte=day, review_by__gte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def live_shares(*, agency_id: int | None = None, on=None) -> QuerySet[CaseShare]:
    """Shares in effect today: not stopped, not past their end date, with an agreement in force."""
    day = on or timezone.localdate()
    shares = CaseShare.objects.filter(stopped_at__isnull=True, agency__is_active=True).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
    if agency_id is not None:
        shares = shares.filter(agency_id=agency_id)
    return shares.filter(Exists(agreements_in_force(on=day).filter(agency=OuterRef("agency"))))


def share_for(user, case: Case) -> CaseShare | None:
    """The live share through which a partner user sees `case`, read afresh each time (not cached on the
    user: a share stopped a moment ago must stop showing at once, also to code holding the same user)."""
    agency = agency_of(user) if is_partner(user) else None
    if agency is None:
        return None
    return live_shares(agency_id=agency.pk).filter(case=case).first()


def share_reaches(share: CaseShare | None, scope: str) -> bool:
    return share is not None and SCOPE_ORDER[share.scope] >= SCOPE_ORDER[scope]


# --- what each user may see --------------------------------------------------------------------------

def cases_visible_to(user) -> QuerySet[Case]:
    """The case files a user may open. Call-centre staff see none (they do not see case notes)."""
    if can(user, Can.WORK_CASES):
        return Case.objects.all()
    if can(user, Can.READ_SHARED_CASES):
        return Case.objects.filter(Exists(live_shares(agency_id=agency_of(user).pk).filter(case=OuterRef("pk"))))
    return Case.objects.none()


def scoped(user, queryset: QuerySet, *, case_field: str = "case") -> QuerySet:
    """Rows of any model that hangs off a case (survey invitations, JAG items…), kept to visible cases."""
    if can(user, Can.WORK_CASES):
        return queryset
    return queryset.filter(**{f"{case_field}__in": cases_visible_to(user).values("pk")})


def sees_people(user, case: Case | None = None) -> bool:
    """Whether people's names and details on `case` reach this user at all."""
    if can(user, Can.SEE_PEOPLE):
        return True
    return case is not None and share_reaches(share_for(user, case), ShareScope.SUMMARY)


def parties_visible_to(user, case: Case) -> QuerySet[Party]:
    """The people on a case whose details this user may see: the team sees everyone; a partner only
    the people their agency's share includes (consent or a recorded lawful reason)."""
    if can(user, Can.SEE_PEOPLE):
        return case.parties.all()
    share = share_for(user, case)
    if share_reaches(share, ShareScope.SUMMARY):
        return Party.objects.filter(case=case, shares__share=share)
    return Party.objects.none()


def parties_shared_with(agency, case_ids) -> QuerySet[Party]:
    """The people on these cases an agency's live shares include, where the share's scope reaches summary (what
    parties_visible_to gives that agency's users, for many cases at once: a JAG pack, one query)."""
    reaching = [scope for scope, order in SCOPE_ORDER.items() if order >= SCOPE_ORDER[ShareScope.SUMMARY]]
    shares = live_shares(agency_id=agency.pk).filter(case_id__in=case_ids, scope__in=reaching)
    return Party.objects.filter(case_id__in=case_ids, shares__share__in=shares).distinct()


TEAM_SEES = (Visibility.INTERNAL, Visibility.STAFF, Visibility.RESIDENT, Visibility.PARTNERS)


def timeline_visible_to(user, case: Case) -> QuerySet[TimelineEntry]:
    """The case's timeline entries this user may read, newest first.

    The team reads every entry. A partner reads the entries marked for partners (when the share's
    scope includes them) and the entries their own agency wrote; never internal notes, the resident's
    messages or another agency's entries.
    """
    entries = TimelineEntry.objects.filter(case=case).select_related("actor", "agency").order_by("-occurred_at", "-id")
    if can(user, Can.WORK_CASES):
        return entries.filter(visibility__in=TEAM_SEES)
    share = share_for(user, case)
    if share is None:
        return TimelineEntry.objects.none()
    own = Q(agency_id=share.agency_id)
    if share_reaches(share, ShareScope.TIMELINE):
        return entries.filter(own | Q(visibility=Visibility.PARTNERS, agency__isnull=True))
    return entries.filter(own)


def evidence_visible_to(user) -> QuerySet[Evidence]:
    """Evidence files a user may download: the team's on every case; a partner's only those chosen
    for a live share of their agency whose scope includes evidence."""
    if can(user, Can.WORK_CASES):
        return Evidence.objects.filter(case__isnull=False)
    if can(user, Can.READ_SHARED_CASES):
        # case=OuterRef("case") as well: a file chosen for a share shows only on that share's own case.
        shares = live_shares(agency_id=agency_of(user).pk).filter(scope=ShareScope.EVIDENCE, evidence=OuterRef("pk"), case=OuterRef("case"))
        return Evidence.objects.filter(Exists(shares))
    return Evidence.objects.none()


def referrals_visible_to(user) -> QuerySet[Referral]:
    """Referrals: the team's on every case; a partner's only those to their agency on cases shared with it."""
    if can(user, Can.WORK_CASES):
        return Referral.objects.all()
    if can(user, Can.READ_SHARED_CASES):
        return Referral.objects.filter(agency=agency_of(user), case__in=cases_visible_to(user).values("pk"))
    return Referral.objects.none()


def agencies_visible_to(user) -> QuerySet[PartnerAgency]:
    if can(user, Can.MANAGE_AGENCIES):
        return PartnerAgency.objects.all()
    agency = agency_of(user) if is_partner(user) else None
    return PartnerAgency.objects.filter(pk=agency.pk) if agency else PartnerAgency.objects.none()


def agency_scoped(user, queryset: QuerySet, *, agency_field: str, team: Can, partner: Can) -> QuerySet:
    """Rows owned by an agency (Case Review recommendations, JAG actions): users holding `team` see them all;
    a partner holding `partner` only their own active agency's; anyone else none."""
    if can(user, team):
        return queryset
    if can(user, partner):
        agency = agency_of(user)
        if agency is not None:
            return queryset.filter(**{agency_field: agency})
    return queryset.none()


def case_or_404(user, reference: str) -> Case:
    """A case this user may open, by reference, or 404."""
    return object_or_404(cases_visible_to(user).select_related("category", "officer"), reference=reference)


def access_log_visible_to(user) -> QuerySet[AccessLogEntry]:
    """Managers read the whole access log; a partner lead reads their own agency's; nobody else any."""
    if can(user, Can.READ_ACCESS_LOG):
        return AccessLogEntry.objects.all()
    if can(user, Can.READ_AGENCY_ACCESS_LOG):
        return AccessLogEntry.objects.filter(agency_id=agency_of(user).pk)
    return AccessLogEntry.objects.none()


def users_who_can(capability: Can) -> QuerySet:
    """Active users who hold `capability` (officer choices, whom to alert), as `capabilities()` decides it:
    a superuser counts as a manager, a council and a partner role on one account count for nothing, and a
    partner role counts only with a membership of an active agency."""
    from django.contrib.auth import get_user_model

    from .roles import COUNCIL_ROLES, GROUP_NAMES

    User = get_user_model()
    Through = User.groups.through

    def in_groups(roles) -> Exists:
        return Exists(Through.objects.filter(user_id=OuterRef("pk"), group__name__in=[GROUP_NAMES[r] for r in roles]))

    roles = [role for role, caps in ROLE_CAPABILITIES.items() if capability in caps]
    holds = in_groups(roles) | (Q(is_superuser=True) if Role.MANAGER in roles else Q(pk__in=[]))
    council = in_groups(COUNCIL_ROLES) | Q(is_superuser=True)
    users = User.objects.filter(holds, is_active=True).exclude(council & in_groups(PARTNER_ROLES))
    if PARTNER_ROLES & set(roles):
        # A partner role counts only with an active agency (a capability both council and partners hold, such as
        # nominating for JAG, still counts for council staff, who have no agency).
        users = users.filter(~in_groups(PARTNER_ROLES) | Exists(AgencyMember.objects.filter(user_id=OuterRef("pk"), agency__is_active=True)))
    return users


def people_visible_to(user) -> QuerySet[Person]:
    """Person records (the register): council staff who see people. Partners see people only as the
    parties a share includes (parties_visible_to), never the register; the call centre never."""
    if can(user, Can.SEE_REGISTER) and can(user, Can.SEE_PEOPLE):
        return Person.objects.all()
    return Person.objects.none()


def places_visible_to(user) -> QuerySet[Place]:
    if can(user, Can.SEE_REGISTER):
        return Place.objects.all()
    return Place.objects.none()
