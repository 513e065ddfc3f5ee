"""Nominations: who may nominate what (a partner only a case shared with their agency, otherwise as if it did not
exist), the reason, one per case per meeting, late ones urgent until a co-chair decides."""

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.utils import timezone

from cases.models import AgencyMember, CaseShare, PartnerAgency, Place
from cases.roles import Role
from jag.models import ItemKind, JagMember, MeetingStatus, Nomination
from jag.services.nominations import nomination_decide, nomination_make
from jag.services.schedule import JagError, nominations_close_at

from ..casereview.factories import partner_user, staff
from ..cases.factories import CaseFactory
from ..test_access_partners import _agreement
from .factories import group_make, meeting_make, member_make

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=LONDON)  # Wednesday 2 December 2026
MEETING_DAY = date(2026, 12, 8)  # Tuesday: nominations close at the end of Friday 4 December
CUT_OFF = datetime(2026, 12, 4, 23, 59, 59, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
    return world_make()


def world_make() -> dict:
    """A group with council and police co-chairs, a meeting on 8 December, a case shared with the police and one
    shared with nobody, a location."""
    police = PartnerAgency.objects.get(name="Leicestershire Police")
    housing = PartnerAgency.objects.get(name="Housing providers")
    _agreement(police)
    _agreement(housing)
    w = {
        "police": police, "housing": housing,
        "officer": staff("olive", Role.OFFICER), "manager": staff("maria", Role.MANAGER),
        "call_centre": staff("cal", Role.CALL_CENTRE), "chair": staff("chris", Role.MANAGER),
        "pc": partner_user("pc-smith", Role.PARTNER_USER, police), "inspector": partner_user("insp-jones", Role.PARTNER_LEAD, police),
        "housing_user": partner_user("hsg", Role.PARTNER_USER, housing),
        "shared": CaseFactory(reference="ASB-2026-00101"), "unshared": CaseFactory(reference="ASB-2026-00102"),
        "place": Place.objects.create(address="Bell Street car park, Wigston", postcode="LE18 1AA", key="bell-street-car-park"),
    }
    CaseShare.objects.create(case=w["shared"], agency=police, reason="Joint problem-solving", shared_by=w["officer"])
    w["group"] = group = group_make()
    member_make(group, w["chair"], co_chair=True)
    member_make(group, w["inspector"], agency=police, co_chair=True)
    member_make(group, w["officer"])
    member_make(group, w["pc"], agency=police)
    w["meeting"] = meeting_make(group, MEETING_DAY)
    return w


def _nominate(w, actor, *, kind=ItemKind.CASE, case=None, at=None, reason="Repeat victim, escalating", **kwargs):
    if kind == ItemKind.CASE and case is None and "place" not in kwargs and "theme" not in kwargs:
        case = w["shared"]
    return nomination_make(meeting=w["meeting"], kind=kind, case=case, reason=reason, actor=actor, at=at, **kwargs)


def test_an_officer_nominates_a_case_before_the_cut_off(world):
    assert nominations_close_at(world["meeting"]) == CUT_OFF
    nomination = _nominate(world, world["officer"], case=world["unshared"], reason="  Three reports this month  ")
    nomination.refresh_from_db()
    assert (nomination.kind, nomination.case, nomination.place, nomination.theme) == (ItemKind.CASE, world["unshared"], None, "")
    assert (nomination.reason, nomination.nominated_by, nomination.agency) == ("Three reports this month", world["officer"], None)
    assert (nomination.created_at, nomination.is_urgent, nomination.accepted) == (NOW, False, True)


def test_a_police_user_nominates_a_case_shared_with_the_police(world):
    nomination = _nominate(world, world["pc"])
    assert (nomination.agency, nomination.case, nomination.accepted) == (world["police"], world["shared"], True)


@pytest.mark.parametrize(("who", "which"), [("pc", "unshared"), ("inspector", "unshared"), ("housing_user", "shared"),
                                            ("housing_user", "unshared")])
def test_a_partner_cannot_nominate_a_case_not_shared_with_their_agency(world, who, which):
    with pytest.raises(Http404):
        _nominate(world, world[who], case=world[which])
    assert not Nomination.objects.exists()


def test_a_stopped_share_or_a_lapsed_agreement_stops_nominations(world):
    share = CaseShare.objects.get(case=world["shared"])
    share.stopped_at, share.stopped_by, share.stop_reason = timezone.now(), world["officer"], "No longer needed"
    share.save()
    with pytest.raises(Http404):
        _nominate(world, world["pc"])
    CaseShare.objects.create(case=world["shared"], agency=world["police"], reason="Again", shared_by=world["officer"])
    world["police"].agreements.update(ended_on=date(2026, 12, 1))
    with pytest.raises(Http404):
        _nominate(world, world["pc"])
    assert not Nomination.objects.exists()


def test_the_call_centre_cannot_nominate(world):
    with pytest.raises(Http404):
        _nominate(world, world["call_centre"], kind=ItemKind.THEME, theme="Fireworks")
    assert not Nomination.objects.exists()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"reason": "   "}, "Enter why"),
    ({"kind": ItemKind.CASE, "case": None, "theme": "x"}, "Choose the case"),
    ({"kind": ItemKind.LOCATION}, "Choose the location"),
    ({"kind": ItemKind.THEME, "theme": "  "}, "Enter the theme"),
    ({"kind": ItemKind.THEME, "theme": "x" * 201}, "200 characters"),
    ({"kind": "person"}, "case, a location or a theme"),
])
def test_what_a_nomination_needs(world, kwargs, message):
    with pytest.raises(JagError, match=message):
        _nominate(world, world["officer"], **kwargs)
    assert not Nomination.objects.exists()


def test_a_location_and_a_theme_keep_only_what_their_kind_names(world):
    location = _nominate(world, world["pc"], kind=ItemKind.LOCATION, place=world["place"], theme="ignored")
    assert (location.place, location.case, location.theme) == (world["place"], None, "")
    theme = _nominate(world, world["officer"], kind=ItemKind.THEME, theme="  Off-road bikes  ", place=world["place"])
    assert (theme.theme, theme.place, theme.case) == ("Off-road bikes", None, None)


def test_one_nomination_per_case_per_meeting(world):
    first = _nominate(world, world["officer"])
    again = _nominate(world, world["officer"], reason="Clicked twice")
    colleague = _nominate(world, world["pc"], reason="Us too")
    assert first.pk == again.pk == colleague.pk
    assert Nomination.objects.get().reason == "Repeat victim, escalating"
    # Another meeting may table it again.
    other = meeting_make(world["group"], date(2027, 1, 12))
    assert nomination_make(meeting=other, kind=ItemKind.CASE, case=world["shared"], reason="Still going",
                           actor=world["officer"]).pk != first.pk


def test_one_nomination_per_location_and_per_theme_and_person(world):
    place = _nominate(world, world["pc"], kind=ItemKind.LOCATION, place=world["place"])
    assert _nominate(world, world["officer"], kind=ItemKind.LOCATION, place=world["place"]).pk == place.pk
    theme = _nominate(world, world["officer"], kind=ItemKind.THEME, theme="Fireworks")
    assert _nominate(world, world["officer"], kind=ItemKind.THEME, theme="fireworks ").pk == theme.pk
    assert _nominate(world, world["pc"], kind=ItemKind.THEME, theme="Fireworks").pk != theme.pk
    assert Nomination.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_double_click_at_the_same_moment_makes_one_nomination():
    officer, case = staff("olive", Role.OFFICER), CaseFactory(reference="ASB-2026-00103")
    meeting = meeting_make(group_make(), MEETING_DAY)
    barrier, pks, errors = threading.Barrier(4), [], []

    def click():
        try:
            barrier.wait(timeout=10)
            pks.append(nomination_make(meeting=meeting, kind=ItemKind.CASE, case=case, reason="Twice", actor=officer).pk)
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(pks) == 4 and len(set(pks)) == 1
    assert Nomination.objects.filter(meeting=meeting).count() == 1


def test_at_the_cut_off_it_is_on_time_and_a_second_later_it_is_urgent(world):
    on_time = _nominate(world, world["officer"], at=CUT_OFF)
    late = _nominate(world, world["pc"], kind=ItemKind.LOCATION, place=world["place"], at=CUT_OFF + timedelta(seconds=1))
    assert (on_time.is_urgent, on_time.accepted) == (False, True)
    assert (late.is_urgent, late.accepted, late.created_at) == (True, None, CUT_OFF + timedelta(seconds=1))


def test_the_clock_decides_when_no_time_is_given(world):
    with time_machine.travel(datetime(2026, 12, 7, 9, tzinfo=LONDON), tick=False):
        late = _nominate(world, world["officer"])
    assert (late.is_urgent, late.accepted) == (True, None)


def test_no_nominations_for_a_meeting_held_or_cancelled(world):
    for status in (MeetingStatus.HELD, MeetingStatus.CANCELLED):
        world["meeting"].status = status
        world["meeting"].save()
        with pytest.raises(JagError, match="held or cancelled"):
            _nominate(world, world["officer"])
    assert not Nomination.objects.exists()


# --- a co-chair decides on an urgent nomination --------------------------------------------------------------------

@pytest.fixture
def urgent(world):
    return _nominate(world, world["pc"], at=CUT_OFF + timedelta(hours=1))


@pytest.mark.parametrize(("chair", "accept"), [("chair", True), ("inspector", False)])
def test_a_co_chair_decides(world, urgent, chair, accept):
    decided = nomination_decide(nomination=urgent, accept=accept, reason=" Serious and current ", actor=world[chair])
    decided.refresh_from_db()
    assert (decided.accepted, decided.decided_by, decided.decided_at, decided.decision_reason) == (
        accept, world[chair], NOW, "Serious and current")


@pytest.mark.parametrize("who", ["officer", "pc", "manager", "housing_user", "call_centre"])
def test_only_an_active_co_chair_decides(world, urgent, who):
    with pytest.raises(Http404):
        nomination_decide(nomination=urgent, accept=True, reason="Yes", actor=world[who])
    urgent.refresh_from_db()
    assert urgent.accepted is None


def test_a_co_chair_no_longer_active_or_on_another_group_cannot_decide(world, urgent):
    JagMember.objects.filter(user=world["chair"]).update(is_active=False)
    with pytest.raises(Http404):
        nomination_decide(nomination=urgent, accept=True, reason="Yes", actor=world["chair"])
    other = group_make(name="Blaby JAG")
    member_make(other, world["manager"], co_chair=True)
    with pytest.raises(Http404):
        nomination_decide(nomination=urgent, accept=True, reason="Yes", actor=world["manager"])
    urgent.refresh_from_db()
    assert urgent.accepted is None


def test_a_decision_needs_a_reason_and_an_urgent_undecided_nomination(world, urgent):
    with pytest.raises(JagError, match="Enter the reason"):
        nomination_decide(nomination=urgent, accept=True, reason=" ", actor=world["chair"])
    on_time = _nominate(world, world["officer"], kind=ItemKind.THEME, theme="Fireworks")
    with pytest.raises(JagError, match="Only a late"):
        nomination_decide(nomination=on_time, accept=False, reason="No", actor=world["chair"])
    first = nomination_decide(nomination=urgent, accept=True, reason="Yes", actor=world["chair"])
    # The same decision again (a double click) changes nothing; the opposite one is refused.
    again = nomination_decide(nomination=urgent, accept=True, reason="Yes again", actor=world["inspector"])
    assert (again.decided_by, again.decision_reason) == (first.decided_by, "Yes")
    with pytest.raises(JagError, match="already decided"):
        nomination_decide(nomination=urgent, accept=False, reason="No", actor=world["inspector"])
    urgent.refresh_from_db()
    assert (urgent.accepted, urgent.decided_by) == (True, world["chair"])


def test_a_partner_without_an_agency_can_neither_nominate_nor_chair(world, urgent):
    """A partner role with no active agency has no capabilities at all (cases.policy): nothing is nominated or
    decided, also by a police co-chair who has left the police."""
    loner = staff("no-agency", Role.PARTNER_USER)
    with pytest.raises(Http404):
        _nominate(world, loner, kind=ItemKind.THEME, theme="Fireworks")
    AgencyMember.objects.filter(user=world["inspector"]).delete()
    inspector = type(world["inspector"]).objects.get(pk=world["inspector"].pk)  # no cached agency
    with pytest.raises(Http404):
        nomination_decide(nomination=urgent, accept=True, reason="Yes", actor=inspector)
    urgent.refresh_from_db()
    assert urgent.accepted is None and Nomination.objects.count() == 1
