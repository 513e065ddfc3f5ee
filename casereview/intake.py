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

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from cases.hooks import AcknowledgementNote
from cases.models import ContactPrompt, PartyRole, Report
from cases.services.prompts import contact_prompt_open

from .models import ThresholdFlag
from .threshold import threshold_for_case

TOPIC = "case_review"
SECOND_REPORT_WITHIN = relativedelta(months=6)
GUIDANCE = ("Second report within six months: explain the ASB Case Review (their right to ask for a review of how "
            "their reports were handled) and how to apply.")
QUESTION = "Case Review explained?"
PROMPTING_ROLES = (PartyRole.VICTIM, PartyRole.COMPLAINANT, PartyRole.REPORTER)


def is_second_report_within_six_months(report: Report) -> bool:
    """The reporter made an earlier report in the six months before this one (one query)."""
    reporter = report.reporter
    if reporter is None or report.reporter_role not in PROMPTING_ROLES:
        return False
    since = report.received_at - SECOND_REPORT_WITHIN
    earlier = Report.objects.filter(received_at__gte=since, received_at__lte=report.received_at).exclude(pk=report.pk)
    if reporter.person_id:
        earlier = earlier.filter(reporter__person_id=reporter.person_id)
    else:
        earlier = earlier.filter(reporter=reporter)
    return earlier.exists()


def _explained_lately(report: Report) -> bool:
    """Someone already told (answered yes) in the six months before this report, on any of their cases."""
    reporter = report.reporter
    told = ContactPrompt.objects.filter(topic=TOPIC, answer=True, answered_at__gte=report.received_at - SECOND_REPORT_WITHIN)
    told = told.filter(party__person_id=reporter.person_id) if reporter.person_id else told.filter(party=reporter)
    return told.exists()


def acknowledgement_note() -> AcknowledgementNote:
    context = {"apply_url": settings.SITE_URL.rstrip("/") + reverse("casereview:about"), "council_name": settings.COUNCIL_NAME}
    return AcknowledgementNote(
        email=render_to_string("casereview/emails/explained_at_second_report.txt", context).strip(),
        sms=render_to_string("casereview/sms/explained_at_second_report.txt", context).strip(),
    )


def report_taken(*, report: Report) -> list[AcknowledgementNote]:
    notes = []
    if is_second_report_within_six_months(report):
        notes.append(acknowledgement_note())
        if not _explained_lately(report):
            contact_prompt_open(party=report.reporter, topic=TOPIC, guidance=GUIDANCE, question=QUESTION, report=report,
                                at=report.received_at)
    _flag_if_met(case=report.case, at=report.received_at)
    return notes


def _flag_if_met(*, case, at) -> bool:
    """Whether the threshold is met for `case`; if so a flag is stored unless one is open (no read back)."""
    result = threshold_for_case(case, at=at)
    if result.met:
        ThresholdFlag.objects.bulk_create([ThresholdFlag(
            case=case, person_id=result.person_id, rule_id=result.rule_id, rule_text=result.rule[:200],
            report_ids=[r.pk for r in result.reports], met_at=result.at,
        )], ignore_conflicts=True)
    return result.met


def threshold_flag_record(*, case, at=None) -> ThresholdFlag | None:
    """Judge the threshold for `case` and store a flag when it is met and none is open: one INSERT … ON CONFLICT
    DO NOTHING against the one-open-flag-per-case constraint (idempotent, also when two reports race). The open
    flag, or None when the threshold is not met."""
    if not _flag_if_met(case=case, at=at):
        return None
    return ThresholdFlag.objects.filter(case=case, closed_at__isnull=True).first()
