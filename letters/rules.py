"""The rules a letter or notice must meet before it is made: CPW before CPN, who may receive each kind, closure
hearings within 48 hours. Pure reads; letters.services.documents refuses with the reason these give."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cases.models import ActionType, Party, PartyRole

from .models import Document, DocumentKind

LONDON = ZoneInfo("Europe/London")

# Kinds whose recipient must be a named alleged perpetrator (a warning or contract is to the person behaving badly).
PERPETRATOR_KINDS = (DocumentKind.WARNING, DocumentKind.ABC, DocumentKind.CPW, DocumentKind.CPN)
# Notices the 2014 Act ties to a person who can be found: named, with an address, old enough (ActionType.minimum_age).
NOTICE_KINDS = (DocumentKind.CPW, DocumentKind.CPN)
# Letters to the people owed contact and updates (victims, complainants, reporters on someone's behalf).
RESIDENT_LETTER_KINDS = (DocumentKind.FIRST_CONTACT, DocumentKind.UPDATE)
RESIDENT_ROLES = (PartyRole.VICTIM, PartyRole.COMPLAINANT, PartyRole.REPORTER)
# Serving these records an action against the perpetrator (cases.ActionType slugs).
ACTION_SLUGS = {
    DocumentKind.WARNING: "warning-letter",
    DocumentKind.ABC: "abc",
    DocumentKind.CPW: "cpw",
    DocumentKind.CPN: "cpn",
    DocumentKind.CLOSURE_NOTICE: "closure-notice",
}
# A closure notice's court hearing must be within 48 hours of service (s.80(2)), Christmas Day disregarded (s.80(3)).
# Checked against when it is made, and again against when it is recorded as served.
CLOSURE_HEARING_WITHIN = timedelta(hours=48)


def parse_day(value) -> date | None:
    """A stored date value ("2026-12-14", "14 December 2026", "Monday 14 December 2026") or a date, else None."""
    if isinstance(value, datetime):
        return value.astimezone(LONDON).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    text = str(value or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        pass
    text = re.sub(r"^[A-Za-z]+day,?\s+", "", text)
    for fmt in ("%d %B %Y", "%d %b %Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def parse_moment(value) -> datetime | None:
    """A stored date and time (a datetime, ISO 8601 text, or "14:00 on 3 November 2026"; London time when it has no
    offset), else None."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=LONDON)
    text = str(value or "").strip()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        # As a document's values hold it (letters.fields.format_datetime): "14:00 on 3 November 2026", London.
        try:
            moment = datetime.strptime(text, "%H:%M on %d %B %Y")
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=LONDON)


def cpn_refusal(case, recipient: Party | None, on: datetime) -> str | None:
    """Why a Community Protection Notice to `recipient` cannot be made at `on`, or None when it can.

    s.43(5): a notice only after a written warning, and after the person has had time to comply. So: a CPW on this
    case to the same person, recorded as served before `on`, not withdrawn, whose comply-by date (London) has passed.
    """
    if recipient is None:
        return "Choose the person the Community Protection Notice is for"
    warnings = list(Document.objects.filter(case=case, recipient=recipient, kind=DocumentKind.CPW, withdrawn_at__isnull=True)
                    .order_by("sent_at", "created_at"))
    if not warnings:
        return (f"A Community Protection Notice needs a Community Protection Warning served on {recipient} first, "
                "on this case: there is none")
    served = [w for w in warnings if w.sent_at is not None and w.sent_at < on]
    if served:
        # A warning served on or after its own comply-by day gave no time to comply (s.43(5)(b)): it does not count.
        timely = [w for w in served if (parse_day((w.values or {}).get("comply_by")) or date.max)
                  > w.sent_at.astimezone(LONDON).date()]
        if not timely:
            return (f"The Community Protection Warning to {recipient} was served on or after the date it gave to "
                    "comply, so it gave no time to comply: serve a new warning with a later date first")
        served = timely
    if not served:
        return (f"The Community Protection Warning to {recipient} has not been recorded as served yet: record it as "
                "served, and wait until the date it gave to comply has passed")
    today = on.astimezone(LONDON).date()
    comply_dates = [parse_day((w.values or {}).get("comply_by")) for w in served]
    passed = [d for d in comply_dates if d is not None and d < today]
    if not passed:
        known = sorted(d for d in comply_dates if d is not None)
        when = f" ({known[-1]:%-d %B %Y})" if known else ""
        return (f"{recipient} still has time to comply with the Community Protection Warning{when}: a Notice can be "
                "made once that date has passed")
    return None


def cpn_allowed(case, recipient: Party | None, on: datetime) -> bool:
    """Whether a CPN to `recipient` may be made at `on` (see cpn_refusal)."""
    return cpn_refusal(case, recipient, on) is None


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def recipient_refusal(*, kind: str, recipient: Party | None, case, on: datetime) -> str | None:
    """Why `recipient` cannot receive a document of `kind` on `case`, or None."""
    label = DocumentKind(kind).label
    if kind == DocumentKind.CASE_REVIEW_OUTCOME:
        return None  # to the applicant, from the Case Review application
    if recipient is None:
        if kind == DocumentKind.CLOSURE_NOTICE:
            return None  # served on the premises
        return f"Choose who the {label.lower()} is for"
    if recipient.case_id != case.pk:
        return "Choose someone on this case"
    if kind in RESIDENT_LETTER_KINDS:
        if recipient.role not in RESIDENT_ROLES or recipient.is_unknown:
            return f"A {label.lower()} goes to a named victim, complainant or reporter"
        return None
    if kind in PERPETRATOR_KINDS:
        if recipient.role != PartyRole.PERPETRATOR:
            return f"A {label} is for an alleged perpetrator on this case"
        if recipient.is_unknown or not recipient.full_name.strip():
            return f"A {label} must name the person: add their name to the case first"
    if kind in NOTICE_KINDS:
        if not recipient.address.strip():
            return f"A {label} needs the person's address: add it to the case first"
        action_type = ActionType.objects.filter(slug=ACTION_SLUGS[kind]).first()
        minimum = action_type.minimum_age if action_type else None
        if minimum and recipient.date_of_birth:
            age = age_on(recipient.date_of_birth, on.astimezone(LONDON).date())
            if age < minimum:
                return f"A {label} can only be given to someone aged {minimum} or over; {recipient} is {age}"
    return None


def _christmas_day(year: int) -> tuple[datetime, datetime]:
    """Christmas Day in London, as a UTC interval [start, end)."""
    start = datetime.combine(date(year, 12, 25), time(0), tzinfo=LONDON).astimezone(UTC)
    end = datetime.combine(date(year, 12, 26), time(0), tzinfo=LONDON).astimezone(UTC)
    return start, end


def closure_hearing_latest(on: datetime) -> datetime:
    """The end of the 48 hours after `on` in which a closure order application must be heard, Christmas Day
    disregarded (s.80(2)-(3)): time that falls on 25 December (London) does not count. Real elapsed hours (UTC), so
    a clock change does not move it."""
    at = on.astimezone(UTC)
    remaining = CLOSURE_HEARING_WITHIN
    while True:
        start, end = _christmas_day(at.astimezone(LONDON).year)
        if at >= end:  # after this year's Christmas Day: the next one is a year away, far beyond 48 hours
            return at + remaining
        if at >= start:  # on Christmas Day: the count starts at midnight
            at = end
            continue
        if at + remaining <= start:
            return at + remaining
        remaining -= start - at
        at = end


def closure_hearing_refusal(hearing_at, on: datetime, *, served: bool = False) -> str | None:
    """A closure notice's hearing must be after `on` and within 48 hours of it (Christmas Day disregarded). `served`:
    `on` is when the notice was served (the words then say so)."""
    moment = parse_moment(hearing_at)
    if moment is None:
        # Made documents always hold a readable hearing (checked when made); only a new one can lack it.
        return None if served else "Enter the date and time of the court hearing"
    if moment <= on:
        if served:
            return ("The court hearing was before the closure notice was served: a notice served after its hearing "
                    "cannot be used. Make a new closure notice with a new hearing")
        return "The court hearing must be in the future"
    if moment > closure_hearing_latest(on):
        if served:
            return ("The court hearing is more than 48 hours after the closure notice was served (Christmas Day not "
                    "counted): make a new closure notice with a hearing within 48 hours of serving it")
        return "The court hearing must be within 48 hours of the closure notice (Christmas Day not counted)"
    return None


def comply_by_refusal(kind: str, value, on: datetime, *, review=None) -> str | None:
    """A date the notice or contract gives must be ahead of the day it is made (London): a Community Protection
    Warning's or Notice's date to comply by (the person must have time to comply; s.43(5) for the warning), an
    Acceptable Behaviour Contract's review date. None when fine (a missing date is the required-field check's)."""
    today = on.astimezone(LONDON).date()
    if kind in (DocumentKind.CPW, DocumentKind.CPN):
        day = parse_day(value)
        if day is not None and day <= today:
            what = "warning" if kind == DocumentKind.CPW else "notice"
            return (f"The date to comply by must be after today ({today:%-d %B %Y}): the person must have time to "
                    f"comply with the {what}")
    if kind == DocumentKind.ABC:
        day = parse_day(review)
        if day is not None and day <= today:
            return f"The review date must be after today ({today:%-d %B %Y})"
    return None


def recipients_for_kind(kind: str, parties) -> list[Party]:
    """The people on a case who may receive a document of `kind` (the form's choices), from the case's parties."""
    if kind in RESIDENT_LETTER_KINDS:
        return [p for p in parties if p.role in RESIDENT_ROLES and not p.is_unknown]
    if kind in PERPETRATOR_KINDS:
        return [p for p in parties if p.role == PartyRole.PERPETRATOR and not p.is_unknown]
    if kind == DocumentKind.CLOSURE_NOTICE:
        return [p for p in parties if not p.is_unknown]
    return []
