"""Risk assessment: score the active question set; the latest assessment sets the case's risk level."""

from django.db import transaction
from django.utils import timezone

from ..models import RiskAssessment, RiskLevel, RiskQuestionSet, TimelineKind
from .common import CaseError, case_lock, case_touch, timeline_add
from .deadlines import deadlines_recompute_for_risk


def risk_question_set_active() -> RiskQuestionSet:
    question_set = RiskQuestionSet.objects.filter(is_active=True).prefetch_related("questions").first()
    if question_set is None:
        raise CaseError("There is no active risk assessment form: a manager must set one up in the admin")
    return question_set


@transaction.atomic
def risk_assess(*, case, answers: dict[int, bool], actor, party=None, notes: str = "", expected_version: int | None = None) -> RiskAssessment:
    """Score answers (question id → yes/no) against the active set; a changed level updates the case."""
    case = case_lock(case=case, expected_version=expected_version)
    question_set = risk_question_set_active()
    questions = list(question_set.questions.all())
    missing = [q.text for q in questions if q.pk not in answers]
    if missing:
        raise CaseError(f"Answer every question: {missing[0]}")
    if party is not None and party.case_id != case.pk:
        raise CaseError("Choose someone on this case")
    score = sum(q.weight for q in questions if answers[q.pk])
    # The questions whose yes forced the band, in the words said beside the score ("violence or threats reported").
    forced_by = [q.short_label or q.text for q in questions if q.forces_high and answers[q.pk]]
    level = question_set.level_for(score, forced_high=bool(forced_by))
    assessment = RiskAssessment.objects.create(
        case=case,
        party=party,
        question_set=question_set,
        answers=[{"question": q.text, "weight": q.weight, "answer": answers[q.pk]} for q in questions],
        score=score,
        level=level,
        forced_by=forced_by,
        notes=notes,
        assessed_by=actor,
        assessed_at=timezone.now(),
    )
    before = case.risk_level
    summary = f"Risk assessed: {RiskLevel(level).label.lower()} (score {score})"
    if assessment.band_reason:
        summary = f"Risk assessed: {assessment.band_reason} (score {score})"
    if before != level:
        summary += f", was {RiskLevel(before).label.lower()}"
        case.risk_level = level
        case_touch(case, "risk_level")
        deadlines_recompute_for_risk(case=case)
    timeline_add(
        case=case,
        actor=actor,
        kind=TimelineKind.RISK,
        summary=summary,
        body=notes,
        changes={"risk_level": [before, level]} if before != level else {},
    )
    return assessment
