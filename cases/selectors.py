"""Reads shared by views, tasks and exports. They start from the access policy's querysets (cases.policy)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.postgres.aggregates import ArrayAgg
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.fields import ArrayField
from django.db.models import (
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import contact_rules, sla
from .evidence import EXTENSIONS
from .models import (
    OPEN_STATUSES,
    Action,
    ActionStatus,
    AgencyMember,
    Breach,
    Case,
    CaseShare,
    CaseStatus,
    Contact,
    ContactPrompt,
    Deadline,
    DeadlineKind,
    Evidence,
    Party,
    PossibleMatch,
    Referral,
    Report,
    RiskAssessment,
    RiskLevel,
    Visibility,
)
from .policy import Can, can, cases_visible_to, evidence_visible_to, live_shares, timeline_visible_to  # noqa: F401 (re-exported)
from .validators import normalise_phone, normalise_postcode


def evidence_for_download(user, evidence_id) -> Evidence | None:
    """An evidence file this user may download, with `download_name`, or None.

    The name is the case reference, the file's number on the case (by upload time) and the extension
    of the type found in its content, e.g. ASB-2026-00042-evidence-3.jpg. The uploader's file name is
    never reused: it may name people, or carry characters meant to mislead in a header or on disk.
    """
    earlier = (
        Evidence.objects.filter(case=OuterRef("case"))
        .filter(Q(uploaded_at__lt=OuterRef("uploaded_at")) | Q(uploaded_at=OuterRef("uploaded_at"), pk__lt=OuterRef("pk")))
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    evidence = (
        evidence_visible_to(user)
        .select_related("case")
        .annotate(earlier=Coalesce(Subquery(earlier), 0))
        .filter(pk=evidence_id)
        .first()
    )
    if evidence is not None:
        extension = EXTENSIONS.get(evidence.content_type, "bin")
        evidence.download_name = f"{evidence.case.reference}-evidence-{evidence.earlier + 1}.{extension}"
    return evidence


@dataclass(frozen=True)
class CallerHistoryRow:
    """One earlier report as the phone page shows it.

    Plain values, no model instances: a template cannot follow a relation to the reporter or anyone
    else on the case. ``reporter`` is None for users who may not see people (CAN_SEE_PEOPLE).
    """

    case_id: int
    reference: str
    category: str
    status: str
    is_open: bool
    received_at: datetime
    where: str
    postcode: str
    shows_people: bool
    reporter: str | None = None


def caller_history(
    user, *, phone: str = "", email: str = "", postcode: str = "", address: str = "", limit: int = 20
) -> list[CallerHistoryRow]:
    """Earlier reports from the same phone, email or address, newest first, for repeat callers.

    Each row has its case's reference, status and category and where it happened: enough to tell
    a caller where their report stands and to add a new report to an open case. Who reported is
    included only for officers and managers: the call centre may be talking to the perpetrator.
    """
    if not can(user, Can.SEE_CALLER_HISTORY):
        return []
    match = Q()
    # Through the register too (the reporter's latest known number or email: they may have changed phone), but
    # only for staff who see the register. A register record can carry details someone else gave in the
    # person's name (an abuser reporting as her, from his phone): matching on them would show the call
    # centre her cases when he rings.
    register = can(user, Can.SEE_REGISTER) and can(user, Can.SEE_PEOPLE)
    if phone and (digits := normalise_phone(phone)):
        match |= Q(reporter__phone_normalised=digits)
        if register:
            match |= Q(reporter__person__phone_normalised=digits)
    if email:
        match |= Q(reporter__email__iexact=email.strip())
        if register:
            match |= Q(reporter__person__email__iexact=email.strip())
    if postcode:
        pc = normalise_postcode(postcode)
        # Same postcode and same first line (house number and street), reporter's home or the incident place.
        first_line = (address or "").split(",")[0].strip()
        if first_line:
            match |= Q(reporter__postcode=pc, reporter__address__istartswith=first_line)
            match |= Q(postcode=pc, address__istartswith=first_line)
    if not match:
        return []
    shows_people = can(user, Can.SEE_PEOPLE)
    fields = ["case_id", "case__reference", "case__category__name", "case__status", "received_at", "address",
              "location_description", "postcode"]
    if shows_people:
        fields.append("reporter__full_name")
    rows = Report.objects.filter(match).order_by("-received_at").values(*fields)[:limit]
    return [
        CallerHistoryRow(
            case_id=r["case_id"],
            reference=r["case__reference"],
            category=r["case__category__name"],
            status=CaseStatus(r["case__status"]).label,
            is_open=r["case__status"] in OPEN_STATUSES,
            received_at=r["received_at"],
            where=r["address"] or r["location_description"],
            postcode=r["postcode"],
            shows_people=shows_people,
            reporter=(r["reporter__full_name"] or "Anonymous") if shows_people else None,
        )
        for r in rows
    ]


def open_case_ids(rows: list[CallerHistoryRow]) -> set[int]:
    return {r.case_id for r in rows if r.is_open}


def open_case_from_history(rows: list[CallerHistoryRow], case_id: str) -> Case | None:
    """The open case a new phone report may be added to: only one from the caller's history."""
    if not any(r.is_open and str(r.case_id) == case_id for r in rows):
        return None
    return Case.objects.filter(pk=int(case_id), status__in=OPEN_STATUSES).first()


def phone_report_for_confirmation(user, *, reference: str) -> Report | None:
    """The latest report on a case that this user logged, or (officers, managers) any report on a case they may read."""
    reports = Report.objects.select_related("case", "reporter").filter(case__reference=reference).order_by("-received_at")
    if can(user, Can.WORK_CASES):
        return reports.filter(case__in=cases_visible_to(user)).first()
    if can(user, Can.SEE_CALLER_HISTORY):
        return reports.filter(logged_by=user).first()
    return None


def first_contact_due_for(report: Report) -> datetime | None:
    """The stored first-contact deadline owed to the report's reporter (never recomputed); None if anonymous."""
    if report.reporter_id is None:
        return None
    return (
        Deadline.objects.filter(kind=DeadlineKind.FIRST_CONTACT, party_id=report.reporter_id)
        .order_by("-created_at", "-id").values_list("due_at", flat=True).first()
    )


# --- the case list -----------------------------------------------------------------------

def _last_update_subquery():
    return Subquery(
        Contact.objects.filter(case=OuterRef("pk"), is_update=True).order_by("-occurred_at").values("occurred_at")[:1]
    )


def case_list(user) -> QuerySet[Case]:
    """Cases for the list and search, newest first: filtered by cases.filters.CaseFilter, paged by cases.paging,
    then `case_list_rows` reads what the page's rows show."""
    return cases_visible_to(user).order_by("-received_at", "-id")


def case_list_rows(user, listed: QuerySet[Case], page_ids) -> QuerySet[Case]:
    """What each row shows (category, officer, last update, next deadline) for one page: `page_ids` is the page's
    subquery of `listed`, whose order the rows keep. Read for those rows only, never for the rows a page skips."""
    return (
        cases_visible_to(user)
        .filter(pk__in=page_ids)
        .select_related("category", "officer")
        .defer("search_document")  # wide, and never shown
        .annotate(
            last_update_at=_last_update_subquery(),
            next_due_at=Subquery(Deadline.objects.open().filter(case=OuterRef("pk")).order_by("due_at").values("due_at")[:1]),
        )
        .order_by(*listed.query.order_by)
    )


# --- the officer's home ------------------------------------------------------------------

@dataclass
class DueItem:
    case: Case
    what: str
    due_at: datetime
    deadline: Deadline | None = None
    # What to tell or ask the person at this contact (their open ContactPrompts' guidance).
    guidance: list[str] = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return self.due_at < timezone.now()

    @property
    def days(self) -> int:
        """Whole days until due (negative when overdue), by London dates."""
        today = timezone.localdate()
        return (self.due_at.astimezone(sla.LONDON).date() - today).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days)


def _dues(case: Case) -> list[DueItem]:
    """What a case owes next: its stored open deadlines and its actions' review and expiry dates."""
    items = [
        DueItem(case, f"{d.get_kind_display()} to {d.party}", d.due_at, deadline=d, guidance=getattr(d, "prompt_guidance", None) or [])
        for d in getattr(case, "open_deadlines", [])
    ]
    for label, day in (("Action review", case.next_action_review), ("Action expires", case.next_action_expiry)):
        if day:
            items.append(DueItem(case, label, sla.end_of_day(day)))
    return sorted(items, key=lambda d: d.due_at)


def prompt_guidance(party_field: str = "party"):
    """The guidance of the person's open contact prompts (cases.ContactPrompt: "second report within six months:
    explain the ASB Case Review"), oldest first, as a list or None: a subquery, so no query of its own."""
    prompts = (ContactPrompt.objects.filter(party=OuterRef(party_field), answered_at__isnull=True).order_by()
               .values("party").annotate(all=ArrayAgg("guidance", order_by=("created_at", "id"))).values("all"))
    return Subquery(prompts, output_field=ArrayField(CharField()))


def _open_deadlines_prefetch():
    deadlines = Deadline.objects.open().select_related("party").annotate(prompt_guidance=prompt_guidance()).order_by("due_at")
    return Prefetch("deadlines", queryset=deadlines, to_attr="open_deadlines")


def _action_dates():
    """The next review and expiry dates of a case's planned or in-force actions, as annotations."""
    active = Action.objects.filter(case=OuterRef("pk"), status__in=[ActionStatus.PLANNED, ActionStatus.IN_FORCE])
    return {
        "next_action_review": Subquery(active.filter(review_on__isnull=False).order_by("review_on").values("review_on")[:1]),
        "next_action_expiry": Subquery(active.filter(expires_on__isnull=False).order_by("expires_on").values("expires_on")[:1]),
    }


def _with_due_facts(queryset):
    return queryset.annotate(last_update_at=_last_update_subquery(), **_action_dates()).prefetch_related(_open_deadlines_prefetch())


# Someone no message can serve (cases.contact_rules.message_channel_for is None) is a task: an officer phones or
# writes, by their preference when we can, else by what we hold.
TASK_VERBS = {"phone": "Phone", "letter": "Write to", "email": "Email", "text": "Text"}
TASK_HORIZON = timedelta(days=2)
HOME_TASKS = 20


@dataclass
class Task:
    deadline: Deadline
    text: str
    method: str
    guidance: list[str] = field(default_factory=list)


def _tasks(my_open_cases) -> list[Task]:
    """Deadlines due within 2 days (or overdue) for people no message can reach: they prefer a phone call or a
    letter, or their preference cannot be used with the details we hold (one query)."""
    deadlines = (
        Deadline.objects.open()
        .filter(case__in=my_open_cases, due_at__lte=timezone.now() + TASK_HORIZON)
        .exclude(contact_rules.messageable("party__"))
        .select_related("party", "case").defer("case__search_document")
        .annotate(prompt_guidance=prompt_guidance())
        .order_by("due_at")[:HOME_TASKS]
    )
    tasks = []
    for d in deadlines:
        purpose = "make first contact" if d.kind == DeadlineKind.FIRST_CONTACT else "give an update"
        reach = contact_rules.how_to_reach(d.party)
        method = reach.method if reach else ""
        tasks.append(Task(d, f"{TASK_VERBS.get(method, 'Contact')} {d.party} to {purpose}", method, d.prompt_guidance or []))
    return tasks


@dataclass
class OfficerHome:
    my_cases: list
    unassigned: list
    counts: dict
    action_dates: list
    tasks: list


HOME_CASES = 25


@dataclass(frozen=True)
class VictimFlags:
    """Whether any victim on a case (selectors_register.VICTIM_ROLES) is a repeat victim or vulnerable (the register's flags)."""

    repeat: bool
    vulnerable: bool


def _victim_people(user):
    """Annotations for the home's rows: the ids of each case's victims on the register (selectors_register.VICTIM_ROLES),
    read with the rows, for users who see the register."""
    from .selectors_register import VICTIM_ROLES  # imported here: the register's rules import this module

    if not can(user, Can.SEE_REGISTER):
        return {}
    people = Party.objects.filter(case=OuterRef("pk"), role__in=VICTIM_ROLES, person__isnull=False).order_by().values("person_id")
    return {"victim_people": ArraySubquery(people)}


def _victim_flags(cases) -> dict[int, VictimFlags]:
    """Case id → its victims' flags, for cases where one is set (from `_victim_people`): one call for their flags."""
    from .selectors_register import person_flags

    victims = [(case.pk, person_id) for case in cases for person_id in getattr(case, "victim_people", None) or ()]
    if not victims:
        return {}
    flags = person_flags({person_id for _, person_id in victims})
    found: dict[int, VictimFlags] = {}
    for case_id, person_id in victims:
        f = flags.get(person_id)
        if f is None or not (f.repeat_victim or f.vulnerable):
            continue
        before = found.get(case_id, VictimFlags(False, False))
        found[case_id] = VictimFlags(before.repeat or f.repeat_victim, before.vulnerable or f.vulnerable)
    return found


def _due_rows(cases) -> list[dict]:
    rows = []
    for case in cases:
        dues = _dues(case)
        rows.append({"case": case, "next": dues[0] if dues else None, "overdue": [d for d in dues if d.overdue]})
    return rows


def officer_home(user, *, unassigned_limit: int = 20, action_days: int = 14) -> OfficerHome:
    """My most urgent open cases (next deadline first, overdue at the top), the team's new unassigned cases,
    counts, near action dates and phone/letter tasks. Bounded whatever the caseload: my open cases are read once,
    through the (officer, status) index, for their order and counts together; everything else is read for the
    rows shown."""
    now = timezone.now()
    visible = cases_visible_to(user)
    # status IN (…) rather than "not closed": an index condition on case_officer_status_idx, not a scan of all open cases.
    mine = visible.filter(officer=user, status__in=OPEN_STATUSES)
    next_due = Subquery(Deadline.objects.open().filter(case=OuterRef("pk")).order_by("due_at").values("due_at")[:1])
    urgent = list(
        mine.select_related("category").defer("search_document")
        .annotate(
            next_due=next_due, **_action_dates(), **_victim_people(user),
            # My counts, over all my open cases before the LIMIT (window aggregates): no second pass.
            open_count=Window(Count("id")),
            high_risk_count=Window(Count("id", filter=Q(risk_level=RiskLevel.HIGH))),
            overdue_count=Window(Count("id", filter=Q(next_due__lt=now))),
        )
        .order_by(F("next_due").asc(nulls_last=True), "received_at", "id")[:HOME_CASES]
    )
    # The same due facts as my cases: a case three days past its first contact must not look like one that arrived
    # this morning. The oldest first, chosen before the due facts are read.
    oldest = (visible.filter(officer__isnull=True, status=CaseStatus.NEW).order_by("received_at", "id")
              .values("pk")[:unassigned_limit])
    waiting = list(
        visible.filter(pk__in=oldest).select_related("category").defer("search_document")
        .annotate(**_action_dates()).order_by("received_at", "id")
    )
    # One read of the open deadlines (and their people's prompts) for the rows shown, mine and waiting alike.
    prefetch_related_objects(urgent + waiting, _open_deadlines_prefetch())

    victim_flags = _victim_flags(urgent)
    rows = _due_rows(urgent)
    for row in rows:
        row["victims"] = victim_flags.get(row["case"].pk)
    first = urgent[0] if urgent else None
    counts = {
        "open": first.open_count if first else 0,
        "high_risk": first.high_risk_count if first else 0,
        "overdue": first.overdue_count if first else 0,
        # Index only: (officer_id, status) entries of unassigned cases.
        "unassigned": visible.filter(officer__isnull=True).exclude(status=CaseStatus.CLOSED).count(),
    }
    horizon = timezone.localdate() + timedelta(days=action_days)
    action_dates = list(
        Action.objects.filter(case__in=mine, status__in=[ActionStatus.PLANNED, ActionStatus.IN_FORCE])
        .filter(Q(review_on__lte=horizon) | Q(expires_on__lte=horizon))
        .select_related("case", "action_type", "perpetrator").defer("case__search_document")
        .order_by("review_on", "expires_on")[:20]
    )
    return OfficerHome(my_cases=rows, unassigned=_due_rows(waiting), counts=counts, action_dates=action_dates,
                       tasks=_tasks(mine))


# --- one case ----------------------------------------------------------------------------

def case_for_detail(user, *, reference: str) -> Case | None:
    """One case with everything its page shows, in a fixed number of queries.

    Kept cheap to compile as well as to run: no prefetch the page does not show (reports, last update), breach dates
    as an array on each action rather than a nested prefetch, the case's own people (named by its deadlines,
    contacts and actions) taken from the People prefetch rather than joined again, and the actions' next review and
    expiry dates (as _action_dates) read from the actions already prefetched."""
    waiting = (  # possible matches still to decide, as selectors_register.possible_matches_open
        PossibleMatch.objects.filter(decision="", person__merged_into__isnull=True, person__anonymised_at__isnull=True)
        .exclude(party__person=F("person")).order_by("found_at", "id")
    )
    breach_dates = ArraySubquery(Breach.objects.filter(action=OuterRef("pk")).order_by("-occurred_on").values("occurred_on"))
    case = (
        cases_visible_to(user)
        .select_related("category", "officer", "merged_into")
        .defer("search_document", "merged_into__search_document")  # wide, and never shown
        .prefetch_related(
            Prefetch("deadlines", to_attr="open_deadlines",
                     queryset=Deadline.objects.open().annotate(prompt_guidance=prompt_guidance()).order_by("due_at")),
            # The first possible match still to decide on each person, for the "Possible match: check" link.
            Prefetch("parties", queryset=Party.objects.order_by("id").annotate(
                waiting_match_id=Subquery(waiting.filter(party=OuterRef("pk")).values("pk")[:1]))),
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by").order_by("uploaded_at")),
            Prefetch("contacts", queryset=Contact.objects.order_by("-occurred_at")),
            Prefetch("risk_assessments", queryset=RiskAssessment.objects.select_related("assessed_by")),
            Prefetch("actions", queryset=Action.objects.select_related("action_type").annotate(breach_dates=breach_dates)),
            Prefetch("referrals", queryset=Referral.objects.select_related("agency").annotate(
                agency_has_users=Exists(AgencyMember.objects.filter(agency=OuterRef("agency"), user__is_active=True)))),
            Prefetch("shares", queryset=case_shares_for_page(), to_attr="partner_shares"),
        )
        .filter(reference=reference)
        .first()
    )
    if case is None:
        return None
    parties = list(case.parties.all())
    _case_people_attach(case, {p.pk: p for p in parties})
    # As _referrals_with_partner_facts: the agency sees this case when one of its shares is in effect today.
    live_agencies = {share.agency_id for share in case.partner_shares if share.is_live}
    for referral in case.referrals.all():
        referral.agency_sees_case = referral.agency_id in live_agencies
    register_flags_attach(user, parties)
    _action_dates_attach(case)
    today = timezone.localdate()
    for share in case.partner_shares:
        share.is_stopped = share.stopped_at is not None
        share.has_ended = share.ends_on is not None and share.ends_on < today
    case.partner_shares.sort(key=lambda share: share.is_stopped)  # stable: not stopped first, each newest first
    return case


def _action_dates_attach(case: Case) -> None:
    """`next_action_review` and `next_action_expiry` as _action_dates annotates them, from the prefetched actions."""
    active = [a for a in case.actions.all() if a.status in (ActionStatus.PLANNED, ActionStatus.IN_FORCE)]
    case.next_action_review = min((a.review_on for a in active if a.review_on is not None), default=None)
    case.next_action_expiry = min((a.expires_on for a in active if a.expires_on is not None), default=None)


def _case_people_attach(case: Case, parties: dict[int, Party]) -> None:
    """Point the case's deadlines, contacts and actions at its people as the People prefetch read them. One that
    names someone else's party (never, after a merge moves both) keeps Django's lazy relation."""
    for rows, attr in ((case.open_deadlines, "party"), (case.contacts.all(), "party"), (case.actions.all(), "perpetrator")):
        descriptor = getattr(type(rows[0]), attr) if rows else None
        for row in rows:
            party = parties.get(getattr(row, f"{attr}_id"))
            if party is not None:
                descriptor.field.set_cached_value(row, party)


def register_flags_attach(user, parties) -> None:
    """Set `register_flags` (the register's repeat and vulnerable flags, or None) on each party: one call of the
    register's flags selector for the whole page, and nothing at all for users who may not see the register."""
    person_ids = {p.person_id for p in parties if p.person_id}
    flags = {}
    if person_ids and can(user, Can.SEE_REGISTER):
        from .selectors_register import person_flags  # imported here: the register's rules import this module

        flags = person_flags(person_ids)
    for party in parties:
        party.register_flags = flags.get(party.person_id)


def case_shares_for_page() -> QuerySet[CaseShare]:
    """A case's shares for its page (prefetched: one query), newest first, each marked `is_live` (in effect today).
    case_for_detail marks each `is_stopped` and `has_ended` (past its end date) and puts those not stopped first."""
    return (
        CaseShare.objects.select_related("agency", "shared_by", "stopped_by")
        .annotate(is_live=Exists(live_shares().filter(pk=OuterRef("pk"))))
        .order_by("-shared_at", "-id")
    )


def _referrals_with_partner_facts() -> QuerySet[Referral]:
    """Referrals with whether the agency can answer in ASB Portal: it sees this case (`agency_sees_case`) and has
    someone to answer there (`agency_has_users`)."""
    return Referral.objects.select_related("agency").annotate(
        agency_sees_case=Exists(live_shares().filter(case=OuterRef("case"), agency=OuterRef("agency"))),
        agency_has_users=Exists(AgencyMember.objects.filter(agency=OuterRef("agency"), user__is_active=True)),
    )


def staged_evidence(staging_key) -> QuerySet[Evidence]:
    """Files a resident has uploaded in their own report journey and not sent yet. The staging key is the
    journey's secret (kept in their session), so it is the access check: nobody else holds it."""
    return Evidence.objects.filter(staging_key=staging_key, case__isnull=True).order_by("uploaded_at", "pk")


def actions_visible_to(user, case: Case) -> QuerySet[Action]:
    """Actions against perpetrators on `case`: the team's casework; partner agencies see none of them."""
    if not can(user, Can.WORK_CASES):
        return Action.objects.none()
    return Action.objects.filter(case=case).select_related("action_type", "perpetrator")


def parties_missing_final_update(case: Case) -> list[Party]:
    """Victims and complainants we can reach who have had no final update since the case was (re)opened."""
    since = case.reopened_at or case.received_at
    final = Contact.objects.filter(party=OuterRef("pk"), is_final_update=True, occurred_at__gte=since)
    reachable = [
        p
        for p in case.parties.annotate(has_final=Exists(final)).order_by("id")
        if contact_rules.is_reachable(p) and not p.has_final
    ]
    return reachable


def case_dues(case: Case) -> list[DueItem]:
    """What the case owes next (first contact, victim updates, action dates), soonest first."""
    return _dues(case)


def related_cases(user, case: Case, *, limit: int = 20) -> list[Case]:
    """Other cases at the same address or involving the same people (by phone, email, or name and date of birth).

    Candidates come from a UNION of indexed lookups (people by phone, email or date of birth; cases by
    postcode) in a subquery, so a borough's ten-year history is never scanned.
    """
    parties = list(case.parties.all())
    phones = {p.phone_normalised for p in parties if p.phone_normalised}
    emails = {p.email for p in parties if p.email}
    people = {(p.full_name.lower(), p.date_of_birth) for p in parties if p.full_name and p.date_of_birth}
    lookups = []
    if phones:
        lookups.append(Party.objects.filter(phone_normalised__in=phones).values_list("case_id"))
    if emails:
        lookups.append(Party.objects.filter(email__in=emails).values_list("case_id"))
    for name, born in people:
        lookups.append(Party.objects.filter(date_of_birth=born, full_name__iexact=name).values_list("case_id"))
    if case.postcode and case.address:
        first_line = case.address.split(",")[0].strip()
        lookups.append(Case.objects.filter(postcode=case.postcode, address__istartswith=first_line).values_list("id"))
    if not lookups:
        return []
    candidates = lookups[0].union(*lookups[1:])  # one subquery: the same single query whatever is found
    return list(
        cases_visible_to(user).filter(pk__in=candidates).exclude(pk=case.pk).select_related("category")
        .only("reference", "received_at", "status", "category__name")  # what the page's list shows
        .order_by("-received_at")[:limit]
    )


# --- the call centre's status view ---------------------------------------------------------

# Whose phone number or address finds a case in the call centre's lookup: never an alleged perpetrator's.
CALLER_ROLES = ("reporter", "victim", "complainant")


def case_status_lookup(user, *, query: str, limit: int = 20) -> list[dict]:
    """Find cases by reference, phone or address; only what a caller may be told: status, officer, dates."""
    if not can(user, Can.SEE_CALLER_HISTORY) or not query.strip():
        return []
    query = query.strip()
    match = Q(reference__iexact=query)
    digits = normalise_phone(query)
    callers = Party.objects.filter(case=OuterRef("pk"), role__in=CALLER_ROLES)
    if len(digits) >= 6 and digits.isdigit():
        # The number as given on the case, by people who report or are affected: a perpetrator's number finds
        # nothing. Not the register's latest number: it can come from someone who reported in the person's
        # name (see caller_history).
        match |= Q(Exists(callers.filter(phone_normalised=digits)))
    postcode = normalise_postcode(query)
    match |= Q(postcode=postcode) | Q(address__icontains=query)
    match |= Q(Exists(callers.filter(Q(postcode=postcode) | Q(address__icontains=query))))
    rows = (
        Case.objects.filter(match)
        .annotate(last_update_at=_last_update_subquery(), last_activity_at=Max("timeline__occurred_at", filter=Q(timeline__visibility=Visibility.RESIDENT)))
        .order_by("-received_at")
        .values(
            "reference", "status", "received_at", "last_update_at", "last_activity_at",
            "officer__first_name", "officer__last_name", "category__name", "closure_reason",
        )[:limit]
    )
    return [{**r, "status_label": CaseStatus(r["status"]).label} for r in rows]

