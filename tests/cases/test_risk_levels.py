"""A case nobody has assessed reads "Not assessed" (never "Standard"); an answer that forces the band says so."""

import importlib

import pytest
from django.apps import apps
from django.contrib.messages import get_messages

from cases import sla
from cases.models import Case, RiskAssessment, RiskLevel, RiskQuestion, TimelineKind
from cases.services import risk_assess, risk_question_set_active
from cases.templatetags.asb_forms import risk_tag

from .factories import CaseFactory, report_submission, submit_report

pytestmark = pytest.mark.django_db
MIGRATION = importlib.import_module("cases.migrations.0014_case_risk_not_assessed")
VIOLENCE = "Has there been violence, or threats of violence?"


def answers(*yes_texts: str) -> dict[int, bool]:
    return {q.pk: q.text in yes_texts for q in risk_question_set_active().questions.all()}


def text_starting(start: str) -> str:
    return risk_question_set_active().questions.get(text__startswith=start).text


def test_a_new_case_has_no_risk_level_until_it_is_assessed():
    case = submit_report().case
    assert Case.objects.get(pk=case.pk).risk_level == RiskLevel.NOT_ASSESSED
    assert CaseFactory().risk_level == RiskLevel.NOT_ASSESSED
    assert Case._meta.get_field("risk_level").default == RiskLevel.NOT_ASSESSED


def test_an_unassessed_case_is_owed_updates_every_14_days_like_standard():
    assert sla.update_interval_days(RiskLevel.NOT_ASSESSED) == sla.update_interval_days(RiskLevel.STANDARD) == 14
    assert sla.update_interval_days(RiskLevel.HIGH) == 7


def test_the_migration_marks_only_unassessed_standard_cases_not_assessed(officer_user):
    unassessed = CaseFactory(risk_level=RiskLevel.STANDARD)
    assessed = submit_report(report_submission(phone="07700 900555", email="b@example.com")).case
    risk_assess(case=assessed, answers=answers(), actor=officer_user)  # standard, by an assessment
    set_by_hand = CaseFactory(risk_level=RiskLevel.HIGH)  # a manager set it in the admin: kept
    already = CaseFactory()
    MIGRATION.cases_mark_not_assessed(apps, None)
    levels = dict(Case.objects.filter(pk__in=[c.pk for c in (unassessed, assessed, set_by_hand, already)])
                  .values_list("pk", "risk_level"))
    assert levels == {unassessed.pk: "not_assessed", assessed.pk: "standard", set_by_hand.pk: "high",
                      already.pk: "not_assessed"}
    MIGRATION.cases_unmark_not_assessed(apps, None)
    assert set(Case.objects.filter(pk__in=levels).values_list("risk_level", flat=True)) == {"standard", "high"}


def test_the_migration_labels_the_forcing_questions_and_past_forced_assessments(officer_user):
    RiskQuestion.objects.filter(forces_high=True).update(short_label="")  # as they were before the migration
    case = submit_report().case
    forced = risk_assess(case=case, answers=answers(VIOLENCE), actor=officer_user)
    by_score = risk_assess(case=case, answers={pk: True for pk in answers()}, actor=officer_user)
    RiskAssessment.objects.filter(pk__in=[forced.pk, by_score.pk]).update(forced_by=[])  # written before the field
    MIGRATION.risk_short_labels_fill(apps, None)
    labels = dict(RiskQuestion.objects.filter(forces_high=True).values_list("text", "short_label"))
    assert labels == {VIOLENCE: "violence or threats reported",
                      "Has the victim spoken about harming themselves?": "victim has spoken about self-harm"}
    assert RiskAssessment.objects.get(pk=forced.pk).forced_by == ["violence or threats reported"]
    # Every answer yes: high by score too, but the forcing answers still forced it.
    assert RiskAssessment.objects.get(pk=by_score.pk).forced_by == ["violence or threats reported",
                                                                    "victim has spoken about self-harm"]


def test_a_forcing_answer_is_recorded_and_said_beside_the_score(officer_user):
    case = submit_report().case
    assessment = risk_assess(case=case, answers=answers(VIOLENCE), actor=officer_user)
    assert (assessment.level, assessment.score) == (RiskLevel.HIGH, 3)
    assert RiskAssessment.objects.get(pk=assessment.pk).forced_by == ["violence or threats reported"]
    assert assessment.band_reason == "High: violence or threats reported"
    entry = case.timeline.filter(kind=TimelineKind.RISK).latest("id")
    assert entry.summary == "Risk assessed: High: violence or threats reported (score 3), was not assessed"


def test_a_band_set_by_the_score_alone_gives_no_reason(officer_user):
    case = submit_report().case
    yes = [text_starting(s) for s in ("Has the victim been targeted", "Does the victim have a disability",
                                      "Is it affecting", "Is the victim afraid", "Does the victim think", "Are there children")]
    assessment = risk_assess(case=case, answers=answers(*yes), actor=officer_user)
    assert (assessment.level, assessment.score, assessment.forced_by) == (RiskLevel.HIGH, 14, [])  # exactly high_from
    assert assessment.band_reason == ""
    assert case.timeline.filter(kind=TimelineKind.RISK).latest("id").summary == (
        "Risk assessed: high (score 14), was not assessed")


def test_the_case_page_says_not_assessed_and_never_standard(client, officer_user):
    case = submit_report().case
    client.force_login(officer_user)
    page = client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert page.count("Not assessed<span class=\"govuk-visually-hidden\"> for risk</span>") == 2  # heading and summary
    assert "Standard" not in page and "Not assessed yet" not in page


def test_the_case_page_and_message_say_which_answer_forced_high(client, officer_user):
    case = submit_report().case
    client.force_login(officer_user)
    data = {f"q{pk}": "yes" if yes else "no" for pk, yes in answers(VIOLENCE).items()}
    response = client.post(f"/staff/cases/{case.reference}/risk/", {**data, "version": case.version, "notes": ""})
    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Risk assessed as High: violence or threats reported (score 3)"]
    page = client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "score 3 <strong>(High: violence or threats reported)</strong>" in page
    assert "Risk assessed: High: violence or threats reported (score 3), was not assessed" in page


def test_the_case_list_filters_and_sorts_by_risk_with_not_assessed_lowest(client, officer_user):
    unassessed = submit_report().case
    high = submit_report(report_submission(phone="07700 900555", email="b@example.com")).case
    risk_assess(case=high, answers=answers(VIOLENCE), actor=officer_user)
    standard = submit_report(report_submission(phone="07700 900666", email="c@example.com")).case
    risk_assess(case=standard, answers=answers(), actor=officer_user)
    client.force_login(officer_user)
    listed = client.get("/staff/cases/", {"risk_level": "not_assessed"}).content.decode()
    assert unassessed.reference in listed and high.reference not in listed and standard.reference not in listed
    assert '<option value="not_assessed" selected>Not assessed</option>' in listed

    def order(sort):
        page = client.get("/staff/cases/", {"sort": sort}).content.decode()
        return sorted((unassessed, standard, high), key=lambda c: page.index(c.reference))

    assert order("risk") == [unassessed, standard, high]
    assert order("-risk") == [high, standard, unassessed]


def test_the_risk_tag_names_every_level():
    assert 'govuk-tag--grey">Not assessed<' in risk_tag("not_assessed")
    assert ">Standard<" in risk_tag("standard") and "grey" not in risk_tag("standard")
    assert ">High<" in risk_tag("high") and ">Medium<" in risk_tag("medium")
