"""Writes to the case file. Each service runs in one transaction and writes its timeline entry."""

from ..selectors import parties_missing_final_update
from .actions import action_record, action_update, breach_record, referral_make, referral_update
from .casework import (
    case_assign,
    case_close,
    case_merge,
    case_status_change,
    case_update,
    evidence_add,
    note_add,
)
from .common import CaseClosedError, CaseError, StaleEditError, search_document_refresh, timeline_add
from .intake import (
    ReportError,
    ReportSubmission,
    case_reference_next,
    evidence_purge_abandoned,
    evidence_stage,
    evidence_staged_discard,
    evidence_unstage,
    report_submit,
)
from .partner_work import (
    UsernameTakenError,
    agency_user_add,
    agency_user_set_active,
    agency_user_set_role,
    partner_note_add,
    referral_answer,
    referral_outcome_record,
)
from .people import contact_record, party_add, party_update
from .register import (
    Candidate,
    party_link,
    person_candidates,
    person_merge,
    person_unmerge,
    person_vulnerable_set,
    place_for,
    place_key,
    possible_match_decide,
    register_rebuild,
    repeat_rule_update,
)
from .risk import risk_assess, risk_question_set_active
from .sharing import agreement_end, agreement_record, case_lock_down, case_share, share_change, share_stop

__all__ = [
    "CaseClosedError", "CaseError", "ReportError", "ReportSubmission", "StaleEditError", "action_record",
    "action_update", "breach_record", "case_assign", "case_close", "case_merge", "case_reference_next",
    "case_status_change", "case_update", "contact_record", "evidence_add", "evidence_purge_abandoned",
    "evidence_stage", "evidence_staged_discard", "evidence_unstage", "note_add", "parties_missing_final_update", "party_add", "party_update",
    "referral_make", "referral_update", "report_submit", "risk_assess", "risk_question_set_active",
    "search_document_refresh", "timeline_add",
    "UsernameTakenError", "agency_user_add", "agency_user_set_active", "agency_user_set_role", "partner_note_add",
    "referral_answer", "referral_outcome_record",
    "agreement_end", "agreement_record", "case_lock_down", "case_share", "share_change", "share_stop",
    "Candidate", "party_link", "person_candidates", "person_merge", "person_unmerge", "person_vulnerable_set", "place_for",
    "place_key", "possible_match_decide", "register_rebuild", "repeat_rule_update",
]
