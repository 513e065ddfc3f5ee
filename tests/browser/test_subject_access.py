"""A subject access request from recording to release, in a browser, axe-checked on every page: a manager records
Margaret Ellis's request, decides the two third parties, downloads the bundle and releases it."""

import io
import zipfile
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from privacy.models import Release, RightsRequest

from ..privacy.rights_helpers import rights_world


def test_subject_access_request_to_release(browser_page, officer_user, manager_user):
    b, page = browser_page, browser_page.page
    world = rights_world(officer_user)
    received = timezone.localdate() - timedelta(days=2)

    b.sign_in(manager_user)
    b.visit("/staff/privacy/requests/")
    expect(page.get_by_text("No open requests.")).to_be_visible()
    b.click_to(page.get_by_role("link", name="Record a request"), expect_path="/staff/privacy/requests/add/")
    page.get_by_label("Find the person in the register").fill("Ellis")
    b.submit("Search")
    page.get_by_label("Access (subject access request)").check()
    page.locator("#id_received_on_0").fill(str(received.day))
    page.locator("#id_received_on_1").fill(str(received.month))
    page.locator("#id_received_on_2").fill(str(received.year))
    page.get_by_label("Margaret Ellis", exact=True).check()
    page.get_by_label("Details (optional)").fill("Asked by email for everything we hold")
    b.submit("Record the request")
    request = RightsRequest.objects.get()
    expect(page).to_have_url(f"{b.base_url}/staff/privacy/requests/{request.pk}/")
    expect(page.locator(".govuk-summary-list")).to_contain_text(f"{request.due_on:%A %-d %B %Y}")
    expect(page.get_by_text("Decide whether to redact or disclose 2 third parties")).to_be_visible()

    for reference in (world.case_a.reference, world.case_b.reference):
        b.click_to(page.get_by_role("link", name=f"Decide on Kyle Mercer, {reference}"))
        page.get_by_label("Redact", exact=True).check()
        b.submit("Save the decision", expect_path=f"/staff/privacy/requests/{request.pk}/")
    expect(page.get_by_role("region", name="Third parties")).not_to_contain_text("Not decided")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=f"Download the bundle for request {request.pk} (ZIP)").click()
    with zipfile.ZipFile(io.BytesIO(open(download_info.value.path(), "rb").read())) as archive:  # noqa: SIM115
        assert "index.html" in archive.namelist()
        index = archive.read("index.html").decode()
    assert "Margaret Ellis" in index and "Kyle" not in index and "[third party redacted]" in index

    b.click_to(page.get_by_role("link", name="Release the bundle"), expect_path=f"/staff/privacy/requests/{request.pk}/release/")
    page.get_by_label("Secure email").check()
    b.submit("Release and close", expect_path=f"/staff/privacy/requests/{request.pk}/")
    expect(page.locator(".govuk-inset-text")).to_contain_text("secure email")
    assert Release.objects.get().request == request
    b.visit("/staff/privacy/requests/")
    expect(page.get_by_role("region", name="Closed requests")).to_contain_text("Released")


def test_erasure_request_identified_extended_then_refused_on_legal_claims(browser_page, officer_user, manager_user):
    b, page = browser_page, browser_page.page
    from privacy.services.rights import rights_request_record

    world = rights_world(officer_user)
    request = rights_request_record(kind="erasure", received_on=timezone.localdate() - timedelta(days=3), actor=manager_user)
    b.sign_in(manager_user)
    b.visit(f"/staff/privacy/requests/{request.pk}/")
    b.click_to(page.get_by_role("link", name="Identify the person"))
    page.get_by_label("Find the person in the register").fill("LE18 1AA")
    b.submit("Search")
    page.get_by_label("Margaret Ellis", exact=True).check()
    b.submit("Save", expect_path=f"/staff/privacy/requests/{request.pk}/")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Margaret Ellis, LE18 1AA")
    assert RightsRequest.objects.get(pk=request.pk).person == world.margaret
    b.click_to(page.get_by_role("link", name="Extend the deadline"))
    b.submit("Extend")  # no reason: the error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give the reason for the extension")
    page.get_by_label("Why does it need longer?").fill("Linked to three other requests")
    b.submit("Extend", expect_path=f"/staff/privacy/requests/{request.pk}/")
    expect(page.get_by_text("Extended by two months: Linked to three other requests")).to_be_visible()
    b.click_to(page.get_by_role("link", name="Close with an outcome"))
    page.get_by_label("Refused: needed for legal claims (Art 17(3)(e), Art 18(2))").check()
    page.get_by_label("What was done, and why").fill("Possession proceedings are under way")
    b.submit("Close the request", expect_path=f"/staff/privacy/requests/{request.pk}/")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Possession proceedings are under way")
    request.refresh_from_db()
    assert (request.status, request.outcome_basis) == ("refused", "legal_claims")
