"""Officer screens through Django's request stack: forms, refusals, search, the call centre's status view."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import Case, CaseStatus, Contact, PartyRole, TimelineEntry
from cases.services import case_assign, case_status_change, contact_record, note_add

from .factories import report_submission, submit_report

pytestmark = pytest.mark.django_db


def victim_case(days_ago=3, **overrides):
    received = timezone.now() - timedelta(days=days_ago)
    report = submit_report(report_submission(incident_date=received.date(), **overrides), received_at=received)
    return report.case, report.reporter


def yesterday_fields(prefix="occurred_on"):
    day = timezone.localdate() - timedelta(days=1)
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def test_recording_a_contact_through_the_form(client, officer_user):
    case, victim = victim_case()
    client.force_login(officer_user)
    url = f"/staff/cases/{case.reference}/contact/"
    assert client.get(url).status_code == 200
    response = client.post(url, {
        "party": victim.pk, "method": "phone", "direction": "out", "successful": "yes", "summary": "Spoke to her",
        **yesterday_fields(), "occurred_time": "09:00", "version": case.version,
    })
    assert response.status_code == 302 and response["Location"] == f"/staff/cases/{case.reference}/"
    contact = Contact.objects.get()
    assert contact.is_first_contact and contact.recorded_by == officer_user
    page = client.get(response["Location"]).content.decode()
    assert "Contact recorded" in page and "(first contact)" in page


def test_form_errors_use_the_error_summary(client, officer_user):
    case, _ = victim_case()
    client.force_login(officer_user)
    page = client.post(f"/staff/cases/{case.reference}/contact/", {"version": case.version}).content.decode()
    assert "There is a problem" in page and "Select who the contact was with" in page
    assert 'href="#id_party_1"' in page
    assert Contact.objects.count() == 0


def test_a_stale_form_changes_nothing_and_says_why(client, officer_user, manager_user):
    case, _ = victim_case()
    client.force_login(officer_user)
    version_seen = case.version
    case_assign(case=case, officer=officer_user, actor=manager_user)  # someone else changes the case meanwhile
    response = client.post(f"/staff/cases/{case.reference}/status/", {"to_status": "open", "reason": "", "version": version_seen})
    page = response.content.decode()
    assert response.status_code == 200 and "Someone else changed this case" in page
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_an_illegal_status_move_is_refused_with_a_clear_message(client, officer_user):
    case, _ = victim_case()
    client.force_login(officer_user)
    page = client.post(f"/staff/cases/{case.reference}/status/", {"to_status": "monitoring", "version": case.version}).content.decode()
    assert "cannot be moved to monitoring" in page
    case.refresh_from_db()
    assert case.status == CaseStatus.NEW


def test_closing_needs_a_reason_and_final_updates(client, officer_user):
    case, victim = victim_case()
    client.force_login(officer_user)
    url = f"/staff/cases/{case.reference}/close/"
    assert "Before closing, record a final update to: Margaret Ellis" in client.get(url).content.decode()
    assert "Select why the case is closing" in client.post(url, {"version": case.version}).content.decode()
    page = client.post(url, {"reason": "resolved", "version": case.version}).content.decode()
    assert "Record a final update to Margaret Ellis before closing" in page
    contact_record(case=case, party=victim, method="phone", direction="out", successful=True, summary="Outcome explained",
                   occurred_at=timezone.now(), gave_update=True, final_update=True, actor=officer_user)
    case.refresh_from_db()
    response = client.post(url, {"reason": "resolved", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closure_reason == "resolved"


def test_a_closed_case_cannot_be_edited_but_can_be_reopened(client, officer_user):
    case, _ = victim_case(is_anonymous=True, full_name="", email="", phone="", preferred_contact_method="")
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED, closure_reason="no_further_action")
    client.force_login(officer_user)
    page = client.post(f"/staff/cases/{case.reference}/note/", {"text": "late note", "visibility": "staff"}).content.decode()
    assert "is closed. Reopen it before changing it" in page
    assert not TimelineEntry.objects.filter(case=case, kind="note").exists()
    detail = client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Reopen the case" in detail and "Record a contact" not in detail
    case.refresh_from_db()
    response = client.post(f"/staff/cases/{case.reference}/status/", {"to_status": "open", "reason": "New incident", "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.OPEN and case.closure_reason == ""


def test_officer_takes_a_case_and_manager_assigns(client, officer_user, manager_user):
    case, _ = victim_case()
    client.force_login(officer_user)
    response = client.post(f"/staff/cases/{case.reference}/take/", {"version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.officer == officer_user
    assert client.get(f"/staff/cases/{case.reference}/assign/").status_code == 404  # officers do not assign
    client.force_login(manager_user)
    response = client.post(f"/staff/cases/{case.reference}/assign/", {"officer": manager_user.pk, "version": case.version})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.officer == manager_user


def test_home_shows_my_cases_with_what_is_due_and_overdue_in_words(client, officer_user):
    overdue, _ = victim_case(days_ago=14)
    fresh, _ = victim_case(days_ago=0, phone="07700 900555", email="b@example.com")
    unassigned, _ = victim_case(phone="07700 900666", email="c@example.com")
    for case in (overdue, fresh):
        case.refresh_from_db()
        case_assign(case=case, officer=officer_user, actor=officer_user)
    client.force_login(officer_user)
    page = client.get("/staff/").content.decode()
    assert overdue.reference in page and fresh.reference in page
    assert "Overdue</strong> First contact to Margaret Ellis" in page  # the word, not only a colour
    assert page.index(overdue.reference) < page.index(fresh.reference)  # overdue first
    waiting = page[page.index("New cases waiting"):]
    assert unassigned.reference in waiting and overdue.reference not in waiting


@pytest.mark.parametrize(
    "query, expected",
    [("ASB-", {"a", "b"}), ("07700 900555", {"b"}), ("b@example.com", {"b"}), ("le2 5ba", {"b"}), ("trampoline", {"a"}), ("Bell Street", {"a"})],
)
def test_case_list_search(client, officer_user, query, expected):
    a, _ = victim_case(description="Kids jumping on a trampoline at midnight")
    b, _ = victim_case(phone="07700 900555", email="b@example.com", address="3 Long Lane", postcode="LE2 5BA",
                       description="Shouting in the street")
    client.force_login(officer_user)
    page = client.get("/staff/cases/", {"q": query}).content.decode()
    shown = {name for name, case in (("a", a), ("b", b)) if case.reference in page}
    assert shown == expected


def test_case_list_filters(client, officer_user, call_centre_user):
    mine, _ = victim_case()
    case_assign(case=mine, officer=officer_user, actor=officer_user)
    phoned = submit_report(report_submission(phone="07700 900777", email="p@example.com"), channel="phone", logged_by=call_centre_user).case
    closed, _ = victim_case(phone="07700 900888", email="x@example.com")
    Case.objects.filter(pk=closed.pk).update(status=CaseStatus.CLOSED)
    client.force_login(officer_user)

    def shown(**params):
        page = client.get("/staff/cases/", params).content.decode()
        return {c.reference for c in (mine, phoned, closed) if c.reference in page}

    assert shown(status="open_any") == {mine.reference, phoned.reference}
    assert shown(status="closed") == {closed.reference}
    assert shown(officer=officer_user.pk) == {mine.reference}
    assert shown(officer="null") == {phoned.reference, closed.reference}
    assert shown(channel="phone") == {phoned.reference}
    tomorrow = timezone.localdate() + timedelta(days=1)
    assert shown(received_from_0=tomorrow.day, received_from_1=tomorrow.month, received_from_2=tomorrow.year) == set()


def test_case_list_is_paginated(client, officer_user):
    for n in range(27):
        submit_report(report_submission(phone=f"07700 9{n:05d}", email=f"p{n}@example.com"))
    client.force_login(officer_user)
    first = client.get("/staff/cases/").content.decode()
    assert "27 cases, page 1 of 2" in first and 'rel="next"' in first
    assert client.get("/staff/cases/", {"page": 2}).content.decode().count('href="/staff/cases/ASB-') == 2


def test_case_page_shows_timeline_and_related_history(client, officer_user):
    first, victim = victim_case()
    second, _ = victim_case(description="Again")  # same phone, same address
    note_add(case=first, text="Internal intelligence", visibility="internal", actor=officer_user)
    client.force_login(officer_user)
    page = client.get(f"/staff/cases/{first.reference}/").content.decode()
    assert "Internal intelligence" in page and "Internal</strong>" in page
    related = page[page.index("Related history"):]
    assert second.reference in related


def test_call_centre_lookup_shows_status_but_no_case_file(client, call_centre_user, officer_user):
    # The officer's name is shown; a random one (factory_boy's Faker) was once "Margaret", the victim's hidden name.
    officer_user.first_name, officer_user.last_name = "Priya", "Shah"
    officer_user.save(update_fields=["first_name", "last_name"])
    case, victim = victim_case()
    case_assign(case=case, officer=officer_user, actor=officer_user)
    contact_record(case=case, party=victim, method="phone", direction="out", successful=True, summary="Secret detail of the call",
                   occurred_at=timezone.now(), gave_update=True, actor=officer_user)
    note_add(case=case, text="Intelligence about Flat 3", actor=officer_user)
    client.force_login(call_centre_user)
    for query in (case.reference.lower(), "07700 900123", "LE18 1AA"):
        page = client.get("/staff/lookup/", {"q": query}).content.decode()
        assert case.reference in page, query
        assert "Open (investigating)" in page and officer_user.first_name in page
        assert timezone.localdate().strftime("%-d %b %Y") in page  # last update date
        for secret in ("Secret detail", "Intelligence", "Margaret", "margaret@example.com"):
            assert secret not in page
    assert client.get(f"/staff/cases/{case.reference}/").status_code == 404


def test_party_edit_records_old_and_new_values(client, officer_user):
    case, victim = victim_case()
    client.force_login(officer_user)
    url = f"/staff/cases/{case.reference}/people/{victim.pk}/"
    form = client.get(url).content.decode()
    assert 'value="Margaret Ellis"' in form
    data = {"role": PartyRole.VICTIM, "full_name": "Margaret Ellis-Brown", "phone": "07700 900123", "email": "margaret@example.com",
            "address": "14 Bell Street", "postcode": "LE18 1AA", "preferred_contact_method": "email", "consent_to_share": "yes",
            "staff_safety_warning": "on", "staff_safety_note": "Dog in the house", "version": case.version}
    assert client.post(url, data).status_code == 302
    entry = TimelineEntry.objects.filter(case=case, kind="edit").get()
    assert entry.changes["full_name"] == ["Margaret Ellis", "Margaret Ellis-Brown"]
    page = client.get(f"/staff/cases/{case.reference}/").content.decode()
    assert "Staff safety: Margaret Ellis-Brown. Dog in the house" in page


def test_merge_through_the_form(client, officer_user):
    keep, _ = victim_case()
    duplicate, _ = victim_case(description="Same again")
    client.force_login(officer_user)
    response = client.post(f"/staff/cases/{duplicate.reference}/merge/", {"into": keep.reference.lower(), "version": duplicate.version})
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.merged_into == keep and keep.reports.count() == 2
    page = client.post(f"/staff/cases/{keep.reference}/merge/", {"into": "ASB-1999-00001", "version": keep.version}).content.decode()
    assert "There is no case with that reference" in page


def test_status_change_by_service_then_page_agrees(client, officer_user):
    case, _ = victim_case()
    case_status_change(case=case, to_status="open", actor=officer_user)
    client.force_login(officer_user)
    assert "Open (investigating)" in client.get(f"/staff/cases/{case.reference}/").content.decode()


def test_people_who_prefer_a_phone_call_become_tasks_that_record_the_contact(client, officer_user):
    # Ten days back the first contact is overdue on any date; four was not enough over Easter (received the
    # Wednesday before Good Friday, it is due the Wednesday after, beyond the home page's two-day horizon).
    case, victim = victim_case(days_ago=10, preferred_contact_method="phone")
    case_assign(case=case, officer=officer_user, actor=officer_user)
    client.force_login(officer_user)
    page = client.get("/staff/").content.decode()
    link = f"/staff/cases/{case.reference}/contact/?party={victim.pk}&amp;method=phone"
    assert "Phone Margaret Ellis to make first contact" in page and link in page
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert re.search(rf'name="party"[^>]*value="{victim.pk}"[^>]*checked', form)  # the person is chosen already
    assert re.search(r'name="method"[^>]*value="phone"[^>]*checked', form)
    response = client.post(f"/staff/cases/{case.reference}/contact/", {
        "party": victim.pk, "method": "phone", "direction": "out", "successful": "yes", "gave_update": "on",
        "summary": "Called her back", **yesterday_fields(), "occurred_time": "10:00", "version": case.version,
    })
    assert response.status_code == 302
    assert "Phone Margaret Ellis to make first contact" not in client.get("/staff/").content.decode()


def test_a_manager_adds_and_removes_a_closure_day_and_deadlines_move(client, manager_user):
    case, _ = victim_case(days_ago=0)
    deadline = case.deadlines.get()
    due_before = deadline.due_at
    day = due_before.astimezone(timezone.get_current_timezone()).date()
    while day.weekday() >= 5:  # pick a weekday on or before the due day that is still to come
        day -= timedelta(days=1)
    client.force_login(manager_user)
    page = client.post("/staff/closure-days/", {"day_0": 1, "day_1": 1, "day_2": 2020, "reason": "x"}).content.decode()
    assert "The date must be today or in the future" in page
    response = client.post("/staff/closure-days/", {"day_0": day.day, "day_1": day.month, "day_2": day.year, "reason": "Staff training"})
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.due_at > due_before
    assert "Staff training" in client.get("/staff/closure-days/").content.decode()
    client.post("/staff/closure-days/remove/", {"day": day.isoformat()})
    deadline.refresh_from_db()
    assert deadline.due_at == due_before
