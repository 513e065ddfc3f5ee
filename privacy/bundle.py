"""The subject access bundle: everything held about one person across their cases, with third parties redacted.

A ZIP of `index.html` (readable, self-contained), `data.json` (the same content, machine-readable) and
`evidence/<case reference>-<n>.<ext>` (the files the person uploaded with their own reports). Reached only through
the person's parties (`Party.person`), so nothing from a case they are not on can get in. The ZIP is built the same
way every time from the same data (fixed file dates, no time of building), so the digest stored at release matches
the file the manager downloaded and checked.
"""

import io
import json
import re
import uuid
import zipfile
from collections import defaultdict
from datetime import datetime
from pathlib import PurePosixPath
from types import SimpleNamespace

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import (
    UPDATE_ROLES,
    Action,
    Contact,
    DiaryEntry,
    Evidence,
    Party,
    Report,
    ResidentRequest,
    ResidentRequestKind,
    RiskAssessment,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.validators import normalise_phone
from notifications.models import Message

from .models import RightsRequest, ThirdParty
from .services.rights import live_person, third_parties_query

REDACTED = "[third party redacted]"
WITHHELD_REASON = ("internal record about the case: withheld under the crime and taxation exemption "
                   "(DPA 2018 Sch 2 para 2) and to protect other people's data (Sch 2 para 16)")
NOTES = [
    "This is a copy of the personal data the anti-social behaviour team holds about you, from every case you are on.",
    "Other people's names and contact details have been replaced by “[third party redacted]” unless they agreed "
    "to their details being shared or it was reasonable to share them.",
    "Case records written by staff for the investigation are listed with their date and kind but not their content: "
    + WITHHELD_REASON + ". Records we shared with you as the person reporting are included in full.",
    "The files in the evidence folder are the ones you sent us with your reports.",
]


def _iso(value) -> str:
    """Dates as 2026-11-08; times as London time to the minute, 2026-11-08 14:05."""
    if not value:
        return ""
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def _uuids(values) -> list[uuid.UUID]:
    out = []
    for value in values:
        try:
            out.append(uuid.UUID(value))
        except ValueError:
            continue
    return out


def _label(choices, value) -> str:
    return dict(choices).get(value, value or "")


# --- redaction ------------------------------------------------------------------------------------------

class Redactor:
    """Replaces each redacted third party's name (and each word of it), phone, email and address in any text.
    Strings that are also the requester's own (a shared family landline, the same address) are left alone."""

    def __init__(self, *, subject_values: list[str], third_parties: list):
        self.subject_values, self.third_parties = list(subject_values), list(third_parties)
        own = {v.strip().casefold() for v in subject_values if v and v.strip()}
        own_phones = {normalise_phone(v) for v in subject_values if v and normalise_phone(v)}
        own_words = {w.casefold() for v in subject_values if v for w in re.findall(r"[^\W\d_]+", v)}
        patterns = set()
        for holder in third_parties:
            for text in (holder.full_name, holder.email, holder.address, getattr(holder, "description", "")):
                if text and len(text.strip()) >= 3 and text.strip().casefold() not in own:
                    patterns.add(self._words_pattern(text.strip()))
            for word in re.findall(r"[^\W\d_]+", holder.full_name or ""):
                if len(word) >= 2 and word.casefold() not in own_words:  # "Jo", "Ed": over-redacting beats leaking
                    patterns.add(self._words_pattern(word))
            digits = normalise_phone(holder.phone or "")
            if len(digits) >= 6 and digits not in own_phones:
                patterns.add(self._phone_pattern(digits))
        ordered = sorted(patterns, key=len, reverse=True)
        self._regex = re.compile("|".join(ordered), re.IGNORECASE) if ordered else None

    @staticmethod
    def _words_pattern(text: str) -> str:
        body = r"\s+".join(re.escape(part) for part in text.split())
        start = r"\b" if re.match(r"\w", text) else ""
        end = r"\b" if re.search(r"\w$", text) else ""
        return f"{start}{body}{end}"

    @staticmethod
    def _phone_pattern(digits: str) -> str:
        # As typed in notes: "07700 900555", "07700-900-555", "+44 7700 900555", "(0116) 496 0123", "0116.496.0123".
        sep = r"[\s().-]{0,3}"
        national = sep.join(digits[1:]) if digits.startswith("0") else sep.join(digits)
        lead = r"(?:\(?0|\+44\s?(?:\(0\))?\s?)" if digits.startswith("0") else ""
        return rf"(?<!\d){lead}{national}(?!\d)"

    def text(self, value: str) -> str:
        return self._regex.sub(REDACTED, value) if self._regex and value else value

    def walk(self, value):
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.walk(v) for v in value]
        if isinstance(value, dict):
            return {k: (v if k in _NOT_REDACTED else self.walk(v)) for k, v in value.items()}
        return value


# Fields that never hold free text about people (and must stay as they are: the ZIP's file names).
_NOT_REDACTED = {"file", "reference", "number"}


def _redactor(request: RightsRequest, person, parties: list[Party]) -> Redactor:
    subject_values = [person.full_name, person.email, person.phone, person.address]
    for party in parties:
        subject_values += [party.full_name, party.email, party.phone, party.address]
    holders = []
    # Everyone else on the person's cases unless a manager decided to disclose them: someone who joined a case
    # since the third parties were listed has no row yet, and must not appear in clear in a downloaded bundle.
    disclosed = ThirdParty.objects.filter(request=request, decision=ThirdParty.Decision.DISCLOSE, decided_by__isnull=False)
    redacted = third_parties_query(person).exclude(pk__in=disclosed.values("party_id")).select_related("person")
    for party in redacted:
        holders.append(party)
        if party.person is not None:
            holders.append(party.person)  # the register may hold newer details than the case did
    return Redactor(subject_values=subject_values, third_parties=holders)


# --- what is held ------------------------------------------------------------------------------------------

def _party_details(party: Party) -> dict:
    return {
        "role": party.get_role_display(), "name": party.full_name, "email": party.email, "phone": party.phone,
        "address": party.address, "postcode": party.postcode, "date_of_birth": _iso(party.date_of_birth),
        "preferred_contact": party.get_preferred_contact_method_display(), "best_times": party.best_times,
        "customer_group": party.get_customer_group_display(), "support_needs": ", ".join(party.support_needs or []),
        "support_details": party.support_details,
        "consent_to_share": {True: "Yes", False: "No"}.get(party.consent_to_share, "Not asked"),
        "staff_safety_note": party.staff_safety_note if party.staff_safety_warning else "",
    }


def _messages_by_case(reports: list[Report], invitations: dict) -> dict[int, list[dict]]:
    """Messages sent to the person: report acknowledgements and survey invitations, found by what they were for
    (their key), never by address, so a shared email address cannot bring in someone else's."""
    keys = {}
    for report in reports:
        keys[f"report-ack:{report.pk}"] = keys[f"report-ack-sms:{report.pk}"] = report.case_id
    for invitation in invitations.values():
        keys[f"survey-invite:{invitation.pk}"] = keys[f"survey-reminder:{invitation.pk}"] = invitation.case_id
    found = defaultdict(list)
    for message in Message.objects.filter(key__in=list(keys)).order_by("created_at", "id"):
        found[keys[message.key]].append({
            "sent": _iso(message.sent_at or message.created_at), "channel": message.get_channel_display(), "to": message.to,
            "subject": message.subject, "body": message.body or "(no longer held: message bodies are deleted after delivery)",
        })
    return found


def access_bundle_data(*, request: RightsRequest) -> tuple[dict, list[tuple[str, Evidence]]]:
    """The bundle's content (redacted) and the evidence files to put in it, as (name in the ZIP, evidence)."""
    from surveys.models import Invitation, Response

    person = live_person(request.person)
    parties = list(Party.objects.filter(person=person).select_related("case", "case__category").order_by("case__received_at", "id"))
    redactor = _redactor(request, person, parties)
    party_ids = [p.pk for p in parties]
    case_ids = list(dict.fromkeys(p.case_id for p in parties))
    reports = list(Report.objects.filter(reporter_id__in=party_ids).select_related("category").order_by("received_at", "id"))
    contacts = list(Contact.objects.filter(party_id__in=party_ids).order_by("occurred_at", "id"))
    risks = list(RiskAssessment.objects.filter(party_id__in=party_ids).order_by("assessed_at", "id"))
    actions = list(Action.objects.filter(perpetrator_id__in=party_ids).select_related("action_type").order_by("served_on", "id"))
    invitations = {i.pk: i for i in Invitation.objects.filter(party_id__in=party_ids)}
    responses = list(Response.objects.filter(invitation_id__in=list(invitations)).order_by("submitted_at"))
    diary = list(DiaryEntry.objects.filter(party_id__in=party_ids).order_by("happened_at", "received_at"))
    asked = list(ResidentRequest.objects.filter(party_id__in=party_ids).order_by("created_at", "id"))
    # The files they sent with their reports, with their diary entries, and on their own from their case page (those
    # name them only through their request).
    uploaded = [pk for item in asked if item.kind == ResidentRequestKind.EVIDENCE and isinstance(item.data, dict)
                for pk in item.data.get("evidence") or [] if isinstance(pk, str)]
    evidence = list(Evidence.objects.filter(Q(report__reporter_id__in=party_ids) | Q(diary_entry__party_id__in=party_ids)
                                            | Q(pk__in=_uuids(uploaded), from_resident=True),
                                            case_id__in=case_ids).order_by("uploaded_at", "id"))
    entries = list(TimelineEntry.objects.filter(case_id__in=case_ids).order_by("occurred_at", "id"))
    messages = _messages_by_case(reports, invitations)
    own_reports = {report.pk for report in reports}
    from letters.models import Document

    letters = list(Document.objects.filter(recipient_id__in=party_ids, withdrawn_at__isnull=True).order_by("created_at"))

    cases = {}
    for party in parties:
        case = party.case
        if case.pk not in cases:
            cases[case.pk] = {
                "reference": case.reference, "about": case.category.name, "status": case.get_status_display(),
                "received": _iso(case.received_at.date()), "closed": _iso(case.closed_at.date() if case.closed_at else None),
                "where": ", ".join(v for v in (case.address, case.postcode) if v),
                "your_details": [], "reports": [], "contacts": [], "risk_assessments": [], "actions": [],
                "survey_answers": [], "messages": messages.get(case.pk, []), "updates": [], "withheld": [], "evidence": [],
                "diary": [], "asked": [], "letters": [], "_roles": set(),
            }
        cases[case.pk]["your_details"].append(_party_details(party))
        cases[case.pk]["_roles"].add(party.role)
    for report in reports:
        cases[report.case_id]["reports"].append({
            "received": _iso(report.received_at), "how": report.get_channel_display(), "about": report.category.name,
            "where": ", ".join(v for v in (report.address, report.postcode, report.location_description) if v),
            "when": _iso(report.incident_date), "how_often": report.get_frequency_display(),
            "what_happened": report.description, "effect_on_you": report.impact,
        })
    for contact in contacts:
        cases[contact.case_id]["contacts"].append({
            "when": _iso(contact.occurred_at), "how": contact.get_method_display(), "direction": contact.get_direction_display(),
            "got_through": "Yes" if contact.successful else "No", "summary": contact.summary,
        })
    for risk in risks:
        cases[risk.case_id]["risk_assessments"].append({
            "when": _iso(risk.assessed_at), "level": risk.get_level_display(), "score": risk.score,
            "answers": [f"{a.get('question', '')}: {'Yes' if a.get('answer') else 'No'}" for a in risk.answers or []],
            "notes": risk.notes,
        })
    for action in actions:
        cases[action.case_id]["actions"].append({
            "action": action.action_type.name, "status": action.get_status_display(), "served": _iso(action.served_on),
            "review": _iso(action.review_on), "expires": _iso(action.expires_on), "details": action.details, "outcome": action.outcome,
        })
    for response in responses:
        case_id = invitations[response.invitation_id].case_id
        cases[case_id]["survey_answers"].append({
            "answered": _iso(response.submitted_at), "overall": response.overall, "treated_fairly": response.treated_fairly,
            "listened_to": response.listened_to, "kept_updated": response.kept_updated,
            "first_contact_speed": response.first_contact_speed, "staff_polite": response.staff_polite,
            "comments": response.comments, "may_contact": "Yes" if response.may_contact else "No",
        })
    for entry in diary:
        cases[entry.case_id]["diary"].append({
            "happened": _iso(entry.happened_at), "received": _iso(entry.received_at), "what_happened": entry.what_happened,
            "who_was_involved": entry.who_involved, "how_it_affected_you": entry.how_affected,
        })
    for item in asked:
        cases[item.case_id]["asked"].append({"when": _iso(item.created_at), "what": item.get_kind_display(), "details": item.details})
    for document in letters:
        cases[document.case_id]["letters"].append({
            "number": document.number, "title": document.heading, "made": _iso(document.created_at),
            "sent": _iso(document.sent_at), "how": document.get_sent_method_display() if document.sent_method else "",
        })
    for entry in entries:
        case = cases[entry.case_id]
        # Updates shared with the resident are theirs to read when they reported (victim, complainant, reporter);
        # to a witness or an alleged perpetrator they are someone else's updates, and so is an update sent to one
        # other person on the case (for_party).
        # Another person's report is their own account of the problem (the case page says only that another report
        # was added): withheld like a staff record. A status change's reason is written for staff (the case page
        # never shows it): its summary only.
        someone_elses_report = entry.kind == TimelineKind.REPORT and (
            not isinstance(entry.changes, dict) or entry.changes.get("report") not in own_reports)
        if (entry.visibility == Visibility.RESIDENT and case["_roles"] & set(UPDATE_ROLES) and not someone_elses_report
                and (entry.for_party_id is None or entry.for_party_id in party_ids)):
            text = "" if entry.body.strip() in ("", entry.summary.strip()) or entry.kind == TimelineKind.STATUS else entry.body
            case["updates"].append({"when": _iso(entry.occurred_at), "kind": entry.get_kind_display(), "summary": entry.summary,
                                    "text": text})
        else:
            case["withheld"].append({"when": _iso(entry.occurred_at), "kind": entry.get_kind_display(), "reason": WITHHELD_REASON})
    # Discussions of the person's cases at Joint Action Group meetings: listed (that they happened, and when), their
    # content withheld like any internal record (the partners' notes, decisions and actions name other people).
    from jag.models import AgendaItem

    for item in (AgendaItem.objects.filter(case_id__in=case_ids, removed_at__isnull=True).select_related("meeting__group")
                 .order_by("meeting__held_on", "id")):
        cases[item.case_id]["withheld"].append({"when": _iso(item.meeting.held_on),
                                                "kind": f"Discussed at a Joint Action Group meeting ({item.meeting.group.name})",
                                                "reason": WITHHELD_REASON})
    files = []
    numbers = defaultdict(int)
    for item in evidence:
        case = cases[item.case_id]
        numbers[item.case_id] += 1
        suffix = PurePosixPath(item.original_name).suffix.lower()[:10]
        suffix = suffix if re.fullmatch(r"\.[a-z0-9]+", suffix) else ""
        name = f"evidence/{case['reference']}-{numbers[item.case_id]}{suffix}"
        case["evidence"].append({"file": name, "sent_as": item.original_name, "uploaded": _iso(item.uploaded_at),
                                 "type": item.content_type, "size": item.size})
        files.append((name, item))
    for case in cases.values():
        case["your_role"] = ", ".join(_label(Party._meta.get_field("role").choices, r) for r in sorted(case.pop("_roles")))
    case_reviews, applicants = _case_reviews(person)
    if applicants:  # someone who applied on their behalf is a third party in the bundle too
        redactor = Redactor(subject_values=redactor.subject_values, third_parties=redactor.third_parties + applicants)
    data = {
        "request": {"number": request.pk, "kind": request.get_kind_display(), "received": _iso(request.received_on),
                    "due": _iso(request.due_on)},
        "about_this_copy": NOTES,
        "you": {
            "name": person.full_name, "date_of_birth": _iso(person.date_of_birth), "email": person.email, "phone": person.phone,
            "address": person.address, "postcode": person.postcode,
            "vulnerability": person.vulnerability_note if person.is_vulnerable else "",
        },
        "cases": list(cases.values()),
        "case_reviews": case_reviews,
    }
    return redactor.walk(data), files


def _case_reviews(person) -> tuple[list[dict], list]:
    """The person's ASB Case Review applications (as the victim: Application.person): what was asked, decided and
    recommended, the letters sent, the request to look again. Someone who applied for them is a third party: their
    details are redacted like anyone else's. (privacy and casereview are both above cases; casereview never imports
    privacy.) Also the holders to redact: the applicants who were not the person."""
    from casereview.models import Application

    rows, applicants = [], []
    applications = (Application.objects.filter(person=person).select_related("meeting", "escalation")
                    .prefetch_related("recommendations__owner_agency").order_by("received_at", "id"))
    for application in applications:
        if not application.applicant_is_victim:
            applicants.append(SimpleNamespace(full_name=application.applicant_name, email=application.email,
                                              phone=application.phone, address=application.address, description=""))
        meeting = getattr(application, "meeting", None)  # a missing one-to-one is an AttributeError: None
        escalation = getattr(application, "escalation", None)
        looked_again = ""
        if escalation is not None and escalation.outcome:
            looked_again = escalation.get_outcome_display() + (f": {escalation.outcome_summary}" if escalation.outcome_summary else "")
        by = "You" if application.applicant_is_victim else (
            f"Someone on your behalf ({application.get_relationship_display().lower() or 'with your agreement'})")
        rows.append({
            "reference": application.reference, "received": _iso(application.received_at), "how": application.get_route_display(),
            "applied_by": by,
            "stage": application.get_stage_display(), "where": application.location, "what_was_happening": application.description,
            "effect": application.impact,
            "threshold_met": {True: "Yes", False: "No"}.get(application.threshold_met, "Not decided yet"),
            "review_held": {True: "Yes", False: "No"}.get(application.proceeds, "Not decided yet"),
            "reasons": application.decision_reasons, "decided": _iso(application.decided_at),
            "meeting": _iso(meeting.held_on) if meeting else "", "action_plan": meeting.action_plan if meeting else "",
            "recommendations": [
                {"recommendation": r.text, "by": r.owner_agency.name if r.owner_agency else "The council", "due": _iso(r.due_on),
                 "status": r.get_status_display()} for r in application.recommendations.all()],
            "outcome_letter": application.outcome_letter, "outcome_sent": _iso(application.outcome_sent_at),
            "asked_to_look_again": escalation.reasons if escalation else "",
            "result_of_looking_again": looked_again,
        })
    return rows, applicants


class _Labelled(dict):
    """A dict the HTML page lists as (label, value) rows: `{% for label, value in details.rows %}`."""

    @property
    def rows(self):
        return [(key.replace("_", " ").capitalize(), value) for key, value in self.items()]


def _for_html(value):
    if isinstance(value, dict):
        return _Labelled({k: _for_html(v) for k, v in value.items()})
    if isinstance(value, list):
        return [_for_html(v) for v in value]
    return value


def _evidence_bytes(item: Evidence) -> bytes | None:
    try:
        with item.file.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError, ValueError):
        return None  # deleted by the retention schedule: the index says so


def access_bundle_build(*, request: RightsRequest) -> bytes:
    """The ZIP, built in memory, byte-for-byte the same for the same data."""
    if request.person_id is None:
        raise ValueError("An access bundle needs an identified person")
    data, files = access_bundle_data(request=request)
    contents = {}
    for name, item in files:
        raw = _evidence_bytes(item)
        if raw is None:
            for case in data["cases"]:
                for row in case["evidence"]:
                    if row["file"] == name:
                        row["file"] = ""
                        row["sent_as"] += " (no longer held)"
        else:
            contents[name] = raw
    stamp = (max(request.received_on.year, 1980), request.received_on.month, request.received_on.day, 0, 0, 0)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        def add(name: str, payload: bytes):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, payload)

        add("index.html", render_to_string("privacy/requests/bundle_index.html", {"data": _for_html(data)}).encode())
        add("data.json", json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False).encode())
        for name in sorted(contents):
            add(name, contents[name])
    return buffer.getvalue()
