"""People's rights requests (UK GDPR): recording one with its statutory deadline, extending it, third parties and
their redaction, releasing an access bundle, closing with an outcome, and the deadline sweep.

A request is not part of any case file, so it writes no case timeline entry: the request row records who did what
(recorded_by, closed_by, Release), and every bundle download goes to the access log.
"""

import calendar
import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from cases import sla
from cases.models import Party, Person
from cases.policy import Can, users_who_can
from notifications.models import MessageChannel
from notifications.services import OutgoingMessage, messages_queue_many

from ..models import Release, RequestKind, RightsRequest, RightsRequestAlert, ThirdParty

OPEN = (RightsRequest.Status.OPEN, RightsRequest.Status.EXTENDED)
REMINDER_DAYS_BEFORE = 7
EXTENSION_MONTHS = 2


class RightsError(Exception):
    """A change that cannot be made as asked. The message is shown to the user as it is."""


# --- the deadline ------------------------------------------------------------------------------------------

def months_after(day: date, months: int) -> date:
    """The corresponding date `months` calendar months later; the month's last day when there is none
    (31 January + 1 month = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_working_day(day: date) -> date:
    """`day` itself if it is a working day, else the next one. Weekends and England & Wales bank holidays only:
    a council closure day does not move a statutory deadline (the ICO counts public holidays, nothing else)."""
    return sla.add_working_days(day, 0, closures=())


def rights_due_on(received_on: date) -> date:
    """One calendar month (ICO): received 3 September, due 3 October; 31 January, due the last day of February;
    a due date on a weekend or bank holiday moves to the next working day."""
    return next_working_day(months_after(received_on, 1))


def rights_extended_due_on(received_on: date) -> date:
    """Two further months, counted from the original corresponding date (before any weekend move), by the same rule."""
    return next_working_day(months_after(months_after(received_on, 1), EXTENSION_MONTHS))


# --- outcomes, as data -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class OutcomeBasis:
    key: str
    label: str
    kinds: tuple[str, ...]  # which kinds of request it applies to
    status: str  # what closing with it means: done or refused


_ALL = tuple(RequestKind.values)
OUTCOME_BASES: list[OutcomeBasis] = [
    OutcomeBasis("complied", "Complied with in full", _ALL, RightsRequest.Status.DONE),
    OutcomeBasis("complied_in_part", "Complied with in part (the reasons are in the outcome)", _ALL, RightsRequest.Status.DONE),
    OutcomeBasis("no_data", "We hold no personal data about them", _ALL, RightsRequest.Status.DONE),
    OutcomeBasis("public_task", "Refused: needed for our public task (UK GDPR Art 17(3)(b))", (RequestKind.ERASURE,),
                 RightsRequest.Status.REFUSED),
    OutcomeBasis("legal_obligation", "Refused: needed to meet a legal obligation (Art 17(3)(b))", (RequestKind.ERASURE,),
                 RightsRequest.Status.REFUSED),
    OutcomeBasis("legal_claims", "Refused: needed for legal claims (Art 17(3)(e), Art 18(2))",
                 (RequestKind.ERASURE, RequestKind.RESTRICTION), RightsRequest.Status.REFUSED),
    OutcomeBasis("others_rights", "Refused: to protect another person's rights (Art 18(2))", (RequestKind.RESTRICTION,),
                 RightsRequest.Status.REFUSED),
    OutcomeBasis("accurate", "Refused: the data is accurate (their view is recorded on the file)", (RequestKind.RECTIFICATION,),
                 RightsRequest.Status.REFUSED),
    OutcomeBasis("crime", "Refused: crime and taxation exemption (DPA 2018 Sch 2 para 2)", (RequestKind.ACCESS,),
                 RightsRequest.Status.REFUSED),
    OutcomeBasis("unfounded", "Refused: manifestly unfounded or excessive (Art 12(5))", _ALL, RightsRequest.Status.REFUSED),
    OutcomeBasis("identity", "Refused: we could not confirm who they are (Art 12(6))", _ALL, RightsRequest.Status.REFUSED),
]
BASES_BY_KEY = {b.key: b for b in OUTCOME_BASES}


def outcome_bases_for(kind: str) -> list[OutcomeBasis]:
    return [b for b in OUTCOME_BASES if kind in b.kinds]


# --- recording, extending, closing -------------------------------------------------------------------------

def _locked(request: RightsRequest) -> RightsRequest:
    return RightsRequest.objects.select_for_update().get(pk=request.pk)


@transaction.atomic
def rights_request_record(*, kind: str, received_on: date, person: Person | None = None, details: str = "", actor) -> RightsRequest:
    """Record a request with its stored deadline; for an access request, list the third parties at once."""
    if kind not in RequestKind.values:
        raise RightsError("Choose what kind of request it is")
    if received_on > timezone.localdate():
        raise RightsError("The date received cannot be in the future")
    request = RightsRequest.objects.create(
        kind=kind, received_on=received_on, due_on=rights_due_on(received_on), person=person, details=details, recorded_by=actor,
    )
    if kind == RequestKind.ACCESS and person is not None:
        third_parties_list(request=request)
    return request


@transaction.atomic
def rights_request_identify(*, request: RightsRequest, person: Person, actor) -> RightsRequest:
    """Say who a request recorded as "not yet identified" is from (the deadline still runs from receipt)."""
    request = _locked(request)
    if request.status not in OPEN:
        raise RightsError("This request is closed")
    if request.person_id is not None:
        raise RightsError("This request already names the person it is from")
    request.person = person
    request.save(update_fields=["person"])
    if request.kind == RequestKind.ACCESS:
        third_parties_list(request=request)
    return request


@transaction.atomic
def rights_request_extend(*, request: RightsRequest, reason: str, actor) -> RightsRequest:
    """Extend by two months, once, with a reason. The ICO expects the requester to be told within the first
    month, so an extension after the original due date is refused."""
    request = _locked(request)
    if not reason.strip():
        raise RightsError("Give the reason for the extension")
    if request.status == RightsRequest.Status.EXTENDED:
        raise RightsError("This request has already been extended: it can be extended only once")
    if request.status not in OPEN:
        raise RightsError("This request is closed")
    if timezone.localdate() > request.due_on:
        raise RightsError(f"Too late to extend: the requester had to be told by {request.due_on:%-d %B %Y}, the original due date")
    request.due_on = rights_extended_due_on(request.received_on)
    request.extended_reason = reason.strip()[:300]
    request.status = RightsRequest.Status.EXTENDED
    request.save(update_fields=["due_on", "extended_reason", "status"])
    return request


@transaction.atomic
def rights_request_close(*, request: RightsRequest, status: str, outcome: str, outcome_basis: str, actor) -> RightsRequest:
    """Close with an outcome and its basis (OUTCOME_BASES): done, or refused with the exemption relied on."""
    request = _locked(request)
    if request.status not in OPEN:
        raise RightsError("This request is already closed")
    basis = BASES_BY_KEY.get(outcome_basis)
    if basis is None or request.kind not in basis.kinds:
        raise RightsError("Choose the basis of the outcome from the list")
    if status != basis.status:
        raise RightsError(f"“{basis.label}” closes the request as {RightsRequest.Status(basis.status).label.lower()}")
    if not outcome.strip():
        raise RightsError("Say what was done and why")
    request.status = status
    request.outcome = outcome.strip()
    request.outcome_basis = basis.key
    request.closed_at = timezone.now()
    request.closed_by = actor
    request.save(update_fields=["status", "outcome", "outcome_basis", "closed_at", "closed_by"])
    return request


# --- third parties and release -----------------------------------------------------------------------------

def live_person(person: Person) -> Person:
    """The record a person's parties are on now: a request made before a merge follows the record it merged into."""
    seen = set()
    while person.merged_into_id and person.pk not in seen:
        seen.add(person.pk)
        person = Person.objects.get(pk=person.merged_into_id)
    return person


def subject_parties(person: Person):
    """The person's parts in cases: every party linked to their register record."""
    return Party.objects.filter(person=live_person(person))


def third_parties_query(person: Person):
    """Everyone else on the person's cases (other victims, witnesses, perpetrators, reporters, unknown groups)."""
    person = live_person(person)
    own = subject_parties(person)
    return Party.objects.filter(case__in=own.values("case")).exclude(pk__in=own.values("pk")).exclude(person=person)


@transaction.atomic
def third_parties_list(*, request: RightsRequest) -> int:
    """Add a ThirdParty row (redact, undecided) for each other person on the requester's cases not yet listed.
    Returns how many were added; running it again adds only people who joined the cases since."""
    if request.kind != RequestKind.ACCESS or request.person_id is None:
        return 0
    listed = ThirdParty.objects.filter(request=request).values("party_id")
    party_ids = list(third_parties_query(request.person).exclude(pk__in=listed).values_list("pk", flat=True))
    # ignore_conflicts: a second listing running at the same moment adds nothing twice (the unique constraint).
    ThirdParty.objects.bulk_create([ThirdParty(request=request, party_id=pk) for pk in party_ids], ignore_conflicts=True)
    return len(party_ids)


@transaction.atomic
def third_party_decide(*, third_party: ThirdParty, decision: str, reason: str, actor) -> ThirdParty:
    """Redact or disclose one third party. Disclosing needs a reason (their consent, or why it is reasonable)."""
    if third_party.request.status not in OPEN:
        raise RightsError("This request is closed")
    if decision not in ThirdParty.Decision.values:
        raise RightsError("Choose whether to redact or disclose them")
    if decision == ThirdParty.Decision.DISCLOSE and not reason.strip():
        raise RightsError("Give the reason for disclosing them: their consent, or why it is reasonable without it")
    third_party.decision = decision
    third_party.reason = reason.strip()[:300]
    third_party.decided_by = actor
    third_party.save(update_fields=["decision", "reason", "decided_by"])
    return third_party


def release_blockers(request: RightsRequest) -> list[str]:
    """Why the bundle cannot be released yet (empty when it can)."""
    if request.kind != RequestKind.ACCESS:
        return ["Only an access request has a bundle to release"]
    if request.status not in OPEN:
        return ["This request is closed"]
    if request.person_id is None:
        return ["Identify the person before releasing anything"]
    problems = []
    listed = ThirdParty.objects.filter(request=request)
    missing = third_parties_query(request.person).exclude(pk__in=listed.values("party_id")).count()
    if missing:
        problems.append(f"{missing} more people have joined the person's cases since the third parties were listed")
    undecided = listed.filter(decided_by__isnull=True).count()
    if undecided:
        problems.append(f"Decide whether to redact or disclose {undecided} third {'party' if undecided == 1 else 'parties'}")
    return problems


@transaction.atomic
def access_release(*, request: RightsRequest, method: str, actor) -> Release:
    """Release the access bundle: refused until every third party has a decision. Stores the bundle's digest and
    size (never the bundle), marks the request released and closes it."""
    from ..bundle import access_bundle_build

    request = _locked(request)
    if not method.strip():
        raise RightsError("Say how the bundle was sent")
    problems = release_blockers(request)
    if problems:
        raise RightsError(". ".join(problems))
    data = access_bundle_build(request=request)
    release = Release.objects.create(
        request=request, released_by=actor, sha256=hashlib.sha256(data).hexdigest(), size=len(data), method=method.strip()[:100],
    )
    request.status = RightsRequest.Status.RELEASED
    request.outcome = f"Bundle released by {release.method}"
    request.outcome_basis = "complied"
    request.closed_at = release.released_at
    request.closed_by = actor
    request.save(update_fields=["status", "outcome", "outcome_basis", "closed_at", "closed_by"])
    return release


# --- the deadline sweep ------------------------------------------------------------------------------------

class Stage:
    REMINDER = "reminder"
    BREACH = "breach"


def _stage(request: RightsRequest, today: date) -> str | None:
    if today > request.due_on:
        return Stage.BREACH
    if today >= request.due_on - timedelta(days=REMINDER_DAYS_BEFORE):
        return Stage.REMINDER
    return None


def _alerts_insert(wanted: list[tuple[int, str, date]]) -> set[tuple[int, str, date]]:
    """Insert alert rows; return only those this call inserted (the rest already existed)."""
    if not wanted:
        return set()
    placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(wanted))
    now = timezone.now()
    params = [v for row in wanted for v in (*row, now)]
    table = RightsRequestAlert._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (request_id, stage, due_on, created_at) VALUES {placeholders} "
            "ON CONFLICT (request_id, stage, due_on) DO NOTHING RETURNING request_id, stage, due_on",
            params,
        )
        return {(row[0], row[1], row[2]) for row in cursor.fetchall()}


@dataclass
class RightsSweepResult:
    claimed: int = 0
    reminders: int = 0
    breaches: int = 0
    messages: int = 0

    def __str__(self):
        return (f"Checked {self.claimed} open rights requests: {self.reminders} reminders, {self.breaches} breach alerts; "
                f"{self.messages} messages queued.")


def rights_requests_sweep(*, now: datetime | None = None) -> RightsSweepResult:
    """Remind managers 7 days before a request falls due and alert them the day after it is missed: once per
    request, stage and due date (an extension brings a new due date, so a new reminder). The emails carry the
    request number and due date only, never the person."""
    now = now or timezone.now()
    today = now.astimezone(sla.LONDON).date()
    result = RightsSweepResult()
    with transaction.atomic():
        rows = list(
            RightsRequest.objects.filter(status__in=OPEN, closed_at__isnull=True,
                                         due_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE))
            .select_for_update(skip_locked=True)
            .order_by("due_on", "id")
        )
        result.claimed = len(rows)
        by_id = {r.pk: r for r in rows}
        wanted = [(r.pk, stage, r.due_on) for r in rows if (stage := _stage(r, today))]
        inserted = _alerts_insert(wanted)
        if not inserted:
            return result
        managers = list(users_who_can(Can.MANAGE_PRIVACY).exclude(email="").order_by("pk"))
        outgoing = []
        for request_id, stage, due_on in sorted(inserted):
            request = by_id[request_id]
            if stage == Stage.BREACH:
                result.breaches += 1
            else:
                result.reminders += 1
            context = {"request": request, "stage": stage, "due_on": due_on, "days_left": (due_on - today).days,
                       "url": f"{settings.SITE_URL.rstrip('/')}/staff/privacy/requests/{request.pk}/"}
            subject = (f"Rights request {request.pk} is overdue: it was due on {due_on:%-d %B %Y}" if stage == Stage.BREACH
                       else f"Rights request {request.pk} is due on {due_on:%-d %B %Y}")
            body = render_to_string("privacy/requests/alert_email.txt", context)
            for user in managers:
                outgoing.append(OutgoingMessage(
                    channel=MessageChannel.EMAIL, to=user.email, subject=subject, body=body,
                    key=f"rights:{request_id}:{stage}:{due_on.isoformat()}:{user.pk}",
                ))
        result.messages = len(messages_queue_many(outgoing))
    return result
