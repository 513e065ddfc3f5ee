"""What a resident does from their case page (diary entries, evidence, call-backs, contact preference, "it has
stopped", "it has started again"), and the officer marking each dealt with.

Each writes a ResidentRequest (it reaches the officer's home until dealt with) and a staff timeline entry, in one
transaction, idempotent on the form's submission key. None changes a deadline by itself: the one that can (a new
contact preference, through party_update, where the deadline rules live) says so in the request's details.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from .. import hooks
from ..evidence import evidence_check
from ..models import (
    Case,
    Deadline,
    DiaryEntry,
    Evidence,
    PreferredContactMethod,
    ResidentLink,
    ResidentRequest,
    ResidentRequestKind,
    TimelineKind,
    Visibility,
)
from ..selectors_resident import reopen_window_ends  # noqa: F401 (the rule lives with the page that shows it)
from ..validators import contact_method_problem, validate_phone, validate_postcode
from .common import CaseClosedError, CaseError
from .common import timeline_add as _timeline_add
from .people import party_update

# A diary entry about something longer ago than this is a typing mistake (the diary is for what is happening now;
# a complaint counts for the Case Review only within a month of its incident anyway).
DIARY_OLDEST = timedelta(days=366)
TEXT_MAX = 5000
SHORT_MAX = 300


class ResidentActionError(CaseError):
    """A resident's request that cannot be taken as asked; the message is shown to them as it is."""


class ReopenWindowPassed(ResidentActionError):
    """"It has started again" more than RESIDENT_REOPEN_DAYS after closure: the resident is offered a new report."""


def _owner(link: ResidentLink) -> dict:
    return {"party": link.party} if link.party_id else {"report": link.report}


def _who(link: ResidentLink) -> str:
    party = link.party
    if party is None:
        return "the anonymous reporter"
    return party.full_name or party.description[:40] or "the resident"


def _live_link(link: ResidentLink) -> ResidentLink:
    """The link row, locked for this transaction (serialises one person's requests), refused if revoked meanwhile."""
    locked = (ResidentLink.objects.select_for_update(of=("self",)).select_related("case", "party", "report")
              .filter(pk=link.pk).first())
    if locked is None or locked.revoked_at is not None:
        raise ResidentActionError("This link no longer works. Ask the council for a new one")
    return locked


def _text(value: str, *, label: str, required: bool = False, limit: int = TEXT_MAX) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise ResidentActionError(f"Enter {label}")
    if len(value) > limit:
        raise ResidentActionError(f"{label[:1].upper()}{label[1:]} must be {limit} characters or fewer")
    return value


def _check_files(files) -> list[tuple]:
    """Every file checked like the report form's (type by content, size, one type only; EVIDENCE_MAX_FILES files and
    EVIDENCE_SESSION_MAX_BYTES in all). Raises ValidationError naming the file."""
    files = [f for f in (files or []) if f]
    if len(files) > settings.EVIDENCE_MAX_FILES:
        raise ValidationError(f"You can upload up to {settings.EVIDENCE_MAX_FILES} files", code="too_many")
    total, checked_files = 0, []
    for uploaded in files:
        checked = evidence_check(uploaded)
        checked_files.append((uploaded, checked))
        total += checked.size
        if total > settings.EVIDENCE_SESSION_MAX_BYTES:
            raise ValidationError(
                f"The selected files must be smaller than {filesizeformat(settings.EVIDENCE_SESSION_MAX_BYTES)} in total",
                code="journey_full",
            )
    return checked_files


def _daily_allowance_check(*, case: Case, files: list, now: datetime) -> None:
    """Residents' files on one case are limited per day as one report's are in all (EVIDENCE_MAX_FILES files,
    EVIDENCE_SESSION_MAX_BYTES): a leaked link cannot fill the store. Checked under the link's lock."""
    if not files:
        return
    earlier = Evidence.objects.filter(case=case, from_resident=True, uploaded_at__gt=now - timedelta(days=1)).aggregate(
        n=Count("pk"), size=Sum("size"))
    if (earlier["n"] or 0) + len(files) > settings.EVIDENCE_MAX_FILES * 3 or \
            (earlier["size"] or 0) + sum(checked.size for _, checked in files) > settings.EVIDENCE_SESSION_MAX_BYTES:
        raise ValidationError("You have sent us a lot of files today. Send the rest tomorrow, or ask us to call you back",
                              code="daily_limit")


def _evidence_save(*, case: Case, files: list, now: datetime, stored: list, diary_entry: DiaryEntry | None = None,
                   ) -> list[Evidence]:
    """Each file stored and its row made; every stored file's name is added to `stored` as soon as it is on disk, so
    `_once` can remove them if the transaction does not save (nothing of a resident's left on disk unrecorded)."""
    saved = []
    for uploaded, checked in files:
        evidence = Evidence(
            case=case, diary_entry=diary_entry, from_resident=True, original_name=uploaded.name[:255],
            content_type=checked.content_type, size=checked.size, uploaded_at=now, uploaded_by=None,
        )
        evidence.file.save(uploaded.name, uploaded, save=False)
        stored.append((evidence.file.storage, evidence.file.name))
        evidence.save(force_insert=True)
        saved.append(evidence)
    return saved


def _files_discard(stored: list) -> None:
    for storage, name in stored:
        try:
            storage.delete(name)
        except OSError:  # pragma: no cover - nothing more can be done; the row was never saved
            pass
    stored.clear()


def _owned_by(row, link: ResidentLink) -> bool:
    return (row.case_id, row.party_id, row.report_id) == (link.case_id, link.party_id, link.report_id)


def _request_existing(submission_key: uuid.UUID, *, kind: str, link: ResidentLink) -> ResidentRequest | None:
    """What this form already made (sent twice), or None. A key that made something else (another form's, another
    person's: a tampered form) is refused: never a 500, never someone else's result."""
    found = ResidentRequest.objects.filter(submission_key=submission_key).first()
    if found is not None and (found.kind != kind or not _owned_by(found, link)):
        raise ResidentActionError("Send the form again")
    return found


def _diary_existing(submission_key: uuid.UUID, *, link: ResidentLink) -> DiaryEntry | None:
    found = DiaryEntry.objects.filter(submission_key=submission_key).first()
    if found is not None and not _owned_by(found, link):
        raise ResidentActionError("Send the form again")
    return found


def _request_add(*, link: ResidentLink, kind: str, details: str, data: dict, submission_key, now: datetime,
                 summary: str, body: str = "", timeline_kind: str = TimelineKind.RESIDENT,
                 occurred_at: datetime | None = None) -> ResidentRequest:
    request = ResidentRequest.objects.create(
        case=link.case, link=link, kind=kind, details=details, data=data, created_at=now, submission_key=submission_key,
        **_owner(link),
    )
    _timeline_add(
        case=link.case, actor=None, kind=timeline_kind, summary=summary, body=body or details,
        changes={"resident_request": request.pk, **data}, visibility=Visibility.STAFF, occurred_at=occurred_at or now,
    )
    return request


def _once(submission_key, existing, make, *, stored: list | None = None):
    """Run `make()` in a savepoint unless `existing(submission_key)` already holds the result; a racing twin that
    saved first wins (the unique submission key), and its result is returned. Files `make` stored (`stored`) are
    removed again when it does not save. The key used by another form (a tampered form) is refused, not a 500."""
    stored = [] if stored is None else stored
    found = existing(submission_key)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return make()
    except IntegrityError:
        _files_discard(stored)
        found = existing(submission_key)
        if found is None:
            raise ResidentActionError("Send the form again") from None
        return found
    except BaseException:
        _files_discard(stored)
        raise


# --- the diary -----------------------------------------------------------------------------------------------------

def diary_entry_add(
    *,
    link: ResidentLink,
    happened_at: datetime,
    what_happened: str,
    who_involved: str = "",
    how_affected: str = "",
    files=(),
    submission_key: uuid.UUID,
    corrects: DiaryEntry | None = None,
) -> DiaryEntry:
    """A new entry in the person's diary, timestamped on receipt, with any files. A correction is a new entry that
    `corrects` an earlier one of the same person (a sent entry is never changed)."""
    if not isinstance(submission_key, uuid.UUID):
        raise ResidentActionError("Send the form again")
    existing = lambda key: _diary_existing(key, link=link)  # noqa: E731
    if (found := existing(submission_key)) is not None:
        return found
    now = timezone.now()
    what_happened = _text(what_happened, label="what happened", required=True)
    who_involved = _text(who_involved, label="who was involved")
    how_affected = _text(how_affected, label="how it affected you")
    if happened_at is None or timezone.is_naive(happened_at):
        raise ResidentActionError("Enter the date and time it happened")
    if happened_at > now:
        raise ResidentActionError("The date and time it happened must be in the past")
    if happened_at < now - DIARY_OLDEST:
        raise ResidentActionError("The date it happened must be within the last year")
    files = _check_files(files)
    stored: list = []

    def make() -> DiaryEntry:
        live = _live_link(link)
        if (twin := existing(submission_key)) is not None:  # sent twice at once: the twin saved while we waited
            return twin
        case = live.case
        if not case.is_open:
            raise CaseClosedError("Your case is closed. If the problem has started again, tell us from your case page")
        if corrects is not None:
            if corrects.case_id != case.pk or (corrects.party_id, corrects.report_id) != (live.party_id, live.report_id):
                raise ResidentActionError("You can only correct your own diary entries")
        entry = DiaryEntry.objects.create(
            case=case, link=live, happened_at=happened_at, what_happened=what_happened, who_involved=who_involved,
            how_affected=how_affected, corrects=corrects, received_at=now, submission_key=submission_key, **_owner(live),
        )
        _daily_allowance_check(case=case, files=files, now=now)
        evidence = _evidence_save(case=case, files=files, now=now, stored=stored, diary_entry=entry)
        when = timezone.localtime(happened_at).strftime("%-d %B %Y at %H:%M")
        what = "Diary entry correcting an earlier one" if corrects is not None else "Diary entry"
        names = ", ".join(e.original_name for e in evidence)
        _request_add(
            link=live, kind=ResidentRequestKind.DIARY, submission_key=submission_key, now=now,
            details=f"{what} about {when}" + (f", with {len(evidence)} file{'s' if len(evidence) != 1 else ''}" if evidence else ""),
            data={"diary_entry": str(entry.pk), "evidence": [str(e.pk) for e in evidence],
                  **({"corrects": str(corrects.pk)} if corrects is not None else {})},
            summary=f"{what} from {_who(live)}: {when}",
            body=what_happened + (f"\n\nFiles: {names}" if names else ""),
            timeline_kind=TimelineKind.DIARY, occurred_at=happened_at,
        )
        hooks.diary_entry_taken(entry=entry)
        return entry

    return _once(submission_key, existing, make, stored=stored)


# --- evidence, call-backs, contact preference ----------------------------------------------------------------------

def resident_evidence_add(*, link: ResidentLink, files, description: str = "", submission_key: uuid.UUID) -> ResidentRequest:
    """Files the resident sends from their case page (the report form's checks), kept on the case as from them."""
    if not isinstance(submission_key, uuid.UUID):
        raise ResidentActionError("Send the form again")
    existing = lambda key: _request_existing(key, kind=ResidentRequestKind.EVIDENCE, link=link)  # noqa: E731
    if (found := existing(submission_key)) is not None:
        return found
    description = _text(description, label="a description", limit=2000)
    files = _check_files(files)
    if not files:
        raise ResidentActionError("Select a file to upload")
    stored: list = []

    def make() -> ResidentRequest:
        live = _live_link(link)
        if (twin := existing(submission_key)) is not None:  # sent twice at once: the twin saved while we waited
            return twin
        if not live.case.is_open:
            raise CaseClosedError("Your case is closed. If the problem has started again, tell us from your case page")
        now = timezone.now()
        _daily_allowance_check(case=live.case, files=files, now=now)
        evidence = _evidence_save(case=live.case, files=files, now=now, stored=stored)
        names = ", ".join(e.original_name for e in evidence)
        return _request_add(
            link=live, kind=ResidentRequestKind.EVIDENCE, submission_key=submission_key, now=now,
            details=f"{len(evidence)} file{'s' if len(evidence) != 1 else ''}: {names}" + (f". {description}" if description else ""),
            data={"evidence": [str(e.pk) for e in evidence]},
            summary=f"Evidence from {_who(live)}: {names}"[:300], body=description,
        )

    return _once(submission_key, existing, make, stored=stored)


def callback_request(*, link: ResidentLink, phone: str, best_time: str = "", submission_key: uuid.UUID) -> ResidentRequest:
    """The resident asks to be called back, on a number and at a time they give."""
    if not isinstance(submission_key, uuid.UUID):
        raise ResidentActionError("Send the form again")
    existing = lambda key: _request_existing(key, kind=ResidentRequestKind.CALLBACK, link=link)  # noqa: E731
    if (found := existing(submission_key)) is not None:
        return found
    phone = _text(phone, label="a phone number", required=True, limit=30)
    try:
        validate_phone(phone)
    except ValidationError as exc:
        raise ResidentActionError(exc.messages[0]) from None
    best_time = _text(best_time, label="the best time to call", limit=SHORT_MAX)

    def make() -> ResidentRequest:
        live = _live_link(link)
        details = f"Call {phone}" + (f", {best_time}" if best_time else "")
        return _request_add(link=live, kind=ResidentRequestKind.CALLBACK, submission_key=submission_key, now=timezone.now(),
                            details=details, data={"phone": phone, "best_time": best_time},
                            summary=f"{_who(live)[:1].upper()}{_who(live)[1:]} asked to be called back")

    return _once(submission_key, existing, make)


def _open_deadlines(party) -> dict[int, tuple[str, datetime]]:
    return {d.pk: (d.get_kind_display(), d.due_at) for d in
            Deadline.objects.filter(party=party, met_at__isnull=True, cancelled_at__isnull=True)}


def _deadline_words(before: dict, after: dict) -> list[str]:
    """What a change did to the person's open deadlines, in words for the officer ("never silently")."""
    def day(at):
        return timezone.localtime(at).strftime("%-d %B %Y")

    words = []
    for pk, (kind, due) in after.items():
        if pk not in before:
            words.append(f"{kind} deadline opened: due {day(due)}")
        elif before[pk][1] != due:
            words.append(f"{kind} deadline moved from {day(before[pk][1])} to {day(due)}")
    words += [f"{kind} deadline (due {day(due)}) cancelled" for pk, (kind, due) in before.items() if pk not in after]
    return words


def contact_preference_change(
    *, link: ResidentLink, method: str, email: str = "", phone: str = "", address: str = "", postcode: str = "",
    submission_key: uuid.UUID,
) -> ResidentRequest:
    """How the person wants us to contact them, with the detail it needs. A detail left blank keeps what we hold (the
    page never shows what we hold: a link passed on must not reveal it). Applied through party_update, which keeps the
    timeline and the deadline rules; any deadline it opens, cancels or moves is named in the request's details.
    Not for an anonymous reporter (there is nobody to update)."""
    if not isinstance(submission_key, uuid.UUID):
        raise ResidentActionError("Send the form again")
    if link.party_id is None:
        raise ResidentActionError("An anonymous report has no contact details to change")
    existing = lambda key: _request_existing(key, kind=ResidentRequestKind.CONTACT_PREFERENCE, link=link)  # noqa: E731
    if (found := existing(submission_key)) is not None:
        return found
    if method not in PreferredContactMethod.values:
        raise ResidentActionError("Select how you would like us to contact you")
    email = _text(email, label="an email address", limit=254).lower()
    phone = _text(phone, label="a phone number", limit=30)
    address = _text(address, label="an address", limit=SHORT_MAX)
    postcode = _text(postcode, label="a postcode", limit=10)
    try:
        if email:
            validate_email(email)
        if phone:
            validate_phone(phone)
        if postcode:
            validate_postcode(postcode)
    except ValidationError as exc:
        message = exc.messages[0]
        raise ResidentActionError("Enter an email address in the correct format, like name@example.com"
                                  if "email" in message.lower() else message) from None

    def make() -> ResidentRequest:
        live = _live_link(link)
        party = live.party
        final = {"email": email or party.email, "phone": phone or party.phone, "address": address or party.address,
                 "postcode": postcode or party.postcode}
        if problem := contact_method_problem(method=method, **final):
            raise ResidentActionError(problem)
        values = {"preferred_contact_method": method, **{k: v for k, v in
                                                          {"email": email, "phone": phone, "address": address, "postcode": postcode}.items() if v}}
        old_method = party.preferred_contact_method
        before = _open_deadlines(party)
        try:
            party_update(party=party, actor=None, **values)
        except CaseClosedError:
            raise ResidentActionError("Your case is closed, so we will not be contacting you about it") from None
        words = _deadline_words(before, _open_deadlines(party))
        method_label = PreferredContactMethod(method).label.lower()
        changed = sorted(k for k in values if k != "preferred_contact_method")
        details = f"Contact by {method_label}" + (f" (new {', '.join(changed)})" if changed else "")
        if words:
            details += ". " + "; ".join(words)
        return _request_add(
            link=live, kind=ResidentRequestKind.CONTACT_PREFERENCE, submission_key=submission_key, now=timezone.now(),
            details=details, data={"method": [old_method, method], "changed": changed, "deadlines": words},
            summary=f"{_who(live)} changed how we contact them: {method_label}",
        )

    return _once(submission_key, existing, make)


# --- stopped, started again -----------------------------------------------------------------------------------------

def problem_stopped(*, link: ResidentLink, details: str = "", submission_key: uuid.UUID) -> ResidentRequest:
    """The resident says the problem has stopped. The case stays open: the officer decides whether to close it."""
    if not isinstance(submission_key, uuid.UUID):
        raise ResidentActionError("Send the form again")
    existing = lambda key: _request_existing(key, kind=ResidentRequestKind.STOPPED, link=link)  # noqa: E731
    if (found := existing(submission_key)) is not None:
        return found
    details = _text(details, label="anything else you want to tell us", limit=2000)

    def make() -> ResidentRequest:
        live = _live_link(link)
        if not live.case.is_open:
            raise ResidentActionError("Your case is already closed")
        return _request_add(link=live, kind=ResidentRequestKind.STOPPED, submission_key=submission_key, now=timezone.now(),
                            details=details or "Says the problem has stopped", data={},
                            summary=f"{_who(live)[:1].upper()}{_who(live)[1:]} says the problem has stopped", body=details)

    return _once(submission_key, existing, make)


def problem_started_again(*, link: ResidentLink, details: str, submission_key: uuid.UUID) -> ResidentRequest:
    """Within RESIDENT_REOPEN_DAYS of closure, the resident says it has started again. The case is not reopened: the
    officer decides. Later than that, ReopenWindowPassed (the page offers a new report)."""
    if not isinstance(submission_key, uuid.UUID):
        raise ResidentActionError("Send the form again")
    existing = lambda key: _request_existing(key, kind=ResidentRequestKind.STARTED_AGAIN, link=link)  # noqa: E731
    if (found := existing(submission_key)) is not None:
        return found
    details = _text(details, label="what has happened", required=True, limit=TEXT_MAX)

    def make() -> ResidentRequest:
        live = _live_link(link)
        ends = reopen_window_ends(live.case)
        if ends is None:
            raise ResidentActionError("Your case is still open: add a diary entry to tell us what has happened")
        if timezone.now() > ends:
            raise ReopenWindowPassed(
                f"Your case was closed more than {settings.RESIDENT_REOPEN_DAYS} days ago. Make a new report instead"
            )
        return _request_add(link=live, kind=ResidentRequestKind.STARTED_AGAIN, submission_key=submission_key,
                            now=timezone.now(), details=details, data={},
                            summary=f"{_who(live)[:1].upper()}{_who(live)[1:]} says the problem has started again")

    return _once(submission_key, existing, make)


# --- the officer -----------------------------------------------------------------------------------------------------

@transaction.atomic
def resident_request_done(*, request: ResidentRequest, actor, outcome: str) -> ResidentRequest:
    """The officer marks what a resident asked for as dealt with, saying how. Marking it again changes nothing."""
    outcome = (outcome or "").replace("\x00", "").strip()
    if not outcome:
        raise CaseError("Say how it was dealt with")
    if len(outcome) > SHORT_MAX:
        raise CaseError(f"How it was dealt with must be {SHORT_MAX} characters or fewer")
    locked = ResidentRequest.objects.select_for_update().select_related("case").get(pk=request.pk)
    if locked.dealt_with_at is not None:
        return locked
    locked.dealt_with_at, locked.dealt_with_by, locked.outcome = timezone.now(), actor, outcome
    locked.save(update_fields=["dealt_with_at", "dealt_with_by", "outcome"])
    _timeline_add(
        case=locked.case, actor=actor, kind=TimelineKind.RESIDENT,
        summary=f"Dealt with: {locked.get_kind_display().lower()}", body=outcome,
        changes={"resident_request": locked.pk, "dealt_with": True}, visibility=Visibility.STAFF,
    )
    return locked
