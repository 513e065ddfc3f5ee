"""JAG journeys in Chromium (issue 14), each page checked by axe-core (the browser_page fixture):

- an officer nominates a case from its case page, and the council co-chair builds the agenda, reorders it and
  removes an item with a reason;
- a police user opens their agency's pack (the case shared with the police in full, the other only as "a case not
  shared with your agency") and its PDF; on the day the co-chair records them present, and agrees an action for
  them, which is then on their home page (marking it done: test_jag_actions.py);
- the manager sees the JAG figures on the dashboard, opens them and downloads the CSV.

The clock is frozen (time_machine, ticking on) a week before the December meeting or on its day: nothing depends on
today's date.
"""

from datetime import date, datetime, time

import pytest
import time_machine
from playwright.sync_api import expect

from cases.models import ShareScope
from cases.roles import Role
from cases.services import case_assign
from cases.sla import LONDON
from jag.models import ActionStatus, AgendaItem, JagAction, Meeting, Nomination
from jag.services.agenda import agenda_build
from jag.services.nominations import nomination_make

from ..accounts.helpers import current_code, totp_device_for
from ..casereview.factories import staff
from ..cases.factories import report_submission, submit_report
from ..jag.factories import group_make, meeting_make, member_make
from ..partners.helpers import POLICE, agency, agreement, partner, share

pytestmark = pytest.mark.browser
MEETING_DAY = date(2026, 12, 8)  # the second Tuesday of December 2026; nominations close at the end of 4 December


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


@pytest.fixture
def jag(db):
    police = agency(POLICE)
    agreement(police)
    w = {
        "police": police,
        "chair": staff("alison", Role.MANAGER, first_name="Alison", last_name="Grant"),
        "officer": staff("tom", Role.OFFICER, first_name="Tom", last_name="Okafor"),
        "pc": partner("pc-patel", police, first_name="Sam", last_name="Patel"),
    }
    w["group"] = group = group_make()
    w["m_chair"] = member_make(group, w["chair"], co_chair=True)
    w["m_officer"] = member_make(group, w["officer"])
    w["m_pc"] = member_make(group, w["pc"], agency=police)
    w["meeting"] = meeting_make(group, MEETING_DAY)
    return w


def _case(jag, *, name, address, phone):
    case = submit_report(report_submission(full_name=name, address=address, phone=phone)).case
    case_assign(case=case, officer=jag["officer"], actor=jag["chair"])
    case.refresh_from_db()
    return case


def _partner_sign_in(b, user):
    device = totp_device_for(user)
    b.sign_in(user)
    expect(b.page).to_have_url(b.base_url + "/staff/login/code/")
    b.page.get_by_label("Code", exact=True).fill(current_code(device))
    b.submit("Continue", expect_path="/partners/")


def test_officer_nominates_a_case_and_the_co_chair_shapes_the_agenda(browser_page, jag):
    b, page = browser_page, browser_page.page
    meeting = jag["meeting"]
    case = _case(jag, name="Margaret Ellis", address="14 Bell Street", phone="07700 900123")
    with time_machine.travel(_at(date(2026, 12, 1), 10), tick=True):
        # Someone else nominated a theme already: the agenda will have two items.
        nomination_make(meeting=meeting, kind="theme", theme="Off-road bikes in the parks", reason="Reports up since the summer",
                        actor=jag["chair"])

        # The officer, on the case page: Nominate for JAG.
        b.sign_in(jag["officer"])
        b.visit(f"/staff/cases/{case.reference}/")
        b.click_to(page.get_by_role("link", name="Nominate for JAG"), expect_path=f"/jag/meetings/{meeting.pk}/nominate/?case={case.reference}")
        expect(page.get_by_text("Nominations close at the end of Friday 4 December 2026")).to_be_visible()
        expect(page.get_by_label("Case reference (for a case)")).to_have_value(case.reference)
        b.submit("Send the nomination")
        expect(page.locator(".govuk-error-summary")).to_be_visible()  # no reason given: a clear error, nothing saved
        assert not Nomination.objects.filter(case=case).exists()
        page.get_by_label("A case", exact=True).check()
        page.get_by_label("Why should it be discussed?").fill("Three months of noise; the ABC was breached twice")
        b.submit("Send the nomination", expect_path=f"/jag/meetings/{meeting.pk}/")
        expect(page.get_by_text("Three months of noise; the ABC was breached twice").first).to_be_visible()
        assert Nomination.objects.filter(case=case, accepted=True, is_urgent=False).count() == 1

        # The co-chair builds the agenda from the nominations, moves the case up, and removes the theme.
        page.context.clear_cookies()
        b.sign_in(jag["chair"])
        b.visit("/jag/")
        b.click_to(page.get_by_role("link", name="Tuesday 8 December 2026").first, expect_path=f"/jag/meetings/{meeting.pk}/")
        b.click_to(page.get_by_role("link", name="Agenda", exact=True), expect_path=f"/jag/meetings/{meeting.pk}/agenda/")
        b.submit("Build the agenda", expect_path=f"/jag/meetings/{meeting.pk}/agenda/")
        items = list(AgendaItem.objects.filter(meeting=meeting).order_by("position"))
        assert [i.theme or i.case.reference for i in items] == ["Off-road bikes in the parks", case.reference]
        b.submit("Move up item 2", expect_path=f"/jag/meetings/{meeting.pk}/agenda/#agenda-items")
        assert [i.pk for i in AgendaItem.objects.filter(meeting=meeting).order_by("position")] == [items[1].pk, items[0].pk]
        b.click_to(page.get_by_role("link", name="Remove").last)
        page.get_by_role("textbox").first.fill("Covered by the Rural Crime Team's plan")
        b.submit("Remove the item", expect_path=f"/jag/meetings/{meeting.pk}/agenda/")
        expect(page.get_by_text("Covered by the Rural Crime Team's plan")).to_be_visible()
        theme = AgendaItem.objects.get(pk=items[0].pk)
        assert theme.removed_at is not None and theme.removed_by == jag["chair"]


def test_police_open_their_pack_attend_and_are_given_an_action(browser_page, jag):
    b, page = browser_page, browser_page.page
    meeting = jag["meeting"]
    shared = _case(jag, name="Margaret Ellis", address="14 Bell Street", phone="07700 900123")
    unshared = _case(jag, name="Bernadette Quinlan", address="2 Secret Lane", phone="07700 900987")
    share(shared, jag["police"], scope=ShareScope.SUMMARY, people=[shared.parties.get(role="victim")], by=jag["officer"])
    with time_machine.travel(_at(date(2026, 12, 1), 10), tick=False):
        for case in (shared, unshared):
            nomination_make(meeting=meeting, kind="case", case=case, reason=f"Repeat incidents at {case.address}",
                            actor=jag["officer"])
        agenda_build(meeting=Meeting.objects.get(pk=meeting.pk))

    with time_machine.travel(_at(date(2026, 12, 7), 9), tick=True):
        # The police user reads their pack the day before: the shared case in full, the other as a bare line.
        _partner_sign_in(b, jag["pc"])
        b.click_to(page.get_by_role("link", name="JAG", exact=True), expect_path="/jag/")
        b.click_to(page.get_by_role("link", name="Tuesday 8 December 2026").first, expect_path=f"/jag/meetings/{meeting.pk}/")
        expect(page.get_by_text(shared.reference).first).to_be_visible()
        expect(page.get_by_text("Margaret Ellis").first).to_be_visible()
        expect(page.get_by_text("A case not shared with your agency").first).to_be_visible()
        content = page.content()
        for secret in (unshared.reference, "Bernadette", "Secret Lane", "07700 900987"):
            assert secret not in content, secret
        pdf = page.request.get(f"/jag/meetings/{meeting.pk}/pack.pdf")
        assert pdf.ok and pdf.body().startswith(b"%PDF") and "attachment" in pdf.headers["content-disposition"]

    with time_machine.travel(_at(MEETING_DAY, 10, 2), tick=True):
        # On the day the co-chair records the police officer present and agrees an action for them.
        page.context.clear_cookies()
        b.sign_in(jag["chair"])
        b.visit(f"/jag/meetings/{meeting.pk}/")
        b.click_to(page.get_by_role("link", name="Open the meeting"), expect_path=f"/jag/meetings/{meeting.pk}/open/")
        for member, agency_name in (("Alison Grant", "The council"), ("Tom Okafor", "The council"), ("Sam Patel", POLICE)):
            page.get_by_role("group", name=f"{member} ({agency_name})").get_by_label("Present", exact=True).check()
            page.get_by_label(f"{member} confirms the confidentiality statement").check()
        b.submit("Open the meeting", expect_path=f"/jag/meetings/{meeting.pk}/")
        item = AgendaItem.objects.get(meeting=meeting, case=shared)
        b.visit(f"/jag/items/{item.pk}/")
        b.click_to(page.get_by_role("link", name="Add an action"), expect_path=f"/jag/items/{item.pk}/actions/add/")
        page.get_by_label("Action", exact=True).fill("Patrol Bell Street on Friday and Saturday nights for four weeks")
        page.get_by_label("Which agency owns it?").select_option(label=POLICE)
        page.get_by_label("Who owns it?").select_option(label="Sam Patel (Leicestershire Police)")
        page.get_by_label("Day").fill("8")
        page.get_by_label("Month").fill("1")
        page.get_by_label("Year").fill("2027")
        b.submit("Add the action", expect_path=f"/jag/items/{item.pk}/")
        action = JagAction.objects.get()
        assert action.owner == jag["pc"] and action.status == ActionStatus.OPEN and action.due_on == date(2027, 1, 8)

        # The police officer sees it on their home page.
        page.context.clear_cookies()
        _partner_sign_in(b, jag["pc"])
        panel = page.get_by_role("region", name="My JAG actions")
        expect(panel.get_by_role("link", name=action.text)).to_be_visible()


def test_manager_sees_the_jag_figures_and_downloads_them(browser_page, jag, manager_user):
    """Last month's meeting was held with two actions: one done on time, one still open and overdue; one item
    closed. The dashboard's JAG panel says so, the figures page has the month, the CSV its row."""
    b, page = browser_page, browser_page.page
    from jag.services.actions import action_add, action_update
    from jag.services.meeting import AttendanceEntry, item_record, meeting_close, meeting_open

    november = meeting_make(jag["group"], date(2026, 11, 10))
    item = AgendaItem.objects.create(meeting=november, position=1, kind="theme", theme="Off-road bikes", source="added",
                                     why="Reports up")
    with time_machine.travel(_at(date(2026, 11, 10), 10), tick=False):
        meeting_open(meeting=november, attendance=[AttendanceEntry(member=jag["m_chair"], status="present", acknowledged=True)],
                     actor=jag["chair"], version=november.version)
        done = action_add(item=item, text="Patrols", owner_agency=jag["police"], owner=jag["pc"], due_on=date(2026, 11, 20),
                          actor=jag["chair"])
        action_add(item=item, text="Letter to the landowner", owner_agency=None, owner=jag["officer"],
                   due_on=date(2026, 11, 24), actor=jag["chair"])
        item_record(item=item, notes="Patrols agreed", decisions="", outcome="close", actor=jag["chair"])
        meeting_close(meeting=Meeting.objects.get(pk=november.pk), actor=jag["chair"], version=Meeting.objects.get(pk=november.pk).version)
    with time_machine.travel(_at(date(2026, 11, 18), 16), tick=False):
        action_update(action=done, status="done", progress="Done on two weekends", actor=jag["pc"], version=done.version)

    with time_machine.travel(_at(date(2026, 12, 2), 9), tick=True):
        b.sign_in(manager_user)
        b.visit("/dashboard/")
        panel = page.locator("#jag + table")
        expect(panel).to_contain_text("January 2026 to December 2026")
        expect(panel.get_by_role("row", name="Actions completed on time")).to_contain_text("1 of 2 (50%)")
        expect(panel.get_by_role("row", name="Items closed")).to_contain_text("1")
        b.click_to(page.get_by_role("link", name="JAG figures month by month"), expect_path="/jag/figures/")
        expect(page.get_by_role("heading", name="JAG figures", exact=True)).to_be_visible()
        expect(page.get_by_role("row", name="November 2026")).to_be_visible()
        csv = page.request.get("/jag/figures.csv")
        assert csv.ok and "text/csv" in csv.headers["content-type"]
        assert "2026-11,1,1,2,1,1,0" in csv.text()
