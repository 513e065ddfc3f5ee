"""Writing the year of demo history: for each plan, the rows the services would have written, in bulk.

Going through the services costs about a third of a second a case on a busy 2-core machine (tens of queries
each), a minute or more for ~300 cases, so this writes what they would write, in one transaction and a few dozen
statements: the same fields, due dates from cases.sla, the same timeline wording, deadlines opened, met,
recomputed for risk and cancelled by the same rules (cases.services.deadlines), survey invitations as the sweep
sends them. tests/cases/test_seed_demo.py
replays plans through the real services and compares the rows, so the two cannot drift apart unnoticed.
Messages (acknowledgements, survey invitations and reminders) are written as already sent: history
leaves nothing for a worker to deliver.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import F, OuterRef, Subquery
from django.template.loader import render_to_string
from django.utils import timezone

from cases import sla
from cases.contact_rules import is_reachable, message_channel_for
from cases.models import (
    UPDATE_ROLES,
    Case,
    CaseStatus,
    Category,
    ClosureReason,
    Contact,
    ContactMethod,
    Deadline,
    DeadlineKind,
    Direction,
    Party,
    PartyRole,
    Report,
    ResidentLink,
    RiskAssessment,
    RiskLevel,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.services import risk_question_set_active
from cases.services.resident_links import link_digest, link_url
from cases.validators import normalise_phone, normalise_postcode
from notifications.models import Message, MessageChannel, MessageStatus

# survey_channel_for is the sweep's own rule for how each person is asked.
from surveys.models import CommentAction, Invitation, Purpose, Response, SurveyChannel
from surveys.services import SALT, survey_channel_for

from ._demo_year import YOU_SAID_WE_DID, CasePlan, month_plans, months_before

SWEEP_DELAY = timedelta(seconds=40)  # survey-sweep runs every minute
SENT_AFTER = timedelta(seconds=20)  # a worker sends a queued message within seconds


def history_ensure(*, users: dict, now, key_for) -> tuple[int, int]:
    """Create the missing cases of the 12 months before this one: (how many now, how many in all)."""
    today = timezone.localdate(now)
    months = months_before(today)
    closures = sla.closure_days(months[0] - timedelta(days=7), today + timedelta(days=60))
    plans = [plan for month in months for plan in month_plans(month, now=now, closures=closures)]
    existing = set(Report.objects.filter(submission_key__in=[key_for(p.key) for p in plans]).values_list("submission_key", flat=True))
    new = sorted((p for p in plans if key_for(p.key) not in existing), key=lambda p: p.received_at)
    if new:
        with transaction.atomic():
            _Writer(users, closures, key_for, now).write(new)
    return len(new), len(plans)


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _dated_token(invitation: Invitation, at) -> str:
    """surveys.services.invitation_token as it was signed when the invitation went out (so old links have expired)."""

    class Signer(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(at.timestamp()))

    return Signer(salt=SALT).sign_object({"i": invitation.pk}, compress=True)


class _Case:
    """One plan's case as the services would leave it: model instances not yet saved."""

    def __init__(self, writer, plan: CasePlan):
        self.w, self.plan = writer, plan
        data, received = plan.report, plan.received_at
        self.category = writer.categories[plan.category]
        self.officer = None
        self.case = Case(category=self.category, address=data["address"], location_description=data.get("location_description", ""),
                         postcode=normalise_postcode(data["postcode"]) if data.get("postcode") else "", received_at=received,
                         hate_motivated=data.get("hate_motivated") == "yes", version=1)
        self.touched = received
        self.parties, self.deadlines = [], []
        self.reporter = None
        if not data.get("is_anonymous"):
            self.reporter = self._party(role=data["reporter_role"], full_name=data["full_name"], email=data.get("email", "").lower(),
                                        phone=data["phone"], address=data["reporter_address"],
                                        postcode=normalise_postcode(data["reporter_postcode"]),
                                        preferred_contact_method=data["preferred_contact_method"],
                                        customer_group=data["customer_group"], consent_to_share=data.get("consent_to_share"))
        if data.get("on_behalf_of"):
            self._party(role=PartyRole.VICTIM, full_name=data["on_behalf_of"])
        if data.get("perpetrator_known") == "named":
            self._party(role=PartyRole.PERPETRATOR, full_name=data["perpetrator_name"], address=data["perpetrator_address"])
        elif data.get("perpetrator_known") == "described":
            self._party(role=PartyRole.PERPETRATOR, is_unknown=True, description=data["perpetrator_description"])
        logged_by = writer.users["callcentre"] if plan.channel == "phone" else None
        self.report = Report(case=self.case, channel=plan.channel, received_at=received, logged_by=logged_by, reporter=self.reporter,
                             reporter_role=data["reporter_role"], is_anonymous=bool(data.get("is_anonymous")), category=self.category,
                             address=data["address"], postcode=self.case.postcode, location_description=self.case.location_description,
                             is_ongoing=data["is_ongoing"], incident_date=data["incident_date"], frequency=data["frequency"],
                             description=data["description"], impact=data["impact"], hate_motivated=data.get("hate_motivated", "no"),
                             hate_characteristics=data.get("hate_characteristics", []), submission_key=writer.key_for(plan.key))
        writer.reports.append(self.report)
        how = "by phone" if plan.channel == "phone" else "online"
        who = "anonymous" if self.reporter is None else self.reporter.full_name
        self._timeline(received, TimelineKind.REPORT, f"Report received {how} from {who}", actor=logged_by, body=data["description"],
                       changes=lambda: {"report": self.report.pk, "channel": plan.channel}, visibility=Visibility.RESIDENT)
        if self.reporter is not None:
            deadline = self._deadline(DeadlineKind.FIRST_CONTACT, self.reporter, received,
                                      sla.first_contact_due(received, writer.closures))
            writer.acknowledgement(self, deadline)

    # --- rows ---
    def _party(self, **values) -> Party:
        party = Party(case=self.case, **values)
        party.phone_normalised = normalise_phone(party.phone)
        self.parties.append(party)
        self.w.parties.append(party)
        return party

    def _timeline(self, at, kind, summary, *, actor=None, body="", changes=None, visibility=Visibility.STAFF):
        entry = TimelineEntry(case=self.case, actor=actor or self.officer, kind=kind, summary=summary[:300], body=body,
                              visibility=visibility, occurred_at=at, changes={})
        self.w.timeline.append((entry, changes))

    def _deadline(self, kind, party, starts_at, due_at, interval_days=None) -> Deadline:
        deadline = Deadline(kind=kind, case=self.case, party=party, starts_at=starts_at, due_at=due_at, interval_days=interval_days)
        self.deadlines.append(deadline)
        self.w.deadlines.append(deadline)
        return deadline

    def _open(self, kind=None, party=None):
        return [d for d in self.deadlines if d.met_at is None and d.cancelled_at is None
                and (kind is None or d.kind == kind) and (party is None or d.party is party)]

    def _touch(self, at):
        self.case.version += 1
        self.touched = at

    # --- what each service does (cases.services), in the same order ---
    def assign(self, at, username):
        self.officer = self.w.users[username]
        self.case.officer = self.officer
        self._touch(at)
        name = _name(self.officer)
        self._timeline(at, TimelineKind.ASSIGNMENT, f"Assigned to {name}", actor=self.w.users["manager"],
                       changes=lambda: {"officer": [None, name]})

    def contact(self, step):
        party, at = self.reporter, step.at
        is_first = not any(c.is_first_contact for c in self.w.contacts_of.get(id(party), []))
        is_update = party.is_owed_updates and step.successful and (step.update or is_first)
        contact = Contact(case=self.case, party=party, method=step.method, direction=step.direction, successful=step.successful,
                          summary=step.text, occurred_at=at, is_first_contact=is_first, is_update=is_update,
                          is_final_update=step.final, recorded_by=self.officer)
        self.w.contacts.append(contact)
        self.w.contacts_of.setdefault(id(party), []).append(contact)
        if is_first:
            for deadline in self._open(DeadlineKind.FIRST_CONTACT, party):
                self._meet(deadline, at)
            for other in self.parties:
                self._update_open(other, at)
        elif is_update:
            for deadline in self._open(DeadlineKind.VICTIM_UPDATE, party):
                if deadline.starts_at <= at:
                    self._meet(deadline, at)
            self._update_open(party, at)
        what = f"{ContactMethod(step.method).label} {'to' if step.direction == Direction.OUT else 'from'} {party.full_name}"
        flags = [f for f, on in [("first contact", is_first), ("final update", step.final), ("update", is_update and not step.final),
                                 ("attempt, no contact made", not step.successful)] if on]
        self._timeline(at, TimelineKind.CONTACT, what + (f" ({', '.join(flags)})" if flags else ""), body=step.text,
                       changes=lambda: {"contact": contact.pk})
        if is_first and self.case.status == CaseStatus.NEW:
            self.case.status = CaseStatus.OPEN
            self._touch(at)
            self._timeline(at, TimelineKind.STATUS, "Status changed to open (investigating)", visibility=Visibility.RESIDENT,
                           changes=lambda: {"status": [CaseStatus.NEW, CaseStatus.OPEN]})

    def _meet(self, deadline, at):
        deadline.met_at = at
        deadline.breached = deadline.breached or at > deadline.due_at

    def _update_open(self, party, since):
        if is_reachable(party) and self.case.status != CaseStatus.CLOSED and not self._open(DeadlineKind.VICTIM_UPDATE, party):
            self._deadline(DeadlineKind.VICTIM_UPDATE, party, since, sla.update_due(since, self.case.risk_level),
                           sla.update_interval_days(self.case.risk_level))

    def risk(self, step):
        questions = self.w.questions
        answers = {q.pk: any(p in q.text.lower() for p in step.yes) for q in questions}
        score = sum(q.weight for q in questions if answers[q.pk])
        forced_by = [q.short_label or q.text for q in questions if q.forces_high and answers[q.pk]]
        level = self.w.question_set.level_for(score, forced_high=bool(forced_by))
        victim = next((p for p in self.parties if p.role == PartyRole.VICTIM), None) or self.reporter
        assessment = RiskAssessment(
            case=self.case, party=victim, question_set=self.w.question_set, score=score, level=level, notes=step.text,
            answers=[{"question": q.text, "weight": q.weight, "answer": answers[q.pk]} for q in questions],
            forced_by=forced_by, assessed_by=self.officer, assessed_at=step.at)
        self.w.assessments.append(assessment)
        before = self.case.risk_level
        summary = f"Risk assessed: {RiskLevel(level).label.lower()} (score {score})"
        if assessment.band_reason:
            summary = f"Risk assessed: {assessment.band_reason} (score {score})"
        if before != level:
            summary += f", was {RiskLevel(before).label.lower()}"
            self.case.risk_level = level
            self._touch(step.at)
            for deadline in self._open(DeadlineKind.VICTIM_UPDATE):
                deadline.due_at, deadline.interval_days = sla.update_due(deadline.starts_at, level), sla.update_interval_days(level)
        self._timeline(step.at, TimelineKind.RISK, summary, body=step.text,
                       changes=lambda: {"risk_level": [before, level]} if before != level else {})

    def note(self, step):
        self._timeline(step.at, TimelineKind.NOTE, step.text.strip().splitlines()[0], body=step.text)

    def monitoring(self, step):
        before = self.case.status
        self.case.status = CaseStatus.MONITORING
        self._touch(step.at)
        self._timeline(step.at, TimelineKind.STATUS, "Status changed to monitoring", visibility=Visibility.RESIDENT,
                       changes=lambda: {"status": [before, CaseStatus.MONITORING]})

    def close(self, step):
        before = self.case.status
        self.case.status, self.case.closure_reason, self.case.closed_at = CaseStatus.CLOSED, step.reason, step.at
        self._touch(step.at)
        for deadline in self._open():  # cases.services.deadlines.deadlines_cancel: one already overdue was missed
            deadline.cancelled_at, deadline.breached = step.at, deadline.breached or deadline.due_at < step.at
        self._timeline(step.at, TimelineKind.STATUS, f"Closed: {ClosureReason(step.reason).label.lower()}", body=step.text,
                       visibility=Visibility.RESIDENT,
                       changes=lambda: {"status": [before, CaseStatus.CLOSED], "closure_reason": [None, step.reason]})
        self.w.survey(self, step.at)


class _Writer:
    def __init__(self, users, closures, key_for, now):
        self.users, self.closures, self.key_for, self.now = users, closures, key_for, now
        self.categories = {c.slug: c for c in Category.objects.all()}
        self.question_set = risk_question_set_active()
        self.questions = list(self.question_set.questions.all())
        self.parties, self.reports, self.contacts, self.deadlines, self.assessments, self.timeline = [], [], [], [], [], []
        self.contacts_of = {}
        self.messages = []  # (message, callable filling its key and body once ids exist)
        self.invitations, self.responses, self.actions = [], [], []
        self.links = []

    def write(self, plans: list[CasePlan]) -> None:
        cases = []
        for plan in plans:
            state = _Case(self, plan)
            for step in plan.steps:
                if state.case.status == CaseStatus.CLOSED:  # cases.services.common.case_lock refuses it
                    raise ValueError(f"{plan.key}: {step.kind} after the case closed")
                if step.kind == "assign":
                    state.assign(step.at, step.username)
                else:
                    getattr(state, step.kind)(step)
            cases.append(state)
        self._references(cases)
        Case.objects.bulk_create([c.case for c in cases], batch_size=500)
        Party.objects.bulk_create(self.parties, batch_size=1000)
        ResidentLink.objects.bulk_create(self.links, batch_size=1000)
        Report.objects.bulk_create(self.reports, batch_size=500)
        Contact.objects.bulk_create(self.contacts, batch_size=1000)
        Deadline.objects.bulk_create(self.deadlines, batch_size=1000)
        RiskAssessment.objects.bulk_create(self.assessments, batch_size=1000)
        for entry, changes in self.timeline:
            entry.changes = changes() if changes else {}
        TimelineEntry.objects.bulk_create([entry for entry, _ in self.timeline], batch_size=1000)
        Invitation.objects.bulk_create(self.invitations, batch_size=1000)
        Response.objects.bulk_create(self.responses, batch_size=1000)
        self._you_said_we_did()
        CommentAction.objects.bulk_create([a for a, _ in self.actions])
        for message, fill in self.messages:
            fill(message)
        Message.objects.bulk_create([m for m, _ in self.messages], batch_size=1000)
        self._stamps(cases)

    def _references(self, cases) -> None:
        """cases.services.case_reference_next for each case, in the order received: one counter bump per year."""
        by_year = {}
        for state in cases:
            by_year.setdefault(state.case.received_at.astimezone(sla.LONDON).year, []).append(state.case)
        with connection.cursor() as cursor:
            for year, in_year in by_year.items():
                cursor.execute(
                    "INSERT INTO cases_casereferencecounter (year, last_number) VALUES (%s, %s) ON CONFLICT (year) DO UPDATE "
                    "SET last_number = cases_casereferencecounter.last_number + EXCLUDED.last_number RETURNING last_number",
                    [year, len(in_year)])
                (last,) = cursor.fetchone()
                for number, case in enumerate(in_year, start=last - len(in_year) + 1):
                    case.reference = f"ASB-{year}-{number:05d}"

    def _stamps(self, cases) -> None:
        """What auto_now and auto_now_add stamped "now" is set to when it happened (as under a travelled clock)."""
        ids = [c.case.pk for c in cases]
        for state in cases:
            state.case.created_at, state.case.updated_at = state.plan.received_at, state.touched
        Case.objects.bulk_update([c.case for c in cases], ["created_at", "updated_at"], batch_size=500)
        Party.objects.filter(case_id__in=ids).update(
            created_at=Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("received_at")[:1]))
        Report.objects.filter(case_id__in=ids).update(created_at=F("received_at"))
        Contact.objects.filter(case_id__in=ids).update(created_at=F("occurred_at"))
        Deadline.objects.filter(case_id__in=ids).update(created_at=F("starts_at"))
        TimelineEntry.objects.filter(case_id__in=ids).update(created_at=F("occurred_at"))
        Message.objects.filter(pk__in=[m.pk for m, _ in self.messages]).update(created_at=F("sent_at") - SENT_AFTER)
        for action, at in self.actions:
            CommentAction.objects.filter(pk=action.pk).update(recorded_at=at)
        with connection.cursor() as cursor:  # cases.services.search_document_refresh, for all of them at once
            cursor.execute(
                "UPDATE cases_case c SET search_document = (SELECT to_tsvector('english', coalesce(string_agg(r.description "
                "|| ' ' || r.impact, ' '), '')) FROM cases_report r WHERE r.case_id = c.id) WHERE c.id = ANY(%s)", [ids])

    # --- messages, written as sent ---
    def _message(self, at, channel, to, subject, fill) -> None:
        message = Message(channel=channel, to=to, subject=subject, status=MessageStatus.SENT, attempts=1, sent_at=at + SENT_AFTER)
        self.messages.append((message, fill))

    def acknowledgement(self, state: _Case, deadline: Deadline) -> None:
        """cases.services.intake._acknowledgement_queue."""
        report, reporter = state.report, state.reporter
        # The reporter's personal link to their case page, issued at intake (cases.services.resident_links).
        nonce = secrets.token_urlsafe(32)
        link = ResidentLink(case=state.case, party=reporter, nonce=nonce, token_digest=link_digest(nonce),
                            created_at=report.received_at)
        self.links.append(link)
        context = {"report": report, "reporter": reporter, "first_contact_due": deadline.due_at,
                   "council_name": settings.COUNCIL_NAME, "council_phone": settings.COUNCIL_PHONE, "link_url": link_url(link)}
        subject = "We have received your report: {}"
        channel = message_channel_for(reporter)
        if channel == "email":
            def fill(m, context=context):
                m.key, m.subject = f"report-ack:{report.pk}", subject.format(state.case.reference)
                m.body = render_to_string("emails/report_acknowledgement.txt", context)
            self._message(report.received_at, MessageChannel.EMAIL, reporter.email, "", fill)
        if channel == "text":
            def fill(m, context=context):
                m.key, m.body = f"report-ack-sms:{report.pk}", render_to_string("sms/report_acknowledgement.txt", context).strip()
            self._message(report.received_at, MessageChannel.SMS, reporter.phone, "", fill)

    def survey(self, state: _Case, closed_at) -> None:
        """surveys.services.surveys_sweep a minute after closing, then the resident (or staff by phone) answering."""
        reporters = {id(state.reporter)}
        people = [p for p in state.parties if (p.role in UPDATE_ROLES or id(p) in reporters) and not p.is_unknown
                  and survey_channel_for(p) is not None]
        for party in people:
            sent = closed_at + SWEEP_DELAY
            channel = survey_channel_for(party)
            invitation = Invitation(case=state.case, party=party, purpose=Purpose.CLOSURE, channel=channel, sent_at=sent,
                                    expires_at=sent + timedelta(days=settings.SURVEY_LINK_DAYS))
            self.invitations.append(invitation)
            plan = state.plan.survey if party is state.reporter else None
            answered = None
            if plan is not None and channel == SurveyChannel.PHONE:
                day = sla.add_working_days(sent.astimezone(sla.LONDON).date(), plan.phone_working_days, self.closures)
                answered = max(sent, sla.end_of_day(day) - timedelta(hours=13))  # about 11am
            elif plan is not None and plan.answers_link:
                answered = sent + plan.link_delay
            if answered is not None and answered >= self.now - timedelta(hours=1):
                answered = None  # not yet: the resident may still answer
            if channel != SurveyChannel.PHONE:
                self._invite_message(state, invitation, sent, reminder=False)
                remind_at = sent + timedelta(days=7) + SWEEP_DELAY
                if (answered is None or answered > remind_at) and remind_at < self.now - timedelta(hours=1):
                    invitation.reminded_at = remind_at
                    self._invite_message(state, invitation, remind_at, reminder=True)
            if answered is not None:
                invitation.responded_at = answered
                response = Response(invitation=invitation, comments=plan.comment, may_contact=plan.may_contact,
                                    taken_by_phone=channel == SurveyChannel.PHONE,
                                    entered_by=state.officer if channel == SurveyChannel.PHONE else None, officer=state.officer,
                                    category_name=state.category.name, report_channel=state.plan.channel, submitted_at=answered,
                                    **plan.answers)
                self.responses.append(response)

    def _invite_message(self, state, invitation, at, *, reminder):
        """surveys.services._send, with the link signed when it was sent."""
        party = invitation.party
        channel = MessageChannel.EMAIL if invitation.channel == SurveyChannel.EMAIL else MessageChannel.SMS
        to = party.email if channel == MessageChannel.EMAIL else party.phone

        def fill(m):
            url = f"{settings.SITE_URL.rstrip('/')}/survey/{_dated_token(invitation, at)}/"
            context = {"invitation": invitation, "url": url, "council_name": settings.COUNCIL_NAME, "reminder": reminder}
            m.key = f"survey-{'reminder' if reminder else 'invite'}:{invitation.pk}"
            if channel == MessageChannel.EMAIL:
                m.subject = (f"{'Reminder: ' if reminder else ''}How did we do? Your anti-social behaviour report "
                             f"{state.case.reference}")
                m.body = render_to_string("emails/survey_invitation.txt", context)
            else:
                m.body = render_to_string("sms/survey_invitation.txt", context).strip()
        self._message(at, channel, to, "", fill)

    def _you_said_we_did(self) -> None:
        """Two "you said, we did" answers to recent poor comments (in different months), once: never on a later run."""
        if CommentAction.objects.exists():
            return
        months, comments = set(), set()
        for response in sorted(self.responses, key=lambda r: r.submitted_at, reverse=True):
            answered = response.submitted_at.astimezone(sla.LONDON)
            at = sla.end_of_day(sla.add_working_days(answered.date(), 3, self.closures)) - timedelta(hours=8)
            month = (answered.year, answered.month)
            if response.comments in YOU_SAID_WE_DID.keys() - comments and at < self.now and month not in months:
                months.add(month)
                comments.add(response.comments)
                self.actions.append((CommentAction(response=response, text=YOU_SAID_WE_DID[response.comments],
                                                   recorded_by=self.users["manager"]), at))
            if len(months) == 2:
                return
