"""The ASB Case Review in the demo (issue 13). After the stories, the history and the register exist, this makes sure
the demo shows:

- a victim who has **just met the threshold**: Farida Begum, three separate incidents in under four months (her first
  case, closed; the problem back two working days ago, a second report, so her acknowledgement explained the Case
  Review and her officer's first-contact task says to explain it; and a third report an hour ago, added to that case,
  which meets "3 separate incidents reported by one person within 6 months"): a banner on her case and the first row
  of the manager's threshold list;
- Eileen Ward's open case judged too (three reports in six months on three cases, loaded out of order by the demo);
- an **application waiting for a decision**, and a **completed review with recommendations** (see
  `applications_ensure`).

Idempotent on any date: each story runs once (its first report's submission key); applications by their own keys.
"""

from datetime import timedelta

import time_machine
from django.db import transaction
from django.utils import timezone

from casereview.intake import threshold_flag_record
from casereview.models import Application, Recommendation, RecommendationStatus, Route, Timescales, VictimKind
from casereview.services.applications import (
    ApplicationSubmission,
    application_acknowledge,
    application_case_link,
    application_spoc_assign,
    application_submit,
)
from casereview.services.recommendations import recommendation_add, recommendation_token, recommendation_update
from casereview.services.stages import (
    MeetingRecord,
    application_decide,
    meeting_record,
    outcome_letter_draft,
    outcome_send,
)
from cases import services
from cases.models import Case, Channel, ClosureReason, ContactMethod, PartnerAgency, Party, PartyRole, Report
from notifications.models import Message, MessageStatus

FARIDA = {"full_name": "Farida Begum", "phone": "07700 900561", "email": "farida.begum@example.com",
          "address": "Flat 3, 41 Bull Head Street, Wigston", "postcode": "LE18 1PA", "customer_group": "ha_tenant",
          "preferred_contact_method": "email", "perpetrator_known": "described",
          "perpetrator_description": "Four or five teenagers who gather in the stairwell"}

STORIES = []  # (key, function) in the order they run


def story(key):
    def add(fn):
        STORIES.append((key, fn))
        return fn
    return add


@story("demo-case-review-threshold-1")
def farida_first_case(d):
    """Her first report, three and a half months ago: worked and closed after the young people were moved on."""
    d.report(d.ago(75, 21, 10), category="intimidation-or-harassment", home=True, **FARIDA, frequency="weekly",
             description="Teenagers sit in the stairwell outside my flat in the evening, smoking, shouting and banging on "
             "my door when I ask them to move.", impact="I am afraid to go out after dark.")
    d.assign(d.ago(74, 9), "officer")
    d.contact(d.ago(74, 11), "Emailed Ms Begum; asked the housing association to fit a door entry lock.", method=ContactMethod.EMAIL)
    d.risk(d.ago(74, 12), ["afraid", "daily life"], "Intimidation at her door; lives alone.")
    d.note(d.ago(60, 15), "Housing association fitted the stairwell door lock.")
    d.contact(d.ago(50, 10), "Emailed Ms Begum: the lock is in and the patrols continue; no repeat since.",
              method=ContactMethod.EMAIL, final=True)
    d.close(d.ago(50, 10, 30), ClosureReason.RESOLVED, "Stairwell secured; no repeat for three weeks.")


@story("demo-case-review-threshold-2")
def farida_second_report(d):
    """The problem is back: her second report in six months (the acknowledgement explains the Case Review), and an
    hour ago a third, added to the same case by the call centre: the threshold is met."""
    from .seed_demo import submission_key

    d.report(d.ago(2, 22, 40), category="intimidation-or-harassment", home=True, **FARIDA, frequency="weekly",
             description="The same group are back in the stairwell since the lock broke. Last night they kicked my door and "
             "shouted abuse through the letterbox.", impact="I have not slept properly for a week.")
    d.assign(d.ago(1, 9), "officer")
    third = services.ReportSubmission(
        category=d.case.category, reporter_role=PartyRole.VICTIM, is_ongoing=True, frequency="weekly",
        incident_date=timezone.localdate(d.today(60)),
        address=FARIDA["address"], postcode=FARIDA["postcode"],
        description="Caller says the teenagers were in the stairwell again this morning and one spat at her as she left.",
        impact="She is frightened to leave the flat.",
        **{k: FARIDA[k] for k in ("full_name", "phone", "email", "customer_group", "preferred_contact_method")},
        reporter_address=FARIDA["address"], reporter_postcode=FARIDA["postcode"],
    )
    services.report_submit(data=third, channel=Channel.PHONE, submission_key=submission_key("demo-case-review-threshold-3"),
                           logged_by=d.users["callcentre"], existing_case=d.case, received_at=d.today(60))


def threshold_ensure(*, now) -> None:
    """Eileen Ward's open case: her three reports were loaded out of date order, so judge it now (a flag once)."""
    eileen = Case.objects.filter(reports__reporter__full_name="Eileen Ward", status__in=["new", "open", "monitoring"]).first()
    if eileen is not None and Report.objects.filter(reporter__full_name="Eileen Ward").count() >= 3:
        threshold_flag_record(case=eileen, at=now)


WAITING_KEY = "demo-case-review-application-waiting"
COMPLETED_KEY = "demo-case-review-application-completed"


def _then(when, service, **kwargs):
    """Run a Case Review service as if at `when` (its services stamp the time themselves), on the freshest row of the
    application or recommendation it is given: the deadlines, history and messages it writes are dated as they would
    have been. Only the demo loader does this."""
    for name in ("application", "recommendation"):
        if name in kwargs:
            kwargs[name] = type(kwargs[name]).objects.get(pk=kwargs[name].pk)
            if name == "application" and "version" in kwargs:
                kwargs["version"] = kwargs[name].version
    with time_machine.travel(when, tick=False):
        return service(**kwargs)


def application_waiting_ensure(*, users, demo, submission_key) -> Application | None:
    """Eileen Ward applied online three working days ago, about her neighbour at number 24. She prefers a phone call, so
    her contact person (Jess Byrne, her officer) acknowledged it by phone; the threshold decision is due in seven
    working days. Linked to her open case, which closes that case's threshold flag."""
    key = submission_key(WAITING_KEY)
    if Application.objects.filter(submission_key=key).exists():
        return None
    eileen = Party.objects.filter(full_name="Eileen Ward", role=PartyRole.VICTIM, case__status__in=["new", "open", "monitoring"]
                                  ).select_related("case", "person").order_by("-case__received_at").first()
    data = ApplicationSubmission(
        applicant_name="Eileen Ward", preferred_contact_method="phone", phone="0116 496 0457",
        address="22 Canal Street, South Wigston", postcode="LE18 4PL",
        location="22 and 24 Canal Street, South Wigston",
        description="My neighbour at number 24 has made my life a misery for most of this year: music late at night, "
        "banging on the wall, rubbish thrown over the fence and swearing at me. I have reported it three times. It stops "
        "for a few weeks after a letter and then starts again.",
        reported_to=["council", "police"], case_references=eileen.case.reference if eileen else "",
        impact="I do not sleep and I am frightened to go into my garden.",
    )
    received = demo.ago(3, 19, 5)
    application = _then(received, application_submit, data=data, route=Route.ONLINE, submission_key=key, received_at=received)
    spoc = users["officer2"]
    application = _then(demo.ago(3, 19, 6), application_spoc_assign, application=application, spoc=spoc, actor=users["manager"], version=application.version)
    application = _then(demo.ago(2, 9, 40), application_acknowledge, application=application, method="phone", actor=spoc, version=application.version)
    if eileen is not None and application.person_id is None:
        application = _then(demo.ago(2, 9, 45), application_case_link, application=application, case=eileen.case, person=eileen.person, actor=spoc, version=application.version)
    return application


def application_completed_ensure(*, users, demo, submission_key) -> Application | None:
    """Daniel Price of Price's Newsagents reported young people intimidating his staff to the police four times in
    the spring. His review was held with the police and the Children and Family Wellbeing Service, with an independent
    chair; three recommendations (the police's patrols under way, the council's CCTV done, the youth service's sessions
    still due) and the outcome letter sent by email. The window to ask for the handling to be looked at again has passed."""
    key = submission_key(COMPLETED_KEY)
    if Application.objects.filter(submission_key=key).exists():
        return None
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    youth = PartnerAgency.objects.get(name="Children and Family Wellbeing Service")
    data = ApplicationSubmission(
        applicant_name="Daniel Price", preferred_contact_method="email", email="daniel.price@example.com",
        phone="0116 496 0788", address="3 Moat Street, Wigston", postcode="LE18 2GD",
        victim_kind=VictimKind.BUSINESS, victim_name="Price's Newsagents",
        location="Price's Newsagents, 3 Moat Street, Wigston",
        description="A group of young people come into the shop after school, steal, swear at my staff and block the "
        "door. I reported it to the police four times between April and July and nothing changed.",
        reported_to=["police", "council"], impact="Two of my staff have left; I close early on school days.",
    )
    manager, spoc = users["manager"], users["officer"]
    received = demo.ago(48, 11, 20)
    application = _then(received, application_submit, data=data, route=Route.ONLINE, submission_key=key, received_at=received)
    if application.spoc_id != spoc.pk:
        application = _then(demo.ago(48, 11, 30), application_spoc_assign, application=application, spoc=spoc, actor=manager, version=application.version)
    application = _then(demo.ago(41, 15), application_decide, application=application, threshold_met=True, proceeds=True,
                        actor=manager, version=application.version,
                        reasons="Four reports to Leicestershire Police between April and July about the same group (police "
                        "log references confirmed): three separate incidents reported by one person within six months.")
    held = demo.ago(29, 14)
    record = MeetingRecord(
        held_on=held.date(), chair_name="Dr Harriet Oduya (independent chair)", independent_chair=True,
        agencies_present=[police, youth], applicant_participation="views_written",
        others_present="Tom Okafor (ASB officer, single point of contact)",
        agency_summary="Police: four incidents logged, two attended; no one identified until July. Council: one report, "
        "passed to the police; no visit. Children and Family Wellbeing Service: not told until this review.",
        action_plan="Patrols at school closing time; three young people identified and visited with their parents; "
        "CCTV covering the shop front; youth sessions at the library on weekday afternoons. Mr Price agreed the plan "
        "by email.", victim_consulted=True)
    application = _then(held + timedelta(hours=3), meeting_record, application=application, record=record, actor=spoc,
                        version=application.version).application
    plan = [  # text, owner agency (None: the council), due, later progress (when, status, progress)
        ("Patrol Moat Street at school closing time on weekdays until the end of term, and visit the three identified "
         "young people with their parents.", police, demo.ahead(12),
         (demo.ago(20, 10), RecommendationStatus.IN_PROGRESS, "Patrols every school day since the review; two of the "
          "three young people visited with their parents.")),
        ("Install a CCTV camera covering the shop front and the alley beside it.", None, held.date() + timedelta(days=28),
         (demo.ago(12, 10), RecommendationStatus.DONE, "Camera installed and recording; Mr Price told.")),
        ("Run weekday youth sessions at Wigston library from 3.30pm and invite the group.", youth, demo.ahead(20), None),
    ]
    made = [_then(held + timedelta(hours=4), recommendation_add, application=application, text=text, owner_agency=agency,
                  due_on=due, actor=spoc, version=application.version) for text, agency, due, _later in plan]
    application = Application.objects.get(pk=application.pk)
    _then(demo.ago(26, 11), outcome_send, application=application, letter=outcome_letter_draft(application), actor=spoc,
          version=application.version)
    for rec, (*_, later) in zip(made, plan, strict=True):
        if later is not None:
            when, status, progress = later
            rec = Recommendation.objects.get(pk=rec.pk)
            _then(when, recommendation_update, recommendation=rec, actor=spoc, token=recommendation_token(rec), status=status,
                  progress=progress)
    # Sent when they were written (a worker would have delivered them then): nothing is left for today's worker.
    Message.objects.filter(key__startswith="cr-", key__contains=f":{application.pk}", status=MessageStatus.PENDING,
                           created_at__lt=demo.today(0) - timedelta(days=1)).update(status=MessageStatus.SENT)
    return application


def casereview_ensure(*, users: dict, now, demo_for, submission_key) -> int:
    """Tell the Case Review's stories (each in its own transaction), then judge Eileen Ward's case and make sure the
    applications exist. Returns how many stories ran now."""
    created = 0
    for key, tell in STORIES:
        if Report.objects.filter(submission_key=submission_key(key)).exists():
            continue
        with transaction.atomic():
            tell(demo_for(key))
        created += 1
    with transaction.atomic():
        threshold_ensure(now=now)
    timescales = Timescales.current()
    if timescales.default_spoc_id is None:
        Timescales.objects.filter(pk=timescales.pk).update(default_spoc=users["officer"])
    with transaction.atomic():  # the older application first, so the references follow the order they came in
        created += application_completed_ensure(users=users, demo=demo_for(COMPLETED_KEY), submission_key=submission_key) is not None
    with transaction.atomic():
        created += application_waiting_ensure(users=users, demo=demo_for(WAITING_KEY), submission_key=submission_key) is not None
    return created
