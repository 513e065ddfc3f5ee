"""A shared case: Margaret Ellis's noise report, with a perpetrator and a withheld witness, shared with the
police (agreement in force); the housing provider has an agreement and users but no share of it."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from cases.models import PartyRole, ShareScope
from cases.services import case_assign, party_add

from ..cases.factories import report_submission, submit_report
from .helpers import HOUSING, POLICE, agency, agreement, partner, share


@pytest.fixture
def world(db, officer_user):
    officer_user.first_name, officer_user.last_name = "Olivia", "Officer"
    officer_user.save()
    police, housing = agency(POLICE), agency(HOUSING)
    agreement(police)
    agreement(housing)
    report = submit_report(report_submission(), received_at=timezone.now())
    case = report.case
    case_assign(case=case, officer=officer_user, actor=officer_user)
    victim = report.reporter
    perpetrator = party_add(case=case, actor=officer_user, role=PartyRole.PERPETRATOR, full_name="Kyle Mercer", phone="07700 900555")
    witness = party_add(case=case, actor=officer_user, role=PartyRole.WITNESS, full_name="Wendy Witness", phone="07700 900777",
                        email="wendy@example.com")
    case.refresh_from_db()
    police_share = share(case, police, scope=ShareScope.SUMMARY, people=[victim, perpetrator], by=officer_user)
    return SimpleNamespace(
        case=case, victim=victim, perpetrator=perpetrator, witness=witness, police=police, housing=housing, share=police_share,
        officer=officer_user,
        police_user=partner("police", police, first_name="Pat", last_name="Constable"),
        police_lead=partner("police-lead", police, lead=True, first_name="Lee", last_name="Sergeant"),
        housing_user=partner("housing", housing, first_name="Hana", last_name="Housing"),
        housing_lead=partner("housing-lead", housing, lead=True),
    )
