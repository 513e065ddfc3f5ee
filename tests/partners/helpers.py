"""Partner agencies, their users, agreements and shares, made directly with the models (the staff
sharing screens are tested on their own)."""

from datetime import timedelta

from django.contrib.auth.models import Group
from django.utils import timezone

from cases.models import AgencyMember, CaseShare, LawfulBasis, PartnerAgency, SharedPerson, ShareScope, SharingAgreement
from cases.roles import GROUP_NAMES, Role

from ..cases.factories import UserFactory

POLICE = "Leicestershire Police"
HOUSING = "Housing providers"


def agency(name=POLICE) -> PartnerAgency:
    return PartnerAgency.objects.get(name=name)


def agreement(agency_, *, days_left=300) -> SharingAgreement:
    today = timezone.localdate()
    return SharingAgreement.objects.create(
        agency=agency_, title=f"{agency_.name} information sharing", lawful_basis=LawfulBasis.CDA_S115_AND_PUBLIC_TASK,
        what_may_be_shared="Case summaries and the people involved", signed_on=today - timedelta(days=30),
        review_by=today + timedelta(days=days_left),
    )


def partner(username, agency_, *, lead=False, **names):
    user = UserFactory(username=username, **names)
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.PARTNER_LEAD if lead else Role.PARTNER_USER]))
    AgencyMember.objects.create(user=user, agency=agency_)
    return user


def share(case, agency_, *, scope=ShareScope.SUMMARY, people=(), evidence=(), by, reason="Threats of violence: police to visit"):
    made = CaseShare.objects.create(case=case, agency=agency_, reason=reason, scope=scope, shared_by=by)
    for person in people:
        SharedPerson.objects.create(share=made, party=person, basis="consent")
    if evidence:
        made.evidence.set(evidence)
    return made
