"""The Joint Action Group in the demo (issue 14). After the stories and the sharing demo exist, this makes sure the
demo shows the Oadby and Wigston JAG (second Tuesday, 10am; co-chaired by the ASB team manager and the police
inspector) with:

- the meeting **two months back**: held, its minutes circulated and approved at the next meeting; one action done by
  the police and one of the council's still open and **overdue** (carried over since);
- **last month's** meeting: held, with attendance, notes, decisions and outcomes, actions (the police's done, the
  housing providers' and the council's open), its minutes circulated;
- **next month's** meeting with nominations from the council, the police and the housing providers;
- the car meets behind The Parade shared with the police (summary, the driver named on the crime-prevention basis),
  so the police pack holds that case in full and the others only as "a case not shared with your agency".

Every step goes through the JAG services as if at the time it happened (time_machine), so cut-offs, deadlines and
history are dated as they would have been. Idempotent on any date: the held meetings are made once (a group with a
held meeting is done), the next meeting's nominations by the services' own double-click rules.
"""

from datetime import date, datetime, time, timedelta

import time_machine
from django.db import transaction
from django.utils import timezone

from cases import sla
from cases.models import (
    Case,
    CaseShare,
    PartnerAgency,
    Party,
    PartyRole,
    PersonBasis,
    Report,
    ShareScope,
    TimelineEntry,
    TimelineKind,
)
from cases.services import sharing
from jag.models import AgendaItem, ItemKind, ItemOutcome, JagGroup, JagMember, Meeting, MeetingStatus
from jag.services.actions import action_add, action_update
from jag.services.agenda import agenda_build
from jag.services.meeting import AttendanceEntry, item_record, meeting_close, meeting_open
from jag.services.minutes import minutes_approve, minutes_circulate
from jag.services.nominations import nomination_make
from jag.services.schedule import held_on_for, meetings_ensure, nominations_close_at, rule_date, working_days_before
from notifications.models import Message, MessageStatus

from ._demo_partners import HOUSING, POLICE

GROUP = "Oadby and Wigston JAG"
CONFIDENTIALITY = (
    "Everything discussed at this meeting and in its papers is confidential to the members of the Joint Action Group. "
    "It is shared under the Crime and Disorder Act 1998, section 115, and the partnership's information-sharing "
    "agreement, only to prevent and tackle anti-social behaviour. Do not pass it on outside your agency's JAG work.")
# username, agency name (None: the council), co-chair
MEMBERS = [("manager", None, True), ("officer", None, False), ("officer2", None, False),
           ("police-lead", POLICE, True), ("police", POLICE, False), ("housing", HOUSING, False)]
CAR_MEETS_KEY, BROCKS_HILL_KEY, FLETCHER_KEY, SKATE_PARK_KEY = (
    "demo-cpn-parade", "demo-monitoring-abc-breach", "demo-high-risk", "demo-monitoring-skate-park")
POLICE_SHARE_REASON = ("Car meets behind The Parade continue despite the CPN. The police need the case to consider a "
                       "dispersal authorisation and to deal with the driver named.")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=sla.LONDON)


def _case(submission_key, key: str) -> Case | None:
    report = Report.objects.filter(submission_key=submission_key(key)).select_related("case").first()
    return report.case if report is not None else None


def group_ensure(users: dict) -> JagGroup:
    group, _ = JagGroup.objects.get_or_create(name=GROUP, defaults={
        "week": 2, "weekday": 1, "starts_at": time(10, 0), "location": "Council Offices, Station Road, Wigston",
        "confidentiality_statement": CONFIDENTIALITY})
    for username, agency_name, co_chair in MEMBERS:
        agency = PartnerAgency.objects.get(name=agency_name) if agency_name else None
        JagMember.objects.get_or_create(group=group, user=users[username],
                                        defaults={"agency": agency, "is_co_chair": co_chair})
    return group


def police_share_ensure(*, users: dict, case: Case, when: datetime) -> None:
    """The car meets case, shared with the police at summary scope with the driver (crime prevention)."""
    police = PartnerAgency.objects.get(name=POLICE)
    if CaseShare.objects.filter(case=case, agency=police).exists():
        return
    driver = Party.objects.filter(case=case, role=PartyRole.PERPETRATOR).order_by("id").first()
    people = {driver.pk: PersonBasis.CRIME_PREVENTION} if driver is not None else {}
    with time_machine.travel(when, tick=False):
        share = sharing.case_share(case=case, agency=police, reason=POLICE_SHARE_REASON, scope=ShareScope.SUMMARY,
                                   people=people, evidence_ids=[], ends_on=None, actor=case.officer or users["officer"])
    CaseShare.objects.filter(pk=share.pk).update(shared_at=when)
    # The police users were emailed when it was shared: sent then, nothing left for a worker.
    entry = TimelineEntry.objects.filter(case=case, kind=TimelineKind.SHARE).latest("id")
    Message.objects.filter(key__startswith=f"share:{entry.pk}:").update(status=MessageStatus.SENT, created_at=when, sent_at=when)


def _past_meetings(group: JagGroup, today: date) -> tuple[Meeting, Meeting]:
    """The group's two most recent meetings before today (by its rule, moved off closure days), made if missing."""
    days = []
    year, month = today.year, today.month
    for _ in range(4):
        rule = rule_date(group, year, month)
        held = held_on_for(rule, sla.closure_days(rule, rule + timedelta(days=40)))
        if held < today:
            days.append((rule, held))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    (last_rule, last_on), (earlier_rule, earlier_on) = days[0], days[1]
    made = []
    for rule, held in ((earlier_rule, earlier_on), (last_rule, last_on)):
        meeting, _ = Meeting.objects.get_or_create(group=group, rule_date=rule, defaults={
            "held_on": held, "starts_at": group.starts_at, "location": group.location})
        made.append(meeting)
    return made[0], made[1]


def _fresh(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_related("group").get(pk=meeting.pk)


def _attendance(group: JagGroup, *, apologies: tuple[str, ...] = ()) -> list[AttendanceEntry]:
    entries = []
    for member in JagMember.objects.filter(group=group, is_active=True).select_related("user"):
        if member.user.username in apologies:
            entries.append(AttendanceEntry(member=member, status="apologies"))
        else:
            entries.append(AttendanceEntry(member=member, status="present", acknowledged=True))
    entries.append(AttendanceEntry(name="Sgt Rachel Hussain (Rural Crime Team)", agency=PartnerAgency.objects.get(name=POLICE),
                                   status="present", acknowledged=True))
    return entries


def _item(meeting: Meeting, **lookup) -> AgendaItem:
    return AgendaItem.objects.get(meeting=meeting, removed_at__isnull=True, **lookup)


def _hold(meeting: Meeting, *, chair, nominations: list[dict], records: list[tuple[dict, str, str, str]],
          actions: list[tuple[dict, str, str | None, str, int]], users: dict, apologies: tuple[str, ...] = (),
          approve: Meeting | None = None) -> list:
    """Nominate (three working days before), build the agenda, open the meeting, approve the previous minutes, record
    each item, agree the actions, close it and circulate the minutes (that afternoon)."""
    group = meeting.group
    with time_machine.travel(_nominated_at(meeting), tick=False):
        for n in nominations:
            nomination_make(meeting=_fresh(meeting), **n)
        agenda_build(meeting=_fresh(meeting))
    made = []
    with time_machine.travel(_at(meeting.held_on, 10, 5), tick=False):
        opened = meeting_open(meeting=_fresh(meeting), attendance=_attendance(group, apologies=apologies), actor=chair,
                              version=_fresh(meeting).version)
        if approve is not None:  # the minutes are the council co-chair's (a partner co-chair cannot read all of them)
            minutes_approve(meeting=_fresh(approve), approved_at_meeting=opened, actor=users["manager"])
        for lookup, notes, decisions, outcome in records:
            item_record(item=_item(meeting, **lookup), notes=notes, decisions=decisions, outcome=outcome, actor=chair)
        for other in AgendaItem.objects.filter(meeting=meeting, removed_at__isnull=True, outcome=""):
            item_record(item=other, notes="Update given by the lead officer.", decisions="", outcome=ItemOutcome.KEEP,
                        actor=chair)
        for lookup, text, agency_name, owner, days in actions:
            agency = PartnerAgency.objects.get(name=agency_name) if agency_name else None
            made.append(action_add(item=_item(meeting, **lookup), text=text, owner_agency=agency, owner=users[owner],
                                   due_on=meeting.held_on + timedelta(days=days), actor=chair))
    with time_machine.travel(_at(meeting.held_on, 11, 40), tick=False):
        meeting_close(meeting=_fresh(meeting), actor=chair, version=_fresh(meeting).version)
    with time_machine.travel(_at(meeting.held_on, 15, 30), tick=False):
        minutes_circulate(meeting=_fresh(meeting), actor=users["manager"])
    return made


def _done(action, *, when: datetime, actor, progress: str) -> None:
    with time_machine.travel(when, tick=False):
        action.refresh_from_db()
        action_update(action=action, status="done", progress=progress, actor=actor, version=action.version)


def jag_ensure(*, users: dict, now, submission_key) -> int:
    """The group, its schedule, the two held meetings and the next one's nominations. Returns 1 when the held
    meetings were made now, else 0."""
    today = timezone.localdate(now)
    car_meets, brocks_hill = _case(submission_key, CAR_MEETS_KEY), _case(submission_key, BROCKS_HILL_KEY)
    fletcher, skate_park = _case(submission_key, FLETCHER_KEY), _case(submission_key, SKATE_PARK_KEY)
    if None in (car_meets, brocks_hill, fletcher, skate_park):
        return 0
    with transaction.atomic():
        group = group_ensure(users)
        meetings_ensure(group=group, today=today)
    made = 0
    police_share_ensure(users=users, case=car_meets, when=min(car_meets.received_at + timedelta(days=3), now - timedelta(hours=1)))
    if not Meeting.objects.filter(group=group, status=MeetingStatus.HELD).exists():
        with transaction.atomic():
            _held_meetings(group=group, users=users, today=today, now=now, car_meets=car_meets,
                           brocks_hill=brocks_hill, fletcher=fletcher)
        made = 1
    with transaction.atomic():
        _next_nominations(group=group, users=users, today=today, now=now, skate_park=skate_park, car_meets=car_meets)
    return made


def _existed(case: Case, at: datetime) -> bool:
    """Only a case reported before then can be nominated then (the stories are dated back from today)."""
    return case.received_at < at


def _held_meetings(*, group, users, today, now, car_meets, brocks_hill, fletcher) -> None:
    chair, police_chair = users["manager"], users["police-lead"]
    earlier, last = _past_meetings(group, today)
    parade = {"kind": ItemKind.LOCATION, "place__address__startswith": "Car park behind The Parade"}
    bikes = {"kind": ItemKind.THEME, "theme": "Off-road motorbikes in the country parks"}
    stairwells = {"kind": ItemKind.THEME, "theme": "Noise and drug use in the stairwells of blocks of flats"}
    brocks = {"kind": ItemKind.CASE, "case": brocks_hill}

    # Two months back: the car park behind The Parade, off-road bikes as a theme (and the Brocks Hill bike case,
    # if it had been reported by then). The council's letter to the landowner is still not done: overdue.
    early_case = _existed(brocks_hill, _nominated_at(earlier))
    _hold(earlier, chair=chair, users=users, nominations=[
        {"kind": ItemKind.LOCATION, "place": _place("Car park behind The Parade, Oadby", "LE2 5BB"), "actor": users["police"],
         "reason": "Nightly car meets: revving, music and shop staff intimidated at closing time."},
        {"kind": ItemKind.THEME, "theme": bikes["theme"], "actor": users["police-lead"],
         "reason": "Rising reports across the borough since the summer."},
        *([{"kind": ItemKind.CASE, "case": brocks_hill, "actor": users["officer"],
            "reason": "The rider has breached his ABC; the next breach means a CPN. Park users are at risk."}] if early_case else []),
    ], records=[
        (parade, "Police attended twice last month; the cars leave and come back.",
         "Keep on the agenda; the council to write to the landowner.", ItemOutcome.KEEP),
        (bikes, "Three parks affected. The Rural Crime Team will patrol; individual riders are dealt with as cases.",
         "Close as a theme once the patrols are agreed.", ItemOutcome.CLOSE),
        *([(brocks, "Rangers report the bike most weekend afternoons.", "Gather sightings for a CPN.", ItemOutcome.KEEP)]
          if early_case else []),
    ], actions=[
        (bikes, "Rural Crime Team patrols at Brocks Hill on Saturday and Sunday afternoons for four weeks.", POLICE, "police", 14),
        (parade, "Write to the landowner about a height barrier at the car park entrance.", None, "officer2", 14),
    ])
    patrols = earlier.actions.get(owner=users["police"])
    _done(patrols, when=_at(earlier.held_on + timedelta(days=13), 16), actor=users["police"],
          progress="Patrols done on 8 weekend afternoons; one rider stopped and his father spoken to.")

    # Last month: the car park carried over (the landowner letter is still open), with the Brocks Hill case; the
    # housing providers raise the stairwells; the officer nominates Mr Fletcher's case (shared with housing only).
    at = _nominated_at(last)
    late_cases = [c for c in (brocks_hill, fletcher) if _existed(c, at)]
    last_actions = _hold(last, chair=police_chair, users=users, approve=earlier, apologies=("officer2",), nominations=[
        {"kind": ItemKind.THEME, "theme": stairwells["theme"], "actor": users["housing"],
         "reason": "Tenants in three blocks report noise and drug use in the stairwells at night."},
        *([{"kind": ItemKind.CASE, "case": brocks_hill, "actor": users["officer"],
            "reason": "The rider has breached his ABC; the next breach means a CPN."}] if brocks_hill in late_cases else []),
        *([{"kind": ItemKind.CASE, "case": fletcher, "actor": users["officer"],
            "reason": "High-risk disability hate case: the landlord's repairs and the patrols need joining up."}]
          if fletcher in late_cases else []),
    ], records=[
        (parade, "The landowner has not been written to yet. Car meets continue on Friday and Saturday nights.",
         "Police to authorise dispersal on Friday and Saturday nights for six weeks.", ItemOutcome.KEEP),
        (stairwells, "Worst at Moat Court. Housing providers will survey the tenants.", "Keep on the agenda.", ItemOutcome.KEEP),
        *([(brocks, "Sightings still being gathered by the rangers.", "The CPN decision at the next meeting.", ItemOutcome.KEEP)]
          if brocks_hill in late_cases else []),
        *([({"kind": ItemKind.CASE, "case": fletcher}, "Windows still not repaired.",
            "Housing providers to repair and fit window guards.", ItemOutcome.KEEP)] if fletcher in late_cases else []),
    ], actions=[
        (parade, "Dispersal authorisation for the car park behind The Parade, Friday and Saturday nights for six weeks.",
         POLICE, "police", 7),
        (stairwells, "Survey the tenants of Moat Court about the stairwells and report back.", HOUSING, "housing", 28),
        # Still to do whatever the date: due at least ten days from today.
        (parade, "Check the supermarket car parks on Friday nights and report whether the car meets have moved there.",
         POLICE, "police", max(28, (today - last.held_on).days + 10)),
    ])
    dispersal = last_actions[0]
    when = min(_at(last.held_on + timedelta(days=2), 15), now - timedelta(minutes=5))
    if when > _at(last.held_on, 12):
        _done(dispersal, when=when, actor=users["police"],
              progress="Authorised by Inspector Doyle; used on two Friday nights; no car meets since.")


def _nominated_at(meeting: Meeting) -> datetime:
    """Nominations for a demo meeting are made three working days before it, on time."""
    return _at(working_days_before(meeting.held_on, 3), 11)


def _place(address: str, postcode: str):
    from cases.services.register import place_for
    return place_for(address=address, postcode=postcode)


def _next_nominations(*, group, users, today, now, skate_park, car_meets) -> None:
    """The next meeting still open to nominations on time: the car meets case from the police (shared with them),
    the skate park case from the council, a location from the housing providers, a theme from the police."""
    upcoming = [m for m in Meeting.objects.filter(group=group, status=MeetingStatus.SCHEDULED, held_on__gte=today)
                .select_related("group").order_by("held_on")[:2] if nominations_close_at(m) > now]
    if not upcoming:
        return
    meeting = upcoming[0]
    nomination_make(meeting=meeting, kind=ItemKind.CASE, case=car_meets, actor=users["police"],
                    reason="Car meets continue despite the CPN; consider a dispersal authorisation for the winter.")
    nomination_make(meeting=meeting, kind=ItemKind.CASE, case=skate_park, actor=users["officer2"],
                    reason="Quieter since the youth sessions began; ask the partners whether to close it at this meeting.")
    nomination_make(meeting=meeting, kind=ItemKind.LOCATION, place=_place("Moat Court, Moat Street, Wigston", "LE18 2GE"),
                    actor=users["housing"], reason="Several tenants report noise and drug use in the stairwells at night.")
    nomination_make(meeting=meeting, kind=ItemKind.THEME, theme="Nuisance vehicles in retail car parks", actor=users["police"],
                    reason="Car meets have moved from The Parade to the supermarket car parks since the dispersal order.")
