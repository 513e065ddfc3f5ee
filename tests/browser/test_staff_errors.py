"""Error pages for signed-in staff keep the staff frame and a way home, and pass axe."""

from playwright.sync_api import expect


def test_an_officer_refused_a_managers_page_finds_the_way_back_home(browser_page, officer_user):
    b = browser_page
    page = b.page
    b.sign_in(officer_user)
    response = page.goto("/dashboard/")
    assert response.status == 404  # a refusal does not say the page exists (cases.policy)
    b.check_axe()
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    expect(page.get_by_role("link", name="Find a case")).to_be_visible()
    b.click_to(page.get_by_role("link", name="Go to your home page"), expect_path="/staff/")

    response = page.goto("/staff/cases/ASB-1999-99999/")
    assert response.status == 404
    b.check_axe()
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_text("Signed in as")).to_be_visible()
    b.click_to(page.get_by_role("link", name="Go to your home page"), expect_path="/staff/")
