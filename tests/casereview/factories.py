"""Case Review test data: applications made as application_submit makes them (a reference, the acknowledgement and
decision stage deadlines from receipt), and the people around them. Engineer B's tests may import these."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Group
from django.utils import timezone

from casereview.models import Application, Route, Stage
from casereview.services.common import application_reference_next, stage_deadline_open
from cases.models import DeadlineKind
from cases.roles import GROUP_NAMES, Role

from ..cases.factories import UserFactory

LONDON = ZoneInfo("Europe/London")
# What partner pages must never show: the applicant's and the victim's names and contact details.
APPLICANT_NAME = "Philippa Marchbanks-Oyelaran"
APPLICANT_EMAIL = "philippa.m@example.com"
APPLICANT_PHONE = "07700 900321"
APPLICANT_ADDRESS = "27 Quarryfield Close, Wigston"
VICTIM_NAME = "Ozymandias Featherstonehaugh"


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


def staff(username: str, role: str, *, email: str | None = None, first_name: str = "", last_name: str = ""):
    user = UserFactory(username=username, email=email if email is not None else f"{username}@example.com",
                       **({"first_name": first_name} if first_name else {}), **({"last_name": last_name} if last_name else {}))
    user.groups.add(Group.objects.get(name=GROUP_NAMES[role]))
    return user


def application_make(*, received_at: datetime | None = None, spoc=None, case=None, method: str = "email",
                     stage: str = Stage.RECEIVED, **overrides) -> Application:
    """An application as received (stage RECEIVED, or ACKNOWLEDGED when asked), with its two stage deadlines open."""
    received_at = received_at or timezone.now()
    values = {
        "route": Route.ONLINE, "applicant_name": APPLICANT_NAME, "email": APPLICANT_EMAIL, "phone": APPLICANT_PHONE,
        "address": APPLICANT_ADDRESS, "postcode": "LE18 4QQ", "preferred_contact_method": method,
        "location": "Quarryfield Close", "description": "Noise and shouting every night from number 29.",
        "applicant_is_victim": False, "victim_consents": True, "relationship": "family", "victim_name": VICTIM_NAME,
        **overrides,
    }
    application = Application.objects.create(
        reference=application_reference_next(year=received_at.astimezone(LONDON).year), received_at=received_at, spoc=spoc,
        case=case, stage=stage, **values,
    )
    if stage == Stage.ACKNOWLEDGED:
        Application.objects.filter(pk=application.pk).update(acknowledged_at=received_at, acknowledgement_method=method)
        application.refresh_from_db()
    else:
        stage_deadline_open(application=application, kind=DeadlineKind.CASE_REVIEW_ACKNOWLEDGE, starts_at=received_at)
    stage_deadline_open(application=application, kind=DeadlineKind.CASE_REVIEW_DECISION, starts_at=received_at)
    return application


def fresh(application: Application) -> Application:
    return Application.objects.get(pk=application.pk)


def decided(application: Application, manager, *, proceeds: bool = True, threshold_met: bool = True) -> Application:
    from casereview.services.stages import application_decide

    return application_decide(application=fresh(application), threshold_met=threshold_met, proceeds=proceeds,
                              reasons="Three reports in six months about the same neighbour.", actor=manager,
                              version=fresh(application).version)


def met(application: Application, officer, *, held_on: date | None = None, agencies=()) -> Application:
    """The review meeting recorded (the application must be awaiting it)."""
    from casereview.services.stages import MeetingRecord, meeting_record

    record = MeetingRecord(
        held_on=held_on or timezone.localdate(), chair_name="Dr Harriet Oduya", independent_chair=True,
        agencies_present=list(agencies), applicant_participation="attended",
        agency_summary="The council sent two warning letters; the police visited twice.",
        action_plan="Noise monitoring for four weeks; a joint visit; an Acceptable Behaviour Contract.", victim_consulted=True,
    )
    meeting_record(application=fresh(application), record=record, actor=officer, version=fresh(application).version)
    return fresh(application)


ROLES = {"call_centre": Role.CALL_CENTRE, "officer": Role.OFFICER, "manager": Role.MANAGER}


def partner_user(username: str, role: str, agency, *, email: str | None = None):
    """A partner agency's user (role Role.PARTNER_USER or Role.PARTNER_LEAD) with an email, for reminders."""
    from cases.models import AgencyMember

    user = staff(username, role, email=email)
    AgencyMember.objects.create(user=user, agency=agency)
    return user
