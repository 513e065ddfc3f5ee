"""Sharing with partner agencies: sharing agreements, sharing a case (scope, people, evidence), changing and
stopping a share, and locking a case down. Each write is one transaction with its timeline entry (staff only)."""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from notifications.models import MessageChannel
from notifications.services import OutgoingMessage, messages_queue_many

from ..models import (
    SCOPE_ORDER,
    AgencyMember,
    Case,
    CaseShare,
    LawfulBasis,
    PartnerAgency,
    PersonBasis,
    SharedPerson,
    ShareScope,
    SharingAgreement,
    TimelineKind,
    Visibility,
)
from .common import CaseError, case_lock, case_touch, timeline_add

# How the timeline and the screens say each scope, after "Shared with Leicestershire Police (…)".
SCOPE_WORDS = {
    ShareScope.REFERENCE: "reference only",
    ShareScope.SUMMARY: "summary and people",
    ShareScope.TIMELINE: "summary, people and entries marked for partners",
    ShareScope.EVIDENCE: "summary, people, entries marked for partners and chosen evidence",
}
BASIS_WORDS = {
    PersonBasis.CONSENT: "they agreed",
    PersonBasis.SAFEGUARDING: "without consent, for safeguarding",
    PersonBasis.CRIME_PREVENTION: "without consent, to prevent or detect crime or disorder",
}
# Without consent a person's details may go only for these reasons (Crime and Disorder Act s.115; UK GDPR Art 6(1)(e)).
BASES_WITHOUT_CONSENT = (PersonBasis.SAFEGUARDING, PersonBasis.CRIME_PREVENTION)


def _day(value: date) -> str:
    return f"{value:%-d %B %Y}"


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user else "nobody"


# --- agreements -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgreementStatus:
    """An agency's agreement position today, in words and a GOV.UK tag colour."""

    in_force: bool
    text: str  # "In force until 31 March 2027", "Lapsed on 31 March 2026", "No agreement"
    colour: str  # green, red, yellow, grey
    why_not: str  # the part of the refusal in brackets: "the last one lapsed on 31 March 2026"
    current: SharingAgreement | None = None


def agreement_status(agreements: list[SharingAgreement], *, today: date | None = None) -> AgreementStatus:
    """Where an agency stands, from all its agreements (a prefetched list, so no query)."""
    today = today or timezone.localdate()
    in_force = [a for a in agreements if a.in_force_on(today)]
    if in_force:
        current = max(in_force, key=lambda a: (a.ended_on or a.review_by, a.review_by))
        until = min(current.review_by, current.ended_on) if current.ended_on else current.review_by
        return AgreementStatus(True, f"In force until {_day(until)}", "green", "", current)
    if not agreements:
        return AgreementStatus(False, "No agreement", "grey", "none has been recorded")
    future = [a for a in agreements if a.signed_on > today and (a.ended_on is None or a.ended_on > a.signed_on)]
    if future:
        starts = min(a.signed_on for a in future)
        return AgreementStatus(False, f"Starts on {_day(starts)}", "yellow", f"the next one starts on {_day(starts)}")
    last = max(agreements, key=lambda a: (min(a.review_by, a.ended_on) if a.ended_on else a.review_by, a.pk or 0))
    if last.ended_on and last.ended_on <= last.review_by:
        return AgreementStatus(False, f"Ended on {_day(last.ended_on)}", "red", f"the last one was ended on {_day(last.ended_on)}")
    return AgreementStatus(False, f"Lapsed on {_day(last.review_by)}", "red", f"the last one lapsed on {_day(last.review_by)}")


def sharing_refusal(agency: PartnerAgency, agreements: list[SharingAgreement], *, today: date | None = None) -> str:
    """Why nothing can be shared with `agency` today, or "" when it can be."""
    if not agency.is_active:
        return f"{agency.name} is no longer an active partner agency: nothing can be shared with it"
    status = agreement_status(agreements, today=today)
    if status.in_force:
        return ""
    return (
        f"{agency.name} has no information-sharing agreement in force ({status.why_not}): "
        "a manager must record a new one before anything can be shared"
    )


def _refuse_unless_sharable(agency: PartnerAgency) -> None:
    refusal = sharing_refusal(agency, list(SharingAgreement.objects.filter(agency=agency)))
    if refusal:
        raise CaseError(refusal)


@transaction.atomic
def agreement_record(
    *, agency: PartnerAgency, title: str, lawful_basis: str, what_may_be_shared: str, signed_on: date, review_by: date, actor
) -> SharingAgreement:
    """Record a signed information-sharing agreement (a renewal is a new agreement, so the history stays)."""
    if not title.strip():
        raise CaseError("Enter the agreement's title")
    if lawful_basis not in LawfulBasis.values:
        raise CaseError("Select the lawful basis for sharing")
    if not what_may_be_shared.strip():
        raise CaseError("Say what may be shared under the agreement")
    if review_by < signed_on:
        raise CaseError(f"The review date must be on or after the date it was signed ({_day(signed_on)})")
    return SharingAgreement.objects.create(
        agency=agency, title=title.strip(), lawful_basis=lawful_basis, what_may_be_shared=what_may_be_shared.strip(),
        signed_on=signed_on, review_by=review_by, recorded_by=actor, recorded_at=timezone.now(),
    )


@transaction.atomic
def agreement_end(*, agreement: SharingAgreement, ended_on: date, actor) -> SharingAgreement:
    """End an agreement early (the agency left the partnership). From that day its agency's shares stop showing."""
    agreement = SharingAgreement.objects.select_for_update().get(pk=agreement.pk)
    if agreement.ended_on is not None:
        raise CaseError(f"This agreement was already ended on {_day(agreement.ended_on)}")
    if ended_on < agreement.signed_on:
        raise CaseError(f"The end date must be on or after the date it was signed ({_day(agreement.signed_on)})")
    agreement.ended_on = ended_on
    agreement.save(update_fields=["ended_on"])
    return agreement


# --- shares ---------------------------------------------------------------------------------------------

def _people_checked(case: Case, people: dict[int, str | None]) -> dict:
    """{Party: basis} for the people to share, refusing a basis the person's consent does not allow."""
    parties = {p.pk: p for p in case.parties.all()}
    chosen = {}
    for party_id, basis in people.items():
        party = parties.get(int(party_id))
        if party is None:
            raise CaseError("Choose people on this case")
        if basis in (None, ""):
            continue
        if basis not in PersonBasis.values:
            raise CaseError(f"Choose whether to share the details of {party}")
        if basis == PersonBasis.CONSENT and party.consent_to_share is not True:
            raise CaseError(
                f"{party} has not agreed to their details being shared: choose safeguarding or the prevention of crime "
                "as the reason to share without consent, or do not share them"
            )
        chosen[party] = basis
    return chosen


def _evidence_checked(case: Case, scope: str, evidence_ids: list) -> list:
    ids = {str(i) for i in evidence_ids or []}
    if scope != ShareScope.EVIDENCE:
        if ids:
            raise CaseError("Evidence is shared only when the scope includes chosen evidence")
        return []
    on_case = [e for e in case.evidence.all() if str(e.pk) in ids]
    if len(on_case) != len(ids):
        raise CaseError("Choose evidence from this case")
    if not on_case:
        raise CaseError("Choose the evidence to share, or a scope without evidence")
    return on_case


def _basics_checked(*, scope: str, ends_on: date | None) -> None:
    if scope not in ShareScope.values:
        raise CaseError("Choose what to share")
    if ends_on is not None and ends_on < timezone.localdate():
        raise CaseError("The end date must be today or later")


def _people_lines(case: Case, chosen: dict) -> str:
    lines = []
    for party in case.parties.all():
        role = party.get_role_display().lower()
        who = party.full_name or party.description  # in full: str(party) cuts a description at 40 characters
        if party in chosen:
            lines.append(f"{who} ({role}): shared, {BASIS_WORDS[chosen[party]]}")
        else:
            lines.append(f"{who} ({role}): withheld")
    return "\n".join(lines)


def _scope_words(scope: str, evidence_count: int) -> str:
    if scope == ShareScope.EVIDENCE:
        return f"summary, people, entries marked for partners and {evidence_count} evidence file{'s' if evidence_count != 1 else ''}"
    return SCOPE_WORDS[scope]


def _notify_agency(*, share: CaseShare, key: str, subject: str = "", opening: str = "") -> int:
    """Tell the agency's active users that a case is there to see. Only the reference and the link: no names,
    addresses or descriptions ever go out by email."""
    try:
        path = reverse("partners:case", kwargs={"reference": share.case.reference})
    except NoReverseMatch:  # the partner screens are not installed
        path = f"/partners/cases/{share.case.reference}/"
    link = f"{settings.SITE_URL.rstrip('/')}{path}"
    agency = share.agency
    users = (
        AgencyMember.objects.filter(agency=agency, user__is_active=True).exclude(user__email="")
        .values_list("user_id", "user__email").order_by("user_id")
    )
    opening = opening or f"A case has been shared with {agency.name} in ASB Portal: {share.case.reference}."
    body = f"{opening}\n\nSign in to see it: {link}\n"
    outgoing = [
        OutgoingMessage(
            channel=MessageChannel.EMAIL, to=email, subject=subject or f"A case has been shared with you: {share.case.reference}",
            body=body, key=f"{key}:{user_id}"[:120],
        )
        for user_id, email in users
    ]
    # Written in this transaction (the outbox), handed to workers once it commits.
    return len(messages_queue_many(outgoing)) if outgoing else 0


def _people_save(share: CaseShare, chosen: dict) -> None:
    SharedPerson.objects.filter(share=share).exclude(party__in=list(chosen)).delete()
    existing = {sp.party_id: sp for sp in SharedPerson.objects.filter(share=share)}
    for party, basis in chosen.items():
        found = existing.get(party.pk)
        if found is None:
            SharedPerson.objects.create(share=share, party=party, basis=basis)
        elif found.basis != basis:
            found.basis = basis
            found.save(update_fields=["basis"])


@transaction.atomic
def case_share(
    *, case: Case, agency: PartnerAgency, reason: str, scope: str, people: dict[int, str | None], evidence_ids: list,
    ends_on: date | None, actor,
) -> CaseShare:
    """Share a case with a partner agency, within `scope`, with the people chosen (each on a recorded basis).

    Closed cases may be shared (a court case can need one). One live share per agency: while one exists
    the officer changes it (share_change); a share that ran past its end date is closed off and replaced.
    """
    case = case_lock(case=case, allow_closed=True)
    _refuse_unless_sharable(agency)
    if not (reason or "").strip():
        raise CaseError("Give the reason for sharing")
    _basics_checked(scope=scope, ends_on=ends_on)
    chosen = _people_checked(case, people)
    evidence = _evidence_checked(case, scope, evidence_ids)
    now, today = timezone.now(), timezone.localdate()
    existing = CaseShare.objects.select_for_update().filter(case=case, agency=agency, stopped_at__isnull=True).first()
    if existing is not None:
        if existing.ends_on is None or existing.ends_on >= today:
            raise CaseError(f"This case is already shared with {agency.name}: change that share instead")
        existing.stopped_at, existing.stopped_by = now, actor
        existing.stop_reason = f"Ended on {_day(existing.ends_on)}; shared again"
        existing.save(update_fields=["stopped_at", "stopped_by", "stop_reason"])
    share = CaseShare.objects.create(
        case=case, agency=agency, reason=reason.strip(), scope=scope, ends_on=ends_on, shared_by=actor, shared_at=now
    )
    share.evidence.set(evidence)
    _people_save(share, chosen)
    case_touch(case)
    body = f"{reason.strip()}\n\n{_people_lines(case, chosen)}"
    if ends_on:
        body += f"\n\nUntil {_day(ends_on)}."
    entry = timeline_add(
        case=case, actor=actor, kind=TimelineKind.SHARE, visibility=Visibility.STAFF,
        summary=f"Shared with {agency.name} ({_scope_words(scope, len(evidence))})", body=body,
        changes={"agency": [None, agency.name], "scope": [None, scope]},
    )
    _notify_agency(share=share, key=f"share:{entry.pk}")
    return share


def _share_locked(share: CaseShare) -> tuple[CaseShare, Case]:
    case = case_lock(case=share.case, allow_closed=True)
    share = CaseShare.objects.select_for_update().select_related("agency").get(pk=share.pk)
    if share.stopped_at is not None:
        raise CaseError(f"Sharing with {share.agency.name} was stopped on {_day(timezone.localdate(share.stopped_at))}")
    share.case = case
    return share, case


@transaction.atomic
def share_change(
    *, share: CaseShare, scope: str, people: dict[int, str | None], evidence_ids: list, ends_on: date | None, actor
) -> CaseShare:
    """Widen or narrow a live share. Widening needs an agreement in force; narrowing never does."""
    share, case = _share_locked(share)
    _basics_checked(scope=scope, ends_on=ends_on)
    chosen = _people_checked(case, people)
    evidence = _evidence_checked(case, scope, evidence_ids)
    before_people = {sp.party_id: sp.basis for sp in SharedPerson.objects.filter(share=share)}
    before_evidence = {str(pk) for pk in share.evidence.values_list("pk", flat=True)}
    after_people = {p.pk: basis for p, basis in chosen.items()}
    after_evidence = {str(e.pk) for e in evidence}
    widened = (
        SCOPE_ORDER[scope] > SCOPE_ORDER[share.scope]
        or any(before_people.get(pk) is None for pk in after_people)
        or not after_evidence <= before_evidence
    )
    if widened:
        _refuse_unless_sharable(share.agency)
    changes = {}
    if scope != share.scope:
        changes["scope"] = [share.scope, scope]
    if ends_on != share.ends_on:
        changes["ends_on"] = [share.ends_on.isoformat() if share.ends_on else None, ends_on.isoformat() if ends_on else None]
    if before_people != after_people:
        changes["people"] = [len(before_people), len(after_people)]
    if before_evidence != after_evidence:
        changes["evidence"] = [len(before_evidence), len(after_evidence)]
    if not changes:
        return share
    old_words = _scope_words(share.scope, len(before_evidence))
    share.scope, share.ends_on = scope, ends_on
    share.save(update_fields=["scope", "ends_on"])
    share.evidence.set(evidence)
    _people_save(share, chosen)
    case_touch(case)
    new_words = _scope_words(scope, len(evidence))
    summary = f"Sharing with {share.agency.name} changed"
    if old_words != new_words:
        summary += f": {old_words} → {new_words}"
    body = _people_lines(case, chosen)
    if "ends_on" in changes:
        body += f"\n\nUntil: {_day(share.ends_on) if share.ends_on else 'no end date'}."
    entry = timeline_add(case=case, actor=actor, kind=TimelineKind.SHARE, visibility=Visibility.STAFF, summary=summary, body=body,
                         changes=changes)
    if widened:
        _notify_agency(share=share, key=f"share:{entry.pk}")
    return share


@transaction.atomic
def share_stop(*, share: CaseShare, reason: str, actor) -> CaseShare:
    """Stop sharing at once: from this moment the agency's users no longer see the case."""
    share, case = _share_locked(share)
    if not (reason or "").strip():
        raise CaseError("Give the reason for stopping sharing")
    share.stopped_at, share.stopped_by, share.stop_reason = timezone.now(), actor, reason.strip()
    share.save(update_fields=["stopped_at", "stopped_by", "stop_reason"])
    case_touch(case)
    timeline_add(
        case=case, actor=actor, kind=TimelineKind.SHARE, visibility=Visibility.STAFF,
        summary=f"Stopped sharing with {share.agency.name}", body=reason.strip(),
        changes={"agency": [share.agency.name, None], "scope": [share.scope, None]},
    )
    return share


@transaction.atomic
def case_lock_down(*, case: Case, locked: bool, actor) -> Case:
    """Lock a sensitive case down (every share shows only the reference, the agencies and the officer) or lift it.

    Lifting leaves each share at reference only: the officer widens each one deliberately.
    """
    case = case_lock(case=case, allow_closed=True)
    if case.is_locked_down == locked:
        raise CaseError("This case is already locked down" if locked else "This case is not locked down")
    case.is_locked_down = locked
    case_touch(case, "is_locked_down")
    if not locked:
        timeline_add(
            case=case, actor=actor, kind=TimelineKind.SHARE, visibility=Visibility.STAFF,
            summary="Lock-down lifted: partners' shares stay at reference only until widened",
            changes={"is_locked_down": [True, False]},
        )
        return case
    narrowed = list(
        CaseShare.objects.select_for_update().select_related("agency")
        .filter(case=case, stopped_at__isnull=True).exclude(scope=ShareScope.REFERENCE).order_by("id")
    )
    for share in narrowed:
        share.scope_before = share.scope
        share.scope = ShareScope.REFERENCE
        share.save(update_fields=["scope"])
    body = "\n".join(f"{s.agency.name}: {SCOPE_WORDS[s.scope_before]} → reference only" for s in narrowed)
    timeline_add(
        case=case, actor=actor, kind=TimelineKind.SHARE, visibility=Visibility.STAFF,
        summary="Locked down: partner agencies now see only the reference, the agencies involved and the officer's name",
        body=body or "No case shares needed narrowing.",
        changes={"is_locked_down": [False, True], "narrowed": [s.agency.name for s in narrowed]},
    )
    return case


def referral_notify(*, referral) -> int:
    """A referral to an agency that can see the case in ASB Portal: tell its users it is waiting for their answer
    (the reference and the link only). An agency without a live share hears of it the way it always has."""
    from ..policy import live_shares

    share = live_shares(agency_id=referral.agency_id).filter(case_id=referral.case_id).select_related("case", "agency").first()
    if share is None:
        return 0
    return _notify_agency(
        share=share, key=f"referral:{referral.pk}", subject=f"A referral is waiting for your answer: {share.case.reference}",
        opening=f"The ASB team has referred case {share.case.reference} to {share.agency.name} in ASB Portal.",
    )
