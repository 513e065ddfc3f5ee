"""Partner agencies in the demo: their users, their information-sharing agreements and one shared story case.

- `police` and `police-lead` (Leicestershire Police) and `housing` (Housing providers) sign in with the demo password.
- Agreements in force for the police and the housing providers (signed about a year ago, review due in about a
  year) and one that has lapsed (Leicester Fire and Rescue Service), so the screens show both states.
- The high-risk hate case (Graham Fletcher, a housing association tenant) is shared with Housing providers at the
  timeline scope, his details on his consent, with one entry marked for partners and a referral awaiting their
  answer. Nothing is shared with the police: the README's walkthrough has a manager do that.

Idempotent, on any date: each thing is created only when it is missing (an agreement when none is in force today;
the share when the case was never shared with the agency, so a share stopped in the demo stays stopped).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import (
    AgencyMember,
    CaseShare,
    LawfulBasis,
    PartnerAgency,
    Party,
    PartyRole,
    PersonBasis,
    Report,
    ShareScope,
    SharingAgreement,
    TimelineEntry,
    TimelineKind,
    Visibility,
)
from cases.policy import agreements_in_force
from cases.roles import Role
from cases.services import sharing
from notifications.models import Message, MessageStatus

POLICE, HOUSING, FIRE = "Leicestershire Police", "Housing providers", "Leicester Fire and Rescue Service"

# username, first, last, role, agency
PARTNER_USERS = [
    ("police", "Sam", "Patel", Role.PARTNER_USER, POLICE),
    ("police-lead", "Karen", "Doyle", Role.PARTNER_LEAD, POLICE),
    ("housing", "Owen", "Reid", Role.PARTNER_USER, HOUSING),
]

COMMON_SHARED = (
    "Case reference, category, location and a summary of the reported behaviour; the names, addresses and contact "
    "details of victims, witnesses and alleged perpetrators named in a share, each with their consent or a recorded "
    "lawful reason (safeguarding, or the prevention or detection of crime or disorder); case entries the officer marks "
    "for partners; evidence the officer chooses. Never shared: internal notes, messages to and from residents, survey "
    "answers and anything about a person not named in the share."
)
AGREEMENTS = {
    POLICE: ("Community safety information-sharing agreement: Oadby and Wigston Borough Council and Leicestershire Police",
             COMMON_SHARED + " The police may add incident numbers, patrol plans and the outcome of investigations."),
    HOUSING: ("Anti-social behaviour information-sharing agreement: Oadby and Wigston Borough Council and registered housing providers",
              COMMON_SHARED + " Housing providers may add tenancy details relevant to the behaviour (tenure, warnings, "
              "enforcement) and repairs or security work at the victim's home."),
    FIRE: ("Community safety information-sharing agreement: Oadby and Wigston Borough Council and Leicester Fire and Rescue Service",
           COMMON_SHARED + " The fire service may add home fire safety visits and deliberate fire-setting incidents."),
}

SHARED_STORY = "demo-high-risk"
SHARE_REASON = ("Mr Fletcher is a housing association tenant targeted at home because of his disability. His landlord can "
                "repair and protect his windows and support him while we and the police deal with the young people.")
PARTNER_UPDATE = ("Update for partners: warning served, patrols in place\n"
                  "Warning letter served on the family of the young person named by Mr Fletcher; police patrols on Central "
                  "Avenue on Friday evenings continue for four weeks. Mr Fletcher has agreed to his details going to his "
                  "landlord. The front window pane is still cracked.")
REFERRAL_REASON = ("Please repair the cracked front window at 9 Central Avenue and consider fitting window guards; ask "
                   "Mr Fletcher whether he would like a management move to be considered.")


def partner_members_ensure(users: dict, manager) -> None:
    """Each demo partner user's agency (created with the user; never moved if a manager changed it)."""
    for username, _first, _last, _role, agency in PARTNER_USERS:
        AgencyMember.objects.get_or_create(
            user=users[username], defaults={"agency": PartnerAgency.objects.get(name=agency), "added_by": manager})


@transaction.atomic
def agreements_ensure(*, users: dict, now) -> None:
    today = timezone.localdate(now)
    manager = users["manager"]
    for name in (POLICE, HOUSING):
        agency = PartnerAgency.objects.get(name=name)
        if agreements_in_force(on=today).filter(agency=agency).exists():
            continue
        title, shared = AGREEMENTS[name]
        SharingAgreement.objects.create(
            agency=agency, title=title, lawful_basis=LawfulBasis.CDA_S115_AND_PUBLIC_TASK, what_may_be_shared=shared,
            signed_on=today - timedelta(days=360), review_by=today + timedelta(days=370), recorded_by=manager,
            recorded_at=now - timedelta(days=360))
    fire = PartnerAgency.objects.get(name=FIRE)
    if not SharingAgreement.objects.filter(agency=fire).exists():
        # Lapsed two months ago and not yet renewed: nothing can be shared with the fire service.
        title, shared = AGREEMENTS[FIRE]
        SharingAgreement.objects.create(
            agency=fire, title=title, lawful_basis=LawfulBasis.CDA_S115_AND_PUBLIC_TASK, what_may_be_shared=shared,
            signed_on=today - timedelta(days=3 * 365 + 60), review_by=today - timedelta(days=60), recorded_by=manager,
            recorded_at=now - timedelta(days=3 * 365 + 60))


def story_share_ensure(*, demo, submission_key) -> bool:
    """Share the high-risk story case with Housing providers (in the caller's transaction). True if created now.

    `submission_key`: the key of the SHARED_STORY's report. Through the sharing service, dated two working days
    ago.
    """
    report = Report.objects.filter(submission_key=submission_key).select_related("case").first()
    housing = PartnerAgency.objects.get(name=HOUSING)
    if report is None or CaseShare.objects.filter(case=report.case, agency=housing).exists():
        return False
    demo.case = case = report.case
    demo.officer = officer = case.officer or demo.users["officer"]
    victim = Party.objects.filter(case=case, role=PartyRole.VICTIM).order_by("id").first()
    if not victim.consent_to_share:
        Party.objects.filter(pk=victim.pk).update(consent_to_share=True)
    shared_at = demo.ago(2, 11)
    share = demo._dated(shared_at, lambda: sharing.case_share(
        case=case, agency=housing, reason=SHARE_REASON, scope=ShareScope.TIMELINE, people={victim.pk: PersonBasis.CONSENT},
        evidence_ids=[], ends_on=None, actor=officer))
    CaseShare.objects.filter(pk=share.pk).update(shared_at=shared_at)
    # The agency's users were emailed when it was shared: sent then, nothing left for a worker.
    entry = TimelineEntry.objects.filter(case=case, kind=TimelineKind.SHARE).latest("id")
    Message.objects.filter(key__startswith=f"share:{entry.pk}:").update(status=MessageStatus.SENT, created_at=shared_at,
                                                                        sent_at=shared_at)
    services.note_add(case=case, text=PARTNER_UPDATE, actor=officer, visibility=Visibility.PARTNERS, occurred_at=demo.ago(2, 11, 10))
    referred_at = demo.ago(2, 11, 20)
    referral = demo.refer(referred_at, HOUSING, REFERRAL_REASON)
    # Housing can see the case, so its users were emailed about the referral then: sent, nothing left pending.
    Message.objects.filter(key__startswith=f"referral:{referral.pk}:").update(status=MessageStatus.SENT, created_at=referred_at,
                                                                              sent_at=referred_at)
    return True
