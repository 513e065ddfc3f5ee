"""Taking reports in, from either channel: cases, parties, evidence and the acknowledgement."""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import MessageChannel
from notifications.services import message_queue

from .. import hooks, sla
from ..contact_rules import message_channel_for
from ..evidence import evidence_check
from ..models import (
    Case,
    Category,
    Channel,
    Deadline,
    DeadlineKind,
    Evidence,
    Party,
    PartyRole,
    Report,
    TimelineKind,
    Visibility,
)
from ..ratelimits import counter_over
from ..validators import contact_method_problem, normalise_phone, normalise_postcode
from .common import CaseError, search_document_refresh, timeline_add
from .deadlines import first_contact_deadline_open
from .matching import party_blanks_fill, party_match_on_case
from .register import party_link, place_for
from .resident_links import link_url, resident_link_issue

logger = logging.getLogger(__name__)


class ReportError(CaseError):
    """A report that cannot be accepted as it stands (the message is for the user)."""


@dataclass
class ReportSubmission:
    """Everything a reporter tells us, whichever channel it came through."""

    category: Category
    description: str
    reporter_role: str  # PartyRole: victim, witness, or reporter (on someone's behalf)
    # Anything else happening besides the main category; the main one is dropped if repeated here.
    other_categories: list[Category] = field(default_factory=list)
    address: str = ""
    postcode: str = ""
    location_description: str = ""
    is_ongoing: bool = False
    incident_date: date | None = None
    incident_time: time | None = None
    frequency: str = ""
    impact: str = ""
    # Who is responsible: "named", "described" (unknown people or a group), or "unknown".
    perpetrator_known: str = "unknown"
    perpetrator_name: str = ""
    perpetrator_address: str = ""
    perpetrator_description: str = ""
    on_behalf_of: str = ""
    support_needs: list[str] = field(default_factory=list)
    support_details: str = ""
    hate_motivated: str = "no"
    hate_characteristics: list[str] = field(default_factory=list)
    is_anonymous: bool = False
    full_name: str = ""
    email: str = ""
    phone: str = ""
    reporter_address: str = ""
    reporter_postcode: str = ""
    customer_group: str = ""
    preferred_contact_method: str = ""
    best_times: str = ""
    consent_to_share: bool | None = None


def case_reference_next(*, year: int) -> str:
    """The next case reference for a year, e.g. ASB-2026-00042.

    One atomic upsert: concurrent transactions queue on the counter row, so no two
    cases ever get the same number, and a rolled-back report gives its number back.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO cases_casereferencecounter (year, last_number) VALUES (%s, 1)
            ON CONFLICT (year) DO UPDATE SET last_number = cases_casereferencecounter.last_number + 1
            RETURNING last_number
            """,
            [year],
        )
        (number,) = cursor.fetchone()
    return f"ASB-{year}-{number:05d}"


def _check_submission(data: ReportSubmission, *, now: datetime) -> None:
    """Business rules both channels share; forms check the same earlier to show field errors."""
    if not data.description.strip():
        raise ReportError("Describe what happened")
    if data.incident_date and data.incident_date > timezone.localdate(now):
        raise ReportError("The date of the incident must be today or in the past")
    if not (data.postcode or data.address or data.location_description):
        raise ReportError("Tell us where it happened")
    if not data.is_anonymous:
        if not data.full_name.strip():
            raise ReportError("Enter the reporter's name, or make the report anonymous")
        problem = contact_method_problem(
            method=data.preferred_contact_method,
            email=data.email,
            phone=data.phone,
            address=data.reporter_address,
            postcode=data.reporter_postcode,
        )
        if problem:
            raise ReportError(problem)


def report_submit(
    *,
    data: ReportSubmission,
    channel: str,
    submission_key: uuid.UUID,
    logged_by=None,
    existing_case: Case | None = None,
    staging_key: uuid.UUID | None = None,
    received_at: datetime | None = None,
) -> Report:
    """Take a report from either channel: create (or add to) a case, its parties and evidence.

    Idempotent on `submission_key`: sending the same submission twice (refresh, back
    button, double click, two tabs) returns the first report and creates nothing.
    """
    # A submission already taken is returned as it was, before any rule is checked again.
    earlier = Report.objects.select_related("case").filter(submission_key=submission_key).first()
    if earlier:
        return earlier
    received_at = received_at or timezone.now()
    if channel == Channel.PHONE and logged_by is None:
        raise ReportError("A phone report must record who logged it")
    _check_submission(data, now=received_at)
    try:
        with transaction.atomic():
            report = _report_create(
                data=data,
                channel=channel,
                submission_key=submission_key,
                logged_by=logged_by,
                existing_case=existing_case,
                staging_key=staging_key,
                received_at=received_at,
            )
    except IntegrityError:
        # The same submission raced us (double click) and won: return its report.
        earlier = Report.objects.select_related("case").filter(submission_key=submission_key).first()
        if earlier is None:
            raise
        return earlier
    return report


def _evidence_with_report_log(*, case, report, names: list[str], actor, occurred_at) -> None:
    """One timeline entry for the files a report brought: the timeline holds everything that happened."""
    count = f"{len(names)} file{'s' if len(names) != 1 else ''} added with the report"
    listed = ", ".join(names)
    # The summary holds 300 characters; the body keeps every name when they do not fit.
    summary = f"{count}: {listed}"
    if len(summary) > 300:
        summary = f"{count}: {listed[: 298 - len(count) - 2]}…"
    timeline_add(
        case=case, actor=actor, kind=TimelineKind.EVIDENCE, summary=summary,
        body="\n".join(names) if summary.endswith("…") else "",
        changes={"report": report.pk, "files": len(names)}, visibility=Visibility.STAFF, occurred_at=occurred_at,
    )


def _report_create(*, data, channel, submission_key, logged_by, existing_case, staging_key, received_at) -> Report:
    if existing_case is not None:
        case = Case.objects.select_for_update().get(pk=existing_case.pk)
        if not case.is_open:
            raise ReportError(f"Case {case.reference} is closed: start a new case instead")
    else:
        case = Case.objects.create(
            reference=case_reference_next(year=received_at.astimezone(sla.LONDON).year),
            category=data.category,
            address=data.address,
            postcode=normalise_postcode(data.postcode) if data.postcode else "",
            location_description=data.location_description,
            received_at=received_at,
            place=place_for(address=data.address, postcode=data.postcode),
        )

    # A report added to a case names people who may be on it already (she reported online, then phoned):
    # they keep one record each, so one first contact, one update clock, one final update, one survey.
    def person(**values) -> Party:
        return _party_take(case=case, reuse=existing_case is not None, actor=logged_by, values=values)

    reporter = None
    if not data.is_anonymous:
        reporter = person(
            role=data.reporter_role,
            full_name=data.full_name.strip(),
            email=data.email.strip().lower(),
            phone=data.phone.strip(),
            address=data.reporter_address,
            postcode=normalise_postcode(data.reporter_postcode) if data.reporter_postcode else "",
            preferred_contact_method=data.preferred_contact_method,
            best_times=data.best_times,
            customer_group=data.customer_group,
            support_needs=data.support_needs,
            support_details=data.support_details,
            consent_to_share=data.consent_to_share,
        )
    victim = None
    if data.on_behalf_of.strip():
        victim = person(role=PartyRole.VICTIM, full_name=data.on_behalf_of.strip())
    if data.perpetrator_known == "named" and data.perpetrator_name.strip():
        person(
            role=PartyRole.PERPETRATOR,
            full_name=data.perpetrator_name.strip(),
            address=data.perpetrator_address,
            description=data.perpetrator_description,
        )
    elif data.perpetrator_known == "described" and data.perpetrator_description.strip():
        person(role=PartyRole.PERPETRATOR, is_unknown=True, description=data.perpetrator_description.strip())

    report = Report.objects.create(
        case=case,
        channel=channel,
        received_at=received_at,
        logged_by=logged_by,
        reporter=reporter,
        reporter_role=data.reporter_role,
        on_behalf_of=victim,
        is_anonymous=data.is_anonymous,
        category=data.category,
        address=data.address,
        postcode=normalise_postcode(data.postcode) if data.postcode else "",
        location_description=data.location_description,
        is_ongoing=data.is_ongoing,
        incident_date=data.incident_date,
        incident_time=data.incident_time,
        frequency=data.frequency,
        description=data.description,
        impact=data.impact,
        hate_motivated=data.hate_motivated,
        hate_characteristics=data.hate_characteristics,
        submission_key=submission_key,
    )
    also = [c for c in data.other_categories if c.pk != data.category.pk]
    if also:
        report.other_categories.set(also)
    attached = []
    if staging_key is not None:
        staged = Evidence.objects.filter(staging_key=staging_key, case__isnull=True)
        attached = list(staged.order_by("uploaded_at", "original_name").values_list("original_name", flat=True))
        staged.update(case=case, report=report, staging_key=None)
    if data.hate_motivated == "yes" and not case.hate_motivated:
        case.hate_motivated = True
        case.save(update_fields=["hate_motivated", "updated_at"])

    how = "by phone" if channel == Channel.PHONE else "online"
    who = "anonymous" if data.is_anonymous else reporter.full_name
    timeline_add(
        case=case,
        actor=logged_by,
        kind=TimelineKind.REPORT,
        summary=f"Report received {how} from {who}" + ("" if existing_case is None else ", added to this case"),
        body=data.description + (f"\n\nAlso happening: {', '.join(c.name for c in also)}" if also else ""),
        # The case page reads what else is happening from here, with the timeline it has already loaded.
        changes={"report": report.pk, "channel": channel, **({"also_happening": [c.name for c in also]} if also else {})},
        visibility=Visibility.RESIDENT,
        occurred_at=received_at,
    )
    if attached:
        _evidence_with_report_log(case=case, report=report, names=attached, actor=logged_by, occurred_at=received_at)
    search_document_refresh(case.pk)
    deadline = first_contact_deadline_open(report=report)
    if deadline is None and reporter is not None:
        # A reporter already on the case keeps the first-contact deadline she has: her acknowledgement gives its date.
        deadline = Deadline.objects.open().filter(kind=DeadlineKind.FIRST_CONTACT, party=reporter).first()
    notes = hooks.report_taken(report=report)  # apps above cases (Case Review) react, in this transaction
    if reporter is not None:
        _acknowledgement_queue(report=report, reporter=reporter, deadline=deadline, added_to_case=existing_case is not None,
                               notes=notes)
    return report


def _party_take(*, case: Case, reuse: bool, actor, values: dict) -> Party:
    """The person a report names: their record already on the case (blank details filled in from this
    report, the change on the timeline), or a new record."""
    if reuse:
        same = party_match_on_case(
            case=case, role=values["role"], full_name=values.get("full_name", ""), email=values.get("email", ""),
            phone=values.get("phone", ""), address=values.get("address", ""), postcode=values.get("postcode", ""),
            description=values.get("description", ""),
        )
        if same is not None:
            changes = party_blanks_fill(party=same, values=values)
            if changes:
                timeline_add(case=case, actor=actor, kind=TimelineKind.EDIT, summary=f"Details of {same} added from a new report",
                             changes=changes)
                party_link(party=same, actor=actor)  # the register hears the new details too
            return same
    party = Party.objects.create(case=case, phone_normalised=normalise_phone(values.get("phone", "")), **values)
    party_link(party=party, actor=actor, fresh=True)  # their one record across cases (cases.services.register)
    return party


MESSAGE_FAILED_HOOK = "cases.tasks.message_failed"


def _acknowledgement_queue(*, report: Report, reporter: Party, deadline: Deadline | None, added_to_case: bool = False,
                           notes: list[hooks.AcknowledgementNote] = ()) -> None:
    """By the reporter's preferred method only: email or text message. Phone and letter get no automatic
    message (someone may prefer them for their safety); the officer's first-contact task covers them. Every
    named reporter gets their personal case-page link here (letters and updates carry it later), sent or not.

    A report added to an open case gets its own short message ("we have added your call to ASB-…"), never one
    that reads like a new report; it gives a first-contact date only while one is still owed to the reporter."""
    template = "report_added.txt" if added_to_case else "report_acknowledgement.txt"
    # Their personal link to the case page, issued in this transaction (a report added to a case keeps the live one).
    link = resident_link_issue(case=report.case, party=reporter, actor=report.logged_by, fresh=not added_to_case)
    context = {
        "link_url": link_url(link),
        "report": report,
        "reporter": reporter,
        # The stored deadline just opened (never recomputed here): the date the dashboard will judge us by.
        "first_contact_due": deadline.due_at if deadline else None,
        "council_name": settings.COUNCIL_NAME,
        "council_phone": settings.COUNCIL_PHONE,
        # Paragraphs from apps above cases (cases.hooks): the Case Review explained at a second report.
        "notes": [n.email for n in notes if n.email],
        "sms_notes": [n.sms for n in notes if n.sms],
    }
    channel = message_channel_for(reporter)
    if channel == "email":
        message_queue(
            channel=MessageChannel.EMAIL,
            to=reporter.email,
            subject=(f"We have added your {'call' if report.channel == Channel.PHONE else 'new report'} to your report: "
                     if added_to_case else "We have received your report: ") + report.case.reference,
            body=render_to_string(f"emails/{template}", context),
            key=f"report-ack:{report.pk}",
            on_failure=MESSAGE_FAILED_HOOK,
        )
    if channel == "text":
        message_queue(
            channel=MessageChannel.SMS,
            to=reporter.phone,
            subject="",
            body=render_to_string(f"sms/{template}", context).strip(),
            key=f"report-ack-sms:{report.pk}",
            on_failure=MESSAGE_FAILED_HOOK,
        )


# Any staging takes this transaction-scoped lock, so two requests cannot both pass the limits below.
STAGING_LOCK = 0x45564944  # "EVID"


def evidence_stage(*, staging_key: uuid.UUID, uploaded, client_address: str) -> Evidence:
    """Keep a file a resident uploaded before sending the report. Raises ValidationError with a message for them.

    Anyone can upload without sending a report, so staged files are limited: EVIDENCE_MAX_FILES files
    and EVIDENCE_SESSION_MAX_BYTES per journey (the staging key, one per session: starting again
    discards the old one's files), EVIDENCE_UPLOAD_RATE files per client address, and
    EVIDENCE_STAGED_MAX_BYTES staged across everyone, beyond which online uploads pause.
    """
    checked = evidence_check(uploaded)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [STAGING_LOCK])
        mine = Evidence.objects.filter(staging_key=staging_key, case__isnull=True).aggregate(files=Count("pk"), size=Sum("size"))
        if mine["files"] >= settings.EVIDENCE_MAX_FILES:
            raise ValidationError(f"You can upload up to {settings.EVIDENCE_MAX_FILES} files", code="too_many")
        if (mine["size"] or 0) + checked.size > settings.EVIDENCE_SESSION_MAX_BYTES:
            limit = filesizeformat(settings.EVIDENCE_SESSION_MAX_BYTES)
            raise ValidationError(
                f"The selected file {uploaded.name} would take your files over {limit} in total. "
                "Remove a file, or choose a smaller one",
                code="journey_full",
            )
        staged = Evidence.objects.filter(case__isnull=True).aggregate(size=Sum("size"))["size"] or 0
        if staged + checked.size > settings.EVIDENCE_STAGED_MAX_BYTES:
            logger.warning("Evidence staging paused: %s bytes staged across all journeys", staged)
            raise ValidationError(
                "We cannot take files online at the moment. Continue without them: "
                "the officer who contacts you can ask for them",
                code="store_full",
            )
        if counter_over(group="evidence-stage", key=client_address, rate=settings.EVIDENCE_UPLOAD_RATE, increment=True):
            raise ValidationError(
                "You have uploaded a lot of files in a short time. Continue without more files, or try again later",
                code="rate_limited",
            )
        return Evidence.objects.create(
            staging_key=staging_key,
            file=uploaded,
            original_name=uploaded.name[:255],
            content_type=checked.content_type,
            size=checked.size,
            uploaded_at=timezone.now(),
        )


def evidence_staged_discard(*, staging_key: uuid.UUID) -> int:
    """Remove every file staged under a journey that was abandoned (the resident started again)."""
    discarded = 0
    for evidence in Evidence.objects.filter(staging_key=staging_key, case__isnull=True):
        evidence.file.delete(save=False)
        evidence.delete()
        discarded += 1
    return discarded


def evidence_unstage(*, staging_key: uuid.UUID, evidence_id) -> None:
    """Remove a staged file the resident no longer wants to send."""
    for evidence in Evidence.objects.filter(staging_key=staging_key, case__isnull=True, pk=evidence_id):
        evidence.file.delete(save=False)
        evidence.delete()


def evidence_purge_abandoned(*, older_than: timedelta = timedelta(days=1)) -> int:
    """Delete staged files from online reports that were never sent."""
    cutoff = timezone.now() - older_than
    purged = 0
    for evidence in Evidence.objects.filter(case__isnull=True, uploaded_at__lt=cutoff):
        evidence.file.delete(save=False)
        evidence.delete()
        purged += 1
    return purged
