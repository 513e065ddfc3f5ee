"""Load demo users and cases in every state, and a year of history. Idempotent: running it again changes nothing.

Each hand-written case is a story told through the services over the past few weeks, in Oadby and Wigston. A story
runs only if its report's fixed submission key is new, in one transaction: a failure leaves nothing behind.
Where a service stamps "now" and takes no date, what it wrote is backdated (Demo._dated).

The history (_demo_year plans it, _demo_rows writes it) fills the 12 calendar months before this one with
15-35 reports a month, worked and mostly closed, with survey answers, so the dashboard's trends and the survey
results have a year to show. It is keyed on the calendar month ("demo-year:2026-05:07"): run again the same day
it adds nothing; run in a later month it adds only the months not yet there.
"""

import uuid
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from casereview.defaults import case_review_defaults_ensure
from cases import models, services, sla
from cases.models import (
    ActionStatus,
    CaseStatus,
    Channel,
    ClosureReason,
    ContactMethod,
    Direction,
    PartyRole,
    ReferralStatus,
)
from cases.roles import GROUP_NAMES, Role

from ._demo_casereview import STORIES as CASE_REVIEW_STORIES
from ._demo_casereview import casereview_ensure
from ._demo_jag import jag_ensure
from ._demo_partners import PARTNER_USERS, SHARED_STORY, agreements_ensure, partner_members_ensure, story_share_ensure
from ._demo_register import STORIES as REGISTER_STORIES
from ._demo_register import register_ensure
from ._demo_residents import LETTERS_STORY, demo_resident_links, residents_ensure
from ._demo_rows import history_ensure

DEMO_PASSWORD = "demo-password-2026"
DEMO_USERS = [
    # username, first, last, role (None = superuser)
    ("callcentre", "Priya", "Shah", Role.CALL_CENTRE),
    ("officer", "Tom", "Okafor", Role.OFFICER),
    ("officer2", "Jess", "Byrne", Role.OFFICER),
    ("manager", "Alison", "Grant", Role.MANAGER),
    ("admin", "Site", "Admin", None),
    # Partner agencies' staff (their agency and the sharing agreements: _demo_partners).
    *[(username, first, last, role) for username, first, last, role, _agency in PARTNER_USERS],
]
NAMESPACE = uuid.UUID("6b2f0f5e-9c1d-4d36-9e7a-0d3c4b9a1e01")
STORIES = []  # (key, function), in the order they run


def story(key):
    def register(fn):
        STORIES.append((key, fn))
        return fn
    return register


# The repeat victim (two cases at her home, same phone) and the repeat perpetrator.
EILEEN_WARD = {"address": "22 Canal Street, South Wigston", "postcode": "LE18 4PL", "full_name": "Eileen Ward", "phone": "0116 496 0457",
               "perpetrator_known": "named", "perpetrator_name": "Darren Hale", "perpetrator_address": "24 Canal Street, South Wigston",
               "customer_group": "owner_occupier", "preferred_contact_method": "phone"}
KYLE_MERCER = {"full_name": "Kyle Mercer", "date_of_birth": date(2005, 3, 2), "address": "18 Brabazon Road, Oadby", "postcode": "LE2 5HH"}


def submission_key(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


class Demo:
    """One story's case, its people and the clock; each method calls one service, dated `when`."""

    def __init__(self, key, users, now, closures=None):
        self.key, self.users, self.now = key, users, now
        self.case = self.reporter = self.officer = None
        # Closure days read once (the calendar otherwise asks the database about every day it counts).
        today = timezone.localdate(now)
        self.closures = sla.closure_days(today - timedelta(days=120), today) if closures is None else closures

    # --- the clock: staff work on working days, so stories count working days back (London time) ---
    def ago(self, working_days: int, hour: int = 10, minute: int = 0) -> datetime:
        day = timezone.localdate(self.now)
        while working_days:
            day -= timedelta(days=1)
            working_days -= sla.is_working_day(day, self.closures)
        return min(datetime.combine(day, time(hour, minute), tzinfo=sla.LONDON), self.now - timedelta(minutes=5))

    def today(self, minutes_ago: int) -> datetime:
        midnight = datetime.combine(timezone.localdate(self.now), time(0, 1), tzinfo=sla.LONDON)
        return max(self.now - timedelta(minutes=minutes_ago), midnight)

    def day(self, days_ago: int) -> date:
        return timezone.localdate(self.now) - timedelta(days=days_ago)

    def ahead(self, working_days: int) -> date:
        return sla.add_working_days(timezone.localdate(self.now), working_days)

    def _dated(self, when, call):
        """Run a service and move the timeline entries it stamped "now" to when it happened."""
        last = models.TimelineEntry.objects.filter(case=self.case).aggregate(m=Max("id"))["m"] or 0
        result = call()
        models.TimelineEntry.objects.filter(case=self.case, id__gt=last, occurred_at__gte=self.now).update(occurred_at=when)
        return result

    # --- the services ---
    def report(self, when, *, category, channel=Channel.ONLINE, home=False, **fields):
        """The report that opens the case (home: the reporter lives at the place reported)."""
        logged_by = self.users["callcentre"] if channel == Channel.PHONE else None
        fields = {"reporter_role": PartyRole.VICTIM, "is_ongoing": True, "consent_to_share": True,
                  "incident_date": timezone.localdate(when), **fields}
        if home:
            fields.update(reporter_address=fields["address"], reporter_postcode=fields["postcode"])
        data = services.ReportSubmission(category=models.Category.objects.get(slug=category), **fields)
        report = services.report_submit(data=data, channel=channel, submission_key=submission_key(self.key), logged_by=logged_by, received_at=when)
        self.case, self.reporter = report.case, report.reporter

    def assign(self, when, username):
        self.officer = self.users[username]
        self._dated(when, lambda: services.case_assign(case=self.case, officer=self.officer, actor=self.users["manager"]))

    def contact(self, when, summary, *, method=ContactMethod.PHONE, update=True, final=False, successful=True, direction=Direction.OUT):
        self._dated(when, lambda: services.contact_record(
            case=self.case, party=self.reporter, method=method, direction=direction, successful=successful,
            summary=summary, occurred_at=when, gave_update=update, final_update=final, actor=self.officer))

    def risk(self, when, yes, notes):
        """Answer yes to the questions containing any of the `yes` phrases, no to the rest."""
        answers = {q.pk: any(p in q.text.lower() for p in yes) for q in services.risk_question_set_active().questions.all()}
        victim = self.case.parties.filter(role=PartyRole.VICTIM).order_by("id").first() or self.reporter
        assessment = self._dated(when, lambda: services.risk_assess(
            case=self.case, answers=answers, party=victim, notes=notes, actor=self.officer))
        models.RiskAssessment.objects.filter(pk=assessment.pk).update(assessed_at=when)

    def perpetrator(self, when, **values):
        """The repeat perpetrator, named on two cases (same name and date of birth, so related history finds both)."""
        return self._dated(when, lambda: services.party_add(
            case=self.case, actor=self.officer, role=PartyRole.PERPETRATOR, **{**KYLE_MERCER, **values}))

    def action(self, when, slug, details, *, perpetrator=None, review_on=None):
        """Served on the day; against the perpetrator named in the report unless another is given."""
        perpetrator = perpetrator or self.case.parties.filter(role=PartyRole.PERPETRATOR).order_by("id").first()
        return self._dated(when, lambda: services.action_record(
            case=self.case, action_type=models.ActionType.objects.get(slug=slug), perpetrator=perpetrator,
            served_on=timezone.localdate(when), review_on=review_on, details=details, actor=self.officer))

    def breach(self, when, action, description):
        self._dated(when, lambda: services.breach_record(
            action=action, occurred_on=timezone.localdate(when), description=description, actor=self.officer))

    def action_status(self, when, action, status):
        self._dated(when, lambda: services.action_update(action=action, status=status, actor=self.officer))

    def refer(self, when, agency, reason):
        return self._dated(when, lambda: services.referral_make(
            case=self.case, agency=models.PartnerAgency.objects.get(name=agency), reason=reason,
            referred_on=timezone.localdate(when), actor=self.officer))

    def response(self, when, referral, status, response):
        self._dated(when, lambda: services.referral_update(
            referral=referral, status=status, response=response, responded_on=timezone.localdate(when), actor=self.officer))

    def note(self, when, text):
        services.note_add(case=self.case, text=text, actor=self.officer, occurred_at=when)

    def status(self, when, to_status):
        self._dated(when, lambda: services.case_status_change(case=self.case, to_status=to_status, actor=self.officer))

    def close(self, when, reason, note):
        self._dated(when, lambda: services.case_close(case=self.case, reason=reason, note=note, actor=self.officer))
        models.Case.objects.filter(pk=self.case.pk).update(closed_at=when)


# Stories count working days back: d.ago(7, 11) is 11am seven working days ago.

# --- new, not yet assigned ---

@story("demo-1")
def new_noise_online(d):
    d.report(d.ago(1, 7, 12), category="noise", home=True, address="14 Bell Street, Wigston", postcode="LE18 1AA",
             description="Very loud music from the flat above every night until 3am.", impact="I cannot sleep and I am late for work.",
             incident_date=d.day(14), frequency="daily", perpetrator_known="named", perpetrator_name="Flat 3 occupant",
             full_name="Margaret Ellis", email="margaret.ellis@example.com", phone="07700 900123", customer_group="council_tenant",
             preferred_contact_method="email", best_times="Evening (5pm to 8pm)")


@story("demo-2")
def new_hate_phone_today(d):
    d.report(d.today(180), category="intimidation-or-harassment", channel=Channel.PHONE, reporter_role=PartyRole.REPORTER,
             description="Group of teenagers shouting abuse at the caller's son on the way home from school.", is_ongoing=False,
             on_behalf_of="Daniel Osei", location_description="Blaby Road park, by the play area", postcode="LE18 4PA",
             perpetrator_known="described", perpetrator_description="Four or five teenagers, one on a red bike",
             hate_motivated="yes", hate_characteristics=["race"], full_name="Grace Osei", phone="0116 496 0123",
             customer_group="private_tenant", preferred_contact_method="phone", best_times="Afternoon (12pm to 5pm)")


@story("demo-3")
def new_anonymous_fly_tipping(d):
    d.report(d.ago(2, 8, 30), category="littering-or-fly-tipping", reporter_role=PartyRole.WITNESS, is_anonymous=True,
             description="Mattresses and bags of rubbish dumped in the alley again.", consent_to_share=None, is_ongoing=False,
             location_description="Alley behind the shops on Leicester Road", postcode="LE2 5BA")


@story("demo-first-contact-overdue")
def new_racing_overdue(d):
    d.report(d.ago(6, 21), category="vehicle-nuisance", home=True, address="3 Welford Road, Kilby Bridge, Wigston", postcode="LE8 0TF",
             description="Cars racing up and down Welford Road by Kilby Bridge most nights after 11pm, revving and doing doughnuts in the lay-by.",
             impact="The noise wakes my children and I am scared one will come off the road into our garden.", frequency="weekly",
             perpetrator_known="described", perpetrator_description="Three or four cars, one a lowered blue Subaru",
             full_name="Rajesh Mistry", phone="07700 900456", email="raj.mistry@example.org", customer_group="owner_occupier",
             preferred_contact_method="phone", best_times="Evening (5pm to 8pm)")


@story("demo-street-drinking-today")
def new_street_drinking_today(d):
    d.report(d.today(40), category="street-drinking", channel=Channel.PHONE, address="Long Street, Wigston", postcode="LE18 2BP",
             location_description="Bench outside the Co-op on Long Street", frequency="daily",
             description="Two or three men drinking on the bench outside the shop from opening time, shouting at customers.",
             impact="Older customers have told us they will not come in while the men are there.",
             perpetrator_known="described", perpetrator_description="Two or three men in their 40s", full_name="Linda Hart",
             phone="0116 496 0871", customer_group="business", preferred_contact_method="phone", best_times="Morning (9am to 12pm)")


# --- open (investigating) ---

@story("demo-high-risk")
def open_high_risk_hate(d):
    d.report(d.ago(12, 19, 40), category="intimidation-or-harassment", home=True, address="9 Central Avenue, Wigston", postcode="LE18 2AA",
             description="Teenagers from the next street bang on my windows at night, threw eggs at my door and shout names about my "
             "wheelchair. One said they would put my windows through.", impact="I am frightened to go out or answer the door. I live on my own.",
             frequency="weekly", perpetrator_known="named", perpetrator_name="Connor Price", perpetrator_address="Station Road, Wigston",
             perpetrator_description="About 15, usually with two friends", hate_motivated="yes", hate_characteristics=["disability"],
             support_needs=["disability", "older"], full_name="Graham Fletcher", phone="0116 496 0332", customer_group="ha_tenant",
             preferred_contact_method="phone")
    d.assign(d.ago(11, 9, 15), "officer")
    d.contact(d.ago(11, 10, 5), "Spoke to Mr Fletcher. Incidents most Fridays since half term. Agreed a home visit tomorrow.")
    d.contact(d.ago(10, 14), "Home visit with PCSO Hussain. Eggs on the door, a cracked window pane. Gave him a diary sheet and the "
              "police non-emergency number.", method=ContactMethod.VISIT)
    d.risk(d.ago(10, 15), ["targeted again", "disability", "daily life", "afraid", "who they are", "live alone", "violence"],
           "Threat to smash windows; disabled victim living alone; hate incident. High risk: weekly updates.")
    police = d.refer(d.ago(10, 15, 30), "Leicestershire Police",
                     "Disability hate incident with threats of criminal damage. Request patrols on Central Avenue on Friday nights.")
    d.action(d.ago(9, 16), "warning-letter", "Delivered by hand to Connor Price's mother; the behaviour and its impact explained.")
    d.response(d.ago(8, 11), police, ReferralStatus.ACCEPTED, "Recorded as a hate incident. Extra patrols on Friday evenings for four weeks.")
    d.contact(d.ago(6, 11), "Told Mr Fletcher about the warning letter and the patrols. No incidents since the weekend.")
    d.note(d.ago(3, 13), "Neighbour at number 11 has doorbell camera footage of last Friday; asked her to send it in.")


@story("demo-medium-abc")
def open_medium_noise_abc(d):
    d.report(d.ago(19, 22, 50), category="noise", home=True, address="Flat 6, Moat Court, Moat Street, Wigston", postcode="LE18 2GE",
             description="Loud music, shouting and doors slamming from the flat below, often until 2 or 3am, and parties at weekends.",
             impact="My two children are missing sleep before school and I have had to take time off work.", frequency="daily",
             perpetrator_known="named", perpetrator_name="Jordan Walsh", perpetrator_address="Flat 2, Moat Court, Moat Street, Wigston",
             full_name="Aisha Khan", email="aisha.khan@example.com", phone="07700 900612", customer_group="ha_tenant",
             preferred_contact_method="email")
    d.assign(d.ago(18, 9), "officer")
    d.contact(d.ago(18, 12), "Emailed Ms Khan: noise diary sheets attached; explained the Noise App.", method=ContactMethod.EMAIL)
    d.risk(d.ago(17, 10), ["targeted again", "daily life", "children", "reported anti-social"],
           "Long-running noise; children's sleep affected; earlier reports to the housing association.")
    d.action(d.ago(16, 15), "warning-letter", "First warning about night-time noise.")
    d.contact(d.ago(13, 17), "Phoned Ms Khan: letter delivered; quieter for two nights, then a party on Saturday.")
    d.note(d.ago(11, 9, 30), "Diary sheets back: music after midnight on 9 of 14 nights. Two Noise App recordings confirm it.")
    housing = d.refer(d.ago(10, 11), "Housing providers",
                      "Perpetrator is a housing association tenant; asking them to consider tenancy enforcement alongside an ABC.")
    d.response(d.ago(8, 10), housing, ReferralStatus.ACCEPTED, "Tenancy officer will attend the ABC meeting.")
    d.action(d.ago(8, 14), "abc", "Signed at a meeting with the tenancy officer: no amplified music after 11pm, no parties on weeknights.",
             review_on=d.ahead(4))
    d.contact(d.ago(8, 16), "Emailed Ms Khan: Mr Walsh has signed an ABC.", method=ContactMethod.EMAIL)
    d.contact(d.ago(3, 12), "Ms Khan phoned: two quiet weekends. Review meeting next week; asked her to keep the diary.", direction=Direction.IN)


@story("demo-standard-update-overdue")
def open_standard_dog(d):
    d.report(d.ago(17, 18, 15), category="animal-nuisance", home=True, address="41 Uplands Road, Oadby", postcode="LE2 4NT",
             description="Dog next door barks for hours while the owners are at work, and they leave dog mess on the shared path.",
             frequency="daily", perpetrator_known="named", perpetrator_name="Owners of 43 Uplands Road",
             perpetrator_address="43 Uplands Road, Oadby", full_name="Stephen Clarke", phone="07700 900781",
             customer_group="owner_occupier", preferred_contact_method="text", consent_to_share=False)
    d.assign(d.ago(16, 9, 30), "officer")
    d.contact(d.ago(16, 11), "Called Mr Clarke; barking 9am to 4pm on weekdays. Sent him diary sheets.")
    d.risk(d.ago(16, 11, 30), ["daily life"], "Nuisance only; no vulnerability.")
    d.action(d.ago(15, 14), "warning-letter", "Letter about barking and fouling on the shared path.")
    d.contact(d.ago(14, 10), "Texted Mr Clarke: letter delivered to number 43.", method=ContactMethod.TEXT)
    d.note(d.ago(6, 11), "Visited at 11am: no barking heard in 30 minutes. Path clean.")


@story("demo-cpn-parade")
def open_cpn_parade(d):
    d.report(d.ago(13, 20, 30), category="rowdy-or-inconsiderate-behaviour", address="The Parade, Oadby", postcode="LE2 5BB",
             location_description="Car park behind The Parade", frequency="daily",
             description="Young men gather in the car park behind The Parade every evening, revving cars, playing music and shouting "
             "at my staff as they lock up.", impact="Staff are afraid to close the shop alone.", perpetrator_known="described",
             perpetrator_description="Young men in a black BMW and a white Golf", full_name="Sunita Rao", email="sunita.rao@example.com",
             phone="0116 496 0559", customer_group="business", preferred_contact_method="email")
    d.assign(d.ago(12, 9), "officer2")
    d.contact(d.ago(12, 10, 30), "Emailed Ms Rao; asked for CCTV from the shop's rear camera.", method=ContactMethod.EMAIL)
    d.risk(d.ago(11, 10), ["afraid", "daily life"], "Staff intimidated at closing time.")
    kyle = d.perpetrator(d.ago(11, 15), description="Drives the black BMW; also on the Brocks Hill off-road bike case")
    d.refer(d.ago(11, 15, 30), "Leicestershire Police", "Nightly car meets behind The Parade; CCTV identifies Kyle Mercer's BMW.")
    d.action(d.ago(10, 11), "cpw", "Warned to stop gathering and revving in the car park behind The Parade.", perpetrator=kyle)
    d.contact(d.ago(8, 16), "Emailed Ms Rao: warning served; asked her to report any repeat.", method=ContactMethod.EMAIL)
    d.note(d.ago(5, 9, 30), "Ms Rao reports the BMW back on Friday and Saturday night; CCTV stills received.")
    d.action(d.ago(4, 12), "cpn", "Must not gather in or drive in the car park behind The Parade between 6pm and 6am.",
             perpetrator=kyle, review_on=d.ahead(8))
    d.contact(d.ago(4, 15), "Phoned Ms Rao: the notice is served; a breach can bring a fixed penalty.")


@story("demo-repeat-victim-2")
def open_repeat_victim(d):
    d.report(d.ago(7, 13, 20), category="neighbour-dispute", channel=Channel.PHONE, home=True, **EILEEN_WARD, frequency="weekly",
             description="Caller says the neighbour at number 24 has started again: banging on the wall, music late at night and "
             "swearing at her over the fence.", impact="She feels she is being targeted for complaining last time.",
             best_times="Morning (9am to 12pm)")
    d.assign(d.ago(7, 15), "officer2")
    d.contact(d.ago(6, 9, 10), "No answer; voicemail left asking Mrs Ward to call back.", successful=False)
    d.contact(d.ago(6, 11), "Mrs Ward called back. Read her the earlier case: it started again three weeks ago. Explained the ASB "
              "case review.", direction=Direction.IN)
    d.risk(d.ago(6, 11, 30), ["reported anti-social", "live alone", "daily life"], "Repeat victim; lives alone.")
    d.note(d.ago(5, 14), "Tried number 24 twice; no answer. Calling card left.")
    d.contact(d.ago(2, 11), "Told Mrs Ward we have written to Mr Hale asking him to call us.")


# --- monitoring ---

@story("demo-monitoring-abc-breach")
def monitoring_abc_breach(d):
    d.report(d.ago(28, 16), category="vehicle-nuisance", address="Brocks Hill Country Park, Washbrook Lane, Oadby", postcode="LE2 5JJ",
             description="A young man rides an off-road motorbike across Brocks Hill Country Park and along the footpaths, very fast, "
             "most afternoons.", impact="I walk my dog there every day; last week he nearly hit a child.", frequency="daily",
             perpetrator_known="described", perpetrator_description="Young man on a red and white off-road bike, no number plate",
             full_name="Helen Brooks", email="helen.brooks@example.com", phone="07700 900239", customer_group="owner_occupier",
             preferred_contact_method="email")
    d.assign(d.ago(27, 9), "officer")
    d.contact(d.ago(27, 11), "Emailed Mrs Brooks; park rangers asked to log sightings.", method=ContactMethod.EMAIL)
    d.risk(d.ago(26, 10), ["daily life"], "Risk to park users rather than to the victim.")
    kyle = d.perpetrator(d.ago(24, 14), description="Identified by the park rangers and the police Rural Crime Team")
    abc = d.action(d.ago(21, 11), "abc", "No riding motorbikes in Brocks Hill Country Park or on footpaths; bike kept off the road "
                   "until taxed and insured.", perpetrator=kyle, review_on=d.ahead(22))
    d.contact(d.ago(21, 15), "Emailed Mrs Brooks: Mr Mercer has signed an ABC.", method=ContactMethod.EMAIL)
    d.status(d.ago(20, 9), CaseStatus.MONITORING)
    d.contact(d.ago(14, 10), "Emailed Mrs Brooks: no sightings reported since the ABC.", method=ContactMethod.EMAIL)
    d.breach(d.ago(8, 17), abc, "Park ranger saw Mr Mercer ride the bike along the Washbrook Lane footpath.")
    d.note(d.ago(7, 11), "Met Mr Mercer and his father: final warning. Agreed the ABC continues; the next breach means a CPN.")
    d.action_status(d.ago(7, 11, 30), abc, ActionStatus.IN_FORCE)
    d.contact(d.ago(7, 16), "Emailed Mrs Brooks about the breach and the final warning.", method=ContactMethod.EMAIL)


@story("demo-monitoring-skate-park")
def monitoring_skate_park(d):
    d.report(d.ago(23, 17, 45), category="rowdy-or-inconsiderate-behaviour", channel=Channel.PHONE, address="Peace Memorial Park, Wigston",
             postcode="LE18 1AR", location_description="Skate park by the changing rooms", frequency="daily",
             description="Caller says a group of about ten young people gather at the skate park after school, throwing bottles and "
             "climbing on the changing rooms.", perpetrator_known="described", perpetrator_description="About ten young people aged 12 to 15",
             full_name="Pauline Singh", phone="07700 900348", reporter_address="5 Paddock Street, Wigston", reporter_postcode="LE18 1AN",
             customer_group="council_tenant", preferred_contact_method="phone")
    d.assign(d.ago(22, 9), "officer2")
    d.contact(d.ago(22, 13), "Spoke to Mrs Singh: worst between 4pm and 7pm.")
    d.risk(d.ago(21, 10), ["daily life", "children"], "Nuisance; no one targeted.")
    youth = d.refer(d.ago(21, 12), "Children and Family Wellbeing Service", "Diversionary activities for the young people at the skate park.")
    d.response(d.ago(15, 10), youth, ReferralStatus.COMPLETED, "Youth workers now run a Thursday session at the park.")
    d.contact(d.ago(13, 12), "Told Mrs Singh about the youth sessions and extra patrols.")
    d.contact(d.ago(3, 11), "Mrs Singh says it is much quieter. Agreed to monitor for a month.")
    d.status(d.ago(3, 11, 30), CaseStatus.MONITORING)


# --- closed ---

@story("demo-repeat-victim-1")
def closed_first_neighbour_case(d):
    d.report(d.ago(40, 9, 40), category="noise", home=True, **EILEEN_WARD, frequency="weekly",
             description="Music and shouting from number 24 late at night, three or four nights a week.")
    d.assign(d.ago(39, 9), "officer")
    d.contact(d.ago(39, 10, 30), "Spoke to Mrs Ward; diary sheets posted.")
    d.risk(d.ago(39, 11), ["live alone"], "Lives alone; otherwise standard.")
    d.action(d.ago(36, 14), "warning-letter", "Letter about late-night music.")
    d.contact(d.ago(30, 10), "Mrs Ward says it has improved since the letter.")
    d.contact(d.ago(21, 10), "Mrs Ward confirms no problems for three weeks; happy for the case to close.", final=True)
    d.close(d.ago(21, 10, 30), ClosureReason.RESOLVED, "Behaviour stopped after the warning letter.")


@story("demo-resolved-graffiti")
def closed_graffiti(d):
    d.report(d.ago(25, 9, 5), category="graffiti-vandalism-or-criminal-damage", channel=Channel.PHONE, address="112 Leicester Road, Wigston",
             postcode="LE18 1DR", description="Graffiti tags sprayed over the shop shutters and the bus shelter outside overnight.",
             is_ongoing=False, full_name="Mark Denton", email="mark.denton@example.com", phone="0116 496 0915", customer_group="business",
             preferred_contact_method="email")
    d.assign(d.ago(25, 11), "officer")
    d.contact(d.ago(24, 9, 30), "Emailed Mr Denton; street cleansing asked to remove the tags.", method=ContactMethod.EMAIL)
    d.risk(d.ago(24, 10), [], "Criminal damage to property; no personal risk.")
    d.refer(d.ago(24, 10, 30), "Community Safety Partnership", "Same tag seen at three sites on Leicester Road; for the graffiti log.")
    d.note(d.ago(21, 15), "Street cleansing removed the tags from the shelter and the shutters.")
    d.contact(d.ago(15, 12), "Mr Denton confirms no new graffiti; case closed.", method=ContactMethod.EMAIL, final=True)
    d.close(d.ago(15, 12, 30), ClosureReason.RESOLVED, "Graffiti removed; no repeat in three weeks.")


@story("demo-no-further-action")
def closed_nfa(d):
    d.report(d.ago(16, 20), category="noise", home=True, address="17 Launde Road, Oadby", postcode="LE2 4HH", frequency="daily",
             description="Children next door play in the garden shouting and kicking a ball against my fence every afternoon.",
             perpetrator_known="named", perpetrator_name="Family at 19 Launde Road", full_name="Derek Simmons", phone="0116 496 0264",
             customer_group="owner_occupier", preferred_contact_method="letter", consent_to_share=None)
    d.assign(d.ago(15, 9), "officer2")
    d.contact(d.ago(15, 11), "Phoned Mr Simmons; explained what counts as anti-social behaviour.")
    d.risk(d.ago(15, 11, 30), [], "No risk factors.")
    d.contact(d.ago(10, 16), "Visited 4pm to 5pm: children playing in the garden at normal volume.", method=ContactMethod.VISIT, update=False)
    d.contact(d.ago(6, 10), "Letter to Mr Simmons: ordinary household noise, not anti-social behaviour; mediation offered.",
              method=ContactMethod.LETTER, final=True)
    d.close(d.ago(6, 10, 30), ClosureReason.NO_FURTHER_ACTION, "Reasonable daytime household noise.")


class Command(BaseCommand):
    help = "Create demo staff accounts and demo cases in every state (safe to run repeatedly)."

    def handle(self, *args, **options):
        now = timezone.now()
        case_review_defaults_ensure()  # the threshold is judged at every report the stories make
        users = self.users_ensure()
        try:
            history, in_history = history_ensure(users=users, now=now, key_for=submission_key)
        except Exception as exc:
            raise CommandError(f"Demo history failed and was rolled back: {exc}") from exc
        closures = sla.closure_days(timezone.localdate(now) - timedelta(days=120), timezone.localdate(now))
        created = 0
        for key, tell in STORIES:
            if models.Report.objects.filter(submission_key=submission_key(key)).exists():
                continue
            try:
                with transaction.atomic():
                    tell(Demo(key, users, now, closures))
            except Exception as exc:
                raise CommandError(f"Demo story {key!r} failed and was rolled back: {exc}") from exc
            created += 1
        try:
            agreements_ensure(users=users, now=now)
            with transaction.atomic():
                story_share_ensure(demo=Demo(SHARED_STORY, users, now, closures), submission_key=submission_key(SHARED_STORY))
        except Exception as exc:
            raise CommandError(f"Demo sharing with partner agencies failed and was rolled back: {exc}") from exc
        try:
            # Issue 12: repeat victim and perpetrator, a hotspot, a possible match, a subject access request, a legal hold.
            created += register_ensure(users=users, now=now, demo_for=lambda key: Demo(key, users, now, closures),
                                       submission_key=submission_key)
        except Exception as exc:
            raise CommandError(f"Demo register and privacy work failed and was rolled back: {exc}") from exc
        try:
            # Issue 13: a victim who has just met the Case Review threshold, an application waiting for a decision,
            # a completed review with recommendations.
            created += casereview_ensure(users=users, now=now, demo_for=lambda key: Demo(key, users, now, closures),
                                         submission_key=submission_key)
        except Exception as exc:
            raise CommandError(f"Demo Case Review work failed and was rolled back: {exc}") from exc
        try:
            # Issue 14: the JAG's last two meetings (minutes, actions done and one overdue) and the next one's nominations.
            created += jag_ensure(users=users, now=now, submission_key=submission_key)
        except Exception as exc:
            raise CommandError(f"Demo JAG business failed and was rolled back: {exc}") from exc
        try:
            # Issue 15: residents' case pages (diary entries, an update, an anonymous reporter's link) and letters and
            # notices (a served CPW, a generated CPN, an update letter in the print queue).
            created += residents_ensure(users=users, now=now, demo_for=lambda key: Demo(key, users, now, closures),
                                        submission_key=submission_key)
        except Exception as exc:
            raise CommandError(f"Demo residents' pages and letters failed and were rolled back: {exc}") from exc
        keys = [submission_key(key) for key, _ in STORIES + REGISTER_STORIES + CASE_REVIEW_STORIES]
        keys.append(submission_key(LETTERS_STORY))
        by_status = dict(models.Case.objects.filter(reports__submission_key__in=keys).values_list("status").annotate(n=Count("id", distinct=True)))
        summary = ", ".join(f"{by_status.get(s, 0)} {s}" for s in CaseStatus.values)
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready: {len(users)} accounts ({len(PARTNER_USERS)} of partner agencies), {sum(by_status.values())} demo cases ({summary}), {created} new this run; "
            f"{in_history} cases of history over the 12 months before this one, {history} new this run."))
        for who, url in demo_resident_links(submission_key):
            self.stdout.write(f"  Case page link for {who}: {url}")

    @transaction.atomic
    def users_ensure(self):
        users = {}
        password = None  # hashed once for all of them: PBKDF2 costs half a second a time
        for username, first, last, role in DEMO_USERS:
            user, created = get_user_model().objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com", "is_staff": role is None, "is_superuser": role is None},
            )
            if created:
                password = password or make_password(DEMO_PASSWORD)
                user.password = password
                user.save()
                if role is not None:
                    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
            users[username] = user
        partner_members_ensure(users, users["manager"])
        return users
