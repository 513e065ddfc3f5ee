"""Case Review URLs: public (/case-review/), staff (/staff/case-review/), partners (/partners/recommendations/)."""

from django.urls import path

from .views import applications, partner, public, stages, threshold

public_patterns = [
    path("", public.about, name="about"),
    path("apply/", public.apply, name="apply"),
    path("apply/sent/", public.applied, name="applied"),
    path("figures/", public.figures, name="figures"),
    path("figures.csv", public.figures_csv, name="figures_csv"),
]

staff_patterns = [
    path("", applications.application_list, name="list"),
    path("new/", applications.application_log, name="log"),
    path("threshold/", threshold.threshold_list, name="threshold_list"),
    path("threshold/<int:flag_id>/close/", threshold.flag_close, name="flag_close"),
    path("rules/", threshold.rules, name="rules"),
    path("rules/add/", threshold.rule_add, name="rule_add"),
    path("rules/<int:rule_id>/", threshold.rule_edit, name="rule_edit"),
    path("timescales/", threshold.timescales, name="timescales"),
    path("<str:reference>/", applications.application_detail, name="detail"),
    path("<str:reference>/acknowledge/", applications.acknowledge, name="acknowledge"),
    path("<str:reference>/contact-person/", applications.spoc, name="spoc"),
    path("<str:reference>/link/", applications.link, name="link"),
    path("<str:reference>/withdraw/", applications.withdraw, name="withdraw"),
    path("<str:reference>/decision/", stages.decide, name="decide"),
    path("<str:reference>/meeting/", stages.meeting, name="meeting"),
    path("<str:reference>/recommendations/add/", stages.recommendation_add, name="recommendation_add"),
    path("<str:reference>/recommendations/<int:rec_id>/", stages.recommendation_edit, name="recommendation_edit"),
    path("<str:reference>/outcome/", stages.outcome, name="outcome"),
    path("<str:reference>/escalation/", stages.escalation, name="escalation"),
    path("<str:reference>/escalation/outcome/", stages.escalation_outcome, name="escalation_outcome"),
]

partner_patterns = [
    path("", partner.recommendation_list, name="list"),
    path("<int:rec_id>/", partner.recommendation_detail, name="detail"),
]
