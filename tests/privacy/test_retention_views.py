"""The retention screens: managers only (404 for everyone else), the schedule and its edits, legal holds from the case
page, and reviewing, keeping back, confirming and cancelling a run."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from cases.models import Case, Party, PartyRole
from cases.roles import GROUP_NAMES, Role
from privacy.models import LegalHold, RecordClass, RetentionItem, RetentionRule, RetentionRun
from privacy.selectors import ANONYMISED_NAME
from privacy.services.retention import legal_hold_place, retention_list, retention_rules_ensure

from ..cases.factories import UserFactory, report_submission, submit_report

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _rules(db):
    retention_rules_ensure()


@pytest.fixture
def closed_case(officer_user):
    """A case closed 40 days ago, so a 30-day rule lists it."""
    received = timezone.now() - timedelta(days=60)
    report = submit_report(report_submission(incident_date=received.date(), full_name="Winifred Ashdown"), received_at=received)
    Case.objects.filter(pk=report.case_id).update(status="closed", closure_reason="resolved", closed_at=timezone.now() - timedelta(days=40))
    return Case.objects.get(pk=report.case_id)


@pytest.fixture
def listed_run(closed_case):
    RetentionRule.objects.filter(record_class=RecordClass.CASE_FILE).update(keep_days=30)
    return retention_list()


def partner_user():
    user = UserFactory(username="pc")
    user.groups.add(Group.objects.get(name=GROUP_NAMES[Role.PARTNER_USER]))
    return user


def urls(run, case, hold):
    item = run.items.first()
    return [
        ("get", "/staff/privacy/retention/"),
        ("get", "/staff/privacy/retention/rules/case_file/"),
        ("get", f"/staff/privacy/retention/holds/add/?case={case.reference}"),
        ("get", f"/staff/privacy/retention/holds/{hold.pk}/lift/"),
        ("get", f"/staff/privacy/retention/runs/{run.pk}/"),
        ("post", f"/staff/privacy/retention/runs/{run.pk}/items/{item.pk}/"),
        ("post", f"/staff/privacy/retention/runs/{run.pk}/confirm/"),
        ("post", f"/staff/privacy/retention/runs/{run.pk}/cancel/"),
    ]


def test_every_retention_screen_is_404_for_anyone_but_a_manager(client, listed_run, closed_case, manager_user, officer_user,
                                                                 call_centre_user, no_role_user):
    other = submit_report(report_submission(full_name="Someone Else", email="else@example.com", phone="07700 900999")).case
    hold = legal_hold_place(case=other, reason="Court", actor=manager_user)
    for user in (officer_user, call_centre_user, no_role_user, partner_user()):
        client.force_login(user)
        for method, url in urls(listed_run, closed_case, hold):
            assert getattr(client, method)(url).status_code == 404, (user.username, url)
    assert RetentionRun.objects.get().status == RetentionRun.Status.LISTED
    client.logout()
    assert client.get("/staff/privacy/retention/").status_code == 302  # to sign in
    client.force_login(manager_user)
    for method, url in urls(listed_run, closed_case, hold)[:5]:
        assert client.get(url).status_code == 200, url


def test_the_schedule_lists_every_class_with_its_period(client, manager_user):
    client.force_login(manager_user)
    page = client.get("/staff/privacy/retention/").content.decode()
    for label, days in (("Case files (from closure)", "2190 days"), ("Message bodies (from delivery)", "90 days"),
                        ("Survey responses (from the answer)", "730 days")):
        assert label in page and days in page


@pytest.mark.parametrize(("days", "reason", "error"), [
    ("0", "x", "Enter at least 1 day"),
    ("36501", "x", "Enter 36,500 days or fewer"),
    ("ten", "x", "Enter the number of days as a whole number"),
    ("30", "", "Give the reason for this period"),
])
def test_a_rule_must_be_1_to_36500_days_with_a_reason(client, manager_user, days, reason, error):
    client.force_login(manager_user)
    response = client.post("/staff/privacy/retention/rules/evidence/", {"keep_days": days, "reason": reason})
    assert response.status_code == 200 and error in response.content.decode()
    assert response.content.decode().count("govuk-error-summary__list") == 1
    assert RetentionRule.objects.get(record_class="evidence").keep_days == 2190


def test_a_manager_changes_a_period(client, manager_user):
    client.force_login(manager_user)
    response = client.post("/staff/privacy/retention/rules/evidence/", {"keep_days": "730", "reason": "Council schedule 2027"}, follow=True)
    assert "kept for 730 days" in response.content.decode()
    rule = RetentionRule.objects.get(record_class="evidence")
    assert (rule.keep_days, rule.reason, rule.updated_by) == (730, "Council schedule 2027", manager_user)
    assert client.get("/staff/privacy/retention/rules/nonsense/").status_code == 404


def test_a_hold_from_the_case_page_and_lifting_it(client, manager_user, officer_user, closed_case):
    client.force_login(officer_user)
    assert "Place a legal hold" not in client.get(f"/staff/cases/{closed_case.reference}/").content.decode()
    client.force_login(manager_user)
    page = client.get(f"/staff/cases/{closed_case.reference}/").content.decode()
    assert "Not on hold" in page and f"/staff/privacy/retention/holds/add/?case={closed_case.reference}" in page
    empty = client.post(f"/staff/privacy/retention/holds/add/?case={closed_case.reference}", {"reason": ""})
    assert "Give the reason for the legal hold" in empty.content.decode()
    response = client.post(f"/staff/privacy/retention/holds/add/?case={closed_case.reference}", {"reason": "County court claim"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == f"/staff/cases/{closed_case.reference}/"
    assert "On hold" in page and "County court claim" in page and "Legal hold placed" in page
    hold = LegalHold.objects.get(case=closed_case)
    response = client.post(f"/staff/privacy/retention/holds/{hold.pk}/lift/", follow=True)
    assert "Legal hold lifted" in response.content.decode() and "Not on hold" in response.content.decode()
    hold.refresh_from_db()
    assert hold.lifted_by == manager_user
    assert client.get("/staff/privacy/retention/holds/add/?case=ASB-1999-00001").status_code == 404
    assert client.get("/staff/privacy/retention/holds/add/").status_code == 404


def test_a_hold_on_a_person(client, manager_user, closed_case):
    person = Party.objects.get(case=closed_case, role=PartyRole.VICTIM).person
    client.force_login(manager_user)
    client.post(f"/staff/privacy/retention/holds/add/?person={person.pk}", {"reason": "Subject access dispute"})
    assert LegalHold.objects.get(person=person).reason == "Subject access dispute"
    RetentionRule.objects.filter(record_class=RecordClass.CASE_FILE).update(keep_days=30)
    assert retention_list() is None  # her only case is held through her
    assert client.get("/staff/privacy/retention/holds/add/?person=999999").status_code == 404


def test_a_manager_reviews_keeps_back_and_confirms(client, manager_user, listed_run, closed_case, django_capture_on_commit_callbacks):
    client.force_login(manager_user)
    page = client.get(f"/staff/privacy/retention/runs/{listed_run.pk}/").content.decode()
    assert closed_case.reference in page and "Winifred" not in page and "Confirm and anonymise" in page
    item = listed_run.items.get(record_class=RecordClass.CASE_FILE)
    client.post(f"/staff/privacy/retention/runs/{listed_run.pk}/items/{item.pk}/", {"keep": "yes"})
    assert RetentionItem.objects.get(pk=item.pk).excluded
    assert "Kept back" in client.get(f"/staff/privacy/retention/runs/{listed_run.pk}/?class=case_file").content.decode()
    client.post(f"/staff/privacy/retention/runs/{listed_run.pk}/items/{item.pk}/", {"keep": "no"})
    assert not RetentionItem.objects.get(pk=item.pk).excluded
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(f"/staff/privacy/retention/runs/{listed_run.pk}/confirm/", follow=True)
    assert "confirmed" in response.content.decode()
    run = RetentionRun.objects.get(pk=listed_run.pk)
    assert (run.status, run.confirmed_by) == (RetentionRun.Status.CONFIRMED, manager_user) and len(callbacks) == 1
    from privacy.tasks import retention_apply_run

    retention_apply_run(run.pk)  # what the worker does
    assert Party.objects.get(case=closed_case, role=PartyRole.VICTIM).full_name == ANONYMISED_NAME
    page = client.get(f"/staff/privacy/retention/runs/{run.pk}/").content.decode()
    assert "Done" in page and "Confirm and anonymise" not in page
    again = client.post(f"/staff/privacy/retention/runs/{run.pk}/confirm/", follow=True)
    assert "already" in again.content.decode()


def test_cancelling_a_run_frees_the_slot(client, manager_user, listed_run):
    client.force_login(manager_user)
    response = client.post(f"/staff/privacy/retention/runs/{listed_run.pk}/cancel/", follow=True)
    assert "cancelled: nothing was anonymised" in response.content.decode()
    assert RetentionRun.objects.get(pk=listed_run.pk).status == RetentionRun.Status.CANCELLED
    assert retention_list() is not None


def test_the_daily_task_lists_and_finishes_confirmed_runs(listed_run, manager_user, closed_case):
    from privacy.tasks import retention_list as daily

    RetentionRun.objects.filter(pk=listed_run.pk).update(status=RetentionRun.Status.CONFIRMED, confirmed_by=manager_user)
    assert daily().startswith("1 confirmed runs applied")
    assert RetentionRun.objects.get(pk=listed_run.pk).status == RetentionRun.Status.DONE


def test_the_run_page_makes_a_fixed_number_of_queries(client, manager_user, django_assert_max_num_queries):
    for n in range(30):
        received = timezone.now() - timedelta(days=60)
        case = submit_report(report_submission(incident_date=received.date(), full_name=f"Person {n}", email=f"p{n}@example.com",
                                               phone=f"07700 9{n:05d}"), received_at=received).case
        Case.objects.filter(pk=case.pk).update(status="closed", closed_at=timezone.now() - timedelta(days=40))
    RetentionRule.objects.update(keep_days=30)
    run = retention_list()
    client.force_login(manager_user)
    client.get(f"/staff/privacy/retention/runs/{run.pk}/")
    with django_assert_max_num_queries(12):
        assert client.get(f"/staff/privacy/retention/runs/{run.pk}/").status_code == 200
