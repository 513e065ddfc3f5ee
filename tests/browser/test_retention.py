"""A retention review in a browser, axe-checked on every page: a manager opens the schedule, places a legal hold from a
case page, reviews the listed run by class, keeps one case back, confirms, and sees the run done."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from asb_portal.celery import app as celery_app
from cases.models import Case, Party, PartyRole
from privacy.models import RecordClass, RetentionRule, RetentionRun
from privacy.selectors import ANONYMISED_NAME
from privacy.services.retention import retention_list, retention_rules_ensure

from ..cases.factories import report_submission, submit_report


@pytest.fixture
def eager_celery():
    """The confirmed run is applied by a worker: here, in the web request's thread once it commits."""
    original = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = original


def closed(n, name):
    received = timezone.now() - timedelta(days=60)
    case = submit_report(report_submission(incident_date=received.date(), full_name=name, email=f"r{n}@example.com",
                                           phone=f"07700 90040{n}", address=f"{n} Mill Lane")).case
    Case.objects.filter(pk=case.pk).update(status="closed", closure_reason="resolved", closed_at=timezone.now() - timedelta(days=40))
    return case


def test_a_manager_reviews_and_confirms_a_retention_run(browser_page, manager_user, eager_celery):
    b, page = browser_page, browser_page.page
    retention_rules_ensure()
    first, second, held = closed(1, "Agnes Whitfield"), closed(2, "Bernard Tolley"), closed(3, "Cecily Marsh")
    RetentionRule.objects.filter(record_class=RecordClass.CASE_FILE).update(keep_days=30)

    b.sign_in(manager_user)
    b.visit("/staff/privacy/retention/")
    expect(page.get_by_role("row", name="Case files (from closure)")).to_contain_text("30 days")

    # A legal hold from the case page keeps the third case out of the run.
    b.visit(f"/staff/cases/{held.reference}/")
    b.click_to(page.get_by_role("link", name="Place a legal hold on this case"))
    b.submit("Place the legal hold")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for the legal hold")
    page.get_by_label("Why is it on hold?").fill("Possession proceedings in the county court")
    b.submit("Place the legal hold", expect_path=f"/staff/cases/{held.reference}/")
    expect(page.get_by_text("On hold", exact=True)).to_be_visible()

    run = retention_list()
    b.visit("/staff/privacy/retention/")
    b.click_to(page.get_by_role("link", name=f"Run {run.pk}"))
    records = page.get_by_role("region", name="Records in this run")
    expect(records.get_by_role("row", name="Case files (from closure)")).to_contain_text("2")
    listed = page.get_by_role("region", name="Case files (from closure)")
    expect(listed).to_contain_text(first.reference)
    expect(listed).not_to_contain_text(held.reference)
    expect(listed).not_to_contain_text("Agnes")

    b.click_to(listed.get_by_role("button", name=f"Keep {second.reference}"))
    expect(page.get_by_role("region", name="Case files (from closure)").get_by_role("row", name=second.reference)).to_contain_text("Kept back")
    b.submit("Confirm and anonymise")
    expect(page.get_by_text(f"Retention run {run.pk} confirmed")).to_be_visible()
    page.reload()
    b.check_axe()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Done")

    assert RetentionRun.objects.get(pk=run.pk).status == RetentionRun.Status.DONE
    assert Party.objects.get(case=first, role=PartyRole.VICTIM).full_name == ANONYMISED_NAME
    assert Party.objects.get(case=second, role=PartyRole.VICTIM).full_name == "Bernard Tolley"
    assert Party.objects.get(case=held, role=PartyRole.VICTIM).full_name == "Cecily Marsh"
    b.visit(f"/staff/cases/{first.reference}/")
    expect(page.locator("main")).not_to_contain_text("Agnes Whitfield")
