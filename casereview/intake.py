"""What the Case Review does at every report (registered with cases.hooks.on_report_taken in apps.py).

1. Second report within six months (statutory guidance, 2025): when the reporter (a victim, complainant or
   someone reporting on a victim's behalf; not a witness) has made an earlier report in the six months before
   this one, across cases through the register, the acknowledgement explains the Case Review in plain words
   with how to apply, and the officer's first-contact task says to explain it (a cases.ContactPrompt; recording
   the contact asks "Case Review explained?" and stores the answer). A prompt already open for the person is not
   opened again; one answered "yes" in the last six months is not asked again.
2. Threshold: threshold_for_case is judged for the case; when it is met and the case has no open flag, a
   ThresholdFlag is stored (the case page's banner and the manager's list read it).

A fixed number of queries per report, measured in bench/ (report_submit at 100,000 cases).
"""

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse

from cases.hooks import AcknowledgementNote
from cases.models import OPEN_STATUSES, PartyRole, Report
from cases.services.prompts import contact_prompt_open

from .models import ThresholdFlag
from .threshold import threshold_for_case, window_start

TOPIC = "case_review"
SECOND_REPORT_WITHIN_MONTHS = 6
GUIDANCE = ("Second report within six months: explain the ASB Case Review (their right to ask for a review of how "
            "their reports were handled) and how to apply.")
QUESTION = "Case Review explained?"
PROMPTING_ROLES = (PartyRole.VICTIM, PartyRole.COMPLAINANT, PartyRole.REPORTER)


def _prompting(report: Report) -> bool:
    return report.reporter is not None and report.reporter_role in PROMPTING_ROLES


def _second_report_facts(report: Report) -> tuple[bool, bool]:
    """(a second report within six months, already told or to be told), in one query: the reporter's earlier
    reports in the six months before this one, in the same parts (a statement they gave as a witness is not a report
    of theirs), and their "Case Review explained? Yes" answers in those six months, or a prompt still open on one of
    their open cases (one open prompt per person, not one per case), on any of their cases; by their register record
    when they have one. Written as SQL: it runs at every report (bench/intake.py)."""
    if not _prompting(report):
        return False, False
    reporter = report.reporter
    since = window_start(report.received_at, SECOND_REPORT_WITHIN_MONTHS)
    whose, who = ("p.person_id = %s", reporter.person_id) if reporter.person_id else ("p.id = %s", reporter.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM cases_report r JOIN cases_party p ON p.id = r.reporter_id"
            f"  WHERE {whose} AND r.received_at >= %s AND r.received_at <= %s AND r.reporter_role = ANY(%s) AND r.id <> %s),"
            " EXISTS (SELECT 1 FROM cases_contactprompt c JOIN cases_party p ON p.id = c.party_id"
            "  JOIN cases_case k ON k.id = c.case_id"
            f"  WHERE {whose} AND c.topic = %s AND (c.answer AND c.answered_at >= %s OR c.answered_at IS NULL"
            "   AND k.status = ANY(%s)))",
            [who, since, report.received_at, list(PROMPTING_ROLES), report.pk, who, TOPIC, since, list(OPEN_STATUSES)],
        )
        earlier, told = cursor.fetchone()
    return bool(earlier), bool(told)


def is_second_report_within_six_months(report: Report) -> bool:
    """The reporter made an earlier report in the six months before this one (one query)."""
    return _second_report_facts(report)[0]


def acknowledgement_note() -> AcknowledgementNote:
    context = {"apply_url": settings.SITE_URL.rstrip("/") + reverse("casereview:about"), "council_name": settings.COUNCIL_NAME}
    return AcknowledgementNote(
        email=render_to_string("casereview/emails/explained_at_second_report.txt", context).strip(),
        sms=render_to_string("casereview/sms/explained_at_second_report.txt", context).strip(),
    )


def report_taken(*, report: Report) -> list[AcknowledgementNote]:
    notes = []
    second, told = _second_report_facts(report)
    if second:
        notes.append(acknowledgement_note())
        if not told:
            contact_prompt_open(party=report.reporter, topic=TOPIC, guidance=GUIDANCE, question=QUESTION, report=report,
                                at=report.received_at)
    _flag_if_met(case=report.case, at=report.received_at)
    return notes


def _flag_if_met(*, case, at) -> bool:
    """Whether the threshold is met for `case`; if so a flag is stored unless one is open (no read back), on the case
    and, when one person's reports met it, on that person's other open cases where they are a victim too."""
    result = threshold_for_case(case, at=at)
    if result.met:
        # The case, and for a one-person rule the person's other open cases where they are a victim: one INSERT.
        ThresholdFlag.objects.bulk_create([ThresholdFlag(
            case_id=case_id, person_id=result.person_id, rule_id=result.rule_id, rule_text=result.rule[:200],
            report_ids=[r.pk for r in result.reports], met_at=result.at,
        ) for case_id in result.case_ids or (case.pk,)], ignore_conflicts=True)
    return result.met


def threshold_flag_record(*, case, at=None) -> ThresholdFlag | None:
    """Judge the threshold for `case` and store a flag when it is met and none is open: one INSERT … ON CONFLICT
    DO NOTHING against the one-open-flag-per-case constraint (idempotent, also when two reports race). The open
    flag, or None when the threshold is not met."""
    if not _flag_if_met(case=case, at=at):
        return None
    return ThresholdFlag.objects.filter(case=case, closed_at__isnull=True).first()
