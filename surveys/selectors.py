"""Survey results for managers and the dashboard: satisfaction against the 97% target, by SQL aggregation."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import TruncMonth

from cases.models import Case, Party
from cases.policy import Can, can, parties_visible_to, scoped

from .models import CommentAction, Invitation, Purpose, Response, SurveyChannel
from .services import eligible_people

TARGET = 0.97
QUESTION_LABELS = {
    "overall": "Overall satisfaction with how the report was handled",
    "treated_fairly": "Treated fairly and with respect",
    "listened_to": "Listened to",
    "kept_updated": "Kept up to date",
    "first_contact_speed": "How quickly first contact came",
    "staff_polite": "Staff polite and knowledgeable",
}
SATISFIED = 4  # "satisfied" (4) or "very satisfied" (5); for the other questions, "agree" or "strongly agree"


@dataclass(frozen=True)
class Rate:
    """Satisfied responses over all responses to the question. No responses: no rate (not 0%, not 100%)."""

    satisfied: int
    total: int

    @property
    def rate(self) -> float | None:
        return self.satisfied / self.total if self.total else None

    @property
    def percent(self) -> float | None:
        return None if self.rate is None else round(self.rate * 100, 1)

    @property
    def meets_target(self) -> bool | None:
        return None if self.rate is None else self.rate >= TARGET


def responses(user, *, start: date | None = None, end: date | None = None) -> QuerySet[Response]:
    """Survey responses this user may read (managers; the access policy keeps them to visible cases)."""
    if not can(user, Can.READ_SURVEY_RESULTS):
        return Response.objects.none()
    qs = scoped(user, Response.objects.all(), case_field="invitation__case")
    if start:
        qs = qs.filter(submitted_at__date__gte=start)
    if end:
        qs = qs.filter(submitted_at__date__lte=end)
    return qs


def satisfaction(qs: QuerySet[Response], question: str = "overall") -> Rate:
    counts = qs.aggregate(total=Count("id"), satisfied=Count("id", filter=Q(**{f"{question}__gte": SATISFIED})))
    return Rate(counts["satisfied"], counts["total"])


def question_rates(qs: QuerySet[Response]) -> list[tuple[str, Rate]]:
    aggregates = {}
    for name in QUESTION_LABELS:
        aggregates[f"{name}_ok"] = Count("id", filter=Q(**{f"{name}__gte": SATISFIED}))
    counts = qs.aggregate(total=Count("id"), **aggregates)
    return [(label, Rate(counts[f"{name}_ok"], counts["total"])) for name, label in QUESTION_LABELS.items()]


def satisfaction_by(qs: QuerySet[Response], field: str) -> list[tuple[str, Rate]]:
    """Per officer (officer), category (category_name), channel (report_channel) or month (month)."""
    if field == "month":
        qs = qs.annotate(month=TruncMonth("submitted_at"))
    rows = qs.values(field).annotate(total=Count("id"), satisfied=Count("id", filter=Q(overall__gte=SATISFIED))).order_by(field)
    if field == "officer":
        from django.contrib.auth import get_user_model

        names = {u.pk: u.get_full_name() or u.username for u in get_user_model().objects.filter(pk__in=[r["officer"] for r in rows])}
        return [(names.get(r["officer"], "No officer"), Rate(r["satisfied"], r["total"])) for r in rows]
    if field == "month":
        return [(f"{r['month']:%B %Y}", Rate(r["satisfied"], r["total"])) for r in rows]
    return [(r[field] or "Not known", Rate(r["satisfied"], r["total"])) for r in rows]


def comments(qs: QuerySet[Response]) -> QuerySet[Response]:
    """Responses with a comment, newest first, with what was done about them."""
    return (
        qs.exclude(comments="")
        .annotate(has_action=Exists(CommentAction.objects.filter(response=OuterRef("pk"))))
        .select_related("invitation__case", "invitation__party")
        .prefetch_related("actions__recorded_by")
        .order_by("-submitted_at")
    )


def comments_with_response(qs: QuerySet[Response]) -> Rate:
    """The share of comments that have a recorded 'you said, we did' (as a Rate: responded over all)."""
    with_comments = qs.exclude(comments="")
    counts = with_comments.aggregate(
        total=Count("id"), satisfied=Count("id", filter=Q(Exists(CommentAction.objects.filter(response=OuterRef("pk")))))
    )
    return Rate(counts["satisfied"], counts["total"])


def phone_surveys_open_to(user) -> QuerySet[Invitation]:
    """Phone invitations this user may enter answers for (answered ones included, so a page can say so).

    Only invitations by phone: an email or text invitation is the resident's own link, and staff opening
    it would see who was asked and could spend the link. Surveys an officer starts from a case page
    (purpose "phone") are for officers and managers on cases they may read.
    """
    if not can(user, Can.ENTER_PHONE_SURVEYS):
        return Invitation.objects.none()
    invitations = Invitation.objects.filter(channel=SurveyChannel.PHONE)
    if can(user, Can.START_PHONE_SURVEYS):
        invitations = invitations.filter(~Q(purpose=Purpose.PHONE) | Q(pk__in=scoped(user, Invitation.objects.all()).values("pk")))
    else:
        invitations = invitations.exclude(purpose=Purpose.PHONE)
    return invitations.select_related("case", "party")


def phone_surveys_to_do(user) -> QuerySet[Invitation]:
    """Invitations by phone (people who prefer a call or a letter) still to be carried out by staff."""
    return phone_surveys_open_to(user).filter(responded_at__isnull=True).exclude(purpose=Purpose.PHONE).order_by("sent_at")


def people_to_ask(user, case: Case) -> QuerySet[Party]:
    """The people on `case` this user may start a survey with: eligible to be asked (services.eligible_people)
    and people whose details the user may see under the access policy."""
    return parties_visible_to(user, case).filter(pk__in=[p.pk for p in eligible_people(case)]).order_by("id")
