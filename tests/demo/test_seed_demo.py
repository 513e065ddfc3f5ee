"""The demo data: a year of history that is right on any date, idempotent, quiet (nothing left for a worker to
send, nothing overdue but the hand-written stories), and row for row what the real services would have written."""

import os
import re
import time
import uuid
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Count

from casereview.figures import yearly_figures
from casereview.models import Application, Stage, ThresholdFlag
from casereview.threshold import threshold_for_case
from cases import services, sla
from cases.models import (
    AgencyMember,
    CaseShare,
    CaseStatus,
    Category,
    Contact,
    ContactPrompt,
    Deadline,
    DiaryEntry,
    Party,
    PartyRole,
    Person,
    Place,
    PossibleMatch,
    Referral,
    ReferralStatus,
    Report,
    ResidentLink,
    ResidentRequest,
    RiskAssessment,
    SharedPerson,
    SharingAgreement,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.models import Case as CaseModel
from cases.policy import (
    agreements_in_force,
    cases_visible_to,
    parties_visible_to,
    referrals_visible_to,
    timeline_visible_to,
)
from cases.roles import Role, user_roles
from cases.selectors_register import hotspots, person_flags
from dashboard import selectors as dashboard
from demo.management.commands import (
    _demo_casereview,
    _demo_jag,
    _demo_partners,
    _demo_register,
    _demo_residents,
    _demo_rows,
    _demo_year,
)
from demo.management.commands._demo_year import month_plans, months_before
from demo.management.commands.seed_demo import STORIES, Command, submission_key
from jag.models import (
    AgendaItem,
    Attendance,
    JagAction,
    JagEvent,
    JagGroup,
    JagMember,
    Meeting,
    MeetingStatus,
    Nomination,
)
from jag.selectors import NOT_SHARED_LABEL, pack_for
from jag.services.schedule import nominations_close_at
from letters.models import Document, DocumentKind
from letters.rules import cpn_refusal
from notifications.models import Message, MessageStatus
from privacy.models import LegalHold, RequestKind, RightsRequest
from surveys import services as surveys
from surveys.models import CommentAction, Invitation, Response, SurveyChannel

LONDON = sla.LONDON
DATES = [datetime(2026, 11, 28, 10, 0, tzinfo=LONDON), datetime(2028, 2, 29, 8, 30, tzinfo=LONDON)]
MODELS = (CaseModel, Report, Party, Contact, Deadline, TimelineEntry, RiskAssessment, Invitation, Response, CommentAction, Message,
          get_user_model(), AgencyMember, SharingAgreement, CaseShare, SharedPerson, Referral, Person, Place, PossibleMatch,
          RightsRequest, LegalHold, JagGroup, JagMember, Meeting, Nomination, AgendaItem, Attendance, JagAction, JagEvent,
          ResidentLink, DiaryEntry, ResidentRequest, Document)
ALL_STORIES = STORIES + _demo_register.STORIES + _demo_casereview.STORIES + [(_demo_residents.LETTERS_STORY, None)]


def seed():
    call_command("seed_demo", stdout=open(os.devnull, "w"))


def counts():
    return {m.__name__: m.objects.count() for m in MODELS}


def partners_see_only_what_is_shared_with_their_agency(now):
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["police", "police-lead", "housing"])}
    for username, role, agency in (("police", Role.PARTNER_USER, "Leicestershire Police"),
                                   ("police-lead", Role.PARTNER_LEAD, "Leicestershire Police"),
                                   ("housing", Role.PARTNER_USER, "Housing providers")):
        user = users[username]
        assert user_roles(user) == {role}
        assert AgencyMember.objects.get(user=user).agency.name == agency
        assert user.check_password("demo-password-2026")
    # Agreements: police and housing in force today (about a year either side), the fire service's lapsed.
    today = now.date()
    in_force = {a.agency.name: a for a in agreements_in_force(on=today).select_related("agency")}
    assert set(in_force) == {"Leicestershire Police", "Housing providers"}
    for agreement in in_force.values():
        assert 300 <= (today - agreement.signed_on).days <= 400 and 300 <= (agreement.review_by - today).days <= 400
        assert agreement.lawful_basis == "s115_public_task" and "consent" in agreement.what_may_be_shared
    fire = SharingAgreement.objects.get(agency__name="Leicester Fire and Rescue Service")
    assert fire.review_by < today and not fire.in_force_on(today)
    # The police see exactly the car meets case (shared for the JAG: summary, the driver only); housing exactly the
    # high-risk story case, within the timeline scope.
    car_meets = Report.objects.get(submission_key=submission_key(_demo_jag.CAR_MEETS_KEY)).case
    assert list(cases_visible_to(users["police"])) == [car_meets] == list(cases_visible_to(users["police-lead"]))
    police_share = CaseShare.objects.get(agency__name="Leicestershire Police")
    assert police_share.case == car_meets and police_share.scope == "summary"
    assert [p.role for p in parties_visible_to(users["police"], car_meets)] == [PartyRole.PERPETRATOR]
    story = Report.objects.get(submission_key=submission_key(_demo_partners.SHARED_STORY)).case
    assert list(cases_visible_to(users["housing"])) == [story]
    share = CaseShare.objects.get(case=story, agency__name="Housing providers")
    assert share.scope == "timeline" and share.stopped_at is None
    victim = story.parties.filter(role=PartyRole.VICTIM).get()
    assert victim.consent_to_share is True
    assert list(parties_visible_to(users["housing"], story)) == [victim]
    assert SharedPerson.objects.get(share=share).basis == "consent"
    seen = list(timeline_visible_to(users["housing"], story))
    assert [e.visibility for e in seen] == [Visibility.PARTNERS] and seen[0].summary.startswith("Update for partners")
    shared = story.timeline.get(kind=TimelineKind.SHARE)
    assert shared.visibility == Visibility.STAFF and shared.summary.startswith("Shared with Housing providers (")
    assert shared.occurred_at < now
    referral = referrals_visible_to(users["housing"]).get()
    assert referral.case == story and referral.status == ReferralStatus.SENT and referral.agency.name == "Housing providers"


def _story_case(key):
    return Report.objects.select_related("case").get(submission_key=submission_key(key)).case


def _cases_of(person, role, since):
    return set(CaseModel.objects.filter(parties__person=person, parties__role=role, received_at__gte=since).values_list(
        "reference", flat=True))


def the_register_shows_repeats_a_hotspot_a_match_and_privacy_work(now):
    """Issue 12: what the README's walkthrough shows from `make demo`."""
    today, year_ago = now.date(), now - timedelta(days=365)
    # Every named person on every case is in the register (the history's bulk rows included), every addressed case a place.
    assert not Party.objects.filter(person__isnull=True, is_unknown=False).exclude(full_name="").exists()
    assert not CaseModel.objects.filter(place__isnull=True).exclude(address="").exists()
    # The repeat victim: Eileen Ward, one person on three cases reported in the last 12 months.
    eileen = _story_case("demo-repeat-victim-2").parties.get(role=PartyRole.VICTIM).person
    assert eileen.full_name == "Eileen Ward" and Person.objects.filter(full_name="Eileen Ward").count() == 1
    assert _cases_of(eileen, PartyRole.VICTIM, year_ago) == {
        _story_case(k).reference for k in ("demo-register-repeat-victim-0", "demo-repeat-victim-1", "demo-repeat-victim-2")}
    # Repeat perpetrators: Darren Hale on her three cases; Kyle Mercer on three (Brocks Hill, and two at The Parade).
    for name, keys in (("Darren Hale", ("demo-register-repeat-victim-0", "demo-repeat-victim-1", "demo-repeat-victim-2")),
                       ("Kyle Mercer", ("demo-monitoring-abc-breach", "demo-cpn-parade", "demo-register-parade-3"))):
        person = Person.objects.get(full_name=name)
        assert _cases_of(person, PartyRole.PERPETRATOR, year_ago) == {_story_case(k).reference for k in keys}, name
    # Flagged as the register's rules say (default: 3 cases in 12 months), as the case page and person page show them.
    people = {name: Person.objects.get(full_name=name) for name in ("Eileen Ward", "Darren Hale", "Kyle Mercer")}
    flags = person_flags([p.pk for p in people.values()], today=today)
    assert flags[eileen.pk].repeat_victim and not flags[eileen.pk].repeat_perpetrator
    assert flags[people["Darren Hale"].pk].repeat_perpetrator and flags[people["Kyle Mercer"].pk].repeat_perpetrator
    # The hotspot: The Parade, four reports in the last 30 days, top of the hotspot list.
    parade = CaseModel.objects.get(pk=_story_case("demo-cpn-parade").pk).place
    top = hotspots(start=today - timedelta(days=30), end=today)[0]
    assert parade.address.startswith("The Parade") and top.place == parade and top.reports >= 4
    # One possible match waiting for an officer: "Mrs M Ellis" may be Margaret Ellis (same address, another phone).
    waiting = PossibleMatch.objects.filter(decision="").select_related("party", "person")
    assert [(m.party.full_name, m.person.full_name) for m in waiting] == [("Mrs M Ellis", "Margaret Ellis")]
    match = waiting.get()
    assert match.party.person_id != match.person_id and match.party.phone_normalised != match.person.phone_normalised
    assert match.party.case.officer is not None
    # A subject access request from her in progress, received 10 days ago; a legal hold on a closed case.
    request = RightsRequest.objects.get()
    assert (request.kind, request.person, request.status, request.closed_at) == (RequestKind.ACCESS, eileen, "open", None)
    assert request.received_on == today - timedelta(days=10) and today < request.due_on <= today + timedelta(days=21)
    hold = LegalHold.objects.get()
    assert hold.case.status == CaseStatus.CLOSED and hold.lifted_at is None


def month_of(value) -> datetime:
    return value.astimezone(LONDON).date().replace(day=1)


@pytest.mark.django_db
@pytest.mark.parametrize("now", DATES, ids=lambda d: f"{d:%Y-%m-%d}")
def test_a_year_of_history_on_any_date(now):
    """One seed per date (it is the slow part), then what a user of the demo would see."""
    with time_machine.travel(now, tick=False):
        clock = time.perf_counter()
        seed()
        # Seconds, not minutes: ~300 cases in a few dozen statements (the whole command takes about 5 s on a quiet
        # 2-core machine; the bound is generous for a busy one).
        assert time.perf_counter() - clock < 30
        every_month_has_reports_and_survey_answers(now)
        the_dashboard_shows_a_realistic_year(now)
        history_leaves_nothing_for_a_worker_to_send(now)
        only_the_hand_written_stories_have_overdue_work(now)
        partners_see_only_what_is_shared_with_their_agency(now)
        the_register_shows_repeats_a_hotspot_a_match_and_privacy_work(now)
        the_case_review_has_a_victim_just_over_the_threshold(now)
        the_jag_has_last_months_meeting_and_next_months_nominations(now)
        residents_follow_their_cases_and_a_cpn_is_ready(now)
        first = counts()
    with time_machine.travel(now + timedelta(hours=3), tick=False):
        seed()
    assert counts() == first


def every_month_has_reports_and_survey_answers(now):
    months = months_before(now.date())
    assert months[0] == (now.date().replace(day=1) - timedelta(days=360)).replace(day=1)
    reports = {m: 0 for m in months}
    for received in Report.objects.values_list("received_at", flat=True):
        if month_of(received) in reports:
            reports[month_of(received)] += 1
    assert all(15 <= n <= 40 for n in reports.values()), reports
    answered = {month_of(at) for at in Response.objects.values_list("submitted_at", flat=True)}
    assert set(months) <= answered
    # Both channels, several categories, some high risk; one or two "you said, we did" answers.
    channels = dict(Report.objects.values_list("channel").annotate(n=Count("id")))
    assert channels["online"] > 100 and channels["phone"] > 60
    assert CaseModel.objects.values("category").distinct().count() >= 10
    assert CaseModel.objects.filter(risk_level="high").count() >= 10
    assert 1 <= CommentAction.objects.count() <= 2


def the_dashboard_shows_a_realistic_year(now):
    today = now.date()
    viewer = get_user_model().objects.get(username="manager")  # the demo's manager reads the dashboard
    rows = dashboard.trends(dashboard.Filters(viewer=viewer), today=today, now=now)
    for row in rows[:-1]:  # the months before this one: history
        assert 15 <= row["reports"] <= 40, row
        assert 0.7 <= row["first_contact"].met / row["first_contact"].total <= 1, row
        assert 0.75 <= row["updates"].met / row["updates"].total <= 1, row
        assert row["satisfaction"] is not None and row["satisfaction"].total >= 4, row
    year = dashboard.figures(dashboard.period_from("12m", today=today), dashboard.Filters(viewer=viewer), now=now)
    assert 85 <= year.first_contact.percent <= 96
    assert 85 <= year.updates_standard.percent <= 97
    assert 88 <= year.satisfaction.percent <= 98
    assert 7 <= year.mean_days_between_updates <= 12


def history_leaves_nothing_for_a_worker_to_send(now):
    # Nothing outstanding (pending, or claimed by a worker) from before today: history was sent when it happened.
    assert not Message.objects.exclude(status__in=[MessageStatus.SENT, MessageStatus.FAILED]).filter(
        created_at__date__lt=now.date()).exists()
    assert Message.objects.filter(status=MessageStatus.SENT).count() > 200
    # The only pending messages are the hand-written stories' acknowledgements, queued now.
    pending = Message.objects.filter(status=MessageStatus.PENDING)
    assert pending.count() <= len(ALL_STORIES) and all(m.key.startswith("report-ack") for m in pending)
    # The survey sweep invites only the stories' recently closed cases, and reminds nobody, now or later.
    stories = story_cases()
    assert surveys.surveys_sweep(now=now).reminded == 0
    assert not Invitation.objects.exclude(case__in=stories).filter(sent_at__gte=now - timedelta(days=7)).exists()
    assert surveys.surveys_sweep(now=now + timedelta(days=10)).reminded == Invitation.objects.filter(
        case__in=stories).exclude(channel=SurveyChannel.PHONE).count()
    # Nobody is waiting to be phoned for a survey about a case closed long ago.
    assert not Invitation.objects.filter(channel=SurveyChannel.PHONE, responded_at__isnull=True,
                                         sent_at__lt=now - timedelta(days=14)).exists()


def the_case_review_has_a_victim_just_over_the_threshold(now):
    """Issue 13: Farida Begum met the threshold with her third report an hour ago; her second report's acknowledgement
    explained the Case Review and her officer is prompted to explain it; Eileen Ward's case is flagged too."""
    flags = list(ThresholdFlag.objects.filter(closed_at__isnull=True).select_related("case").order_by("-met_at"))
    farida = CaseModel.objects.get(reports__submission_key=submission_key("demo-case-review-threshold-2"))
    assert farida.reports.count() == 2
    assert [f.case for f in flags][:1] == [farida] or farida in [f.case for f in flags]
    flag = next(f for f in flags if f.case == farida)
    assert flag.rule_text == "3 separate incidents reported by one person within 6 months" and len(flag.report_ids) == 3
    assert now - timedelta(hours=2) <= flag.met_at <= now
    result = threshold_for_case(farida, at=now)
    assert result.met and result.rule == flag.rule_text
    # Eileen Ward's case met it too; her application (waiting for a decision) closed the flag.
    eileen_flag = ThresholdFlag.objects.filter(case__parties__full_name="Eileen Ward").distinct().get()
    waiting = Application.objects.get(submission_key=submission_key(_demo_casereview.WAITING_KEY))
    assert eileen_flag.closed_at is not None and waiting.reference in eileen_flag.closed_note
    assert waiting.stage == Stage.ACKNOWLEDGED and waiting.case == eileen_flag.case and waiting.person is not None
    assert waiting.spoc.username == "officer2" and waiting.acknowledgement_method == "phone"
    decision = Deadline.objects.open().get(subject=waiting.subject)
    assert decision.kind == "cr_decision" and decision.due_at > now
    # A completed review: decided, met, three recommendations (one done), the outcome sent, every stage on time.
    done = Application.objects.get(submission_key=submission_key(_demo_casereview.COMPLETED_KEY))
    assert done.stage == Stage.OUTCOME_SENT and done.meeting.independent_chair and done.outcome_sent_at < now
    assert sorted(done.recommendations.values_list("status", flat=True)) == ["done", "in_progress", "open"]
    stages = Deadline.objects.filter(subject=done.subject)
    assert stages.count() == 4 and not stages.filter(met_at__isnull=True).exists() and not stages.filter(breached=True).exists()
    assert not Deadline.objects.filter(kind="cr_recommendation", breached=True).exists()
    # The figures page shows the year.
    year = [row for row in yearly_figures() if row.received][0]
    assert (year.received, year.not_met, year.reviews, year.with_recommendations) == (2, 0, 1, 1)
    second = Report.objects.get(submission_key=submission_key("demo-case-review-threshold-2"))
    assert "ASB Case Review" in Message.objects.get(key=f"report-ack:{second.pk}").body
    first = Report.objects.get(submission_key=submission_key("demo-case-review-threshold-1"))
    assert "ASB Case Review" not in Message.objects.get(key=f"report-ack:{first.pk}").body
    assert ContactPrompt.objects.filter(party=second.reporter, topic="case_review", answered_at__isnull=True).count() == 1


def the_jag_has_last_months_meeting_and_next_months_nominations(now):
    """Issue 14: two meetings held before today (the older one's minutes approved at the later one; the later one's
    circulated), actions done and one overdue, the next meeting open to nominations with some; the police's pack holds
    the case shared with them and nothing of the others."""
    today = now.astimezone(LONDON).date()
    held = list(Meeting.objects.filter(status=MeetingStatus.HELD).order_by("held_on"))
    assert len(held) == 2 and all(m.held_on < today for m in held)
    earlier, last = held
    assert earlier.minutes_approved_at is not None and last.minutes_circulated_at is not None and last.minutes
    assert Attendance.objects.filter(meeting=last, status="present").count() >= 5
    statuses = sorted(JagAction.objects.values_list("status", flat=True))
    assert statuses.count("done") >= 1 and statuses.count("open") >= 2
    # The police user has one on their home page, on track.
    assert JagAction.objects.filter(status="open", owner__username="police", due_on__gt=today + timedelta(days=7)).count() == 1
    overdue = [a for a in JagAction.objects.filter(status="open") if a.due_on < today]
    assert len(overdue) == 1 and overdue[0].owner_agency is None
    upcoming = Meeting.objects.filter(status=MeetingStatus.SCHEDULED, held_on__gte=today).order_by("held_on")
    assert upcoming.count() == 12
    nominated = next(m for m in upcoming if nominations_close_at(m) > now)
    assert nominated.nominations.count() == 4
    police = get_user_model().objects.get(username="police")
    housing = get_user_model().objects.get(username="housing")
    police_pack = pack_for(meeting=last, viewer=police)
    assert police_pack.agency_name == "Leicestershire Police" and police_pack.items
    shared = {c.pk for c in cases_visible_to(police)}
    for item in police_pack.items:
        if item.kind == "case" and item.withheld:
            assert item.title == NOT_SHARED_LABEL and not item.why and not item.notes
    assert all(a.owner_agency == "Leicestershire Police" for a in police_pack.actions + police_pack.previous_actions)
    agenda_cases = set(nominated.nominations.filter(case__isnull=False).values_list("case_id", flat=True))
    assert agenda_cases & shared  # the car meets case the police nominated is theirs to see
    assert pack_for(meeting=last, viewer=housing).agency_name == "Housing providers"


def residents_follow_their_cases_and_a_cpn_is_ready(now):
    """Issue 15: Aisha Khan's link opens her case with her diary entries and her officer's update; the anonymous
    reporter's link opens theirs with the officer's note; Patricia Lowe's case holds a CPW served by hand (its compliance
    date passed) and a CPN generated (a real PDF), and an update letter to her waits in the print queue."""
    from django.test import Client

    links = dict(_demo_residents.demo_resident_links(submission_key))
    assert len(links) == 3
    client = Client()
    aisha = client.get(links["Aisha Khan (diary entries and an update)"].removeprefix("http://127.0.0.1:8000"))
    page = aisha.content.decode()
    assert aisha.status_code == 200
    assert "Mr Walsh's Acceptable Behaviour Contract review is this week" in page.replace("&#x27;", "'")
    assert "A party in Flat 2" in page and "Music and shouting from Flat 2" in page
    assert "Owners of 43 Uplands Road" not in page  # nothing of anyone else's case
    anonymous = client.get(links["anonymous fly-tipping reporter"].removeprefix("http://127.0.0.1:8000")).content.decode()
    assert "Street cleansing are clearing the alley" in anonymous
    case = CaseModel.objects.get(reports__submission_key=submission_key(_demo_residents.LETTERS_STORY))
    cpw = Document.objects.get(case=case, kind=DocumentKind.CPW)
    cpn = Document.objects.get(case=case, kind=DocumentKind.CPN)
    assert cpw.sent_at is not None and cpw.sent_method == "hand" and cpw.action is not None
    assert cpn_refusal(case, cpn.recipient, now) is None  # the warning was served and its compliance date has passed
    assert cpn.sent_at is None and cpn.pdf.open("rb").read(5) == b"%PDF-"
    update = Document.objects.get(case=case, kind=DocumentKind.UPDATE)
    assert update.delivery == "post" and update.sent_at is None
    assert Deadline.objects.open().filter(case=case, due_at__lt=now).count() == 0


def story_cases():
    return CaseModel.objects.filter(reports__submission_key__in=[submission_key(k) for k, _ in ALL_STORIES])


def only_the_hand_written_stories_have_overdue_work(now):
    stories = story_cases()
    overdue = Deadline.objects.open().filter(due_at__lt=now)
    # The JAG's one overdue action (the council's letter to the landowner) is a hand-written story too.
    assert [d.kind for d in overdue.filter(case__isnull=True)] == ["jag_action"]
    assert overdue.filter(case__isnull=False).exclude(case__in=stories).count() == 0
    assert overdue.filter(case__in=stories).count() <= 3  # first contact overdue, update overdue, the high-risk weekly update
    # History still open today is worked: assigned, with its next deadline still to come.
    history_open = CaseModel.objects.exclude(pk__in=stories).filter(status__in=[CaseStatus.OPEN, CaseStatus.MONITORING])
    assert history_open.exists()
    assert not history_open.filter(officer__isnull=True).exists()


@pytest.mark.django_db
def test_running_next_month_adds_only_the_new_month():
    with time_machine.travel(datetime(2026, 11, 28, 10, 0, tzinfo=LONDON), tick=False):
        seed()
    before = CaseModel.objects.count()
    november = [p for p in month_plans(datetime(2026, 11, 1).date(), now=datetime(2026, 12, 3, 10, tzinfo=LONDON),
                                       closures=frozenset())]
    with time_machine.travel(datetime(2026, 12, 3, 10, 0, tzinfo=LONDON), tick=False):
        seed()
    assert CaseModel.objects.count() == before + len(november)


# --- The bulk rows are the services' rows -----------------------------------------------------------------

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=LONDON)
NAMESPACE = uuid.UUID("0d4f5b8e-57a1-4c1e-9a55-2a1c0f3e7d10")


def _replay(plan, users, key):
    """Tell one plan through the real services, each step under a clock stopped at the step's time."""
    officer = None
    with time_machine.travel(plan.received_at, tick=False):
        data = services.ReportSubmission(category=Category.objects.get(slug=plan.category), **plan.report)
        report = services.report_submit(data=data, channel=plan.channel, submission_key=key,
                                        logged_by=users["callcentre"] if plan.channel == "phone" else None,
                                        received_at=plan.received_at)
    case, reporter = report.case, report.reporter
    for step in plan.steps:
        with time_machine.travel(step.at, tick=False):
            if step.kind == "assign":
                officer = users[step.username]
                services.case_assign(case=case, officer=officer, actor=users["manager"])
            elif step.kind == "contact":
                services.contact_record(case=case, party=reporter, method=step.method, direction=step.direction,
                                        successful=step.successful, summary=step.text, occurred_at=step.at,
                                        gave_update=step.update, final_update=step.final, actor=officer)
            elif step.kind == "risk":
                answers = {q.pk: any(p in q.text.lower() for p in step.yes)
                           for q in services.risk_question_set_active().questions.all()}
                victim = case.parties.filter(role=PartyRole.VICTIM).order_by("id").first() or reporter
                services.risk_assess(case=case, answers=answers, party=victim, notes=step.text, actor=officer)
            elif step.kind == "note":
                services.note_add(case=case, text=step.text, actor=officer, occurred_at=step.at)
            elif step.kind == "monitoring":
                services.case_status_change(case=case, to_status=CaseStatus.MONITORING, actor=officer)
            elif step.kind == "close":
                services.case_close(case=case, reason=step.reason, note=step.text, actor=officer)
    if CaseModel.objects.get(pk=case.pk).status != CaseStatus.CLOSED:
        return
    closed_at = CaseModel.objects.get(pk=case.pk).closed_at
    sent = closed_at + _demo_rows.SWEEP_DELAY
    with time_machine.travel(sent, tick=False):
        surveys.surveys_sweep(now=sent)
    invitation = Invitation.objects.filter(case=case).first()
    if invitation is None or plan.survey is None:
        return
    cutoff = NOW - timedelta(hours=1)
    if invitation.channel == SurveyChannel.PHONE:
        day = sla.add_working_days(sent.astimezone(LONDON).date(), plan.survey.phone_working_days)
        answered = max(sent, sla.end_of_day(day) - timedelta(hours=13))
    else:
        answered = sent + plan.survey.link_delay if plan.survey.answers_link else None
    answered = answered if answered is not None and answered < cutoff else None
    remind_at = sent + timedelta(days=7) + _demo_rows.SWEEP_DELAY
    events = [(answered, "answer")] if answered else []
    if invitation.channel != SurveyChannel.PHONE and remind_at < cutoff:
        events.append((remind_at, "remind"))
    for at, what in sorted(events):
        with time_machine.travel(at, tick=False):
            if what == "remind":
                surveys.surveys_sweep(now=at)
            else:
                phone = invitation.channel == SurveyChannel.PHONE
                surveys.survey_submit(invitation=invitation, answers=plan.survey.answers, comments=plan.survey.comment,
                                      may_contact=plan.survey.may_contact, entered_by=officer if phone else None)


def _snapshot(case) -> dict:
    """Everything the services wrote about a case, with ids and the case reference replaced by positions."""
    parties = {p.pk: i for i, p in enumerate(case.parties.order_by("id"))}
    report = case.reports.get()
    invitations = list(Invitation.objects.filter(case=case).order_by("id"))

    def rows(qs, *fields):
        return [tuple(parties.get(v) if f.startswith("party") or f == "reporter" else v
                      for f, v in zip(fields, row)) for row in qs.order_by("id").values_list(*fields)]

    def text(value):
        value = re.sub(r"/my-case/[^/\s]+/", "/my-case/TOKEN/", value)
        return re.sub(r"/survey/[^/\s]+/", "/survey/TOKEN/", value.replace(case.reference, "REF"))

    keys = [f"report-ack:{report.pk}", f"report-ack-sms:{report.pk}"] + [
        f"survey-{kind}:{i.pk}" for i in invitations for kind in ("invite", "reminder")]
    messages = {m.key.split(":")[0]: (m.channel, m.to, text(m.subject), text(m.body), m.created_at)
                for m in Message.objects.filter(key__in=keys)}
    timeline = [(kind, actor, summary, body, {k: ("ID" if k in ("report", "contact") else v) for k, v in changes.items()},
                 visibility, occurred_at, created_at)
                for kind, actor, summary, body, changes, visibility, occurred_at, created_at in
                case.timeline.order_by("id").values_list("kind", "actor", "summary", "body", "changes", "visibility",
                                                         "occurred_at", "created_at")]
    return {
        "case": CaseModel.objects.filter(pk=case.pk).values(
            "status", "category", "risk_level", "officer", "address", "postcode", "location_description", "hate_motivated",
            "received_at", "closure_reason", "closed_at", "version", "created_at", "updated_at").get(),
        "search": CaseModel.objects.filter(pk=case.pk).values_list("search_document", flat=True).get(),
        "parties": rows(case.parties, "role", "full_name", "is_unknown", "description", "email", "phone", "phone_normalised",
                        "address", "postcode", "preferred_contact_method", "customer_group", "consent_to_share", "created_at"),
        "report": rows(case.reports, "channel", "received_at", "logged_by", "reporter", "reporter_role", "is_anonymous",
                       "category", "address", "postcode", "location_description", "is_ongoing", "incident_date", "frequency",
                       "description", "impact", "hate_motivated", "hate_characteristics", "created_at"),
        "contacts": rows(case.contacts, "party", "method", "direction", "successful", "summary", "occurred_at",
                         "is_first_contact", "is_update", "is_final_update", "recorded_by", "created_at"),
        "deadlines": rows(case.deadlines, "kind", "party", "starts_at", "due_at", "interval_days", "met_at", "cancelled_at",
                          "breached", "created_at"),
        "risk": rows(case.risk_assessments, "party", "question_set", "answers", "score", "level", "forced_by", "notes", "assessed_by",
                     "assessed_at"),
        "timeline": timeline,
        "invitations": [(parties[i.party_id], i.purpose, i.channel, i.sent_at, i.expires_at, i.reminded_at, i.responded_at)
                        for i in invitations],
        "responses": list(Response.objects.filter(invitation__case=case).values(
            "overall", "treated_fairly", "listened_to", "kept_updated", "first_contact_speed", "staff_polite", "comments",
            "may_contact", "taken_by_phone", "entered_by", "officer", "category_name", "report_channel", "submitted_at")),
        "messages": messages,
    }


@pytest.mark.django_db
def test_history_rows_are_exactly_what_the_services_write():
    with time_machine.travel(NOW, tick=False):
        users = Command().users_ensure()
        months = months_before(NOW.date())
        closures = sla.closure_days(months[0] - timedelta(days=7), NOW.date() + timedelta(days=60))
        # The last month (cases still open today, some not yet contacted) and one from the middle of the year.
        plans = month_plans(months[-1], now=NOW, closures=closures) + month_plans(months[5], now=NOW, closures=closures)
        # And from the rest of the year, the first of each rarer kind: anonymous, a failed first call, a witness, on behalf.
        rest = [p for m in months[:5] for p in month_plans(m, now=NOW, closures=closures)]
        for rare in (lambda p: p.report.get("is_anonymous"), lambda p: any(not s.successful for s in p.steps),
                     lambda p: p.report["reporter_role"] == PartyRole.WITNESS and not p.report.get("is_anonymous"),
                     lambda p: p.report["reporter_role"] == PartyRole.REPORTER):
            plans += [next(p for p in rest if rare(p))]
        _demo_rows._Writer(users, closures, lambda key: uuid.uuid5(NAMESPACE, "bulk:" + key), NOW).write(plans)
    kinds = {s.kind for p in plans for s in p.steps} | {"open" for p in plans if not any(s.kind == "close" for s in p.steps)}
    assert kinds >= {"assign", "contact", "risk", "note", "monitoring", "close", "open"}
    assert any(p.report.get("is_anonymous") for p in plans) and any(not s.successful for p in plans for s in p.steps)
    for plan in plans:
        _replay(plan, users, uuid.uuid5(NAMESPACE, "services:" + plan.key))
    compared = {"deadlines": 0, "timeline": 0, "contacts": 0, "invitations": 0, "responses": 0, "messages": 0}
    with time_machine.travel(NOW, tick=False):
        for plan in plans:
            bulk = Report.objects.get(submission_key=uuid.uuid5(NAMESPACE, "bulk:" + plan.key)).case
            real = Report.objects.get(submission_key=uuid.uuid5(NAMESPACE, "services:" + plan.key)).case
            expected = _snapshot(real)
            assert _snapshot(bulk) == expected, plan.key
            for name in compared:
                compared[name] += len(expected[name])
    assert all(n >= 10 for n in compared.values()), compared
    assert Response.objects.count() and Message.objects.filter(key__startswith="survey-reminder").count()


def test_plans_do_not_depend_on_the_day_they_are_drawn():
    # The same calendar month gives the same cases whenever the command runs (only the cut-off moves).
    march = datetime(2026, 3, 1).date()
    early = month_plans(march, now=datetime(2026, 11, 28, 10, tzinfo=LONDON), closures=frozenset())
    late = month_plans(march, now=datetime(2027, 2, 10, 10, tzinfo=LONDON), closures=frozenset())
    assert [(p.key, p.received_at, p.report, [s.at for s in p.steps]) for p in early] == \
        [(p.key, p.received_at, p.report, [s.at for s in p.steps]) for p in late]
    # Nobody in a year of history shares a phone number or email with anyone else, or with the stories' people
    # (related history would link strangers).
    year = [p for m in months_before(datetime(2026, 11, 28).date()) for p in month_plans(m, now=NOW, closures=frozenset())]
    for detail in ("phone", "email"):
        values = [p.report[detail] for p in year if p.report.get(detail)]
        assert len(set(values)) == len(values) > 100
    source = "".join(open(_demo_rows.__file__.replace("_demo_rows", name)).read() for name in ("seed_demo", "_demo_register"))
    stories = set(re.findall(r"0(?:7700 900|116 496 0)\d{3}", source))
    assert len(stories) >= 10 and not stories & {p.report.get("phone") for p in year}
    assert _demo_year.MONTHS == 12
