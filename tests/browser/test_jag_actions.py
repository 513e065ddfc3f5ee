"""A police officer's JAG action in Chromium: they sign in with a one-time code, see the action agreed for them at the
meeting on their home page, open it, and mark it done with their progress; its tag then says "Done". The meeting and
the action are made with the services; axe-core checks every page (the browser_page fixture)."""

import re
from datetime import date, datetime, time

import pytest
import time_machine
from playwright.sync_api import expect

from cases.models import Place
from cases.roles import Role
from cases.sla import LONDON
from jag.models import ActionStatus, AgendaItem, ItemKind, ItemSource, JagAction
from jag.services.actions import action_add
from jag.services.meeting import AttendanceEntry, meeting_open

from ..accounts.helpers import current_code, totp_device_for
from ..casereview.factories import staff
from ..jag.factories import group_make, meeting_make, member_make
from ..partners.helpers import POLICE, agency, agreement, partner

pytestmark = pytest.mark.browser
MEETING_DAY = date(2026, 12, 8)  # the second Tuesday of December 2026


@pytest.fixture(autouse=True)
def meeting_day():
    # The meeting's day, from 10:05 (the clock runs on from there): nothing depends on today's date.
    with time_machine.travel(datetime.combine(MEETING_DAY, time(10, 5), tzinfo=LONDON), tick=True):
        yield


@pytest.fixture
def police_action(db):
    police = agency(POLICE)
    agreement(police)
    chair = staff("olivia", Role.OFFICER, first_name="Olivia", last_name="Chen")
    officer = partner("pc-patel", police, first_name="Priya", last_name="Patel")
    group = group_make()
    m_chair = member_make(group, chair, co_chair=True)
    m_officer = member_make(group, officer, agency=police)
    meeting = meeting_make(group, MEETING_DAY)
    place = Place.objects.create(address="Bell Street Car Park", postcode="LE18 2BB", key="BELLSTREETCARPARK|LE182BB")
    item = AgendaItem.objects.create(meeting=meeting, position=1, kind=ItemKind.LOCATION, place=place,
                                     source=ItemSource.NOMINATION, why="Youths gathering at night")
    meeting = meeting_open(meeting=meeting, attendance=[AttendanceEntry(member=m_chair, status="present", acknowledged=True),
                                                        AttendanceEntry(member=m_officer, status="present", acknowledged=True)],
                           actor=chair, version=meeting.version)
    action = action_add(item=item, text="Patrol Bell Street Car Park on Friday and Saturday nights", owner_agency=police,
                        owner=officer, due_on=date(2027, 1, 8), actor=chair)
    return officer, action


def test_police_officer_marks_their_jag_action_done(browser_page, police_action):
    b, page = browser_page, browser_page.page
    officer, action = police_action
    device = totp_device_for(officer)

    b.sign_in(officer)
    expect(page).to_have_url(b.base_url + "/staff/login/code/")
    page.get_by_label("Code", exact=True).fill(current_code(device))
    b.submit("Continue", expect_path="/partners/")

    expect(page.get_by_role("heading", name="My JAG actions")).to_be_visible()
    panel = page.get_by_role("region", name="My JAG actions")
    expect(panel.get_by_text("On track")).to_be_visible()
    b.click_to(panel.get_by_role("link", name=action.text), expect_path=f"/jag/actions/{action.pk}/")

    expect(page.get_by_role("heading", name="JAG action", exact=True)).to_be_visible()
    expect(page.get_by_text("Bell Street Car Park, LE18 2BB")).to_be_visible()
    page.get_by_label("Done", exact=True).check()
    page.get_by_label("Progress", exact=True).fill("Patrols on both nights since 11 December; no groups seen since the 19th")
    b.submit("Save the update", expect_path=f"/jag/actions/{action.pk}/")

    expect(page.get_by_text("Your update to the action was saved")).to_be_visible()
    expect(page.locator("#action-status")).to_have_text("Done")
    expect(page.locator("dd").get_by_text("Patrols on both nights since 11 December")).to_be_visible()
    action.refresh_from_db()
    assert action.status == ActionStatus.DONE and action.updated_by == officer

    # Done, it leaves the home page's list of open actions.
    b.visit("/partners/")
    expect(page.get_by_role("heading", name="My JAG actions")).to_have_count(0)
    assert JagAction.objects.filter(status=ActionStatus.OPEN).count() == 0


def test_council_co_chair_runs_the_meeting_and_circulates_the_minutes(browser_page, police_action):
    """Every page of the meeting (open, item, action, close, minutes, edit, the action list) through axe-core."""
    b, page = browser_page, browser_page.page
    officer, action = police_action
    meeting = action.meeting
    chair = meeting.group.members.get(is_co_chair=True).user
    # A second meeting today, not yet opened, with the same location item.
    later = meeting_make(meeting.group, MEETING_DAY, rule_date=date(2026, 12, 9))
    item = AgendaItem.objects.create(meeting=later, position=1, kind=ItemKind.THEME, theme="Off-road bikes",
                                     source=ItemSource.NOMINATION, why="Reports up across the borough")

    b.sign_in(chair)
    b.visit(f"/jag/meetings/{later.pk}/open/")
    expect(page.get_by_text(meeting.group.confidentiality_statement)).to_be_visible()
    page.get_by_role("group", name="Olivia Chen (The council)").get_by_label("Present").check()
    page.get_by_role("group", name="Priya Patel (Leicestershire Police)").get_by_label("Present").check()
    page.get_by_label("Olivia Chen confirms the confidentiality statement").check()
    b.submit("Open the meeting")  # Priya has not confirmed the statement: an error
    expect(page.get_by_role("link", name="Priya Patel must confirm the confidentiality statement to be present")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    page.get_by_label("Priya Patel confirms the confidentiality statement").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Open the meeting").click()
    later.refresh_from_db()
    assert later.opened_at is not None

    b.visit(f"/jag/items/{item.pk}/")
    page.get_by_label("Notes", exact=True).fill("Bikes on the rec every evening")
    page.get_by_label("Keep on the agenda").check()
    b.submit("Save the item", expect_path=f"/jag/items/{item.pk}/")
    b.click_to(page.get_by_role("link", name="Add an action"), expect_path=f"/jag/items/{item.pk}/actions/add/")
    page.get_by_label("Action", exact=True).fill("Map where the bikes are ridden")
    page.get_by_label("Which agency owns it?").select_option(label="Leicestershire Police")
    page.get_by_label("Who owns it?").select_option(label="Priya Patel (Leicestershire Police)")
    page.get_by_label("Day").fill("15")
    page.get_by_label("Month").fill("1")
    page.get_by_label("Year").fill("2027")
    b.submit("Add the action", expect_path=f"/jag/items/{item.pk}/")
    expect(page.get_by_role("link", name="Map where the bikes are ridden")).to_be_visible()

    b.click_to(page.get_by_role("link", name="Close the meeting"), expect_path=f"/jag/meetings/{later.pk}/close/")
    b.submit("Close the meeting", expect_path=f"/jag/meetings/{later.pk}/minutes/")
    expect(page.get_by_text("Draft minutes (not circulated)")).to_be_visible()
    b.submit("Circulate the minutes", expect_path=f"/jag/meetings/{later.pk}/minutes/")
    expect(page.get_by_text("The minutes were circulated")).to_be_visible()
    b.click_to(page.get_by_role("link", name="Edit the minutes"), expect_path=f"/jag/meetings/{later.pk}/minutes/edit/")
    b.submit("Save the minutes", expect_path=f"/jag/meetings/{later.pk}/minutes/")

    b.visit("/jag/actions/?show=all&state=all")
    expect(page.get_by_role("link", name="Map where the bikes are ridden")).to_be_visible()
    b.visit("/staff/")
