"""Anonymising what a confirmed retention run lists, one batch of items at a time (called inside the batch's
transaction by privacy.services.retention.retention_apply).

Personal data is removed or replaced; everything the figures count stays: statuses, dates, categories, channels,
risk levels, officers, deadlines, survey scores, row counts. Each function returns the ids of items it did not
apply because their case is held now (a hold placed after the listing wins).
"""

import re
from contextlib import contextmanager
from datetime import datetime, time

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F, ProtectedError, Q
from django.utils import timezone

from cases import sla
from cases.models import (
    AccessLogEntry,
    Action,
    Breach,
    Case,
    CaseShare,
    CaseStatus,
    Contact,
    Evidence,
    Party,
    Person,
    PersonMerge,
    Place,
    Referral,
    Report,
    RiskAssessment,
    SharedPerson,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.services import search_document_refresh, timeline_add
from cases.services.access_log import access_log_purge
from notifications.models import Message
from surveys.models import CommentAction, Response

from .. import selectors
from ..models import RecordClass, RetentionItem, RetentionRun
from ..selectors import ANONYMISED_NAME, REMOVED

PARTY_BLANKS = dict(email="", phone="", phone_normalised="", address="", postcode="", best_times="", support_needs=[],
                    support_details="", date_of_birth=None, staff_safety_warning=False, staff_safety_note="")
PERSON_BLANKS = dict(full_name=ANONYMISED_NAME, date_of_birth=None, email="", phone="", phone_normalised="", address="",
                     postcode="", is_vulnerable=False, vulnerability_note="")
MESSAGE_BLANKS = dict(body="", subject="", to="", last_error="")  # a provider's error often quotes the address
CASE_DONE = "Personal data removed"  # the start of the note a case file's anonymisation leaves on its timeline


def outward_code(postcode: str) -> str:
    """'LE18 1AA' → 'LE18' (the postcode district): enough for figures by area, not enough to find a door."""
    compact = re.sub(r"\s+", "", postcode or "").upper()
    return compact[:-3] if len(compact) >= 5 else compact


def _replace_text(qs, *fields: str) -> None:
    """Replace each non-empty text field with the removal note (empty stays empty)."""
    for name in fields:
        qs.exclude(**{name: ""}).update(**{name: REMOVED})


def _held_case_ids(case_ids) -> set[int]:
    return set(selectors.held_cases().filter(pk__in=list(case_ids)).values_list("pk", flat=True))


def _reopened(items: list[RetentionItem], case_of: dict[str, int]) -> set[int]:
    """Items whose case was reopened since the listing (open now, or closed again: its clock restarted). The listed
    closure fell before the item's due date (closed on D, due on D + keep days); a closure since falls on or after it."""
    cases = {pk: (status, closed_at) for pk, status, closed_at
             in Case.objects.filter(pk__in=set(case_of.values())).values_list("pk", "status", "closed_at")}
    out = set()
    for item in items:
        status, closed_at = cases.get(case_of.get(item.object_id), (CaseStatus.CLOSED, None))
        if item.object_id in case_of and (status != CaseStatus.CLOSED or closed_at is None
                                          or timezone.localtime(closed_at).date() >= item.due_since):
            out.add(item.pk)
    return out


def _split_held(items: list[RetentionItem], case_of: dict[str, int], closure_counted: bool = False) -> tuple[list[RetentionItem], set[int]]:
    """The items still to apply, and the ids of those whose case is held now (and, for a class counted from the case's
    closure, whose case was reopened since the listing: not due any more)."""
    held_cases = _held_case_ids(set(case_of.values()))
    held = {i.pk for i in items if case_of.get(i.object_id) in held_cases}
    if closure_counted:
        held |= _reopened(items, case_of)
    return [i for i in items if i.pk not in held and i.object_id in case_of], held


def _note(case_id: int, run: RetentionRun, summary: str) -> None:
    summary = f"{summary} under the retention schedule (run {run.pk})"
    if TimelineEntry.objects.filter(case_id=case_id, kind=TimelineKind.EDIT, summary=summary).exists():
        return  # applied again (idempotent): one note per case and run
    timeline_add(case=Case(pk=case_id), actor=run.confirmed_by, kind=TimelineKind.EDIT,
                 summary=summary, visibility=Visibility.STAFF)


# --- case files -----------------------------------------------------------------------------------------------------------

def case_files(items: list[RetentionItem], run: RetentionRun) -> set[int]:
    # Locked first: a hold placed on one of these cases now waits for this batch, or this batch sees it.
    locked = Case.objects.select_for_update().filter(pk__in=[int(i.object_id) for i in items]).values_list("pk", flat=True)
    case_of = {str(pk): pk for pk in locked}
    todo, held = _split_held(items, case_of, closure_counted=True)
    for item in todo:
        case_file_anonymise(case_id=int(item.object_id), run=run)
    return held


def case_file_anonymise(*, case_id: int, run: RetentionRun) -> None:
    """Everything personal on one case file, and the person records nobody else's file still needs."""
    case = Case.objects.select_for_update().get(pk=case_id)
    if TimelineEntry.objects.filter(case=case, kind=TimelineKind.EDIT, summary__startswith=CASE_DONE).exists():
        return  # anonymised before (applied again): nothing changes
    parties = Party.objects.filter(case=case)
    person_ids = set(parties.exclude(person__isnull=True).values_list("person_id", flat=True))
    parties.filter(is_unknown=False).update(full_name=ANONYMISED_NAME, description="", **PARTY_BLANKS)
    parties.filter(is_unknown=True).update(description=REMOVED, full_name="", **PARTY_BLANKS)
    SharedPerson.objects.filter(party__case=case).update(note="")
    for report in Report.objects.filter(case=case):
        report.description = REMOVED
        report.impact = REMOVED if report.impact else ""
        report.address = REMOVED if report.address else ""
        report.postcode = outward_code(report.postcode)
        report.location_description = ""
        report.save(update_fields=["description", "impact", "address", "postcode", "location_description"])
    Case.objects.filter(pk=case.pk).update(
        address=REMOVED if case.address else "", postcode=outward_code(case.postcode), location_description="",
        place=None, search_document=None, version=F("version") + 1,
    )
    if case.place_id:
        _place_forget(case.place_id)
    entries = TimelineEntry.objects.filter(case=case)
    entries.update(summary=REMOVED, changes={})
    _replace_text(entries, "body")
    Contact.objects.filter(case=case).update(summary=REMOVED)
    _replace_text(RiskAssessment.objects.filter(case=case), "notes")
    _replace_text(Action.objects.filter(case=case), "details", "outcome")
    _replace_text(Breach.objects.filter(action__case=case), "description")
    _replace_text(Referral.objects.filter(case=case), "reason", "response", "outcome")
    _replace_text(CaseShare.objects.filter(case=case), "reason", "stop_reason")
    _evidence_delete(Evidence.objects.filter(case=case))
    responses = Response.objects.filter(invitation__case=case)
    _replace_text(responses, "comments")
    _replace_text(CommentAction.objects.filter(response__in=responses), "text")
    Message.objects.filter(selectors.case_message_keys([case.pk])).update(**MESSAGE_BLANKS)
    _case_reviews_anonymise(case)
    _jag_anonymise(case)
    _residents_anonymise(case)
    _letters_anonymise(case)
    _people_anonymise(person_ids)
    _note(case.pk, run, CASE_DONE)


def _case_reviews_anonymise(case: Case) -> None:
    """The ASB Case Review applications linked to the case file: the applicant's and the victim's details, what they
    wrote, the letters and the history, and the messages sent to them. The rows stay for the published figures."""
    from casereview.models import Application, ApplicationEvent, EscalationRequest, Recommendation, ReviewMeeting

    applications = Application.objects.filter(case=case)
    ids = list(applications.values_list("pk", flat=True))
    if not ids:
        return
    applications.update(applicant_name=ANONYMISED_NAME, email="", phone="", address="", support_needs="", location=REMOVED,
                        description=REMOVED, case_references="", version=F("version") + 1)
    for application in applications.only("pk", "postcode"):
        Application.objects.filter(pk=application.pk).update(postcode=outward_code(application.postcode))
    _replace_text(applications, "victim_name", "impact", "decision_reasons", "outcome_letter", "withdrawn_reason")
    ApplicationEvent.objects.filter(application_id__in=ids).update(summary=REMOVED)
    _replace_text(ReviewMeeting.objects.filter(application_id__in=ids), "others_present", "agency_summary", "action_plan")
    _replace_text(Recommendation.objects.filter(application_id__in=ids), "text", "progress")
    _replace_text(EscalationRequest.objects.filter(application_id__in=ids), "reasons", "outcome_summary")
    keys = "|".join(str(pk) for pk in ids)
    Message.objects.filter(key__regex=rf"^cr-[a-z-]+:({keys})(:|$)").update(**MESSAGE_BLANKS)


@contextmanager
def _erasure_allowed():
    """Diary entries and generated documents are immutable in the database (triggers); erasure is the one change
    allowed, inside this block only (SET LOCAL would otherwise last to the end of the outermost transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL asb.privacy_erasure = 'on'")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL asb.privacy_erasure = 'off'")


def _residents_anonymise(case: Case) -> None:
    """What residents wrote on their case page (diary entries, requests) and their links: the links end, the words
    go; the rows stay (dated) so the case's history still shows that something was sent."""
    from cases.models import DiaryEntry, ResidentLink, ResidentRequest

    ResidentLink.objects.filter(case=case, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoke_reason="Ended when the case file was anonymised")
    if DiaryEntry.objects.filter(case=case).exists():
        with _erasure_allowed():
            DiaryEntry.objects.filter(case=case).update(what_happened=REMOVED, who_involved="", how_affected="")
    ResidentRequest.objects.filter(case=case).update(details=REMOVED, data={})
    keys = "|".join(str(pk) for pk in ResidentLink.objects.filter(case=case).values_list("pk", flat=True))
    if keys:
        Message.objects.filter(key__regex=rf"^resident-[a-z-]+:({keys})(:|$)").update(**MESSAGE_BLANKS)


def _anonymous_residents_anonymise(report_ids: list[int]) -> None:
    """What anonymous reporters wrote on their case page (their diary, their requests: as identifying as the report
    itself) goes with their report's words, and their link ends; the rows stay, dated."""
    from cases.models import DiaryEntry, ResidentLink, ResidentRequest

    if not report_ids:
        return
    links = ResidentLink.objects.filter(report_id__in=report_ids)
    links.filter(revoked_at__isnull=True).update(revoked_at=timezone.now(), revoke_reason="Ended when the anonymous report was anonymised")
    diary = DiaryEntry.objects.filter(report_id__in=report_ids)
    if diary.exists():
        with _erasure_allowed():
            diary.update(what_happened=REMOVED, who_involved="", how_affected="")
    requests = ResidentRequest.objects.filter(report_id__in=report_ids)
    request_ids = set(requests.values_list("pk", flat=True))
    requests.update(details=REMOVED, data={})
    # What their diary entries and requests left on the case timeline (their words, a number to call them back on).
    entries = TimelineEntry.objects.filter(case_id__in=Report.objects.filter(pk__in=report_ids).values("case_id"),
                                           kind__in=[TimelineKind.DIARY, TimelineKind.RESIDENT], changes__has_key="resident_request")
    entry_ids = [pk for pk, changes in entries.values_list("pk", "changes") if changes.get("resident_request") in request_ids]
    if entry_ids:
        TimelineEntry.objects.filter(pk__in=entry_ids).update(summary=REMOVED, body=REMOVED, changes={})


def _letters_anonymise(case: Case) -> None:
    """Letters and notices made on the case: the stored PDFs are deleted and the names, addresses and values they
    were made with are removed; the rows (number, kind, dates) stay as the record that they were made and served."""
    from letters.models import Document

    documents = Document.objects.filter(case=case)
    if not documents.exists():
        return
    for document in documents.exclude(pdf=""):
        document.pdf.delete(save=False)
    with _erasure_allowed():
        documents.update(pdf="", recipient_name=ANONYMISED_NAME, recipient_address="", values={}, wording=REMOVED)


def _jag_anonymise(case: Case) -> None:
    """What JAG meetings said about the case file: why it was on, the notes, decisions and actions on its items, the
    nominations' reasons and the history rows of those items. The rows stay (the figures count them). The minutes are
    the meeting's record and name cases by reference only as the chair wrote them: see the README."""
    from jag.models import AgendaItem, JagAction, JagEvent, Nomination

    items = AgendaItem.objects.filter(case=case)
    if not items.exists() and not Nomination.objects.filter(case=case).exists():
        return
    _replace_text(items, "why", "notes", "decisions", "removed_reason")
    _replace_text(Nomination.objects.filter(case=case), "reason", "decision_reason")
    actions = JagAction.objects.filter(item__case=case)
    _replace_text(actions, "text", "progress")
    JagEvent.objects.filter(Q(item__case=case) | Q(action__item__case=case)).update(words=REMOVED)


def _place_forget(place_id: int) -> None:
    """An address no case is at any more goes from the register: alone it says nothing, beside an old case it
    says who lived there. One still in use (another case, or anything else that protects it) stays."""
    if Case.objects.filter(place_id=place_id).exists():
        return
    try:
        with transaction.atomic():
            Place.objects.filter(pk=place_id).delete()
    except ProtectedError:
        pass


def _people_anonymise(person_ids: set[int]) -> None:
    """A person record goes once no party still carrying personal data links to it; so do records merged into it."""
    now = timezone.now()
    for person_id in sorted(person_ids):
        still_needed = Party.objects.filter(person_id=person_id).exclude(full_name=ANONYMISED_NAME).exclude(is_unknown=True)
        if still_needed.exists():
            continue
        retired = {person_id}
        frontier = {person_id}
        while frontier:  # records merged into it, and into those
            frontier = set(Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)) - retired
            retired |= frontier
        Person.objects.filter(pk__in=retired, anonymised_at__isnull=True).update(anonymised_at=now, **PERSON_BLANKS)
        PersonMerge.objects.filter(Q(kept_id__in=retired) | Q(merged_id__in=retired)).update(reason="")


def _evidence_delete(files) -> int:
    # The stored file goes first, inside the batch's transaction: if the commit then fails, the item is not done and
    # the next apply deletes again (deleting a missing file is a no-op); a row never says "gone" while a file remains.
    n = 0
    for evidence in files.exclude(file="").select_for_update():
        default_storage.delete(evidence.file.name)
        n += 1
    files.update(file="", original_name="")
    return n


# --- the other classes ------------------------------------------------------------------------------------------------------

def anonymous_reports(items: list[RetentionItem], run: RetentionRun) -> set[int]:
    rows = Report.objects.filter(pk__in=[int(i.object_id) for i in items])
    todo, held = _split_held(items, {str(pk): case_id for pk, case_id in rows.values_list("pk", "case_id")}, closure_counted=True)
    touched = set()
    for report in Report.objects.filter(pk__in=[int(i.object_id) for i in todo]).select_for_update():
        report.description = REMOVED
        report.impact = REMOVED if report.impact else ""
        report.address = REMOVED if report.address else ""
        report.postcode = outward_code(report.postcode)
        report.location_description = ""
        report.save(update_fields=["description", "impact", "address", "postcode", "location_description"])
        touched.add(report.case_id)
    _anonymous_residents_anonymise([int(i.object_id) for i in todo])
    for case_id in sorted(touched):
        search_document_refresh(case_id)
        _note(case_id, run, "An anonymous report's details removed")
    return held


def evidence_files(items: list[RetentionItem], run: RetentionRun) -> set[int]:
    rows = Evidence.objects.filter(pk__in=[i.object_id for i in items])
    todo, held = _split_held(items, {str(pk): case_id for pk, case_id in rows.values_list("pk", "case_id")}, closure_counted=True)
    by_case: dict[int, int] = {}
    for case_id in Evidence.objects.filter(pk__in=[i.object_id for i in todo]).exclude(file="").values_list("case_id", flat=True):
        by_case[case_id] = by_case.get(case_id, 0) + 1
    _evidence_delete(Evidence.objects.filter(pk__in=[i.object_id for i in todo]))
    for case_id, n in sorted(by_case.items()):
        _note(case_id, run, f"{n} evidence file{'s' if n != 1 else ''} deleted")
    return held


def survey_responses(items: list[RetentionItem], run: RetentionRun) -> set[int]:
    rows = Response.objects.filter(pk__in=[int(i.object_id) for i in items])
    todo, held = _split_held(items, {str(pk): case_id for pk, case_id in rows.values_list("pk", "invitation__case_id")})
    responses = Response.objects.filter(pk__in=[int(i.object_id) for i in todo])
    _replace_text(responses, "comments")
    _replace_text(CommentAction.objects.filter(response__in=responses), "text")
    return held


def message_bodies(items: list[RetentionItem], run: RetentionRun) -> set[int]:
    ids = [int(i.object_id) for i in items]
    held_keys = selectors.case_message_keys(selectors.held_cases().values_list("pk", flat=True))
    held_ids = set(Message.objects.filter(pk__in=ids).filter(held_keys).values_list("pk", flat=True))
    Message.objects.filter(pk__in=ids).exclude(pk__in=held_ids).update(**MESSAGE_BLANKS)
    return {i.pk for i in items if int(i.object_id) in held_ids}


def access_log_count(*, before: datetime) -> int:
    return AccessLogEntry.objects.filter(at__lt=before).count()


def access_log(items: list[RetentionItem], run: RetentionRun) -> set[int]:
    for item in items:
        listed = datetime.combine(datetime.fromisoformat(item.object_id).date(), time.min, tzinfo=sla.LONDON)
        # A hold placed since the listing keeps its cases' entries (access_log_before stops at the oldest of them).
        oldest_held = (AccessLogEntry.objects.filter(case_id__in=selectors.held_cases().values("pk")).order_by("at")
                       .values_list("at", flat=True).first())
        deleted = access_log_purge(before=min(listed, oldest_held) if oldest_held else listed)
        locked = RetentionRun.objects.select_for_update().get(pk=run.pk)
        locked.counts = {**locked.counts, "access_log_entries_deleted": locked.counts.get("access_log_entries_deleted", 0) + deleted}
        locked.save(update_fields=["counts"])
    return set()


APPLY = {
    RecordClass.CASE_FILE: case_files,
    RecordClass.ANONYMOUS_REPORT: anonymous_reports,
    RecordClass.EVIDENCE: evidence_files,
    RecordClass.SURVEY_RESPONSE: survey_responses,
    RecordClass.MESSAGE_BODY: message_bodies,
    RecordClass.ACCESS_LOG: access_log,
}
