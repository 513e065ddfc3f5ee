"""The person and place register in the demo (issue 12), and the privacy work a manager has in hand.

After the stories and the year of history exist, this makes sure the demo shows:
- a **repeat victim**: Eileen Ward (22 Canal Street) on three cases in the last 12 months, with the same name, phone
  and address, so intake links all three to one person;
- a **repeat perpetrator**: Darren Hale (24 Canal Street) named on her three cases; Kyle Mercer (born 2 March 2005) on
  three as well (the Brocks Hill and Parade stories, and one more Parade report);
- a **hotspot**: The Parade, Oadby, with four reports in the last 30 days (the story with the CPN and three more);
- one **possible match** waiting for an officer: "Mrs M Ellis" at Margaret Ellis's address, with another phone number
  and no email (a weak match: never linked silently);
- a **subject access request in progress** from Eileen Ward, received 10 days ago, and a **legal hold** on the closed
  graffiti case.

The history's cases are written in bulk, not through intake: their people and places are linked by the register's
own rebuild (cases.services.register.register_rebuild, as migration 0019 does for existing data).

Idempotent on any date: each story runs once (its report's submission key), a possible match, request or hold is
created only when missing.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cases.models import Channel, ClosureReason, ContactMethod, Party, PartyRole, PossibleMatch, Report
from cases.services.register import register_rebuild
from privacy.models import LegalHold, RequestKind, RightsRequest
from privacy.services.retention import legal_hold_place
from privacy.services.rights import rights_request_record

PARADE = {"address": "The Parade, Oadby", "postcode": "LE2 5BB"}
ELLIS_HOME = {"address": "14 Bell Street, Wigston", "postcode": "LE18 1AA"}
POSSIBLE_MATCH_NAME = "Mrs M Ellis"  # Margaret Ellis (demo-1) is at this address: same address, similar name
POSSIBLE_MATCH_REASONS = "same address; similar name"
ACCESS_REQUEST_DAYS_AGO = 10
ACCESS_REQUEST_DETAILS = ("Mrs Ward wrote asking for a copy of everything the council holds about her and her complaints "
                          "about number 24. Identity checked against her council tax record.")
HOLD_STORY = "demo-resolved-graffiti"
HOLD_REASON = "Criminal damage prosecution at Leicester Magistrates' Court: keep the case file until the case ends."

STORIES = []  # (key, function) in the order they run


def story(key):
    def add(fn):
        STORIES.append((key, fn))
        return fn
    return add


# --- the stories (a Demo from seed_demo runs each; see seed_demo.Demo for the clock and the services) ---

@story("demo-register-repeat-victim-0")
def eileen_first_case(d):
    """Eileen Ward's first case this year: before the two in seed_demo, closed after mediation."""
    from .seed_demo import EILEEN_WARD

    d.report(d.ago(75, 18, 30), category="neighbour-dispute", home=True, **EILEEN_WARD, frequency="weekly",
             description="The man at number 24 throws his garden rubbish over my fence and swears at me when I ask him to stop.",
             impact="I dread going into my own garden.")
    d.assign(d.ago(74, 9, 30), "officer")
    d.contact(d.ago(74, 11), "Spoke to Mrs Ward; she agreed to try mediation first.")
    d.risk(d.ago(74, 11, 30), ["live alone"], "Lives alone; standard risk.")
    d.note(d.ago(70, 15), "Mediation service visited both addresses; Mr Hale agreed to stop.")
    d.contact(d.ago(60, 10), "Mrs Ward says it has stopped since the mediation; happy to close.", final=True)
    d.close(d.ago(60, 10, 30), ClosureReason.RESOLVED, "Resolved through mediation.")


@story("demo-register-parade-2")
def parade_litter_online(d):
    d.report(d.ago(10, 21, 15), category="rowdy-or-inconsiderate-behaviour", **PARADE, location_description="Benches in front of the shops",
             frequency="daily", description="Young people sit on the benches in front of the shops every evening, shouting, throwing "
             "bottles and leaving litter everywhere.", impact="My mother will not walk past the shops after 6pm.",
             perpetrator_known="described", perpetrator_description="Eight to ten teenagers", full_name="Andrew Bishop",
             email="andrew.bishop@example.net", phone="07700 900402", reporter_address="7 Chapel Street, Oadby",
             reporter_postcode="LE2 5AD", customer_group="owner_occupier", preferred_contact_method="email")
    d.assign(d.ago(9, 9, 30), "officer2")
    d.contact(d.ago(9, 11), "Emailed Mr Bishop: linked with the car-park case behind The Parade; extra patrols asked for.",
              method=ContactMethod.EMAIL)
    d.risk(d.ago(9, 11, 30), ["daily life"], "Nuisance to shoppers; no one targeted.")
    d.contact(d.ago(2, 10), "Emailed Mr Bishop: youth workers will visit the benches on Thursday evening.", method=ContactMethod.EMAIL)


@story("demo-register-parade-3")
def parade_bmw_phone(d):
    d.report(d.ago(5, 19, 40), category="vehicle-nuisance", channel=Channel.PHONE, **PARADE, location_description="Car park behind The Parade",
             frequency="weekly", description="Caller says a black BMW races round the car park behind The Parade at night, doing "
             "handbrake turns by the recycling bins.", impact="She lives above the shops and cannot sleep.",
             perpetrator_known="described", perpetrator_description="Young man in a black BMW", full_name="Joyce Okonkwo",
             phone="0116 496 0403", reporter_address="Flat 2, 5 The Parade, Oadby", reporter_postcode="LE2 5BB",
             customer_group="private_tenant", preferred_contact_method="phone")
    d.assign(d.ago(4, 9), "officer2")
    d.contact(d.ago(4, 10, 30), "Spoke to Ms Okonkwo: the BMW was there on Friday and Sunday nights.")
    d.risk(d.ago(4, 11), ["daily life"], "Sleep disturbed; not targeted.")
    d.perpetrator(d.ago(4, 11, 30), description="The black BMW from the car-park case behind The Parade; CPN already served")
    d.contact(d.ago(1, 15), "Told Ms Okonkwo the driver is under a CPN and a breach can bring a fixed penalty.")


@story("demo-register-parade-4")
def parade_today(d):
    d.report(d.today(90), category="street-drinking", channel=Channel.PHONE, **PARADE, location_description="Outside the off-licence",
             frequency="daily", description="Caller runs the pharmacy: men drinking outside the off-licence from 10am, shouting at "
             "customers and urinating in the doorway.", impact="Customers are complaining and staff have to clean the doorway.",
             perpetrator_known="described", perpetrator_description="Three men in their 30s", full_name="Nikhil Desai",
             phone="0116 496 0404", reporter_address="9 The Parade, Oadby", reporter_postcode="LE2 5BB", customer_group="business",
             preferred_contact_method="phone")


@story("demo-register-possible-match")
def possible_match_ellis(d):
    d.report(d.ago(2, 12, 10), category="graffiti-vandalism-or-criminal-damage", channel=Channel.PHONE, **ELLIS_HOME,
             home=True, location_description="Cars parked on Bell Street", is_ongoing=False,
             description="Caller says someone let down the tyres of three cars parked on Bell Street overnight, hers included.",
             full_name=POSSIBLE_MATCH_NAME, phone="0116 496 0195", customer_group="council_tenant",
             preferred_contact_method="phone")
    d.assign(d.ago(1, 9, 30), "officer")
    d.contact(d.ago(1, 11), "Spoke to Mrs Ellis; asked the neighbours on Bell Street whether anyone has a doorbell camera.")
    d.risk(d.ago(1, 11, 30), [], "Damage to property; no personal risk.")


# --- linking the history, then what a user of the demo must see ---

def register_ensure(*, users: dict, now, demo_for, submission_key) -> int:
    """Tell the register's stories (each in its own transaction), link the history, then the match, the request and
    the hold. `demo_for(key)` gives a seed_demo.Demo; returns how many stories ran now."""
    created = 0
    for key, tell in STORIES:
        if Report.objects.filter(submission_key=submission_key(key)).exists():
            continue
        with transaction.atomic():
            tell(demo_for(key))
        created += 1
    with transaction.atomic():
        register_link()
        possible_match_ensure(submission_key=submission_key)
        access_request_ensure(users=users, now=now, submission_key=submission_key)
        legal_hold_ensure(users=users, now=now, submission_key=submission_key)
    return created


def register_link() -> None:
    """People and places for the parties and cases written without intake (the history, in bulk): the register's own
    rebuild, by the same rules as intake (idempotent: only unlinked parties and unplaced cases)."""
    register_rebuild()


def _story_party(submission_key, key: str, **lookup) -> Party | None:
    report = Report.objects.filter(submission_key=submission_key(key)).select_related("case").first()
    return None if report is None else report.case.parties.filter(**lookup).order_by("id").first()


def possible_match_ensure(*, submission_key) -> PossibleMatch | None:
    """'Is this the same Margaret Ellis, 14 Bell Street?': left undecided for the officer (once; never re-opened)."""
    party = _story_party(submission_key, "demo-register-possible-match", full_name=POSSIBLE_MATCH_NAME)
    margaret = _story_party(submission_key, "demo-1", full_name="Margaret Ellis")
    if party is None or margaret is None or margaret.person_id is None or party.person_id == margaret.person_id:
        return None
    found = PossibleMatch.objects.filter(party=party, person_id=margaret.person_id).first()
    return found or PossibleMatch.objects.create(party=party, person_id=margaret.person_id, reasons=POSSIBLE_MATCH_REASONS,
                                                 found_at=party.created_at)


def access_request_ensure(*, users: dict, now, submission_key) -> RightsRequest | None:
    """Eileen Ward's subject access request, received 10 days ago and still open (unless one exists for her)."""
    eileen = _story_party(submission_key, "demo-repeat-victim-2", role=PartyRole.VICTIM)
    if eileen is None or eileen.person_id is None:
        return None
    existing = RightsRequest.objects.filter(person_id=eileen.person_id, kind=RequestKind.ACCESS).first()
    if existing:
        return existing
    received = timezone.localdate(now) - timedelta(days=ACCESS_REQUEST_DAYS_AGO)
    # Through the service: its stored deadline, and the third parties on her cases listed for redaction.
    request = rights_request_record(person=eileen.person, kind=RequestKind.ACCESS, received_on=received,
                                    details=ACCESS_REQUEST_DETAILS, actor=users["manager"])
    RightsRequest.objects.filter(pk=request.pk).update(recorded_at=now - timedelta(days=ACCESS_REQUEST_DAYS_AGO - 1))
    return request


def legal_hold_ensure(*, users: dict, now, submission_key) -> LegalHold | None:
    report = Report.objects.filter(submission_key=submission_key(HOLD_STORY)).select_related("case").first()
    if report is None:
        return None
    return LegalHold.objects.filter(case=report.case).first() or legal_hold_place(
        case=report.case, reason=HOLD_REASON, actor=users["manager"])
