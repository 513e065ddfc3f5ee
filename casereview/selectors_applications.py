"""Reads for the application screens: the list with each application's next stage deadline, one application's page,
the call centre's confirmation. Everything starts from the policy: officers and managers see applications; the call
centre logs them and sees nothing else; partners never see an application (their recommendations have their own
screens, without applicant details)."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Page, Paginator
from django.db.models import CharField, F, OuterRef, Prefetch, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.http import Http404
from django.utils import timezone

from cases.models import Case, Deadline, DeadlineKind, Party
from cases.policy import Can, can, cases_visible_to, object_or_404, users_who_can

from .models import OPEN_STAGES, Application, ApplicationEvent, Recommendation, Stage
from .services.applications import REPORTED_TO, VICTIM_ROLES, recommendations_followed_up
from .services.stages import DECIDABLE_STAGES, ESCALATABLE_STAGES, RECOMMENDABLE_STAGES

PER_PAGE = 25
EVENTS_SHOWN = 200
STAGE_WORDS = dict(DeadlineKind.choices)


def applications_visible_to(user) -> QuerySet[Application]:
    if can(user, Can.SEE_CASE_REVIEWS):
        return Application.objects.all()
    return Application.objects.none()


def _subject() -> Concat:
    """The application's deadline subject ("casereview.application:<id>") in SQL, to join its stage deadlines."""
    return Concat(Value("casereview.application:"), Cast(OuterRef("pk"), CharField()), output_field=CharField())


@dataclass
class NextDue:
    kind: str
    due_at: datetime
    now: datetime

    @property
    def what(self) -> str:
        return STAGE_WORDS.get(self.kind, self.kind).removeprefix("Case Review: ").capitalize()

    @property
    def overdue(self) -> bool:
        return self.due_at < self.now


def application_list(user, *, which: str = "open", page_number=1) -> Page:
    """Applications (open ones by default), newest first, each with its next open stage deadline: three queries
    (count, page, nothing per row)."""
    rows = applications_visible_to(user)
    if which == "open":
        rows = rows.filter(stage__in=OPEN_STAGES)
    elif which == "closed":
        rows = rows.exclude(stage__in=OPEN_STAGES)
    next_deadline = Deadline.objects.open().filter(subject=_subject()).order_by("due_at")
    rows = (rows.select_related("spoc")
            .annotate(next_due_at=Subquery(next_deadline.values("due_at")[:1]), next_kind=Subquery(next_deadline.values("kind")[:1]))
            .order_by("-received_at", "-id"))
    page = Paginator(rows, PER_PAGE).get_page(page_number)
    now = timezone.now()
    for application in page.object_list:
        application.next_due = NextDue(application.next_kind, application.next_due_at, now) if application.next_due_at else None
    return page


@dataclass
class ApplicationPage:
    application: Application
    events: list[ApplicationEvent]
    deadlines: list[Deadline]
    now: datetime
    actions: dict = field(default_factory=dict)

    @property
    def recommendations(self) -> list[Recommendation]:
        return list(self.application.recommendations.all())

    @property
    def reported_to(self) -> list[str]:
        labels = dict(REPORTED_TO)
        return [labels.get(str(v), str(v)) for v in self.application.reported_to or []]


def application_or_404(user, reference: str) -> Application:
    require("\x00" not in reference)
    return object_or_404(applications_visible_to(user).select_related("escalation"), reference=reference)


def application_for_page(user, reference: str) -> ApplicationPage:
    """One application with everything its page shows, in a fixed number of queries: the application with its people,
    case, meeting and escalation; its recommendations and the agencies at the meeting; its history; its open stage
    deadlines."""
    require("\x00" not in reference)
    application = object_or_404(
        applications_visible_to(user)
        .select_related("spoc", "case", "person", "logged_by", "acknowledged_by", "decided_by", "meeting", "meeting__recorded_by",
                        "escalation", "escalation__recorded_by")
        .prefetch_related(
            Prefetch("recommendations", queryset=Recommendation.objects.select_related("owner_agency", "updated_by", "created_by")),
            "meeting__agencies_present",
        ),
        reference=reference,
    )
    events = list(ApplicationEvent.objects.filter(application=application).select_related("actor")[:EVENTS_SHOWN])
    deadlines = list(Deadline.objects.open().filter(subject=application.subject).select_related("owner").order_by("due_at"))
    now = timezone.now()
    page = ApplicationPage(application=application, events=events, deadlines=deadlines, now=now)
    page.actions = application_actions(user, application)
    return page


def application_actions(user, application: Application) -> dict:
    """Which action links the page shows, by stage and capability (the views check the same)."""
    open_ = application.is_open
    work, decide = can(user, Can.WORK_CASE_REVIEWS), can(user, Can.DECIDE_CASE_REVIEWS)
    stage = application.stage
    return {
        "acknowledge": work and open_ and application.acknowledged_at is None,
        # Closed after the outcome, its open recommendations are still reminded to the contact person.
        "spoc": decide and (open_ or (stage != Stage.WITHDRAWN and recommendations_followed_up(application))),
        "link": work and open_,
        "withdraw": work and open_,
        # Engineer C's stage screens (casereview.views.stages), linked by name, at the stages their services accept.
        "decide": decide and stage in DECIDABLE_STAGES,
        "meeting": work and stage == Stage.AWAITING_MEETING,
        "recommendation_add": work and stage in RECOMMENDABLE_STAGES and bool(application.proceeds),
        "outcome": work and stage == Stage.MEETING_HELD,
        "escalation": work and stage in ESCALATABLE_STAGES and not _has_escalation(application),
        "escalation_outcome": work and stage == Stage.ESCALATED,
    }


def _has_escalation(application: Application) -> bool:
    try:
        return application.escalation is not None  # select_related by the page's and the actions' reads
    except Application.escalation.RelatedObjectDoesNotExist:
        return False


def spoc_choices() -> list:
    return list(users_who_can(Can.WORK_CASE_REVIEWS).order_by("first_name", "last_name", "username"))


def spoc_choice(user_id) -> object | None:
    if not str(user_id).isdigit():
        return None
    return users_who_can(Can.WORK_CASE_REVIEWS).filter(pk=int(user_id)).first()


def case_for_link(user, reference: str) -> Case | None:
    """A council case this user may open, by its exact reference (upper-cased), or None."""
    reference = (reference or "").strip().upper()
    if not reference or len(reference) > 20 or "\x00" in reference:
        return None
    return cases_visible_to(user).filter(reference=reference).first()


def victims_for_link(case: Case) -> list[Party]:
    return list(case.parties.filter(role__in=VICTIM_ROLES, person__isnull=False).select_related("person")
                .annotate(person_name=F("person__full_name")).order_by("full_name", "id"))


def logged_application(user, reference: str) -> Application | None:
    """The call centre's confirmation after logging: only an application this user logged, by its reference."""
    if not can(user, Can.LOG_CASE_REVIEW_APPLICATIONS) or not reference:
        return None
    return Application.objects.filter(reference=reference, logged_by=user).only("reference", "received_at", "route").first()


def require(condition: bool) -> None:
    if not condition:
        raise Http404
