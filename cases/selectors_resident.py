"""What a resident's own case page reads, and what the staff screens about residents' links read.

The page is public (opened by a personal link, cases.services.resident_links), so everything it shows is chosen
here, field by field: the case's reference, category and plain-words status, the officer's first name, the
person's own next update, and the entries marked shareable with residents (for everyone, or for this person
only), worded for residents. Nothing is passed to the template as a model it could wander through.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import sla
from .models import (
    CASE_DEADLINE_KINDS,
    Action,
    ActionStatus,
    Case,
    CaseStatus,
    ClosureReason,
    Deadline,
    DeadlineKind,
    DiaryEntry,
    Party,
    Report,
    ResidentLink,
    ResidentRequest,
    ResidentRequestKind,
    TimelineEntry,
    TimelineKind,
    Visibility,
)

ACTIVE_ACTIONS = (ActionStatus.PLANNED, ActionStatus.IN_FORCE)


@dataclass(frozen=True)
class ResidentStatus:
    label: str  # "Being looked at": short, also what an update message told them (ResidentLink.status_told)
    explanation: str  # a sentence in plain words; for a closed case, why it closed


# Why a case closed, as residents read it. "Closed" is not "fixed": no reason claims the problem is solved.
CLOSED_BECAUSE = {
    ClosureReason.RESOLVED: "We have closed your case because the problem appears to have stopped. If it starts again, tell us.",
    ClosureReason.NO_FURTHER_ACTION: "We have closed your case because there is nothing more we can do about it at the moment. "
                                     "If anything changes, tell us.",
    ClosureReason.INSUFFICIENT_EVIDENCE: "We have closed your case because we do not have enough evidence to take action. "
                                         "If it happens again, tell us: a diary of what happens helps.",
    ClosureReason.REFERRED: "We have closed your case with us because another organisation is better placed to deal "
                            "with the problem and we have passed it to them.",
    ClosureReason.WITHDRAWN: "We have closed your case because we were asked to stop working on it.",
    ClosureReason.MERGED: "Your case has been joined with another case about the same problem.",
}
STATUS_WORDS = {
    CaseStatus.NEW: ResidentStatus("Received", "We have received your report. An officer will look at it."),
    CaseStatus.OPEN: ResidentStatus("Being looked at", "An officer is looking into the problem."),
    CaseStatus.MONITORING: ResidentStatus("Monitoring", "We are keeping an eye on the problem to see whether it carries on."),
}
ACTION_WORDS = ResidentStatus("Action being taken", "We are taking action about the problem.")


def resident_status(case: Case, has_action: bool) -> ResidentStatus:
    """The case's status in the words residents use (the one mapping: the page and update messages both use it).
    An open case with an action planned or in force is "action being taken"."""
    if case.status == CaseStatus.CLOSED:
        return ResidentStatus("Closed", CLOSED_BECAUSE.get(case.closure_reason, "We have closed your case."))
    if case.status == CaseStatus.OPEN and has_action:
        return ACTION_WORDS
    return STATUS_WORDS.get(case.status, STATUS_WORDS[CaseStatus.OPEN])


def case_has_action(case: Case) -> bool:
    """Whether an action is planned or in force on the case (what "action being taken" means)."""
    return Action.objects.filter(case=case, status__in=ACTIVE_ACTIONS).exists()


def case_resident_status(case: Case) -> ResidentStatus:
    return resident_status(case, case_has_action(case))


def reopen_window_ends(case: Case) -> datetime | None:
    """Until when a resident may tell us a closed case's problem has started again (None: the case is not closed):
    the end of the RESIDENT_REOPEN_DAYS-th London day after the day it closed."""
    if case.is_open or case.closed_at is None:
        return None
    # London dates: closed on 3 November, the last day is 1 December, all of it (what the page says), whatever the
    # time of closing or a clock change between.
    closed_on = case.closed_at.astimezone(sla.LONDON).date()
    return datetime.combine(closed_on + timedelta(days=settings.RESIDENT_REOPEN_DAYS), time.max, tzinfo=sla.LONDON)


# --- the page ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageItem:
    at: datetime
    heading: str
    text: str = ""
    kind: str = ""  # "report", "status", "update", "diary", "request": for the template's styling only
    correction: bool = False


@dataclass
class ResidentPage:
    link: ResidentLink
    reference: str
    category: str
    status: ResidentStatus
    officer_first_name: str
    team_phone: str
    is_anonymous: bool
    is_open: bool
    # The person's own open stored deadline (never recomputed here): when we next owe them contact.
    next_contact_due: datetime | None
    next_contact_is_first: bool
    may_say_started_again: bool
    items: list[PageItem] = field(default_factory=list)
    diary_entry_ids: list = field(default_factory=list)
    # The page lists the newest `shown` items; `has_more` offers "Show older entries" (a bounded page at any size).
    shown: int = 0
    has_more: bool = False


def _status_change_words(entry: TimelineEntry) -> str:
    change = entry.changes.get("status") if isinstance(entry.changes, dict) else None
    new = change[1] if isinstance(change, list | tuple) and len(change) == 2 else None
    if new == CaseStatus.CLOSED:
        reason = (entry.changes.get("closure_reason") or [None, None])[1]
        return "Your case was closed. " + CLOSED_BECAUSE.get(reason, "")
    if new in STATUS_WORDS:
        if entry.changes.get("status", [None])[0] == CaseStatus.CLOSED:
            return f"Your case was reopened. Its status is now: {STATUS_WORDS[new].label.lower()}."
        return f"The status of your case changed to: {STATUS_WORDS[new].label.lower()}."
    return "The status of your case changed."


def _timeline_item(entry: TimelineEntry, mine: dict[int, Report]) -> PageItem | None:
    """One shareable timeline entry in words for this resident. The stored summary names people: never shown."""
    if entry.kind == TimelineKind.REPORT:
        report_id = entry.changes.get("report") if isinstance(entry.changes, dict) else None
        report = mine.get(report_id)
        if report is not None:
            return PageItem(entry.occurred_at, "You reported the problem", report.description, kind="report")
        return PageItem(entry.occurred_at, "Another report about this problem was added", kind="report")
    if entry.kind == TimelineKind.STATUS:
        return PageItem(entry.occurred_at, "Status changed", _status_change_words(entry), kind="status")
    if entry.kind == TimelineKind.UPDATE:
        return PageItem(entry.occurred_at, "Update from your officer", entry.body, kind="update")
    if entry.kind == TimelineKind.NOTE and entry.body.strip():
        return PageItem(entry.occurred_at, "Update on your case", entry.body, kind="update")
    # Any other kind (a contact, an action, a letter) carries a summary written for staff: not shown.
    return None


REQUEST_WORDS = {
    ResidentRequestKind.DIARY: "You added a diary entry",
    ResidentRequestKind.EVIDENCE: "You sent us evidence",
    ResidentRequestKind.CALLBACK: "You asked us to call you back",
    ResidentRequestKind.CONTACT_PREFERENCE: "You changed how we contact you",
    ResidentRequestKind.STOPPED: "You told us the problem has stopped",
    ResidentRequestKind.STARTED_AGAIN: "You told us the problem has started again",
    ResidentRequestKind.NEW_LINK: "You asked for a new link to this page",
}


def _owner(link: ResidentLink) -> Q:
    return Q(party_id=link.party_id) if link.party_id else Q(report_id=link.report_id)


PAGE_ITEMS = 20
MAX_ITEMS = 1000


def resident_page(link: ResidentLink, *, show: int = PAGE_ITEMS) -> ResidentPage:
    """Everything the resident's case page shows, in a fixed number of queries whatever the case holds: the newest
    `show` items (each source read newest first, at most `show` + 1 rows, then merged), so a case with years of
    updates costs what a new one does.

    `link` comes from link_for_token (its case, category, officer, party and report already loaded)."""
    show = max(PAGE_ITEMS, min(int(show), MAX_ITEMS))
    case = link.case
    # 1: their own reports (whose words they may read again): a named person's, or the anonymous report's.
    reports = Report.objects.filter(case=case).filter(
        Q(reporter_id=link.party_id) if link.party_id else Q(pk=link.report_id)).only("pk", "description", "received_at")
    mine = {r.pk: r for r in reports}
    # 2: the shareable timeline: for everyone on the case, or for this person only.
    for_them = Q(for_party__isnull=True) | (Q(for_party_id=link.party_id) if link.party_id else Q(pk__in=[]))
    entries = (TimelineEntry.objects.filter(case=case, visibility=Visibility.RESIDENT, agency__isnull=True)
               .filter(for_them)
               .filter(kind__in=[TimelineKind.REPORT, TimelineKind.STATUS, TimelineKind.UPDATE, TimelineKind.NOTE])
               .exclude(kind=TimelineKind.NOTE, body="")
               .only("pk", "kind", "body", "changes", "occurred_at").order_by("-occurred_at", "-pk")[:show + 1])
    items = [item for entry in entries if (item := _timeline_item(entry, mine)) is not None]
    # 3: their own diary entries (never another resident's).
    diary = list(DiaryEntry.objects.filter(case=case).filter(_owner(link))
                 .only("pk", "happened_at", "received_at", "what_happened", "corrects_id").order_by("-received_at")[:show + 1])
    for entry in diary:
        heading = f"Diary entry: {timezone.localtime(entry.happened_at):%-d %B %Y, %-I:%M%p}".replace("AM", "am").replace("PM", "pm")
        items.append(PageItem(entry.received_at, heading, entry.what_happened, kind="diary", correction=entry.corrects_id is not None))
    # 4: what they asked of us (a diary entry shows itself above).
    requests = ResidentRequest.objects.filter(case=case).filter(_owner(link)).exclude(kind=ResidentRequestKind.DIARY).only(
        "pk", "kind", "created_at").order_by("-created_at", "-pk")[:show + 1]
    items += [PageItem(r.created_at, REQUEST_WORDS.get(r.kind, "You contacted us"), kind="request") for r in requests]
    items.sort(key=lambda item: item.at, reverse=True)
    has_more = len(items) > show
    items = items[:show]
    # 5 and 6: an action planned or in force (the status), and their own open deadline.
    has_action = case_has_action(case)
    due = None
    if link.party_id:
        due = (Deadline.objects.open().filter(party_id=link.party_id, kind__in=CASE_DEADLINE_KINDS)
               .order_by("due_at").only("pk", "kind", "due_at").first())
    officer = case.officer
    ends = reopen_window_ends(case)  # the same London-date rule the "started again" form applies
    closed_recently = case.status == CaseStatus.CLOSED and ends is not None and timezone.now() <= ends
    return ResidentPage(
        link=link,
        reference=case.reference,
        category=case.category.name,
        status=resident_status(case, has_action),
        officer_first_name=(officer.first_name.strip() if officer is not None else ""),
        team_phone=settings.COUNCIL_PHONE,
        is_anonymous=link.party_id is None,
        is_open=case.is_open,
        next_contact_due=due.due_at if due is not None and case.is_open else None,
        next_contact_is_first=due is not None and due.kind == DeadlineKind.FIRST_CONTACT,
        may_say_started_again=closed_recently,
        items=items,
        diary_entry_ids=[e.pk for e in diary],
        shown=show,
        has_more=has_more,
    )


# --- staff: residents' links on a case -------------------------------------------------------------------

@dataclass
class LinkHolder:
    """A person (or an anonymous report) who may hold a link, with their live link and earlier ones."""

    party: Party | None
    report: Report | None
    live: ResidentLink | None
    ended: list[ResidentLink]
    message_channel: str | None

    @property
    def name(self) -> str:
        if self.party is not None:
            return str(self.party)
        return f"Anonymous reporter ({self.report.get_channel_display().lower()} report, {timezone.localtime(self.report.received_at):%-d %B %Y})"


def resident_link_holders(case: Case, parties) -> list[LinkHolder]:
    """The reporters, victims and complainants on a case (from `parties`, the policy's queryset of people this user
    may see) and anonymous reports, each with their links. Three queries whatever the case holds."""
    from .contact_rules import message_channel_for
    from .models import UPDATE_ROLES

    people = list(parties.filter(role__in=UPDATE_ROLES, is_unknown=False).order_by("pk"))
    anonymous = list(Report.objects.filter(case=case, is_anonymous=True).order_by("received_at"))
    links = list(ResidentLink.objects.filter(case=case).select_related("revoked_by").order_by("-created_at", "-pk"))
    holders = []
    for party in people:
        own = [link for link in links if link.party_id == party.pk]
        holders.append(LinkHolder(party, None, next((x for x in own if x.is_live), None), [x for x in own if not x.is_live],
                                  message_channel_for(party)))
    for report in anonymous:
        own = [link for link in links if link.report_id == report.pk]
        if own:
            holders.append(LinkHolder(None, report, next((x for x in own if x.is_live), None), [x for x in own if not x.is_live], None))
    return holders


def resident_link_on_case(case: Case, link_id: int) -> ResidentLink | None:
    return ResidentLink.objects.select_related("case", "party").filter(case=case, pk=link_id).first()


def anonymous_report_link(link_id) -> ResidentLink | None:
    """The live link issued to an anonymous online reporter at the end of their report (its id kept in their session)."""
    if not isinstance(link_id, int):
        return None
    return ResidentLink.objects.filter(pk=link_id, revoked_at__isnull=True, report__isnull=False).first()
