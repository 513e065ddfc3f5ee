"""Staff URLs (/staff/)."""

from django.urls import path

from .views import calendar, casework, diary, pages, register, resident, sharing

app_name = "staff"

case = "cases/<str:reference>/"

urlpatterns = [
    path("", pages.home, name="home"),
    path("lookup/", pages.case_lookup, name="lookup"),
    path("cases/", pages.case_list_page, name="cases"),
    path(case, pages.case_detail, name="case"),
    path(case + "contact/", casework.contact_add, name="contact_add"),
    path(case + "risk/", casework.risk_add, name="risk_add"),
    path(case + "people/add/", casework.party_add, name="party_add"),
    path(case + "people/<int:party_id>/", casework.party_edit, name="party_edit"),
    path(case + "actions/add/", casework.action_add, name="action_add"),
    path(case + "actions/<int:action_id>/", casework.action_edit, name="action_edit"),
    path(case + "actions/<int:action_id>/breach/", casework.breach_add, name="breach_add"),
    path(case + "referrals/add/", casework.referral_add, name="referral_add"),
    path(case + "referrals/<int:referral_id>/", casework.referral_edit, name="referral_edit"),
    path(case + "note/", casework.note_add, name="note_add"),
    path(case + "evidence/", casework.evidence_add, name="evidence_add"),
    path(case + "status/", casework.status_change, name="status"),
    path(case + "close/", casework.case_close, name="close"),
    path(case + "assign/", casework.case_assign, name="assign"),
    path(case + "take/", casework.case_take, name="take"),
    path(case + "merge/", casework.case_merge, name="merge"),
    path(case + "edit/", casework.case_edit, name="edit"),
    path("evidence/<uuid:evidence_id>/", pages.evidence_download, name="evidence"),
    path("closure-days/", calendar.closure_days, name="closure_days"),
    path("closure-days/remove/", calendar.closure_day_delete, name="closure_day_delete"),
    path("partners/", sharing.agencies, name="agencies"),
    path("places/", register.hotspots, name="hotspots"),
    path("places/<int:place_id>/", register.place, name="place"),
    path("people/<int:person_id>/", register.person, name="person"),
    path("people/<int:person_id>/merge/", register.merge, name="person_merge"),
    path("people/<int:person_id>/vulnerable/", register.vulnerable, name="person_vulnerable"),
    path("people/merges/<int:merge_id>/undo/", register.unmerge, name="person_unmerge"),
    path(case + "matches/<int:match_id>/", register.match_decide, name="match_decide"),
    path("repeat-rules/", register.repeat_rules, name="repeat_rules"),
    path("partners/<int:agency_id>/", sharing.agency, name="agency"),
    path("partners/<int:agency_id>/agreements/add/", sharing.agreement_add, name="agreement_add"),
    path("partners/<int:agency_id>/agreements/<int:agreement_id>/end/", sharing.agreement_end, name="agreement_end"),
    path(case + "share/", sharing.share_add, name="share_add"),
    path(case + "shares/<int:share_id>/", sharing.share_edit, name="share_edit"),
    path(case + "shares/<int:share_id>/stop/", sharing.share_stop, name="share_stop"),
    path(case + "lock-down/", sharing.lock_down, name="lock_down"),
    path(case + "access-log/", sharing.case_access_log, name="case_access_log"),
    path("access-log/", sharing.access_log, name="access_log"),
    # Residents' links and updates (cases.views.resident); their diaries and requests (cases.views.diary).
    path(case + "residents/", resident.links, name="resident_links"),
    path(case + "residents/issue/", resident.link_issue, name="resident_link_issue"),
    path(case + "residents/<int:link_id>/revoke/", resident.link_revoke, name="resident_link_revoke"),
    path(case + "update/<int:party_id>/", resident.update_send, name="resident_update"),
    path(case + "diary/", diary.diary_list, name="diary"),
    path(case + "diary.pdf", diary.diary_pdf, name="diary_pdf"),
    path(case + "resident-requests/<int:request_id>/", diary.request_done, name="resident_request_done"),
]
