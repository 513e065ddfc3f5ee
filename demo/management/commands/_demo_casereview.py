"""The ASB Case Review in the demo (issue 13). After the stories, the history and the register exist, this makes sure
the demo shows:

- a victim who has **just met the threshold**: Farida Begum, three separate incidents in under four months (her first
  case, closed; the problem back two working days ago, a second report, so her acknowledgement explained the Case
  Review and her officer's first-contact task says to explain it; and a third report an hour ago, added to that case,
  which meets "3 separate incidents reported by one person within 6 months"): a banner on her case and the first row
  of the manager's threshold list;
- Eileen Ward's open case judged too (three reports in six months on three cases, loaded out of order by the demo);
- an **application waiting for a decision**, and a **completed review with recommendations** (see
  `applications_ensure`).

Idempotent on any date: each story runs once (its first report's submission key); applications by their own keys.
"""

from django.db import transaction
from django.utils import timezone

from casereview.intake import threshold_flag_record
from cases import services
from cases.models import Case, Channel, ClosureReason, ContactMethod, PartyRole, Report

FARIDA = {"full_name": "Farida Begum", "phone": "07700 900561", "email": "farida.begum@example.com",
          "address": "Flat 3, 41 Bull Head Street, Wigston", "postcode": "LE18 1PA", "customer_group": "ha_tenant",
          "preferred_contact_method": "email", "perpetrator_known": "described",
          "perpetrator_description": "Four or five teenagers who gather in the stairwell"}

STORIES = []  # (key, function) in the order they run


def story(key):
    def add(fn):
        STORIES.append((key, fn))
        return fn
    return add


@story("demo-case-review-threshold-1")
def farida_first_case(d):
    """Her first report, three and a half months ago: worked and closed after the young people were moved on."""
    d.report(d.ago(75, 21, 10), category="intimidation-or-harassment", home=True, **FARIDA, frequency="weekly",
             description="Teenagers sit in the stairwell outside my flat in the evening, smoking, shouting and banging on "
             "my door when I ask them to move.", impact="I am afraid to go out after dark.")
    d.assign(d.ago(74, 9), "officer")
    d.contact(d.ago(74, 11), "Emailed Ms Begum; asked the housing association to fit a door entry lock.", method=ContactMethod.EMAIL)
    d.risk(d.ago(74, 12), ["afraid", "daily life"], "Intimidation at her door; lives alone.")
    d.note(d.ago(60, 15), "Housing association fitted the stairwell door lock.")
    d.contact(d.ago(50, 10), "Emailed Ms Begum: the lock is in and the patrols continue; no repeat since.",
              method=ContactMethod.EMAIL, final=True)
    d.close(d.ago(50, 10, 30), ClosureReason.RESOLVED, "Stairwell secured; no repeat for three weeks.")


@story("demo-case-review-threshold-2")
def farida_second_report(d):
    """The problem is back: her second report in six months (the acknowledgement explains the Case Review), and an
    hour ago a third, added to the same case by the call centre: the threshold is met."""
    from .seed_demo import submission_key

    d.report(d.ago(2, 22, 40), category="intimidation-or-harassment", home=True, **FARIDA, frequency="weekly",
             description="The same group are back in the stairwell since the lock broke. Last night they kicked my door and "
             "shouted abuse through the letterbox.", impact="I have not slept properly for a week.")
    d.assign(d.ago(1, 9), "officer")
    third = services.ReportSubmission(
        category=d.case.category, reporter_role=PartyRole.VICTIM, is_ongoing=True, frequency="weekly",
        incident_date=timezone.localdate(d.today(60)),
        address=FARIDA["address"], postcode=FARIDA["postcode"],
        description="Caller says the teenagers were in the stairwell again this morning and one spat at her as she left.",
        impact="She is frightened to leave the flat.",
        **{k: FARIDA[k] for k in ("full_name", "phone", "email", "customer_group", "preferred_contact_method")},
        reporter_address=FARIDA["address"], reporter_postcode=FARIDA["postcode"],
    )
    services.report_submit(data=third, channel=Channel.PHONE, submission_key=submission_key("demo-case-review-threshold-3"),
                           logged_by=d.users["callcentre"], existing_case=d.case, received_at=d.today(60))


def threshold_ensure(*, now) -> None:
    """Eileen Ward's open case: her three reports were loaded out of date order, so judge it now (a flag once)."""
    eileen = Case.objects.filter(reports__reporter__full_name="Eileen Ward", status__in=["new", "open", "monitoring"]).first()
    if eileen is not None and Report.objects.filter(reporter__full_name="Eileen Ward").count() >= 3:
        threshold_flag_record(case=eileen, at=now)


def casereview_ensure(*, users: dict, now, demo_for, submission_key) -> int:
    """Tell the Case Review's stories (each in its own transaction), then judge Eileen Ward's case and make sure the
    applications exist. Returns how many stories ran now."""
    created = 0
    for key, tell in STORIES:
        if Report.objects.filter(submission_key=submission_key(key)).exists():
            continue
        with transaction.atomic():
            tell(demo_for(key))
        created += 1
    with transaction.atomic():
        threshold_ensure(now=now)
    return created
