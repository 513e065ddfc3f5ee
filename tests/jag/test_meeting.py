"""In the meeting: attendance with the confidentiality statement, each item's record, closing with an outcome on every
item; only a co-chair runs it."""

from datetime import date, datetime, timedelta

import pytest
import time_machine

from cases.models import PartnerAgency, Place
from cases.roles import Role
from cases.sla import LONDON
from jag.models import AgendaItem, Attendance, ItemKind, ItemSource, Meeting, MeetingStatus
from jag.services.meeting import AttendanceEntry, JagError, StaleError, item_record, meeting_close, meeting_open

from ..casereview.factories import partner_user, staff
from ..cases.factories import submit_report
from ..test_access_partners import _agreement
from .factories import group_make, meeting_make, member_make

pytestmark = pytest.mark.django_db
MEETING_DAY = date(2026, 12, 8)  # the second Tuesday of December 2026
NOW = datetime(2026, 12, 8, 10, 5, tzinfo=LONDON)


def london(*args) -> datetime:
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    housing = PartnerAgency.objects.get(name="Housing providers")
    _agreement(police)
    _agreement(housing)
    w = {
        "police": police, "housing": housing,
        "chair": staff("olivia", Role.OFFICER, first_name="Olivia", last_name="Chen"),
        "officer": staff("omar", Role.OFFICER, first_name="Omar", last_name="Patel"),
        "manager": staff("maria", Role.MANAGER, first_name="Maria", last_name="Lopez"),
        "inspector": partner_user("insp-jones", Role.PARTNER_LEAD, police),
        "pc": partner_user("pc-smith", Role.PARTNER_USER, police),
        "housing_user": partner_user("hsg", Role.PARTNER_USER, housing),
        "housing_lead": partner_user("hsg-lead", Role.PARTNER_LEAD, housing),
    }
    group = w["group"] = group_make()
    w["m_chair"] = member_make(group, w["chair"], co_chair=True)
    w["m_inspector"] = member_make(group, w["inspector"], agency=police, co_chair=True)
    w["m_pc"] = member_make(group, w["pc"], agency=police)
    w["m_housing"] = member_make(group, w["housing_user"], agency=housing)
    w["m_officer"] = member_make(group, w["officer"])
    w["meeting"] = meeting_make(group, MEETING_DAY)
    w["place"] = Place.objects.create(address="Bell Street Car Park", postcode="LE18 2BB", key="BELLSTREETCARPARK|LE182BB")
    w["case"] = submit_report().case
    w["items"] = [
        item_make(w["meeting"], 1, kind=ItemKind.CASE, case=w["case"], why="Nominated by the police: repeat noise"),
        item_make(w["meeting"], 2, kind=ItemKind.LOCATION, place=w["place"], why="Youths gathering at night"),
        item_make(w["meeting"], 3, kind=ItemKind.THEME, theme="Off-road bikes", why="Reports up across the borough"),
    ]
    return w


def item_make(meeting: Meeting, position: int, **values) -> AgendaItem:
    return AgendaItem.objects.create(meeting=meeting, position=position, source=ItemSource.NOMINATION, **values)


def fresh(meeting: Meeting) -> Meeting:
    return Meeting.objects.get(pk=meeting.pk)


def everyone_present(w) -> list[AttendanceEntry]:
    return [AttendanceEntry(member=w["m_chair"], status="present", acknowledged=True),
            AttendanceEntry(member=w["m_inspector"], status="present", acknowledged=True),
            AttendanceEntry(member=w["m_pc"], status="apologies"),
            AttendanceEntry(name="Rev. Ada Byrne", agency=None, status="present", acknowledged=True)]


def opened(w, meeting: Meeting | None = None) -> Meeting:
    meeting = fresh(meeting or w["meeting"])
    return meeting_open(meeting=meeting, attendance=everyone_present(w), actor=w["chair"], version=meeting.version)


def held(w, meeting: Meeting | None = None, outcome: str = "keep") -> Meeting:
    meeting = opened(w, meeting)
    for item in meeting.items.filter(removed_at__isnull=True):
        item_record(item=item, notes="Discussed", decisions="Agreed", outcome=outcome, actor=w["chair"])
    meeting = fresh(meeting)
    return meeting_close(meeting=meeting, actor=w["chair"], version=meeting.version)


# --- opening: attendance and confidentiality --------------------------------------------------------------------

def test_opening_records_everyone_and_the_members_not_listed_as_absent(world):
    meeting = opened(world)
    assert meeting.opened_at == NOW and meeting.version == 2 and meeting.status == MeetingStatus.SCHEDULED
    rows = {(a.name, a.status, a.agency_id, a.member_id is None, a.confidentiality_acknowledged)
            for a in Attendance.objects.filter(meeting=meeting)}
    police, housing = world["police"].pk, world["housing"].pk
    assert rows == {
        ("Olivia Chen", "present", None, False, True),
        (world["inspector"].get_full_name() or "insp-jones", "present", police, False, True),
        (world["pc"].get_full_name() or "pc-smith", "apologies", police, False, False),
        (world["housing_user"].get_full_name() or "hsg", "absent", housing, False, False),
        ("Omar Patel", "absent", None, False, False),
        ("Rev. Ada Byrne", "present", None, True, True),
    }
    assert all(a.recorded_by == world["chair"] and a.recorded_at == NOW for a in Attendance.objects.all())


def test_everyone_present_must_acknowledge_the_confidentiality_statement(world):
    entries = everyone_present(world)
    entries[3] = AttendanceEntry(name="Rev. Ada Byrne", status="present", acknowledged=False)
    meeting = fresh(world["meeting"])
    with pytest.raises(JagError, match="confidentiality"):
        meeting_open(meeting=meeting, attendance=entries, actor=world["chair"], version=meeting.version)
    assert not Attendance.objects.exists() and fresh(meeting).opened_at is None


@pytest.mark.parametrize("who", ["pc", "officer", "manager", "housing_user"])
def test_only_a_co_chair_opens_the_meeting(world, who):
    meeting = fresh(world["meeting"])
    with pytest.raises(JagError, match="co-chair"):
        meeting_open(meeting=meeting, attendance=everyone_present(world), actor=world[who], version=meeting.version)
    assert fresh(meeting).opened_at is None


def test_the_police_co_chair_may_open_it(world):
    meeting = fresh(world["meeting"])
    assert meeting_open(meeting=meeting, attendance=everyone_present(world), actor=world["inspector"],
                        version=meeting.version).opened_at == NOW


def test_a_co_chair_of_another_group_may_not(world):
    other = group_make(name="Blaby JAG")
    member_make(other, world["officer"], co_chair=True)
    meeting = fresh(world["meeting"])
    with pytest.raises(JagError):
        meeting_open(meeting=meeting, attendance=everyone_present(world), actor=world["officer"], version=meeting.version)


def test_a_stale_page_a_second_open_and_an_early_open_are_refused(world):
    meeting = fresh(world["meeting"])
    with pytest.raises(StaleError):
        meeting_open(meeting=meeting, attendance=everyone_present(world), actor=world["chair"], version=meeting.version + 1)
    opened(world)
    with pytest.raises(StaleError):  # the double click: the first bumped the version
        meeting_open(meeting=meeting, attendance=everyone_present(world), actor=world["chair"], version=meeting.version)
    with pytest.raises(JagError, match="already"):
        opened(world)
    assert Attendance.objects.count() == 6
    with time_machine.travel(london(2026, 12, 7, 16), tick=False):
        later = meeting_make(world["group"], date(2027, 1, 12))
        with pytest.raises(JagError, match="on the day"):
            meeting_open(meeting=later, attendance=everyone_present(world), actor=world["chair"], version=later.version)


def test_bad_attendance_is_refused(world):
    meeting = fresh(world["meeting"])
    outsider = member_make(group_make(name="Blaby JAG"), world["manager"])
    for entries, message in [
        ([AttendanceEntry(member=world["m_chair"], status="maybe", acknowledged=True)], "Choose present"),
        ([AttendanceEntry(member=outsider, status="present", acknowledged=True)], "members of this group"),
        ([AttendanceEntry(member=world["m_chair"], status="present", acknowledged=True)] * 2, "once"),
        ([AttendanceEntry(name="  ", status="present", acknowledged=True)], "guest's name"),
        ([AttendanceEntry(name="A" * 201, status="present", acknowledged=True)], "200 characters"),
        ([AttendanceEntry(member=world["m_chair"], status="apologies")], "who is present"),
    ]:
        with pytest.raises(JagError, match=message):
            meeting_open(meeting=meeting, attendance=entries, actor=world["chair"], version=meeting.version)
    assert not Attendance.objects.exists()


def test_a_cancelled_meeting_cannot_be_opened(world):
    Meeting.objects.filter(pk=world["meeting"].pk).update(status=MeetingStatus.CANCELLED)
    with pytest.raises(JagError, match="cancelled"):
        opened(world)


# --- the record of each item, and closing -------------------------------------------------------------------------

def test_items_are_recorded_only_while_the_meeting_is_in_progress(world):
    item = world["items"][0]
    with pytest.raises(JagError, match="not in progress"):
        item_record(item=item, notes="n", decisions="d", outcome="keep", actor=world["chair"])
    opened(world)
    recorded = item_record(item=item, notes="  Noise continues  ", decisions="Joint visit", outcome="escalate", actor=world["chair"])
    assert (recorded.notes, recorded.decisions, recorded.outcome) == ("Noise continues", "Joint visit", "escalate")
    with pytest.raises(JagError, match="outcome"):
        item_record(item=item, notes="", decisions="", outcome="shelve", actor=world["chair"])
    with pytest.raises(JagError, match="co-chair"):
        item_record(item=item, notes="", decisions="", outcome="close", actor=world["pc"])
    assert AgendaItem.objects.get(pk=item.pk).outcome == "escalate"


def test_a_removed_item_is_not_recorded_and_needs_no_outcome(world):
    removed = world["items"][2]
    AgendaItem.objects.filter(pk=removed.pk).update(removed_at=NOW - timedelta(days=1), removed_reason="Dealt with")
    meeting = opened(world)
    with pytest.raises(JagError, match="taken off"):
        item_record(item=removed, notes="", decisions="", outcome="keep", actor=world["chair"])
    for item in world["items"][:2]:
        item_record(item=item, notes="", decisions="", outcome="close", actor=world["chair"])
    closed = meeting_close(meeting=fresh(meeting), actor=world["chair"], version=fresh(meeting).version)
    assert closed.status == MeetingStatus.HELD and closed.closed_at == NOW


def test_closing_needs_an_outcome_on_every_item(world):
    meeting = opened(world)
    item_record(item=world["items"][0], notes="", decisions="", outcome="keep", actor=world["chair"])
    item_record(item=world["items"][1], notes="", decisions="", outcome="keep", actor=world["chair"])
    with pytest.raises(JagError, match="every item"):
        meeting_close(meeting=fresh(meeting), actor=world["chair"], version=fresh(meeting).version)
    item_record(item=world["items"][2], notes="", decisions="", outcome="close", actor=world["chair"])
    with pytest.raises(JagError, match="co-chair"):
        meeting_close(meeting=fresh(meeting), actor=world["manager"], version=fresh(meeting).version)
    with pytest.raises(StaleError):
        meeting_close(meeting=fresh(meeting), actor=world["chair"], version=meeting.version)
    closed = meeting_close(meeting=fresh(meeting), actor=world["chair"], version=fresh(meeting).version)
    assert (closed.status, closed.closed_at) == (MeetingStatus.HELD, NOW)
    with pytest.raises(JagError, match="not in progress"):
        meeting_close(meeting=closed, actor=world["chair"], version=closed.version)
    with pytest.raises(JagError, match="not in progress"):
        item_record(item=world["items"][0], notes="", decisions="", outcome="close", actor=world["chair"])


def test_a_meeting_not_opened_cannot_be_closed(world):
    meeting = fresh(world["meeting"])
    with pytest.raises(JagError, match="not in progress"):
        meeting_close(meeting=meeting, actor=world["chair"], version=meeting.version)

