"""Reads for the JAG screens, from the one access policy (cases.policy) only.

`pack_for` builds a member agency's meeting pack (the papers). Like `partners/selectors.py` it returns plain values
(dataclasses), never model instances, so a template cannot follow a relation from an agenda item to a case, or from a
case to its people, that the viewer's agency may not see. What each agency sees is decided here, once:

- council staff (SEE_JAG with WORK_CASES) see every item in full, and every action;
- a partner (SEE_JAG with an active agency) sees location and theme items; a case item only through a live share of
  the case with their agency, within the share's scope (reference only: the reference and the category; summary and
  above: the summary, and the people the share includes, as `parties_visible_to` decides); any other case item only as
  "a case not shared with your agency", with nothing of the case, and a flag `can_offer_share` for the council officer
  (not the partner) to act on;
- items removed from the agenda never appear; a partner's actions are their agency's own.

The whole pack is read in a fixed number of queries, however many items and actions the meeting has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time

from django.db.models import Exists, OuterRef, Q, QuerySet

from cases.models import (
    SCOPE_ORDER,
    AgencyMember,
    Case,
    CaseStatus,
    PartnerAgency,
    Party,
    PartyRole,
    RiskLevel,
    ShareScope,
)
from cases.policy import (
    Can,
    agency_of,
    agreements_in_force,
    can,
    is_partner,
    live_shares,
    object_or_404,
    parties_shared_with,
    users_who_can,
)

from .models import (
    ActionStatus,
    AgendaItem,
    ItemKind,
    ItemOutcome,
    ItemSource,
    JagAction,
    JagGroup,
    JagMember,
    Meeting,
    MeetingStatus,
)

NOT_SHARED_LABEL = "A case not shared with your agency"
LIMITED_LABEL = "Reference only (locked down)"


def _person_name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


@dataclass(frozen=True)
class PackPerson:
    name: str
    role_label: str


@dataclass(frozen=True)
class PackCaseSummary:
    status_label: str
    address: str
    postcode: str
    location_description: str
    risk_label: str
    hate_motivated: bool
    people: list[PackPerson] = field(default_factory=list)


@dataclass(frozen=True)
class PackCase:
    reference: str
    category: str
    scope_label: str  # "" for council staff (they see the whole case)
    summary: PackCaseSummary | None = None  # None at reference only


@dataclass(frozen=True)
class PackItem:
    item_id: int
    position: int
    kind: str
    kind_label: str
    source_label: str
    carried_over: bool
    # What the item is about (one of the three, by kind); a case withheld from the agency has none of them.
    case: PackCase | None = None
    place_address: str = ""
    place_postcode: str = ""
    theme: str = ""
    withheld: bool = False  # a case not shared with the viewer's agency: only `title`
    can_offer_share: bool = False  # withheld, and the council officer could share it with the agency
    # Why it is on, and what the meeting said: "" where they could reveal a case the agency sees at reference only.
    why: str = ""
    notes: str = ""
    decisions: str = ""
    outcome_label: str = ""

    @property
    def title(self) -> str:
        if self.withheld:
            return NOT_SHARED_LABEL
        if self.kind == ItemKind.CASE:
            return self.case.reference if self.case else ""
        if self.kind == ItemKind.LOCATION:
            return f"{self.place_address}, {self.place_postcode}".strip(", ")
        return self.theme


@dataclass(frozen=True)
class PackAction:
    action_id: int
    item_title: str  # the item it hangs on, as the viewer may see it
    text: str
    owner_agency: str  # "" for the council
    owner_name: str
    due_on: date
    status: str
    status_label: str
    progress: str


@dataclass(frozen=True)
class Pack:
    meeting_id: int
    group_name: str
    held_on: date
    starts_at: time
    location: str
    status_label: str
    confidentiality_statement: str
    agency_name: str  # whose pack: "" for the council's full pack
    is_full: bool  # the council's pack (every item in full)
    items: list[PackItem] = field(default_factory=list)
    actions: list[PackAction] = field(default_factory=list)  # open actions on this meeting's items (and carried ones)
    previous_held_on: date | None = None
    previous_actions: list[PackAction] = field(default_factory=list)  # the previous meeting's action plan
    agreed_actions: list[PackAction] = field(default_factory=list)  # agreed at this meeting, whatever their status


def _subject_key(item: AgendaItem) -> tuple:
    """What an item is about: its case, its place, or its theme."""
    if item.kind == ItemKind.CASE:
        return ("case", item.case_id)
    if item.kind == ItemKind.LOCATION:
        return ("place", item.place_id)
    return ("theme", item.theme)


def _live_items():
    return AgendaItem.objects.filter(removed_at__isnull=True)


def pack_for(*, meeting: Meeting, viewer, agency: PartnerAgency | None = None) -> Pack:
    """The meeting pack `viewer` may read, as plain values.

    Council staff (SEE_JAG and WORK_CASES) get the full pack, or, passing `agency`, exactly the pack that agency's
    members get (to check the papers before they go and to act on `can_offer_share`). A partner always gets their own
    active agency's pack (`agency` is ignored). Anyone else, including a partner with no active agency, gets the
    meeting's heading only: no items and no actions. A partner whose agency has no agreement in force has no live
    share, so every case item reaches them as "a case not shared with your agency".
    """
    heading = {
        "meeting_id": meeting.pk, "group_name": meeting.group.name, "held_on": meeting.held_on, "starts_at": meeting.starts_at,
        "location": meeting.location, "status_label": MeetingStatus(meeting.status).label,
        "confidentiality_statement": meeting.group.confidentiality_statement,
    }
    if not can(viewer, Can.SEE_JAG):
        return Pack(**heading, agency_name="", is_full=False)
    if can(viewer, Can.WORK_CASES):
        full = agency is None
    elif is_partner(viewer) and agency_of(viewer) is not None:
        full, agency = False, agency_of(viewer)
    else:
        return Pack(**heading, agency_name="", is_full=False)

    items = list(_live_items().filter(meeting=meeting).select_related("case__category", "place").order_by("position", "id"))
    previous = (Meeting.objects.filter(group_id=meeting.group_id, held_on__lt=meeting.held_on)
                .exclude(status=MeetingStatus.CANCELLED).order_by("-held_on", "-id").first())
    item_ids = [i.pk for i in items]
    carried_ids = [i.carried_from_id for i in items if i.carried_from_id]
    actions = (JagAction.objects.filter(item__removed_at__isnull=True)
               .select_related("owner", "owner_agency", "item__case__category", "item__place").order_by("due_on", "id"))
    if not full:
        actions = actions.filter(owner_agency=agency)
    # The open actions on what the agenda tables: on its items, on the items they were carried from, and on the same
    # case, place or theme at any earlier meeting of the group (an item carried through several meetings keeps its
    # whole action plan in view).
    same_subject = (Q(item__case_id__in=[i.case_id for i in items if i.case_id])
                    | Q(item__place_id__in=[i.place_id for i in items if i.place_id])
                    | Q(item__kind=ItemKind.THEME, item__theme__in=[i.theme for i in items if i.kind == ItemKind.THEME]))
    earlier_q = Q(meeting__group_id=meeting.group_id, meeting__held_on__lte=meeting.held_on) & same_subject
    current_q = Q(status=ActionStatus.OPEN) & (Q(item_id__in=item_ids) | Q(item_id__in=carried_ids) | earlier_q)
    previous_q = Q(meeting_id=previous.pk) if previous is not None else Q(pk__in=[])
    all_actions = list(actions.filter(current_q | previous_q | Q(meeting_id=meeting.pk)))

    # The live shares with the agency of every case the pack names, read once; their people once.
    case_ids = {i.case_id for i in items if i.case_id} | {a.item.case_id for a in all_actions if a.item.case_id}
    shares: dict[int, tuple[int, str]] = {}
    people: dict[int, list[PackPerson]] = {}
    sharable = False
    if full:
        parties = Party.objects.filter(case_id__in=[i.case_id for i in items if i.case_id] if can(viewer, Can.SEE_PEOPLE) else [])
    else:
        for case_id, share_id, scope in (live_shares(agency_id=agency.pk).filter(case_id__in=case_ids)
                                         .order_by("-shared_at", "-id").values_list("case_id", "id", "scope")):
            shares.setdefault(case_id, (share_id, scope))
        parties = parties_shared_with(agency, list(shares))  # the policy's rule (parties_visible_to), every case at once
        sharable = agency.is_active and agreements_in_force().filter(agency=agency).exists()
    for p in parties.order_by("role", "full_name", "id"):
        name = f"Unknown: {p.description}" if p.is_unknown else p.full_name
        people.setdefault(p.case_id, []).append(PackPerson(name=name, role_label=PartyRole(p.role).label))

    def item_value(item: AgendaItem) -> PackItem:
        common = {"item_id": item.pk, "position": item.position, "kind": item.kind, "kind_label": ItemKind(item.kind).label,
                  "source_label": ItemSource(item.source).label, "carried_over": item.carried_from_id is not None}
        said = {"why": item.why, "notes": item.notes, "decisions": item.decisions,
                "outcome_label": ItemOutcome(item.outcome).label if item.outcome else ""}
        if item.kind == ItemKind.LOCATION and item.place is not None:
            return PackItem(**common, **said, place_address=item.place.address, place_postcode=item.place.postcode)
        if item.kind == ItemKind.THEME:
            return PackItem(**common, **said, theme=item.theme)
        case = item.case
        if case is None:  # not a well-formed item: show nothing of it
            return PackItem(**common, withheld=True)
        if full:
            return PackItem(**common, **said, case=PackCase(reference=case.reference, category=case.category.name,
                                                            scope_label="", summary=_summary(case, people)))
        share = shares.get(case.pk)
        if share is None:
            return PackItem(**common, withheld=True, can_offer_share=sharable and not case.is_locked_down)
        if share[1] == ShareScope.REFERENCE:
            # The reason it is on and what was said may name people: not at reference only.
            return PackItem(**common, case=PackCase(reference=case.reference, category=case.category.name,
                                                    scope_label=LIMITED_LABEL))
        return PackItem(**common, **said, case=PackCase(reference=case.reference, category=case.category.name,
                                                        scope_label=ShareScope(share[1]).label, summary=_summary(case, people)))

    def title(item: AgendaItem) -> str:
        if item.kind == ItemKind.CASE and (item.case is None or (not full and item.case_id not in shares)):
            return NOT_SHARED_LABEL
        if item.kind == ItemKind.CASE:
            return item.case.reference
        if item.kind == ItemKind.LOCATION:
            return str(item.place) if item.place is not None else ""
        return item.theme

    def action_value(action: JagAction) -> PackAction:
        return PackAction(
            action_id=action.pk, item_title=title(action.item), text=action.text,
            owner_agency=action.owner_agency.name if action.owner_agency_id else "", owner_name=_person_name(action.owner),
            due_on=action.due_on, status=action.status, status_label=ActionStatus(action.status).label, progress=action.progress,
        )

    # (Every open action the query read is on the agenda's subjects, or was agreed at this or the previous meeting.)
    subjects = {_subject_key(i) for i in items}
    current = [a for a in all_actions if a.status == ActionStatus.OPEN and (
        a.item_id in item_ids or a.item_id in carried_ids or _subject_key(a.item) in subjects)]
    earlier = [a for a in all_actions if previous is not None and a.meeting_id == previous.pk]
    agreed = [a for a in all_actions if a.meeting_id == meeting.pk]
    return Pack(
        **heading, agency_name="" if full else agency.name, is_full=full,
        items=[item_value(i) for i in items],
        actions=[action_value(a) for a in current],
        previous_held_on=previous.held_on if previous is not None else None,
        previous_actions=[action_value(a) for a in earlier],
        agreed_actions=[action_value(a) for a in agreed],
    )


def _summary(case: Case, people: dict[int, list[PackPerson]]) -> PackCaseSummary:
    return PackCaseSummary(
        status_label=CaseStatus(case.status).label, address=case.address, postcode=case.postcode,
        location_description=case.location_description, risk_label=RiskLevel(case.risk_level).label,
        hate_motivated=case.hate_motivated, people=people.get(case.pk, []),
    )


def cases_readable_by(user, case_ids) -> set[int]:
    """Of these cases, those whose record beyond the reference (why an item or nomination is on, what was said of it)
    this user may read: pack_for's rule. Council staff who work cases: every one. A partner: those shared with their
    active agency by a live share at summary scope or wider (not at reference only, which a locked-down case is).
    Anyone else: none. At most one query."""
    case_ids = {c for c in case_ids if c}
    if not case_ids or not can(user, Can.SEE_JAG):
        return set()
    if can(user, Can.WORK_CASES):
        return case_ids
    agency = agency_of(user) if is_partner(user) else None
    if agency is None:
        return set()
    reaching = [scope for scope, order in SCOPE_ORDER.items() if order >= SCOPE_ORDER[ShareScope.SUMMARY]]
    return set(live_shares(agency_id=agency.pk).filter(case_id__in=case_ids, scope__in=reaching)
               .values_list("case_id", flat=True))


def record_readable(nomination_or_item, readable_case_ids: set[int]) -> bool:
    """Whether a user may read a nomination's or an agenda item's record (a location or a theme: yes; a case: only
    one of `readable_case_ids`, from cases_readable_by)."""
    if nomination_or_item.kind != ItemKind.CASE:
        return True
    return nomination_or_item.case_id is not None and nomination_or_item.case_id in readable_case_ids


# --- Which groups, meetings, items and actions a user may open (the pages start here) ---------------------------------

def groups_visible_to(user) -> QuerySet[JagGroup]:
    """Council staff who see JAG business: every group. A partner user: the groups their active agency sits on (an
    active member from that agency). Anyone else: none."""
    if not can(user, Can.SEE_JAG):
        return JagGroup.objects.none()
    if is_partner(user):
        agency = agency_of(user)
        if agency is None:
            return JagGroup.objects.none()
        return JagGroup.objects.filter(Exists(JagMember.objects.filter(group_id=OuterRef("pk"), agency_id=agency.pk,
                                                                       is_active=True)))
    return JagGroup.objects.all()


def meetings_visible_to(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(group__in=groups_visible_to(user))


def meeting_or_404(user, meeting_id: int) -> Meeting:
    """A meeting of a group the user may see, or 404 (as if it did not exist)."""
    return object_or_404(meetings_visible_to(user).select_related("group"), pk=meeting_id)


def item_or_404(user, item_id: int) -> AgendaItem:
    """An agenda item of a meeting the user may see, or 404. Pages that change it also need a co-chair
    (`co_chair_or_404`); what a partner may read of it comes from `pack_for`, never from the item itself."""
    return object_or_404(AgendaItem.objects.filter(meeting__in=meetings_visible_to(user))
                         .select_related("meeting__group", "case", "place"), pk=item_id)


def actions_visible_to(user) -> QuerySet[JagAction]:
    """Council staff who see JAG business: every action. A partner user: their own active agency's actions only
    (not the council's, not another agency's). Anyone else: none."""
    if not can(user, Can.SEE_JAG):
        return JagAction.objects.none()
    if is_partner(user):
        agency = agency_of(user)
        return JagAction.objects.filter(owner_agency_id=agency.pk) if agency is not None else JagAction.objects.none()
    return JagAction.objects.all()


def action_or_404(user, action_id: int) -> JagAction:
    return object_or_404(actions_visible_to(user).select_related("meeting__group", "item", "owner", "owner_agency"),
                         pk=action_id)


def action_owner_choices(meeting: Meeting):
    """The group's member agencies, and who may own an action: the group's council members, and the active users of
    its member agencies who see JAG business (partner users), each with the agency they would own it for."""
    group_members = list(JagMember.objects.filter(group=meeting.group, is_active=True, user__is_active=True)
                         .select_related("user", "agency"))
    agencies = sorted({m.agency for m in group_members if m.agency_id and m.agency.is_active}, key=lambda a: a.name)
    council = sorted((m.user for m in group_members if m.agency_id is None),
                     key=lambda u: (u.last_name, u.first_name, u.pk))
    people = [(u, None) for u in council]
    seen = {u.pk for u in council}
    partner_rows = (AgencyMember.objects.filter(agency__in=agencies, user__in=users_who_can(Can.SEE_JAG))
                    .select_related("user", "agency").order_by("agency__name", "user__last_name", "user__first_name", "id"))
    for row in partner_rows:
        if row.user_id not in seen:
            seen.add(row.user_id)
            people.append((row.user, row.agency))
    return agencies, people


def member_candidates(group: JagGroup) -> list[tuple]:
    """Active people who may see JAG business and are not active members of `group`, each with their agency's name
    ("" for council staff), for a manager adding members (two queries)."""
    taken = JagMember.objects.filter(group=group, is_active=True).values("user_id")
    users = list(users_who_can(Can.SEE_JAG).exclude(pk__in=taken).order_by("last_name", "first_name", "username"))
    agencies = dict(AgencyMember.objects.filter(user__in=[u.pk for u in users]).values_list("user_id", "agency__name"))
    return [(u, agencies.get(u.pk, "")) for u in users]
