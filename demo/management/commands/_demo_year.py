"""A year of demo history as plans: who reported what, where, and when each step of the case happened.

Plans are plain data, drawn from a random generator seeded by the calendar month ("2026-05"), so a month
always gets the same cases whatever day the command runs; only steps after the run's cut-off are left out
(a case reported late last month may still be open). _demo_rows writes them; tests replay them through the
services to prove the rows are the ones the services would write.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from cases import sla
from cases.models import Channel, ClosureReason, ContactMethod, Direction, PartyRole

MONTHS = 12
# A case is closed in the history only if it closed at least this long ago, so its survey invitation and
# reminder are history too (nothing for a worker to send later); a later one stays open, its updates kept up.
CLOSED_BEFORE = timedelta(days=8)
FIRST_CONTACT_LATE = 0.08
UPDATE_LATE = 0.10

FIRST_NAMES = [
    "Abdul", "Adele", "Agnieszka", "Alan", "Amrit", "Andrea", "Barry", "Bernadette", "Bhavna", "Carl", "Chloe",
    "Colin", "Daljit", "Dawn", "Dean", "Elaine", "Faisal", "Fiona", "Gary", "Gemma", "Gurpreet", "Hannah", "Imran",
    "Jackie", "Janet", "Jaspal", "Karen", "Keith", "Kirsty", "Lee", "Lorraine", "Manjit", "Marek", "Maureen", "Neil",
    "Nisha", "Olu", "Pam", "Paul", "Ravi", "Rebecca", "Sandra", "Shabnam", "Stuart", "Tariq", "Tracey", "Usha", "Wayne",
]
SURNAMES = [
    "Ahmed", "Allsopp", "Atwal", "Bailey", "Barker", "Bhatti", "Booth", "Bramley", "Chauhan", "Cooper", "Dale",
    "Dhillon", "Eaton", "Farnell", "Gill", "Gould", "Hallam", "Hextall", "Hussain", "Ingram", "Jarvis", "Kaur",
    "Kowalski", "Lakhani", "Lomas", "Mann", "Marsden", "Mistry", "Nolan", "Nowak", "Oakley", "Odedra", "Padgett",
    "Parmar", "Pickering", "Quinn", "Rathod", "Riley", "Sandhu", "Seddon", "Solanki", "Tandy", "Thornton", "Toon",
    "Underwood", "Varley", "Vaughan", "Walton", "Webster", "Whitmore", "Yates", "Young", "Zielinski",
]  # 48 first names and 53 surnames (coprime): slot i gets a name no other slot in the year has
PERPETRATOR_NAMES = [
    "Ryan Cobley", "Shane Orton", "Tyler Brough", "Dale Ashby", "Kerry Spiers", "Liam Harrop", "Nathan Gell",
    "Jade Tomlin", "Corey Wragg", "Brandon Keal", "Stacey Mould", "Kieran Dunmore",
]
# (street, town, postcode): streets of Oadby, Wigston and South Wigston.
STREETS = [
    ("Bell Street", "Wigston", "LE18 1AD"), ("Long Street", "Wigston", "LE18 2AJ"), ("Moat Street", "Wigston", "LE18 2GD"),
    ("Central Avenue", "Wigston", "LE18 2AB"), ("Paddock Street", "Wigston", "LE18 1AN"), ("Kelmarsh Avenue", "Wigston", "LE18 3QF"),
    ("Aylestone Lane", "Wigston", "LE18 1BA"), ("Newton Lane", "Wigston", "LE18 3SE"), ("Station Road", "Wigston", "LE18 2DH"),
    ("Launceston Road", "Wigston", "LE18 2GY"), ("Leicester Road", "Wigston", "LE18 1DR"), ("Welford Road", "Wigston", "LE18 3TE"),
    ("Blaby Road", "South Wigston", "LE18 4PA"), ("Canal Street", "South Wigston", "LE18 4PL"),
    ("Countesthorpe Road", "South Wigston", "LE18 4PJ"), ("Glen Road", "South Wigston", "LE18 4SE"),
    ("Saffron Road", "South Wigston", "LE18 4UP"), ("Healey Street", "South Wigston", "LE18 4PQ"),
    ("Kenmore Crescent", "South Wigston", "LE18 4WD"), ("Uplands Road", "Oadby", "LE2 4NT"), ("Launde Road", "Oadby", "LE2 4HH"),
    ("Brabazon Road", "Oadby", "LE2 5HH"), ("Stoughton Road", "Oadby", "LE2 4FR"), ("Glen Gate", "Oadby", "LE2 4SN"),
    ("Severn Road", "Oadby", "LE2 4FY"), ("Coombe Rise", "Oadby", "LE2 5TU"), ("Howdon Road", "Oadby", "LE2 5WR"),
    ("Florence Wragg Way", "Oadby", "LE2 5LE"), ("Brookside", "Oadby", "LE2 5NF"), ("Wigston Road", "Oadby", "LE2 5QE"),
    ("Chestnut Avenue", "Oadby", "LE2 4SP"), ("Honeywell Close", "Oadby", "LE2 5QY"),
]
PLACES = [  # public places: (address, postcode, where exactly)
    ("The Parade, Oadby", "LE2 5BB", "Car park behind The Parade"), ("Bell Street, Wigston", "LE18 1AD", "Outside the precinct"),
    ("Blaby Road Park, South Wigston", "LE18 4PA", "By the play area"), ("Peace Memorial Park, Wigston", "LE18 1AR", "Skate park"),
    ("Coombe Park, Oadby", "LE2 5TY", "Footpath by the tennis courts"), ("Horsewell Lane Park, Wigston", "LE18 2HP", "Near the pavilion"),
    ("Leicester Road, Wigston", "LE18 1DR", "Bus shelter opposite the shops"), ("Brocks Hill Country Park, Washbrook Lane, Oadby",
                                                                                    "LE2 5JJ", "Car park"),
    ("Grand Union Canal towpath, South Wigston", "LE18 4PL", "Under the Kilby Bridge"), ("Long Street, Wigston", "LE18 2AJ",
                                                                                          "Alley beside the Co-op"),
]
OFFICERS = ("officer", "officer2")
# Ofcom's drama numbers 07700 900xxx and 0116 496 0xxx: the history keeps to xxx from 500 up, less the ones the
# hand-written stories use (so related history never links a story's person to a stranger).
NUMBERS = [n for n in range(500, 1000) if n not in (559, 612, 781, 871, 915)]

# category slug: (weight, place: home/public/either, descriptions, impacts)
CATEGORIES = {
    "noise": (24, "home", [
        "Loud music from next door most nights until after midnight, and shouting in the garden at weekends.",
        "The flat above plays bass-heavy music late at night; the ceiling vibrates.",
        "Parties next door every weekend with guests shouting in the street at 2am.",
        "Banging and doors slamming at all hours from the house next door."],
        ["I am not sleeping and it is affecting my work.", "My children cannot sleep before school.",
         "I dread the weekends.", ""]),
    "rowdy-or-inconsiderate-behaviour": (12, "public", [
        "A group of young people gather here every evening, shouting, kicking footballs at cars and leaving litter.",
        "Groups drinking and shouting late at night, swearing at people walking past.",
        "Teenagers climbing on shop roofs and throwing things at passers-by."],
        ["Customers are put off coming in.", "I am nervous walking home.", ""]),
    "neighbour-dispute": (11, "home", [
        "My neighbour shouts at me over the fence whenever I go into the garden, and has blocked my drive twice.",
        "Ongoing arguments with the neighbours about parking; they now leave rubbish against my fence.",
        "The neighbours bang on the wall whenever my children are playing, and shout abuse."],
        ["I feel anxious in my own home.", "It has gone on for months and is getting worse.", ""]),
    "vehicle-nuisance": (8, "either", [
        "Cars revving engines and racing up and down the road late at night.",
        "Off-road motorbikes ridden along the footpaths and across the grass, very fast.",
        "A car has been left on the verge for weeks with flat tyres and a broken window."],
        ["I am worried a child will be hurt.", "The noise wakes us every night.", ""]),
    "street-drinking": (4, "public", [
        "People drinking on the benches from the morning, shouting and leaving cans and bottles."],
        ["Older people avoid the area.", ""]),
    "drug-use-or-dealing": (6, "either", [
        "Cars pull up for a few minutes at a time and people hand things through the windows; strong smell of cannabis.",
        "Needles and small bags left in the alley; people coming and going from a house at all hours."],
        ["I do not let my children play outside any more.", ""]),
    "littering-or-fly-tipping": (7, "public", [
        "Bags of rubbish and an old sofa dumped in the alley.",
        "Builders' rubble and mattresses tipped at the end of the lane again."],
        ["It attracts rats.", ""]),
    "graffiti-vandalism-or-criminal-damage": (5, "public", [
        "Graffiti sprayed on the bus shelter and the shop shutters overnight.",
        "The fence panels were kicked in and the bins set alight."],
        [""]),
    "animal-nuisance": (6, "home", [
        "The dog next door barks for hours when the owners are out.",
        "Dog mess left on the path outside my house every day by the same dog walker."],
        ["I work nights and cannot sleep in the day.", ""]),
    "trespass": (2, "home", ["People climbing over my back fence as a short cut to the park."], ["I feel unsafe.", ""]),
    "begging": (2, "public", ["A man asks everyone for money at the cash machine and follows people who say no."], [""]),
    "fireworks": (1, "either", ["Fireworks let off in the street late at night, aimed at houses and cars."],
                  ["My dog is terrified and I am worried about fire.", ""]),
    "intimidation-or-harassment": (6, "home", [
        "A neighbour's son and his friends shout abuse at me when I leave the house and have followed me to the shop.",
        "Someone keeps knocking on my door late at night and running off; notes pushed through my letterbox."],
        ["I am frightened to go out.", "I have had to take time off work."]),
    "hate-motivated-incident": (2, "home", [
        "People shout racist abuse at me and my family outside our home.",
        "Abuse shouted at me in the street because of my religion; eggs thrown at my windows."],
        ["My family feel unsafe.", "I am afraid to go out alone."]),
    "other": (2, "either", ["A shopping trolley and rubbish keep being pushed into the brook and the banks set alight."], [""]),
}
# Risk profiles: the phrases an officer answers "yes" to (as in the hand-written stories), by intended level.
RISK_PROFILES = {
    "standard": [[], ["daily life"], ["live alone"], ["children"], ["daily life", "children"]],
    "medium": [["targeted again", "daily life", "children", "reported anti-social"], ["afraid", "daily life", "live alone"],
               ["disability", "daily life", "reported anti-social", "children"]],
    "high": [["targeted again", "afraid", "violence", "daily life"], ["who they are", "targeted again", "afraid", "live alone",
                                                                      "disability", "daily life", "reported anti-social"]],
}
CLOSURE_REASONS = [(ClosureReason.RESOLVED, 62), (ClosureReason.NO_FURTHER_ACTION, 14), (ClosureReason.INSUFFICIENT_EVIDENCE, 9),
                   (ClosureReason.REFERRED, 8), (ClosureReason.WITHDRAWN, 7)]
CLOSURE_NOTES = {
    ClosureReason.RESOLVED: ["Behaviour stopped after the warning letter.", "No further incidents in four weeks; victim content.",
                             "Perpetrator moved away; no repeat.", "Resolved after mediation."],
    ClosureReason.NO_FURTHER_ACTION: ["Reasonable household noise; advice given.", "No evidence of anti-social behaviour on visits."],
    ClosureReason.INSUFFICIENT_EVIDENCE: ["Diary sheets not returned; nothing witnessed on patrols."],
    ClosureReason.REFERRED: ["Passed to the housing association to deal with as a tenancy matter.", "Police now leading on it."],
    ClosureReason.WITHDRAWN: ["Complainant asked us to close the case."],
}
NOTES = ["Visited the area at 9pm: group seen, dispersed when approached.", "Diary sheets returned: incidents on most nights.",
         "Spoke to the alleged perpetrator on the doorstep; explained the complaint.", "Warning letter sent to the alleged perpetrator.",
         "Checked with the police: two calls logged about the same address.", "Street cleansing cleared the site."]
UPDATES = ["Update: warning letter delivered; asked them to keep the diary.", "Update: visited the area twice, nothing seen.",
           "Update: spoke to the housing association, who are also involved.", "Update: things are quieter; agreed to keep in touch.",
           "Update: patrols arranged for the evenings.", "Update: the other party has been spoken to."]
GOOD_COMMENTS = ["The officer called back quickly and kept me informed.", "Very helpful, listened to me and did what she said.",
                 "Things are much better now, thank you.", "Took it seriously from the first call."]
POOR_COMMENTS = ["It took too long to hear anything after my first call.", "I had to chase for updates.",
                 "Nothing really changed, but they did try."]
YOU_SAID_WE_DID = {  # a poor comment: what a manager recorded as done about it
    POOR_COMMENTS[0]: "We now phone everyone within two working days, and text a reference number the same day.",
    POOR_COMMENTS[1]: "Officers now put the date of the next update in the diary at every contact.",
}


@dataclass
class Step:
    """One thing done on the case, by the case's officer unless `username` says otherwise."""

    at: datetime
    kind: str  # assign, contact, risk, note, monitoring, close
    text: str = ""
    method: str = ContactMethod.PHONE
    direction: str = Direction.OUT
    successful: bool = True
    update: bool = True
    final: bool = False
    username: str = ""
    yes: tuple = ()
    reason: str = ""


@dataclass
class SurveyPlan:
    """How the reporter answers the survey at closure, if asked: by link (if at all) or when staff phone."""

    answers: dict
    comment: str = ""
    may_contact: bool = False
    answers_link: bool = True
    link_delay: timedelta = timedelta(hours=20)
    phone_working_days: int = 2
    you_said_we_did: str = ""


@dataclass
class CasePlan:
    key: str
    channel: str
    received_at: datetime
    category: str
    report: dict  # ReportSubmission fields, except category
    officer: str
    steps: list[Step] = field(default_factory=list)
    survey: SurveyPlan | None = None
    # The risk level the assessment is meant to give (updates every 14 days, 7 if high); a case never assessed
    # (no contact owed, or not yet contacted) stays "not_assessed".
    level: str = "not_assessed"


def months_before(today: date, months: int = MONTHS) -> list[date]:
    """The first days of the `months` calendar months before today's month, oldest first."""
    firsts, cursor = [], today.replace(day=1)
    for _ in range(months):
        cursor = (cursor - timedelta(days=1)).replace(day=1)
        firsts.append(cursor)
    return firsts[::-1]


def month_plans(month: date, *, now: datetime, closures: frozenset) -> list[CasePlan]:
    """The month's cases, steps after `now` (less an hour) left out; closed only if closed CLOSED_BEFORE now."""
    rng = random.Random(f"asb-demo-year:{month:%Y-%m}")
    busy = {5: 4, 6: 6, 7: 8, 8: 7, 10: 3, 11: 4, 12: -2, 1: -3}.get(month.month, 0)  # light evenings, summer, fireworks
    count = rng.randint(18, 27) + busy
    days = [month + timedelta(days=d) for d in range(31) if (month + timedelta(days=d)).month == month.month]
    # The people slots of any 12 consecutive months are distinct (40 a month): no false "same person" matches.
    base = (month.year * 12 + month.month) % 12 * 40
    plans = [_plan(rng, f"demo-year:{month:%Y-%m}:{i:02d}", base + i, days, closures) for i in range(count)]
    cutoff = now - timedelta(hours=1)
    plans = [p for p in plans if p.received_at < cutoff]
    for plan in plans:
        _cut(plan, now=now, cutoff=cutoff, closures=closures)
    return plans


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=sla.LONDON)


def _office(rng, day: date, *, after: datetime | None = None) -> datetime:
    moment = _at(day, rng.randint(9, 16), rng.choice((0, 10, 20, 30, 40, 50)))
    if after is not None and moment <= after:
        moment = after + timedelta(minutes=rng.randint(15, 90))
    return moment


def _working(day: date, closures, n: int = 0) -> date:
    return sla.add_working_days(day, n, closures)


def _weighted(rng, pairs):
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def _person(slot: int) -> tuple[str, str, str, str]:
    """(name, mobile, landline, email) for a slot: a bijection, so no two people in a year share any of them."""
    mixed = (slot * 187 + 11) % 480  # 187 is coprime with 480: a fixed shuffle of the slots
    first, last = FIRST_NAMES[mixed % len(FIRST_NAMES)], SURNAMES[mixed % len(SURNAMES)]
    number = NUMBERS[mixed]
    mobile, landline = f"07700 900{number:03d}", f"0116 496 0{number:03d}"
    email = f"{first}.{last}".lower() + "@example.com"
    return f"{first} {last}", mobile, landline, email


def _plan(rng, key: str, slot: int, days: list[date], closures) -> CasePlan:
    category = rng.choices(list(CATEGORIES), weights=[c[0] for c in CATEGORIES.values()])[0]
    if days[0].month in (10, 11) and rng.random() < 0.15:
        category = "fireworks"
    _, where, descriptions, impacts = CATEGORIES[category]
    channel = Channel.PHONE if rng.random() < 0.38 else Channel.ONLINE
    day = rng.choice(days)
    if channel == Channel.PHONE:
        day = _working(day, closures)
        if day.month != days[0].month:  # the call centre is closed: the call came on the month's last working day
            day = max(d for d in days if sla.is_working_day(d, closures))
        received = _at(day, rng.randint(8, 16), rng.randint(0, 59))
    else:
        received = _at(day, rng.choice((7, 8, 10, 12, 13, 17, 18, 19, 20, 21, 22, 23)), rng.randint(0, 59))
    name, mobile, landline, email = _person(slot)
    street, town, postcode = rng.choice(STREETS)
    home = f"{rng.randint(1, 140)} {street}, {town}"
    public = where == "public" or (where == "either" and rng.random() < 0.5)
    place, place_postcode, spot = rng.choice(PLACES) if public else (home, postcode, "")
    method = _weighted(rng, [("email", 38), ("phone", 32), ("text", 20), ("letter", 10)])
    anonymous = channel == Channel.ONLINE and rng.random() < 0.06
    role = _weighted(rng, [(PartyRole.VICTIM, 85), (PartyRole.WITNESS, 8), (PartyRole.REPORTER, 7)])
    report = {"description": rng.choice(descriptions), "impact": rng.choice(impacts), "address": place, "postcode": place_postcode,
              "location_description": spot, "is_ongoing": rng.random() < 0.7, "incident_date": (received - timedelta(
                  days=rng.randint(0, 6))).astimezone(sla.LONDON).date(), "frequency": rng.choice(["daily", "weekly", "monthly", "once"]),
              "consent_to_share": rng.random() < 0.85, "hate_motivated": "yes" if category == "hate-motivated-incident" else "no",
              "hate_characteristics": [rng.choice(["race", "religion"])] if category == "hate-motivated-incident" else []}
    if report["incident_date"] > received.date():
        report["incident_date"] = received.date()
    if anonymous:
        report.update(reporter_role=PartyRole.WITNESS, is_anonymous=True, consent_to_share=None)
    else:
        report.update(reporter_role=role, full_name=name, preferred_contact_method=method,
                      phone=mobile if method in ("text", "email") or rng.random() < 0.5 else landline,
                      email=email if method == "email" or rng.random() < 0.3 else "",
                      reporter_address=home, reporter_postcode=postcode,
                      customer_group=_weighted(rng, [("owner_occupier", 40), ("council_tenant", 18), ("private_tenant", 17),
                                                     ("ha_tenant", 15), ("business", 6), ("visitor", 4)]))
        if role == PartyRole.REPORTER:
            report["on_behalf_of"] = f"{rng.choice(FIRST_NAMES)} {name.split()[1]}"
    known = _weighted(rng, [("named", 40), ("described", 40), ("unknown", 20)])
    if known == "named" and not public:
        report.update(perpetrator_known="named", perpetrator_name=rng.choice(PERPETRATOR_NAMES),
                      perpetrator_address=f"{rng.randint(1, 140)} {street}, {town}")
    elif known != "unknown":
        report.update(perpetrator_known="described", perpetrator_description=rng.choice(
            ["Two men in their twenties", "A group of teenagers, some on bikes", "A woman with a large grey dog",
             "Three or four young men in a dark car", "The people at the house on the corner"]))
    plan = CasePlan(key=key, channel=channel, received_at=received, category=category, report=report, officer=rng.choice(OFFICERS))
    _steps(rng, plan, closures, quick=category in ("littering-or-fly-tipping", "graffiti-vandalism-or-criminal-damage"))
    return plan


def _contact_method(rng, preferred: str) -> str:
    return {"email": ContactMethod.EMAIL, "text": ContactMethod.TEXT if rng.random() < 0.5 else ContactMethod.PHONE,
            "letter": ContactMethod.LETTER if rng.random() < 0.5 else ContactMethod.VISIT}.get(preferred, ContactMethod.PHONE)


def _steps(rng, plan: CasePlan, closures, *, quick: bool) -> None:
    """Every step the case will take, ignoring today's date (cut later): the same draws whatever day it runs."""
    steps, received, report = plan.steps, plan.received_at, plan.report
    day = received.astimezone(sla.LONDON).date()
    if sla.is_working_day(day, closures) and received.astimezone(sla.LONDON).hour < 15:
        assigned = max(received + timedelta(minutes=rng.randint(30, 150)), _at(day, 9, rng.randint(0, 40)))
    else:
        assigned = _at(_working(day, closures, 1), 9, rng.randint(0, 50))
    steps.append(Step(assigned, "assign", username=plan.officer))
    life = timedelta(days=rng.randint(7, 21) if quick else rng.randint(18, 70))
    close_day = _working((received + life).astimezone(sla.LONDON).date(), closures)
    close_at = _office(rng, close_day)
    reason = _weighted(rng, CLOSURE_REASONS)
    anonymous = report.get("is_anonymous")
    owed = not anonymous and report["reporter_role"] != PartyRole.WITNESS
    last = assigned
    if not anonymous:
        due_day = _working(day, closures, sla.FIRST_CONTACT_WORKING_DAYS)
        late = rng.random() < FIRST_CONTACT_LATE
        span = [d for d in _days(assigned.astimezone(sla.LONDON).date(), due_day) if sla.is_working_day(d, closures)]
        first_day = _working(due_day, closures, rng.randint(1, 3)) if late or not span else rng.choice(span[:2] or span)
        first = _office(rng, first_day, after=assigned)
        method = _contact_method(rng, report["preferred_contact_method"])
        if rng.random() < 0.1 and method == ContactMethod.PHONE:
            steps.append(Step(first, "contact", "No answer; voicemail left asking them to call back.", successful=False,
                              update=False, method=method))
            first = _office(rng, _working(first.astimezone(sla.LONDON).date(), closures, 1), after=first)
            steps.append(Step(first, "contact", "They called back: went through the report and what happens next.",
                              direction=Direction.IN, method=ContactMethod.PHONE))
        else:
            steps.append(Step(first, "contact", "Went through the report and what happens next; diary sheets sent.", method=method))
        last = first
        if close_at < first + timedelta(days=3):  # a quick case still closes after its first contact
            close_at = _office(rng, _working(first.astimezone(sla.LONDON).date(), closures, 3))
        if owed:
            level = _weighted(rng, [("standard", 68), ("medium", 22), ("high", 10)])
            if report.get("hate_motivated") == "yes":
                level = "high"
            plan.level = level
            steps.append(Step(first + timedelta(minutes=25), "risk", yes=tuple(rng.choice(RISK_PROFILES[level])),
                              text={"standard": "No vulnerability.", "medium": "Repeat incidents; daily life affected.",
                                    "high": "High risk: weekly updates."}[level]))
            interval = 7 if level == "high" else 14
            last = _updates(rng, steps, first, close_at, interval, closures, report["preferred_contact_method"])
    if rng.random() < 0.35 and last + timedelta(hours=2) < close_at:
        steps.append(Step(last + (close_at - last) / 2, "note", rng.choice(NOTES)))
    if owed and rng.random() < 0.25 and last + timedelta(minutes=40) < close_at - timedelta(minutes=30):
        steps.append(Step(last + timedelta(minutes=40), "monitoring"))
    if owed:
        steps.append(Step(close_at - timedelta(minutes=30), "contact", f"Final update: {rng.choice(CLOSURE_NOTES[reason]).lower()}",
                          method=_contact_method(rng, report["preferred_contact_method"]), final=True))
    steps.append(Step(close_at, "close", rng.choice(CLOSURE_NOTES[reason]), reason=reason))
    steps.sort(key=lambda s: s.at)
    if not anonymous:
        plan.survey = _survey(rng)


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=d) for d in range((end - start).days + 1)]


def _updates(rng, steps, first: datetime, close_at: datetime, interval: int, closures, preferred: str) -> datetime:
    """Updates every `interval` days or sooner (late now and then) until the final update before closing."""
    last = first
    while True:
        due_day = last.astimezone(sla.LONDON).date() + timedelta(days=interval)
        if rng.random() < UPDATE_LATE:
            day = _working(due_day, closures, rng.randint(1, 3))
        else:
            earliest = last.astimezone(sla.LONDON).date() + timedelta(days=max(2, interval // 2))
            choices = [d for d in _days(earliest, due_day) if sla.is_working_day(d, closures)] or [due_day]
            day = rng.choice(choices)
        at = _office(rng, day, after=last)
        if at >= close_at - timedelta(minutes=30):
            return last
        steps.append(Step(at, "contact", rng.choice(UPDATES), method=_contact_method(rng, preferred)))
        last = at


def _survey(rng) -> SurveyPlan:
    overall = _weighted(rng, [(5, 58), (4, 37), (3, 3), (2, 1.5), (1, 0.5)])
    answers = {"overall": overall}
    for name in ("treated_fairly", "listened_to", "kept_updated", "first_contact_speed", "staff_polite"):
        answers[name] = max(1, min(5, overall + rng.choice((0, 0, 0, 0, 0, 1, -1, -1 if name == "kept_updated" else 0))))
    poor, draw = overall <= 3 or answers["kept_updated"] <= 3, rng.random()
    comment = rng.choice(POOR_COMMENTS) if poor and draw < 0.6 else rng.choice(GOOD_COMMENTS) if not poor and draw < 0.15 else ""
    return SurveyPlan(answers=answers, comment=comment, may_contact=rng.random() < 0.6, answers_link=rng.random() < 0.5,
                      link_delay=timedelta(hours=rng.choice((2, 5, 20, 30, 52, 100, 190, 200))),
                      phone_working_days=rng.randint(1, 4))


def _cut(plan: CasePlan, *, now: datetime, cutoff: datetime, closures) -> None:
    """Leave out what has not happened yet. A late step that would straddle today is made on time instead
    (so no historical deadline is overdue now), and the case closes only if it closed CLOSED_BEFORE now."""
    closing = any(s.kind == "close" and s.at <= now - CLOSED_BEFORE for s in plan.steps)
    kept = []
    for step in plan.steps:
        if step.kind in ("close",) or step.final:
            if closing:
                kept.append(step)
            continue
        if step.at < cutoff:
            kept.append(step)
    if not closing:
        kept = _keep_up(plan, kept, cutoff=cutoff, closures=closures)
    plan.steps = kept
    if not closing:
        plan.survey = None


def _keep_up(plan: CasePlan, steps: list[Step], *, cutoff: datetime, closures) -> list[Step]:
    """A case still open today: if its last update's deadline (or its first contact's) has passed, the step
    that would have met it is moved on time, so only the hand-written stories show overdue work."""
    report = plan.report
    if report.get("is_anonymous"):
        return steps
    contacts = [s for s in steps if s.kind == "contact"]
    if not contacts:
        day = plan.received_at.astimezone(sla.LONDON).date()
        due = sla.first_contact_due(plan.received_at, closures)
        assigned = [s for s in steps if s.kind == "assign"]
        if due < cutoff and assigned:
            steps.append(Step(min(_at(_working(day, closures, 1), 11), cutoff - timedelta(minutes=5)), "contact",
                              "Went through the report and what happens next; diary sheets sent."))
        return sorted(steps, key=lambda s: s.at)
    if report["reporter_role"] == PartyRole.WITNESS:
        return steps
    high = plan.level == "high" and any(s.kind == "risk" for s in steps)
    last = max(s.at for s in contacts if s.successful or s is contacts[0])  # a first attempt starts the clock too
    while sla.update_due(last, "high" if high else "standard") < cutoff + timedelta(hours=1):
        due_day = last.astimezone(sla.LONDON).date() + timedelta(days=7 if high else 14)
        at = min(_at(due_day - timedelta(days=1), 11), cutoff - timedelta(minutes=5))
        steps.append(Step(at, "contact", "Update: still monitoring; agreed to speak again next week.",
                          method=_contact_method(random.Random(plan.key), report["preferred_contact_method"])))
        last = at
    return sorted(steps, key=lambda s: s.at)
