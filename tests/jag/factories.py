"""JAG test data: a group meeting on the second Tuesday, its members, a meeting (helpers for every JAG test)."""

from datetime import date, time

from cases.models import PartnerAgency
from jag.models import JagGroup, JagMember, Meeting

CONFIDENTIALITY = ("Everything discussed is confidential to the members of this group and used only to prevent and "
                   "tackle anti-social behaviour.")


def group_make(**overrides) -> JagGroup:
    values = {"name": "Oadby and Wigston JAG", "week": 2, "weekday": 1, "starts_at": time(10, 0),
              "location": "Council Offices, Station Road, Wigston", "confidentiality_statement": CONFIDENTIALITY, **overrides}
    return JagGroup.objects.create(**values)


def member_make(group: JagGroup, user, *, agency: PartnerAgency | None = None, co_chair: bool = False) -> JagMember:
    return JagMember.objects.create(group=group, user=user, agency=agency, is_co_chair=co_chair)


def meeting_make(group: JagGroup, held_on: date, *, rule_date: date | None = None, **overrides) -> Meeting:
    return Meeting.objects.create(group=group, rule_date=rule_date or held_on, held_on=held_on, starts_at=group.starts_at,
                                  location=group.location, **overrides)
